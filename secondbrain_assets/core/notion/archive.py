"""Safe reading of a Notion export: a zip (possibly a zip of zips) or an unzipped folder.

Nothing is extracted to disk under its own name, so path traversal cannot write anywhere; unsafe
names are still rejected so they never become document paths. Every read is bounded by the bytes
actually decompressed (declared sizes in a zip header can lie), so a zip bomb stops at a limit.
Entries are yielded one at a time (`stream_export`) so a caller can decode and drop each file's
bytes: memory follows the text budget, not the archive. In a folder only regular files are
opened (a FIFO named `x.md` would block forever) and unreadable sub-folders are reported.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from secondbrain_assets.core.notion.entries import (
    TEXT_SUFFIXES,
    Budget,
    Entry,
    Limits,
    NotionExportError,
    Problem,
    safe_name,
)
from secondbrain_assets.core.notion.folder_reader import iter_folder
from secondbrain_assets.core.notion.zip_reader import iter_zip

__all__ = [
    "TEXT_SUFFIXES",
    "Entry",
    "Limits",
    "NotionExportError",
    "Problem",
    "iter_export",
    "safe_name",
    "stream_export",
]


def iter_export(path: Path, limits: Limits | None = None) -> tuple[list[Entry], list[Problem]]:
    """All files of the export at `path` plus the problems met while reading them.

    Raises NotionExportError when the export itself cannot be opened.
    """
    problems: list[Problem] = []
    entries = list(stream_export(path, limits, problems))
    return entries, problems


def stream_export(
    path: Path, limits: Limits | None = None, problems: list[Problem] | None = None
) -> Iterator[Entry]:
    """The files of the export one at a time; problems are appended to `problems`.

    Raises NotionExportError (on first iteration) when the export itself cannot be opened.
    """
    limits = limits or Limits()
    problems = [] if problems is None else problems
    budget = Budget(limits)
    if not path.exists():
        raise NotionExportError(f"Notion export {path} does not exist; check the exports folder.")
    if path.is_dir():
        yield from iter_folder(path, budget, problems)
        return
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotionExportError(
            f"Notion export {path.name} is not a readable zip ({exc}). Download it again from "
            "Notion (Settings > Export > Markdown & CSV) or unzip it into a folder."
        ) from exc
    with zf:
        yield from iter_zip(zf, "", path.name, 0, budget, problems)

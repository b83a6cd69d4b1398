"""Reading an unzipped export folder: a sorted walk, regular files only.

A FIFO named `x.md` would block forever and a symlink could point anywhere: both are skipped
with a problem, and unreadable sub-folders are reported, not fatal.
"""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from secondbrain_assets.core.notion.entries import (
    TEXT_SUFFIXES,
    Budget,
    Entry,
    Problem,
    over_total,
    read_bounded,
    text_entry,
)
from secondbrain_assets.core.notion.zip_reader import iter_zip


def iter_folder(root: Path, budget: Budget, problems: list) -> Iterator[Entry]:
    def unreadable(exc: OSError) -> None:
        where = Path(exc.filename or root)
        rel = where.relative_to(root).as_posix() if where != root else "."
        problems.append(
            Problem(
                rel,
                f"unreadable folder ({exc.strerror or exc}); its pages were "
                "skipped. Fix its permissions (chmod -R u+rX) and re-run.",
            )
        )

    # Sorted walk: the same folder always yields the same order (and the same duplicate winner).
    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for fname in sorted(filenames):
            if budget.exhausted:
                return
            full = Path(dirpath) / fname
            rel = full.relative_to(root).as_posix()
            if not budget.admit_entry(rel, problems):
                return
            if full.is_symlink():
                problems.append(Problem(rel, "symbolic link in the export folder; skipped"))
                continue
            yield from _folder_file(full, rel, budget, problems)


def _open_regular(full: Path) -> IO[bytes]:
    """Open a regular file for reading; OSError for anything else (FIFO, socket, device)."""
    # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then rejects it.
    fd = os.open(full, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise OSError(f"not a regular file (mode {stat.filemode(mode)})")
    return os.fdopen(fd, "rb")


def _folder_file(full: Path, rel: str, budget: Budget, problems: list) -> Iterator[Entry]:
    lower = rel.lower()
    try:
        st = full.lstat()
        if not stat.S_ISREG(st.st_mode):
            problems.append(
                Problem(
                    rel,
                    f"not a regular file ({stat.filemode(st.st_mode)}: "
                    "pipe, socket or device); skipped",
                )
            )
            return
        size = st.st_size
        if lower.endswith(".zip"):
            with _open_regular(full) as raw:
                try:
                    zf = zipfile.ZipFile(raw)
                except zipfile.BadZipFile as exc:
                    problems.append(Problem(rel, f"corrupt nested zip ({exc}); skipped"))
                    return
                parent = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
                with zf:
                    yield from iter_zip(zf, parent, rel, 1, budget, problems)
        elif lower.endswith(TEXT_SUFFIXES):
            with _open_regular(full) as fh:
                data, more = read_bounded(fh, budget.limits.max_text_bytes, budget)
            if not over_total(budget, rel, problems):
                yield text_entry(rel, size, data, more, problems)
        else:
            yield Entry(rel, size, None)
    except OSError as exc:
        problems.append(Problem(rel, f"unreadable file ({exc}); skipped"))

"""Safe reading of a Notion export: a zip (possibly a zip of zips) or an unzipped folder.

Nothing is extracted to disk under its own name, so path traversal cannot write anywhere; unsafe
names are still rejected so they never become document paths. Every read is bounded by the bytes
actually decompressed (declared sizes in a zip header can lie), so a zip bomb stops at a limit.
Entries are yielded one at a time (`stream_export`) so a caller can decode and drop each file's
bytes: memory follows the text budget, not the archive. In a folder only regular files are
opened (a FIFO named `x.md` would block forever) and unreadable sub-folders are reported.
"""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

_CHUNK = 1 << 20
# Only these are read as bytes; everything else is an attachment and is only noted.
TEXT_SUFFIXES = (".md", ".csv")
# Nested zips up to this size are unpacked in memory, larger ones spill to a temporary file.
_SPOOL_IN_MEMORY = 64 << 20


class NotionExportError(Exception):
    """The export as a whole cannot be read; the message names the file and the next step."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what one export may cost. Notion pages are rarely over a few hundred KB, and
    real exports are a few GB at most (mostly attachments, which are never decompressed)."""

    max_text_bytes: int = 4 << 20  # per .md/.csv file; longer ones are truncated at a line end
    max_nested_zip_bytes: int = 4 << 30  # per nested zip (Notion's `...-Part-N.zip`)
    # .md/.csv bytes decompressed for one export: this much text is held in memory at most
    # (1 GiB is ~500,000 ordinary pages; a laptop survives it).
    max_total_bytes: int = 1 << 30
    # Nested zips are copied to a temporary file (disk, not memory) before being opened.
    max_spooled_bytes: int = 16 << 30
    max_entries: int = 500_000  # zip entries or folder files, nested ones included
    max_depth: int = 3  # zip inside zip inside zip; Notion itself uses 1


@dataclass(frozen=True)
class Problem:
    """Something in the export that was skipped, truncated or repaired."""

    path: str
    message: str


@dataclass(frozen=True)
class Entry:
    """One file of the export. `data` is set for .md/.csv files, None for attachments."""

    path: str  # posix, relative to the export root
    size: int
    data: bytes | None
    truncated: bool = False


class _Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0
        self.spooled = 0
        self.entries = 0
        self.exhausted = False


def safe_name(name: str) -> str | None:
    """Normalized relative posix path, or None if the name escapes the export root."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def _read_bounded(fh: IO[bytes], limit: int, budget: _Budget) -> tuple[bytes, bool]:
    """Read at most `limit` bytes (counted as decompressed); True when there was more."""
    want = min(limit, budget.limits.max_total_bytes - budget.total) + 1
    data = fh.read(want)
    budget.total += len(data)
    more = len(data) > limit
    return (data[:limit] if more else data), more  # copy only when truncating


def _text_entry(path: str, size: int, data: bytes, more: bool, problems: list) -> Entry:
    if not more:
        return Entry(path, size, data)
    cut = data.rfind(b"\n")
    data = data[: cut + 1] if cut > 0 else data
    problems.append(Problem(path, f"file is longer than {len(data)} bytes; truncated there"))
    return Entry(path, size, data, truncated=True)


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
    budget = _Budget(limits)
    if not path.exists():
        raise NotionExportError(f"Notion export {path} does not exist; check the exports folder.")
    if path.is_dir():
        yield from _iter_folder(path, budget, problems)
        return
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotionExportError(
            f"Notion export {path.name} is not a readable zip ({exc}). Download it again from "
            "Notion (Settings > Export > Markdown & CSV) or unzip it into a folder."
        ) from exc
    with zf:
        yield from _iter_zip(zf, "", path.name, 0, budget, problems)


def _iter_zip(
    zf: zipfile.ZipFile, prefix: str, label: str, depth: int, budget: _Budget, problems: list
) -> Iterator[Entry]:
    for info in zf.infolist():
        if info.is_dir():
            continue
        shown = f"{label}:{info.filename}"
        if budget.exhausted:
            return
        budget.entries += 1
        if budget.entries > budget.limits.max_entries:
            budget.exhausted = True
            problems.append(
                Problem(
                    shown,
                    f"export has more than {budget.limits.max_entries} files; "
                    "this one and all after it were skipped",
                )
            )
            return
        name = safe_name(info.filename)
        if name is None:
            problems.append(Problem(shown, "unsafe path (absolute or '..'); entry skipped"))
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append(Problem(shown, "symbolic link inside the zip; entry skipped"))
            continue
        rel = f"{prefix}{name}"
        lower = name.lower()
        if lower.endswith(".zip"):
            yield from _nested_zip(zf, info, rel, shown, depth, budget, problems)
        elif lower.endswith(TEXT_SUFFIXES):
            entry = _zip_text(zf, info, rel, shown, budget, problems)
            if entry is not None:
                yield entry
        else:
            yield Entry(rel, info.file_size, None)


def _zip_text(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    rel: str,
    shown: str,
    budget: _Budget,
    problems: list,
) -> Entry | None:
    try:
        with zf.open(info) as fh:
            data, more = _read_bounded(fh, budget.limits.max_text_bytes, budget)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        # CRC errors, encryption, unsupported compression: lose this file, keep the rest.
        problems.append(Problem(shown, f"unreadable zip entry ({exc}); skipped"))
        return None
    if _over_total(budget, shown, problems):
        return None
    return _text_entry(rel, info.file_size, data, more, problems)


def _over_total(budget: _Budget, shown: str, problems: list) -> bool:
    if budget.total < budget.limits.max_total_bytes and (
        budget.spooled <= budget.limits.max_spooled_bytes
    ):
        return False
    budget.exhausted = True
    problems.append(
        Problem(
            shown,
            f"export decompresses to more than {budget.limits.max_total_bytes} bytes "
            f"of text or {budget.limits.max_spooled_bytes} bytes of nested zips (zip bomb?); "
            "this file and all after it were skipped. Split the export or raise the limit.",
        )
    )
    return True


def _nested_zip(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    rel: str,
    shown: str,
    depth: int,
    budget: _Budget,
    problems: list,
) -> Iterator[Entry]:
    if depth + 1 > budget.limits.max_depth:
        max_depth = budget.limits.max_depth
        problems.append(Problem(shown, f"zip nested deeper than {max_depth}; skipped"))
        return
    limit = budget.limits.max_nested_zip_bytes
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
        try:
            with zf.open(info) as fh:
                copied = 0
                while chunk := fh.read(min(_CHUNK, limit - copied + 1)):
                    copied += len(chunk)
                    budget.spooled += len(chunk)
                    if copied > limit:
                        problems.append(Problem(shown, f"nested zip over {limit} bytes; skipped"))
                        return
                    if _over_total(budget, shown, problems):
                        return
                    spool.write(chunk)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
            problems.append(Problem(shown, f"unreadable nested zip ({exc}); skipped"))
            return
        spool.seek(0)
        try:
            inner = zipfile.ZipFile(spool)  # type: ignore[arg-type]
        except (zipfile.BadZipFile, OSError) as exc:
            problems.append(Problem(shown, f"corrupt nested zip ({exc}); skipped"))
            return
        # Notion's `Export-...-Part-N.zip` holds paths relative to the export root, so the
        # nested zip's files join its parent folder rather than a folder named after it.
        parent = rel.rsplit("/", 1)[0] + "/" if "/" in rel else ""
        with inner:
            yield from _iter_zip(inner, parent, shown, depth + 1, budget, problems)


def _iter_folder(root: Path, budget: _Budget, problems: list) -> Iterator[Entry]:
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
            budget.entries += 1
            if budget.entries > budget.limits.max_entries:
                budget.exhausted = True
                problems.append(
                    Problem(
                        rel,
                        f"export has more than {budget.limits.max_entries} "
                        "files; this one and all after it were skipped",
                    )
                )
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


def _folder_file(full: Path, rel: str, budget: _Budget, problems: list) -> Iterator[Entry]:
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
                    yield from _iter_zip(zf, parent, rel, 1, budget, problems)
        elif lower.endswith(TEXT_SUFFIXES):
            with _open_regular(full) as fh:
                data, more = _read_bounded(fh, budget.limits.max_text_bytes, budget)
            if not _over_total(budget, rel, problems):
                yield _text_entry(rel, size, data, more, problems)
        else:
            yield Entry(rel, size, None)
    except OSError as exc:
        problems.append(Problem(rel, f"unreadable file ({exc}); skipped"))

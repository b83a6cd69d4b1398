"""Reading a zip export entry by entry, nested zips (Notion's `...-Part-N.zip`) included.

Nothing is extracted to disk under its own name; unsafe names and symlinks are skipped. Nested
zips up to 64 MiB are unpacked in memory, larger ones spill to a temporary file.
"""

from __future__ import annotations

import stat
import tempfile
import zipfile
from collections.abc import Iterator

from secondbrain_assets.core.notion.entries import (
    TEXT_SUFFIXES,
    Budget,
    Entry,
    Problem,
    over_total,
    read_bounded,
    safe_name,
    text_entry,
)

_CHUNK = 1 << 20
_SPOOL_IN_MEMORY = 64 << 20


def iter_zip(
    zf: zipfile.ZipFile, prefix: str, label: str, depth: int, budget: Budget, problems: list
) -> Iterator[Entry]:
    for info in zf.infolist():
        if info.is_dir():
            continue
        shown = f"{label}:{info.filename}"
        if budget.exhausted:
            return
        if not budget.admit_entry(shown, problems):
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
    budget: Budget,
    problems: list,
) -> Entry | None:
    try:
        with zf.open(info) as fh:
            data, more = read_bounded(fh, budget.limits.max_text_bytes, budget)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        # CRC errors, encryption, unsupported compression: lose this file, keep the rest.
        problems.append(Problem(shown, f"unreadable zip entry ({exc}); skipped"))
        return None
    if over_total(budget, shown, problems):
        return None
    return text_entry(rel, info.file_size, data, more, problems)


def _nested_zip(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    rel: str,
    shown: str,
    depth: int,
    budget: Budget,
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
                    if over_total(budget, shown, problems):
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
            yield from iter_zip(inner, parent, shown, depth + 1, budget, problems)

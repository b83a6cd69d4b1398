"""What reading a Notion export yields (entries, problems) and the limits that bound it.

Shared by the zip reader and the folder reader: every read is counted against one budget of
bytes actually decompressed, so a zip bomb or a huge folder stops at a limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

# Only these are read as bytes; everything else is an attachment and is only noted.
TEXT_SUFFIXES = (".md", ".csv")


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


class Budget:
    """What one export has cost so far: text bytes, spooled nested-zip bytes, files."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total = 0
        self.spooled = 0
        self.entries = 0
        self.exhausted = False

    def admit_entry(self, shown: str, problems: list) -> bool:
        """Count one more file; False (and a problem) once the export has too many."""
        self.entries += 1
        if self.entries <= self.limits.max_entries:
            return True
        self.exhausted = True
        problems.append(
            Problem(
                shown,
                f"export has more than {self.limits.max_entries} files; "
                "this one and all after it were skipped",
            )
        )
        return False


def safe_name(name: str) -> str | None:
    """Normalized relative posix path, or None if the name escapes the export root."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in PurePosixPath(name).parts if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def read_bounded(fh: IO[bytes], limit: int, budget: Budget) -> tuple[bytes, bool]:
    """Read at most `limit` bytes (counted as decompressed); True when there was more."""
    want = min(limit, budget.limits.max_total_bytes - budget.total) + 1
    data = fh.read(want)
    budget.total += len(data)
    more = len(data) > limit
    return (data[:limit] if more else data), more  # copy only when truncating


def text_entry(path: str, size: int, data: bytes, more: bool, problems: list) -> Entry:
    if not more:
        return Entry(path, size, data)
    cut = data.rfind(b"\n")
    data = data[: cut + 1] if cut > 0 else data
    problems.append(Problem(path, f"file is longer than {len(data)} bytes; truncated there"))
    return Entry(path, size, data, truncated=True)


def over_total(budget: Budget, shown: str, problems: list) -> bool:
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

"""One SQLite file shared by every partition, run and step process (the crawl, judgement and
generation caches): WAL so readers and a writer work at once, a busy timeout instead of
"database is locked", and bulk `IN (...)` lookups kept under SQLite's variable limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

MAX_VARIABLES = 500  # per statement; SQLite builds before 3.32 allow 999


def connect(path: Path, timeout_s: float = 30.0, shared: bool = False) -> sqlite3.Connection:
    """A connection that waits up to `timeout_s` for a lock; `shared`: usable from any thread
    (the caller serializes access)."""
    conn = sqlite3.connect(path, timeout=timeout_s, check_same_thread=not shared)
    conn.execute(f"PRAGMA busy_timeout={int(timeout_s * 1000)}")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def open_with_schema(path: Path, schema: str, timeout_s: float = 30.0) -> sqlite3.Connection:
    """Create the folder, switch the file to WAL, create the table; a thread-shared connection."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connect(path, timeout_s, shared=True)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(schema)
    conn.commit()
    return conn


def select_in(
    conn: sqlite3.Connection, query: str, params: tuple[Any, ...], values: Iterable[Any]
) -> Iterator[tuple[Any, ...]]:
    """Rows of `query`, which ends with `<column> IN`, for every value, in chunks."""
    values = list(values)
    for start in range(0, len(values), MAX_VARIABLES):
        chunk = values[start : start + MAX_VARIABLES]
        marks = ",".join("?" * len(chunk))
        yield from conn.execute(f"{query} ({marks})", (*params, *chunk)).fetchall()

"""SQLite crawl cache shared by all partitions, runs and step processes.

Keyed by the page id (hash of the normalized URL). Durable outcomes (a page, a 404, a PDF) stay
fresh for `max_age_hours`; transient failures (timeouts, DNS errors, 5xx) for
`failure_max_age_hours`, so a flaky site is retried soon but an offline re-run still makes no
request. WAL mode lets several Dagster step processes read and write at once.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from secondbrain_assets.core import sqlite_store
from secondbrain_assets.core.crawl import outcomes

TRANSIENT_OUTCOMES = outcomes.TRANSIENT
UNCACHED_OUTCOMES = outcomes.UNCACHED

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    stored_at REAL NOT NULL,
    transient INTEGER NOT NULL,
    payload TEXT NOT NULL
)
"""


def is_transient(record: dict[str, Any]) -> bool:
    status = record.get("status_code")
    return record["outcome"] in TRANSIENT_OUTCOMES or bool(
        record["outcome"] == outcomes.HTTP_ERROR
        and status is not None
        and (status >= 500 or status == 429)
    )


class CrawlCache:
    def __init__(
        self, path: Path, max_age_hours: float, failure_max_age_hours: float = 1.0
    ) -> None:
        self.path = path
        self.max_age_s = max_age_hours * 3600
        self.failure_max_age_s = failure_max_age_hours * 3600
        sqlite_store.open_with_schema(path, _SCHEMA, timeout_s=60).close()

    def _connect(self) -> sqlite3.Connection:
        return sqlite_store.connect(self.path, timeout_s=60)

    def get_many(self, ids: Iterable[str], now: float | None = None) -> dict[str, dict[str, Any]]:
        """Fresh cached records by id; stale or missing ids are absent."""
        now = time.time() if now is None else now
        found: dict[str, dict[str, Any]] = {}
        conn = self._connect()
        try:
            query = "SELECT id, stored_at, transient, payload FROM pages WHERE id IN"
            for pid, stored_at, transient, payload in sqlite_store.select_in(conn, query, (), ids):
                limit = self.failure_max_age_s if transient else self.max_age_s
                if now - stored_at <= limit:
                    found[pid] = json.loads(payload)
        finally:
            conn.close()
        return found

    def put_many(self, records: Iterable[dict[str, Any]], now: float | None = None) -> int:
        """Store records (JSON-serialisable dicts with `doc_id`, `url`, `outcome`)."""
        now = time.time() if now is None else now
        rows = [
            (r["doc_id"], r["url"], now, int(is_transient(r)), json.dumps(r, default=str))
            for r in records
            if r["outcome"] not in UNCACHED_OUTCOMES
        ]
        if not rows:
            return 0
        conn = self._connect()
        try:
            with conn:
                conn.executemany(
                    "INSERT OR REPLACE INTO pages (id, url, stored_at, transient, payload) "
                    "VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
        finally:
            conn.close()
        return len(rows)

"""A persistent cache of LLM judgements in SQLite, shared by all partitions and processes.

Key: (backend, model, prompt version, content hash), so a changed prompt or model re-judges and an
unchanged document never does. Each result is committed as it arrives (a crash loses nothing);
WAL mode lets several step processes read and write at once. Errors are never cached: a re-run
retries them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from secondbrain_assets import settings
from secondbrain_assets.core import sqlite_store
from secondbrain_assets.core.llm.backends import STATUS_OK, Judgement

_SCHEMA = """
CREATE TABLE IF NOT EXISTS judgements (
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    score REAL NOT NULL,
    confidence REAL,
    reason TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (backend, model, prompt_version, content_hash)
)
"""


def default_cache_path() -> Path:
    return settings.cache_dir() / "llm" / "judgements.sqlite"


class JudgementCache:
    """Lookups in bulk, writes one row at a time (each committed)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_cache_path()
        self._lock = threading.Lock()
        self._conn = sqlite_store.open_with_schema(self.path, _SCHEMA)

    def get_many(
        self, backend: str, model: str, prompt_version: str, hashes: Iterable[str]
    ) -> dict[str, Judgement]:
        query = (
            "SELECT content_hash, score, confidence, reason FROM judgements "
            "WHERE backend=? AND model=? AND prompt_version=? AND content_hash IN"
        )
        scope = (backend, model, prompt_version)
        with self._lock:
            rows = sqlite_store.select_in(self._conn, query, scope, dict.fromkeys(hashes))
            return {h: Judgement.ok(score, conf, reason) for h, score, conf, reason in rows}

    def put(
        self, backend: str, model: str, prompt_version: str, content_hash: str, result: Judgement
    ) -> bool:
        """Store an ok judgement; returns False (and stores nothing) for errors."""
        if result.status != STATUS_OK or result.score is None:
            return False
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO judgements VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    backend,
                    model,
                    prompt_version,
                    content_hash,
                    result.score,
                    result.confidence,
                    result.reason,
                    time.time(),
                ),
            )
            self._conn.commit()
        return True

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM judgements").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

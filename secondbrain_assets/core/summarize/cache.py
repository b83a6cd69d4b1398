"""A persistent cache of generations in SQLite, shared by all partitions and processes.

Key: backend, model (with its weights fingerprint), prompt version, temperature, seed, token cap
and the hash of the exact prompt (which holds the budget and the document as cut), so a changed
model, prompt, budget or document generates again and an unchanged one never does. The raw text
is stored, not the verdict: filters can change without a single new generation. Each batch is
committed as it arrives (a crash loses little); WAL lets several step processes share it.
Failed generations are never cached: a re-run retries them.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from secondbrain_assets import settings
from secondbrain_assets.core import sqlite_store
from secondbrain_assets.core.summarize.backends import Generation, GenerationRequest

_SCHEMA = """
CREATE TABLE IF NOT EXISTS generations (
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    prompt_hash TEXT NOT NULL,
    temperature REAL NOT NULL,
    seed INTEGER NOT NULL,
    max_new_tokens INTEGER NOT NULL,
    text TEXT NOT NULL,
    n_tokens INTEGER NOT NULL,
    finished INTEGER NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (backend, model, prompt_version, prompt_hash, temperature, seed, max_new_tokens)
)
"""

Key = tuple[str, float, int, int]  # prompt_hash, temperature, seed, max_new_tokens


def default_cache_path() -> Path:
    return settings.cache_dir() / "summaries" / "generations.sqlite"


def request_key(request: GenerationRequest) -> Key:
    digest = hashlib.sha256()
    for role, content in request.messages:
        digest.update(f"{role}\x00{content}\x01".encode())
    # An early stop changes the stored text of an over-budget answer, never of a kept one.
    digest.update(f"stop_after_chars={request.stop_after_chars}".encode())
    return (digest.hexdigest(), request.temperature, request.seed, request.max_new_tokens)


class GenerationCache:
    """Bulk lookups and bulk writes, scoped to one backend, model and prompt version."""

    def __init__(
        self, backend: str, model: str, prompt_version: str, path: Path | None = None
    ) -> None:
        self.scope = (backend, model, prompt_version)
        self.path = path or default_cache_path()
        self._lock = threading.Lock()
        self._conn = sqlite_store.open_with_schema(self.path, _SCHEMA)

    def get_many(self, keys: Iterable[Key]) -> dict[Key, Generation]:
        wanted = set(keys)
        query = (
            "SELECT prompt_hash, temperature, seed, max_new_tokens, text, n_tokens, finished "
            "FROM generations WHERE backend=? AND model=? AND prompt_version=? AND prompt_hash IN"
        )
        found: dict[Key, Generation] = {}
        with self._lock:
            hashes = sorted({k[0] for k in wanted})
            for (
                prompt_hash,
                temperature,
                seed,
                cap,
                text,
                n_tokens,
                finished,
            ) in sqlite_store.select_in(self._conn, query, self.scope, hashes):
                key = (prompt_hash, float(temperature), int(seed), int(cap))
                if key in wanted:
                    found[key] = Generation(text, int(n_tokens), bool(finished))
        return found

    def put_many(self, items: Iterable[tuple[Key, Generation]]) -> int:
        """Store the successful generations; returns how many were stored."""
        rows = [
            (*self.scope, *key, g.text, g.n_tokens, int(g.finished), time.time())
            for key, g in items
            if g.error is None
        ]
        with self._lock:
            self._conn.executemany(
                "INSERT OR REPLACE INTO generations VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
            self._conn.commit()
        return len(rows)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

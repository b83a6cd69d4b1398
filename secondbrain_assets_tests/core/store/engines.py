"""The wire-protocol stores every store test runs against, plus helpers shared by store tests.

nx-27017 and SecantusDB always run (started here on free ports, stopped by PID); a real MongoDB
runs when MONGODB_URI is set, otherwise its tests are reported as skipped with the reason.
Test modules wrap `running_store` / `fresh_collection` in their own fixtures.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from pymongo import MongoClient
from pymongo.collection import Collection

from secondbrain_assets.core.store.embedded_server import (
    Nx27017Server,
    WireServer,
    find_executable,
)

ENGINES = ["nx-27017", "secantusdb", "mongodb"]


class SecantusServer(WireServer):
    """SecantusDB (WiredTiger underneath); one server per data dir; slow (5-10 s) to exit."""

    name = "secantus"
    stop_timeout_s = 30.0

    def command(self, port: int) -> Sequence[str]:
        return [
            find_executable("secantusd-py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            str(self.data_dir / "wt"),
            "--standalone",  # plain standalone topology, like a single mongod
            "--log-level",
            "WARNING",
            "--cache-size",
            "256M",
        ]


def start_engine(engine: str, data_dir: Path) -> WireServer:
    server: WireServer = (
        Nx27017Server(data_dir) if engine == "nx-27017" else SecantusServer(data_dir)
    )
    return server.start()


@contextmanager
def running_store(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URI of a running store of `engine`; skips when a real MongoDB is not configured."""
    if engine == "mongodb":
        uri = os.environ.get("MONGODB_URI", "").strip()
        if not uri:
            pytest.skip("real MongoDB not tested: MONGODB_URI is not set (docs/document_store.md)")
        yield uri
        return
    server = start_engine(engine, tmp_path_factory.mktemp(engine))
    try:
        yield server.uri
    finally:
        server.stop()


@contextmanager
def fresh_collection(uri: str) -> Iterator[Collection]:
    """A uniquely named collection on the store at `uri`, dropped afterwards."""
    client: MongoClient = MongoClient(uri, serverSelectionTimeoutMS=10_000)
    coll = client["secondbrain_test"][f"docs_{uuid.uuid4().hex[:12]}"]
    try:
        yield coll
    finally:
        coll.drop()
        client["secondbrain_test"].drop_collection(f"{coll.name}_meta")
        client.close()


def raw_scores(
    export_key: str, ids: Sequence[str], content_size: int = 200, version: str = "v1"
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(heuristic_scores, llm_scores) frames for `ids` with the contract's columns."""
    n = len(ids)
    k = [int(d, 16) for d in ids]  # attributes follow the id, so any subset agrees
    heuristic = pl.DataFrame(
        {
            "doc_id": list(ids),
            "export_key": [export_key] * n,
            "source": ["notion" if i % 2 == 0 else "web" for i in k],
            "title": [f"Title {d}" for d in ids],
            "url": [None if i % 2 else f"https://example.org/{i}" for i in k],
            "parent_id": [None] * n,
            "content": [f"{version} {d} " + "x" * content_size for d in ids],
            "content_hash": [f"{version}-{d}" for d in ids],
            "n_chars": [content_size] * n,
            "heuristic_score": [0.9 if i % 5 else 0.1 for i in k],
            "failed_rules": [[] if i % 5 else ["too_short"] for i in k],
            "heuristic_pass": [bool(i % 5) for i in k],
            "sig_words": [float(i) for i in k],
        }
    )
    passed = heuristic.filter(pl.col("heuristic_pass"))
    m = passed.height
    llm = pl.DataFrame(
        {
            "doc_id": passed["doc_id"],
            "export_key": [export_key] * m,
            "llm_score": [round(0.2 + 0.7 * (int(d, 16) % 4) / 3, 3) for d in passed["doc_id"]],
            "llm_confidence": [0.8] * m,
            "llm_reason": ["ok"] * m,
            "llm_backend": ["test"] * m,
            "llm_model": ["none"] * m,
            "prompt_version": ["p1"] * m,
            "llm_status": ["ok"] * m,
            "llm_error": [None] * m,
            "from_cache": [False] * m,
        },
        schema_overrides={"llm_error": pl.String},
    )
    return heuristic, llm


def scored_rows(export_key: str, ids: Sequence[str], **kw: Any) -> pl.DataFrame:
    """Joined rows (join_scores output) for `ids`: every 5th id fails the heuristics."""
    from secondbrain_assets.core.store.documents import join_scores

    return join_scores(*raw_scores(export_key, ids, **kw))


def documents(export_key: str, ids: Sequence[str], **kw: Any) -> list[dict[str, Any]]:
    from secondbrain_assets.core.store.documents import iter_documents

    return list(iter_documents(scored_rows(export_key, ids, **kw)))


def sync_worker(uri: str, db: str, coll: str, export_key: str, ids: list[str], rounds: int) -> None:
    """Run in a separate process: sync one export `rounds` times."""
    from secondbrain_assets.core.store.writer import sync_partition

    client: MongoClient = MongoClient(uri)
    try:
        docs = documents(export_key, ids)
        for _ in range(rounds):
            sync_partition(client[db][coll], export_key, docs, batch_size=50)
    finally:
        client.close()

"""Upsert throughput into the document store: our partition sync vs a per-document loop.

    python benchmarks/bench_mongo.py [--docs 10000] [--size 5000] [--batch 500]

One nx-27017 server (the embedded default) in a temporary data dir; both writers load the same
documents (~5 KB each, built by the real join_scores/iter_documents path) into their own empty
collection with the same indexes, in one run, side by side:
- baseline: `update_one({_id}, {$set: doc}, upsert=True)` per document, the usual loop;
- ours: `sync_partition` (unordered bulk upserts in batches + stale removal).
Then a second identical load with each, where ours should write nothing (bulk result counts).
A run named `engine@RTT` goes through a local proxy that adds RTT ms per client->server chunk,
to show what round trips cost on a network link (the embedded engines are local, so there the
server's per-document work dominates and bulk writes gain far less than on a real network).
Writes benchmarks/results/mongo.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bson  # noqa: E402
import polars as pl  # noqa: E402
from _common import machine, write_result  # noqa: E402
from pymongo import MongoClient  # noqa: E402

from secondbrain_assets.core.store.documents import iter_documents, join_scores  # noqa: E402
from secondbrain_assets.core.store.embedded_server import (  # noqa: E402
    Nx27017Server,
    WireServer,
    find_executable,
)
from secondbrain_assets.core.store.indexes import ensure_indexes  # noqa: E402
from secondbrain_assets.core.store.writer import sync_partition  # noqa: E402


class SecantusServer(WireServer):
    """SecantusDB (WiredTiger, MongoDB's storage engine), the second engine of the tests."""

    name = "secantus"

    def command(self, port: int) -> list[str]:
        return [
            find_executable("secantusd-py"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--storage-path",
            str(self.data_dir / "wt"),
            "--standalone",
            "--log-level",
            "WARNING",
        ]


def build_documents(n: int, size: int) -> list[dict]:
    ids = [f"{i:032x}" for i in range(n)]
    words = ["asset", "partition", "pipeline", "quality", "model", "token", "cache", "index"]
    body = " ".join(words[i % len(words)] for i in range(size // 7))[:size]
    heuristic = pl.DataFrame(
        {
            "doc_id": ids,
            "export_key": ["bench"] * n,
            "source": ["web" if i % 2 else "notion" for i in range(n)],
            "title": [f"Page {i}" for i in range(n)],
            "url": [f"https://example.org/{i}" for i in range(n)],
            "parent_id": [None] * n,
            "content": [f"{i} {body}" for i in range(n)],
            "content_hash": [f"h{i}" for i in range(n)],
            "n_chars": [size] * n,
            "heuristic_score": [0.8] * n,
            "failed_rules": [[] for _ in range(n)],
            "heuristic_pass": [i % 10 != 0 for i in range(n)],
            "sig_words": [float(size // 7)] * n,
        },
        schema_overrides={"parent_id": pl.String},
    )
    passed = heuristic.filter(pl.col("heuristic_pass"))["doc_id"]
    llm = pl.DataFrame(
        {
            "doc_id": passed,
            "llm_score": [0.7] * len(passed),
            "llm_status": ["ok"] * len(passed),
            "llm_model": ["qwen2.5:7b"] * len(passed),
            "prompt_version": ["p1"] * len(passed),
        }
    )
    return list(iter_documents(join_scores(heuristic, llm)))


def per_document_loop(coll, docs: list[dict]) -> tuple[float, int, int]:
    started = time.perf_counter()
    upserted = modified = 0
    for doc in docs:
        fields = {k: v for k, v in doc.items() if k != "_id"}
        res = coll.update_one({"_id": doc["_id"]}, {"$set": fields}, upsert=True)
        upserted += res.upserted_id is not None
        modified += res.modified_count
    return time.perf_counter() - started, upserted, modified


class LatencyProxy:
    """TCP proxy on 127.0.0.1 that delivers each client->server chunk `rtt_ms` after it arrived.

    Models the round-trip time of a network link (a same-region MongoDB or Atlas is ~0.5-2 ms)
    without limiting bandwidth: chunks are forwarded in order, each at arrival + rtt. Only for
    this benchmark; clearly labelled as simulated in the output.
    """

    def __init__(self, target_port: int, rtt_ms: float) -> None:
        self.target_port, self.delay = target_port, rtt_ms / 1000
        self.port = 0
        self.open_connections = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()
        self._ready.wait(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, client_r, client_w) -> None:
        server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        queue: asyncio.Queue = asyncio.Queue()

        async def read_client() -> None:
            while data := await client_r.read(1 << 16):
                queue.put_nowait((time.monotonic() + self.delay, data))
            queue.put_nowait((0.0, b""))

        async def delayed_send() -> None:
            while True:
                due, data = await queue.get()
                if not data:
                    server_w.close()
                    return
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                server_w.write(data)

        async def answer() -> None:
            while data := await server_r.read(1 << 16):
                client_w.write(data)
            client_w.close()

        self.open_connections += 1
        await asyncio.gather(read_client(), delayed_send(), answer(), return_exceptions=True)
        self.open_connections -= 1

    def uri(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    def close(self) -> None:
        deadline = time.monotonic() + 5  # let closed client connections wind down first
        while self.open_connections and time.monotonic() < deadline:
            time.sleep(0.01)
        self._loop.call_soon_threadsafe(self._loop.stop)


@contextmanager
def store(engine: str) -> Iterator[tuple[str, int | None]]:
    """(URI, local port) of a fresh server of `engine`; `mongodb` is MONGODB_URI, as it is."""
    if engine == "mongodb":
        uri = os.environ.get("MONGODB_URI", "").strip()
        if not uri:
            raise SystemExit("--runs mongodb needs MONGODB_URI (see docker/README.md)")
        yield uri, None
        return
    server_cls = {"nx-27017": Nx27017Server, "secantusdb": SecantusServer}[engine]
    with tempfile.TemporaryDirectory() as tmp, server_cls(Path(tmp)) as server:
        yield server.uri, server.port


def run_engine(engine: str, docs: list[dict], batch: int, rtt_ms: float) -> dict:
    """Baseline and ours on one server, side by side, then both again (second identical load)."""
    load_before = machine()["loadavg_1m"]
    with store(engine) as (uri, port):
        proxy = LatencyProxy(port, rtt_ms) if rtt_ms and port else None
        client: MongoClient = MongoClient(proxy.uri() if proxy else uri)
        db = client.get_database("secondbrain_bench")
        base, ours = db.baseline, db.ours
        base.drop()
        ours.drop()
        ensure_indexes(base)
        ensure_indexes(ours)
        base_s, base_up, _ = per_document_loop(base, docs)
        first = sync_partition(ours, "bench", docs, batch_size=batch)
        base2_s, _, base2_mod = per_document_loop(base, docs)
        second = sync_partition(ours, "bench", docs, batch_size=batch)
        assert base.count_documents({}) == ours.count_documents({}) == len(docs) == base_up
        if engine == "mongodb":  # leave a real server as we found it
            client.drop_database("secondbrain_bench")
        client.close()
        if proxy:
            proxy.close()
    n_batches = -(-len(docs) // batch)
    return {
        "simulated_rtt_ms": rtt_ms,
        "load_1m_before": load_before,
        "load_1m_after": machine()["loadavg_1m"],
        "baseline_first_s": round(base_s, 3),
        "ours_first_s": first.elapsed_s,
        "speedup_first": round(base_s / first.elapsed_s, 2),
        "baseline_second_s": round(base2_s, 3),
        "baseline_second_modified": base2_mod,
        "ours_second_s": second.elapsed_s,
        "speedup_second": round(base2_s / second.elapsed_s, 2),
        # the loop: one per document; ours: the export scan, then per batch a lookup + a write
        "baseline_round_trips": len(docs),
        "ours_round_trips_first": 1 + 2 * n_batches,
        "ours_first": first.as_dict(),
        "ours_second": second.as_dict(),
        "second_load_wrote_nothing": second.wrote_nothing,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument(
        "--runs",
        default="nx-27017,secantusdb,nx-27017@1",
        help="engine[@simulated RTT ms], comma-separated; engines: "
        "nx-27017, secantusdb, mongodb (MONGODB_URI)",
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    docs = build_documents(args.docs, args.size)
    build_s = time.perf_counter() - t0
    avg_kb = sum(len(bson.encode(d)) for d in docs[:200]) / 200 / 1024
    runs = {}
    for spec in args.runs.split(","):
        engine, _, rtt = spec.partition("@")
        runs[spec] = run_engine(engine, docs, args.batch, float(rtt or 0))

    print(
        f"{args.docs} docs of ~{avg_kb:.1f} KB BSON, batches of {args.batch}; "
        f"build {build_s:.1f} s; cpus {machine()['cpus']}"
    )
    print(
        f"{'run':14} {'writer':16} {'1st load s':>10} {'docs/s':>7} {'2nd load s':>10}  "
        "2nd load writes"
    )
    for spec, r in runs.items():
        label = spec.replace("@", " rtt ") + ("ms" if "@" in spec else "")
        print(
            f"{label:14} {'update_one loop':16} {r['baseline_first_s']:10.2f} "
            f"{args.docs / r['baseline_first_s']:7.0f} {r['baseline_second_s']:10.2f}  "
            f"{r['baseline_second_modified']} modified"
        )
        o2 = r["ours_second"]
        print(
            f"{'':14} {'sync_partition':16} {r['ours_first_s']:10.2f} "
            f"{args.docs / r['ours_first_s']:7.0f} {r['ours_second_s']:10.2f}  "
            f"{o2['inserted']} inserted, {o2['updated']} updated, {o2['modified']} modified, "
            f"{o2['unchanged']} unchanged"
        )
        print(
            f"{'':14} speed-up: first load {r['speedup_first']:.1f}x, second load "
            f"{r['speedup_second']:.1f}x (load 1m {r['load_1m_before']})"
        )
    print("rtt = simulated network round-trip time (LatencyProxy), not a real network.")
    path = write_result(
        "mongo",
        {
            "docs": args.docs,
            "avg_bson_kb": round(avg_kb, 2),
            "batch_size": args.batch,
            "runs": runs,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

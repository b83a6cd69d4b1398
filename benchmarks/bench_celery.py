"""Generated exports through two Celery workers (io; llm,gpu) vs the multiprocess executor.

    python benchmarks/bench_celery.py                       # 20 exports of 100 pages
    python benchmarks/bench_celery.py --exports 4 --pages 50

Each export links to pages of a local web site on 127.0.0.1 (the crawler's allow-list admits it
through run config). Both executors run the same per-export chain, `notion_docs` ..
`mongo_collection` with its checks (`summaries` needs the SmolLM2 summarizer: minutes per export
on this CPU, so it is left out), one `dagster asset materialize` per export as a user would, on
the same PostgreSQL instance kind (dagster.production.yaml) and each in its own data dir. Needs
Redis and PostgreSQL on 127.0.0.1.

Reported: wall time, step compute time (STEP_START -> STEP_SUCCESS) and per-step overhead
((run wall - step compute) / steps), and whether the stored results are identical (doc ids,
content hashes, heuristic and LLM scores in Parquet and in the store).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_result  # noqa: E402

from secondbrain_assets_tests.core.crawl.site import Site  # noqa: E402
from secondbrain_assets_tests.integration.celery_stack import (  # noqa: E402
    celery_worker,
    production_home,
    step_workers,
)

CHAIN = ["notion_docs", "crawled_pages", "heuristic_scores", "llm_scores", "mongo_collection"]
BROKER = "redis://127.0.0.1:6379/11"  # spare dbs: the tests use 7 (and 1 for results)
BACKEND = "redis://127.0.0.1:6379/12"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "postgres"}
SENTENCES = [
    "Glaciers carve U-shaped valleys by plucking and abrasion over thousands of years.",
    "The pipeline stores one Parquet file per asset and partition under the data directory.",
    "Retrieval quality depends on chunk size, overlap and the embedding model chosen.",
    "We measured latency at the 95th percentile before and after adding the cache.",
    "Backfills replay old partitions when the code version of an asset changes.",
    "The reading list collects papers on evaluation of small language models.",
    "Sourdough needs a mature starter, a long cold proof and a very hot oven.",
    "Notes from the meeting: ship the crawler fix first, then profile the parser.",
]


def make_export(path: Path, index: int, pages: int, site: Site, seed: int = 11) -> None:
    """A Notion-like export: `pages` markdown pages, each with prose and two links to the site."""
    rng = random.Random(seed + index)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for page in range(pages):
            paragraphs = [
                " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(4, 9)))
                for _ in range(rng.randint(3, 6))
            ]
            links = [f"- [field note]({site.url(f'/static/{index}-{page}-{n}')})" for n in range(2)]
            text = f"# Export {index} page {page}\n\n" + "\n\n".join(paragraphs)
            archive.writestr(
                f"Page {page} {rng.getrandbits(128):032x}.md", text + "\n\n" + "\n".join(links)
            )
    old = time.time() - 3600
    os.utime(path, (old, old))


def _create_db() -> str:
    import psycopg2

    name = f"secondbrain_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(connect_timeout=3, **PG)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return name


def _drop_db(name: str) -> None:
    import psycopg2

    admin = psycopg2.connect(connect_timeout=3, **PG)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _materialize(key: str, env: dict[str, str], config: Path, log: Path) -> float:
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "asset",
        "materialize",
        "-m",
        "secondbrain_assets.definitions",
        "--select",
        ",".join(CHAIN),
        "--partition",
        key,
        "-c",
        str(config),
    ]
    started = time.perf_counter()
    with log.open("ab") as out:
        code = subprocess.run(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        ).returncode
    if code:
        raise RuntimeError(f"run of {key} failed ({code}); see {log}:\n{log.read_text()[-3000:]}")
    return time.perf_counter() - started


def _run_stats(env: dict[str, str]) -> list[dict]:
    """Per run: wall (RUN_START -> RUN_SUCCESS), step compute and the worker of each step."""
    import dagster as dg

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        instance = dg.DagsterInstance.get()
        stats = []
        for run in reversed(instance.get_runs()):
            times: dict[str, dict[str, float]] = {}
            run_times = {}
            for record in instance.all_logs(run.run_id):
                event = record.dagster_event
                if event is None:
                    continue
                kind = event.event_type
                if kind in (dg.DagsterEventType.RUN_START, dg.DagsterEventType.RUN_SUCCESS):
                    run_times[kind.name] = record.timestamp
                elif kind in (dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS):
                    times.setdefault(event.step_key, {})[kind.name] = record.timestamp
            compute = sum(t["STEP_SUCCESS"] - t["STEP_START"] for t in times.values())
            wall = run_times["RUN_SUCCESS"] - run_times["RUN_START"]
            stats.append(
                {
                    "partition": run.tags.get("dagster/partition"),
                    "steps": len(times),
                    "run_wall_s": round(wall, 3),
                    "step_compute_s": round(compute, 3),
                    "workers": sorted(set(step_workers(instance, run.run_id).values())),
                }
            )
        instance.dispose()
        return stats
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _stored(data: Path, keys: list[str]) -> dict:
    """What both executors must agree on, per export."""
    import polars as pl

    assets = data / "assets"
    result = {}
    for key in keys:
        docs = pl.read_parquet(assets / "notion_docs" / f"{key}.parquet")
        heur = pl.read_parquet(assets / "heuristic_scores" / f"{key}.parquet")
        llm = pl.read_parquet(assets / "llm_scores" / f"{key}.parquet")
        pages = pl.read_parquet(assets / "crawled_pages" / f"{key}.parquet")
        result[key] = {
            "docs": sorted(docs.select("doc_id", "content_hash").rows()),
            "pages": sorted(pages.select("doc_id", "content_hash", "outcome").rows()),
            "heuristics": sorted(
                heur.select("doc_id", pl.col("heuristic_pass").cast(pl.String)).rows()
            ),
            "llm": sorted(llm.select("doc_id", pl.col("llm_score").round(9)).rows()),
        }
    return result


def _store_rows(data: Path, env: dict[str, str]) -> list:
    saved = dict(os.environ)
    os.environ.update(env, SECONDBRAIN_DATA_DIR=str(data))
    try:
        from secondbrain_assets.resources.mongo import MongoResource

        with MongoResource().get_collection() as collection:
            rows = [
                (d["_id"], d.get("content_hash"), d.get("llm_score"), sorted(d.get("exports", [])))
                for d in collection.find({})
            ]
        return sorted(rows, key=lambda r: r[0])
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_executor(kind: str, exports: list[Path], site: Site, tmp: Path) -> dict:
    from secondbrain_assets.core.exports import discover_exports

    data = tmp / kind / "data"
    (data / "notion").mkdir(parents=True)
    for export in exports:
        (data / "notion" / export.name).symlink_to(export)
    database = _create_db()
    env = {
        **production_home(tmp / kind / "home", database),
        "SECONDBRAIN_DATA_DIR": str(data),
        "SECONDBRAIN_EXECUTOR": kind,
        "SECONDBRAIN_CELERY_BROKER": BROKER,
        "SECONDBRAIN_CELERY_BACKEND": BACKEND,
        "MONGODB_URI": "",
        "HF_HUB_OFFLINE": "1",
    }
    config = tmp / kind / "run_config.yaml"
    config.write_text(
        json.dumps({"resources": {"crawler": {"config": {"allow_private": ["127.0.0.1"]}}}})
    )
    keys = [ref.key for ref in discover_exports(data / "notion")]
    _register(env, keys)
    log = tmp / kind / "runs.log"
    try:
        with ExitStack() as stack:
            if kind == "celery":
                _purge()
                stack.enter_context(celery_worker("io", env, tmp / kind / "io.log"))
                stack.enter_context(celery_worker("llm,gpu", env, tmp / kind / "llm.log"))
            hits_before = site.total
            started = time.perf_counter()
            cli_s = [_materialize(key, env, config, log) for key in keys]
            wall = time.perf_counter() - started
        runs = _run_stats(env)
        return {
            "wall_s": round(wall, 2),
            "cli_s_per_export": round(sum(cli_s) / len(cli_s), 2),
            "http_requests": site.total - hits_before,
            "runs": runs,
            "stored": _stored(data, keys),
            "store_rows": _store_rows(data, env),
        }
    finally:
        _drop_db(database)


def _register(env: dict[str, str], keys: list[str]) -> None:
    import dagster as dg

    saved = dict(os.environ)
    os.environ.update(env)
    try:
        instance = dg.DagsterInstance.get()
        instance.add_dynamic_partitions("notion_exports", keys)
        instance.dispose()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _purge() -> None:
    celery = str(Path(sys.executable).with_name("celery"))
    subprocess.run([celery, "-b", BROKER, "purge", "-f", "-Q", "io,llm,gpu"], capture_output=True)


def _summary(result: dict) -> dict:
    runs = result["runs"]
    steps = sum(r["steps"] for r in runs)
    wall = sum(r["run_wall_s"] for r in runs)
    compute = sum(r["step_compute_s"] for r in runs)
    return {
        "wall_s": result["wall_s"],
        "cli_s_per_export": result["cli_s_per_export"],
        "runs": len(runs),
        "steps": steps,
        "run_wall_s_sum": round(wall, 2),
        "step_compute_s_sum": round(compute, 2),
        "overhead_s_per_step": round((wall - compute) / steps, 3) if steps else None,
        "http_requests": result["http_requests"],
        "workers": sorted({w for r in runs for w in r["workers"]}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--exports", type=int, default=20)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    site = Site(slow_s=0.1).start()
    try:
        with tempfile.TemporaryDirectory() as name:
            tmp = Path(name)
            (tmp / "exports").mkdir()
            exports = []
            for index in range(args.exports):
                path = tmp / "exports" / f"Export-bench-{index:02d}.zip"
                make_export(path, index, args.pages, site)
                exports.append(path)
            results = {
                kind: run_executor(kind, exports, site, tmp) for kind in ("multiprocess", "celery")
            }
    finally:
        site.stop()
    multi, celery = results["multiprocess"], results["celery"]
    identical = {
        "parquet": multi["stored"] == celery["stored"],
        "store": multi["store_rows"] == celery["store_rows"],
    }
    summary = {kind: _summary(result) for kind, result in results.items()}
    docs = sum(len(v["docs"]) for v in multi["stored"].values())
    out = {
        "exports": args.exports,
        "pages_per_export": args.pages,
        "documents": docs,
        "store_rows": len(multi["store_rows"]),
        "assets": CHAIN,
        "summaries_included": False,
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(os.getloadavg()[0], 2),
        "identical": identical,
        **summary,
        "celery_vs_multiprocess_wall": round(celery["wall_s"] / multi["wall_s"], 3),
    }
    print(json.dumps(out, indent=2))
    write_result("celery", out)
    if not all(identical.values()):
        raise SystemExit("stored results differ between the executors")


if __name__ == "__main__":
    main()

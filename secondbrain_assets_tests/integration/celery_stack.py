"""A Dagster instance on PostgreSQL and real Celery workers on queues, for the Celery tests.

Workers are started with `python -m secondbrain_assets.workers` exactly as a user would, each in
its own process group, and stopped (or killed) by PID.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from secondbrain_assets.settings import PROJECT_ROOT


def production_home(home: Path, database: str) -> dict[str, str]:
    """DAGSTER_HOME with dagster.production.yaml on `database`; returns the env it needs."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "dagster.production.yaml", home / "dagster.yaml")
    pg = {"HOST": "127.0.0.1", "PORT": "5432", "USER": "postgres", "PASSWORD": "", "DB": database}
    return {"DAGSTER_HOME": str(home), **{f"DAGSTER_PG_{k}": v for k, v in pg.items()}}


@contextmanager
def celery_worker(queues: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """A worker on `queues`, ready once Celery says so in its log; stopped on exit."""
    out = log.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "secondbrain_assets.workers", "--queues", queues],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker {queues} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield process
    finally:
        kill_group(process, signal.SIGTERM)
        out.close()


def kill_group(process: subprocess.Popen, sig: int) -> None:
    """Signal the worker and every child it forked (Celery's pool processes)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def execute_job(
    job: str, partition: str | None, env: dict[str, str], log: Path, config: Path | None = None
) -> int:
    """`dagster job execute` as a user would (with a run config file); returns its exit code."""
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "job",
        "execute",
        "-m",
        "secondbrain_assets.definitions",
        "-j",
        job,
    ]
    if partition:
        command += ["--tags", json.dumps({"dagster/partition": partition})]
    if config:
        command += ["-c", str(config)]
    with log.open("wb") as out:
        return subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=900,
        ).returncode


def step_workers(instance: dg.DagsterInstance, run_id: str) -> dict[str, str]:
    """step key -> the Celery worker that ran it, from the run's engine events."""
    workers: dict[str, str] = {}
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None or not event.is_engine_event or not event.step_key:
            continue
        metadata = event.engine_event_data.metadata
        if "Celery worker" in metadata:
            workers[event.step_key] = metadata["Celery worker"].value
    return workers

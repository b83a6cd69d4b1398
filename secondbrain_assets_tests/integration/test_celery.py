"""One export end to end through real Celery workers on queues, on a PostgreSQL instance; then a
worker killed with -9 in the middle of a step. Needs Redis, RabbitMQ and PostgreSQL on 127.0.0.1
(this machine runs all three; CI starts them) and skips with the reason where one is missing.

The tests are about where steps run and what survives a dead worker, not about summaries: the
`llm` queue's worker judges with the real embedded model, and summarizes through the
OpenAI-compatible client talking to a local stand-in (the embedded summarizer has its own
end-to-end test in test_pipeline.py), whose answers the kill test slows down so that the worker
dies while a request is in flight."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import dagster as dg
import pytest
import yaml

from secondbrain_assets.core.exports import discover_exports
from secondbrain_assets.settings import PROJECT_ROOT
from secondbrain_assets_tests.core.llm.fixtures import smollm2_models_root  # noqa: F401
from secondbrain_assets_tests.core.summarize.servers import Reply, StandIn, stand_in  # noqa: F401
from secondbrain_assets_tests.integration.celery_stack import (
    celery_worker,
    execute_job,
    kill_group,
    production_home,
    step_workers,
)
from secondbrain_assets_tests.test_instance_config import postgres_db  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(900)]

SAMPLE = next((PROJECT_ROOT / "data" / "notion").glob("*.zip"))
REDIS = "redis://127.0.0.1:6379/7"
RABBIT = "amqp://guest:guest@127.0.0.1:5672//"
STORED = [
    "notion_docs",
    "crawled_pages",
    "heuristic_scores",
    "llm_scores",
    "mongo_collection",
    "summaries",
]
# One summary per document: the test is about where steps run, not summaries.
SMALL_SUMMARIES = {"temperatures": [0.0], "retries": 0}


def _reachable(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _purge(broker: str) -> None:
    """Leftover steps from an earlier, aborted test must not reach these workers."""
    celery = str(Path(sys.executable).with_name("celery"))
    subprocess.run(
        [celery, "-b", broker, "purge", "-f", "-Q", "io,llm,gpu"],
        capture_output=True,
        timeout=60,
    )


def _run_config(tmp_path: Path) -> Path:
    path = tmp_path / "run_config.yaml"
    path.write_text(yaml.safe_dump({"ops": {"summaries": {"config": SMALL_SUMMARIES}}}))
    return path


@pytest.fixture
def stack(
    tmp_path: Path,
    postgres_db: str,  # noqa: F811
    smollm2_models_root: Path,  # noqa: F811
    stand_in: StandIn,  # noqa: F811
) -> dict[str, str]:
    data = tmp_path / "data"
    (data / "notion").mkdir(parents=True)
    shutil.copy(SAMPLE, data / "notion" / SAMPLE.name)
    return {
        **production_home(tmp_path / "home", postgres_db),
        "SECONDBRAIN_DATA_DIR": str(data),
        "SECONDBRAIN_MODELS_DIR": str(smollm2_models_root),
        "SECONDBRAIN_EXECUTOR": "celery",
        "SECONDBRAIN_SUMMARIZER_BACKEND": "openai",
        "SECONDBRAIN_SUMMARIZER_MODEL": "summarizer-7b",
        "OPENAI_BASE_URL": f"{stand_in.url}/v1",
        "MONGODB_URI": "",
        "HF_HUB_OFFLINE": "1",
    }


def _instance(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dg.DagsterInstance:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return dg.DagsterInstance.get()


def _add_sample_partition(instance: dg.DagsterInstance, env: dict[str, str]) -> str:
    [export] = discover_exports(Path(env["SECONDBRAIN_DATA_DIR"]) / "notion")
    instance.add_dynamic_partitions("notion_exports", [export.key])
    return export.key


def _last_run(instance: dg.DagsterInstance) -> dg.DagsterRun:
    return instance.get_runs(limit=1)[0]


def _stored_ids(env: dict[str, str], key: str) -> list[str]:
    from secondbrain_assets.resources.mongo import MongoResource

    with MongoResource().get_collection() as collection:
        return [d["_id"] for d in collection.find({"exports": {"$in": [key]}}, {"_id": 1})]


def test_export_runs_on_workers_by_queue(
    stack: dict[str, str],
    stand_in: StandIn,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not _reachable(6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    env = {**stack, "SECONDBRAIN_CELERY_BROKER": REDIS}
    instance = _instance(env, monkeypatch)
    key = _add_sample_partition(instance, env)
    _purge(REDIS)
    with (
        celery_worker("io", env, tmp_path / "io.log"),
        celery_worker("llm,gpu", env, tmp_path / "llm.log"),
    ):
        code = execute_job(
            "notion_export_job", key, env, tmp_path / "run.log", _run_config(tmp_path)
        )
        assert code == 0, (tmp_path / "run.log").read_text()[-4000:]
    run = _last_run(instance)
    assert run.status == dg.DagsterRunStatus.SUCCESS
    workers = step_workers(instance, run.run_id)
    for step in ("notion_docs", "crawled_pages", "heuristic_scores", "mongo_collection"):
        assert workers[step].startswith("io@"), workers
    assert workers["llm_scores"].startswith("llm-gpu@"), workers
    assert workers["summaries"].startswith("llm-gpu@"), workers
    for asset in STORED:
        assert instance.get_latest_materialization_event(dg.AssetKey(asset)) is not None, asset
    ids = _stored_ids(env, key)
    assert ids and len(ids) == len(set(ids))
    assert stand_in.calls > 0  # the llm worker summarized through the OpenAI-compatible client


def test_worker_killed_mid_step_is_requeued_and_rerun_converges(
    stack: dict[str, str],
    stand_in: StandIn,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not _reachable(5672):
        pytest.skip("RabbitMQ is not running on 127.0.0.1:5672 (.ci/run starts it)")
    stand_in.reply = lambda request: Reply("Notes on the topic, kept for later.", delay_s=0.5)
    env = {**stack, "SECONDBRAIN_CELERY_BROKER": RABBIT}
    instance = _instance(env, monkeypatch)
    key = _add_sample_partition(instance, env)
    _purge(RABBIT)
    outcome: dict[str, int] = {}
    with celery_worker("io", env, tmp_path / "io.log"):
        with celery_worker("llm", env, tmp_path / "llm-1.log") as doomed:
            config = _run_config(tmp_path)
            runner = threading.Thread(
                target=lambda: outcome.update(
                    code=execute_job("notion_export_job", key, env, tmp_path / "run.log", config)
                )
            )
            runner.start()
            _wait_for_step(instance, "summaries", timeout=600)
            _wait_for(lambda: stand_in.calls > 0, "the summaries step asked for a summary")
            kill_group(doomed, signal.SIGKILL)  # the whole worker, mid-request
            asked_before_the_kill = stand_in.calls
        # RabbitMQ hands the unacknowledged step to the next worker on the queue.
        with celery_worker("llm", env, tmp_path / "llm-2.log"):
            runner.join(timeout=900)
            assert outcome.get("code") == 0, (tmp_path / "run.log").read_text()[-4000:]
            run = _last_run(instance)
            assert run.status == dg.DagsterRunStatus.SUCCESS
            assert "summaries" in (tmp_path / "llm-2.log").read_text()  # it ran again there
            assert stand_in.calls > asked_before_the_kill
            first = _stored_ids(env, key)
            assert first and len(first) == len(set(first))
            # A second run over the same export converges: same documents, none twice.
            rerun = execute_job("notion_export_job", key, env, tmp_path / "rerun.log", config)
            assert rerun == 0, (tmp_path / "rerun.log").read_text()[-4000:]
    assert sorted(_stored_ids(env, key)) == sorted(first)


def _wait_for_step(instance: dg.DagsterInstance, step: str, timeout: float) -> None:
    def started() -> bool:
        runs = instance.get_runs(limit=1)
        return bool(runs) and step in step_workers(instance, runs[0].run_id)

    _wait_for(started, f"step {step} started on a worker", timeout)


def _wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise TimeoutError(f"not seen within {timeout} s: {what}")

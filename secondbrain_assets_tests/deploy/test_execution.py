"""Queues, pools, the executor switch and the worker launcher, without starting a worker."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest

from secondbrain_assets import workers
from secondbrain_assets.defs.executor import executor
from secondbrain_assets.lib.execution import (
    CELERY_QUEUE_TAG,
    POOL_LIMITS,
    QUEUES,
    apply_pool_limits,
    on_queue,
)


def test_queue_tag_is_the_one_dagster_celery_reads() -> None:
    from dagster_celery.tags import DAGSTER_CELERY_QUEUE_TAG

    assert CELERY_QUEUE_TAG == DAGSTER_CELERY_QUEUE_TAG
    assert on_queue("gpu") == {DAGSTER_CELERY_QUEUE_TAG: "gpu"}
    with pytest.raises(ValueError, match="unknown queue"):
        on_queue("cpu")


def test_pool_limits_land_in_the_instance() -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        apply_pool_limits(instance)
        for pool, slots in POOL_LIMITS.items():
            assert instance.event_log_storage.get_concurrency_info(pool).slot_count == slots
        apply_pool_limits(instance, {"gpu": 2})
        assert instance.event_log_storage.get_concurrency_info("gpu").slot_count == 2
        with pytest.raises(ValueError, match="at least one slot"):
            apply_pool_limits(instance, {"llm": 0})


def test_executor_is_multiprocess_unless_celery_is_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SECONDBRAIN_EXECUTOR", raising=False)
    assert executor().executor is None  # Dagster's default: multiprocess
    monkeypatch.setenv("SECONDBRAIN_EXECUTOR", "celery")
    monkeypatch.setenv("SECONDBRAIN_CELERY_BROKER", "redis://broker:6379/0")
    chosen = executor().executor
    assert chosen is not None and chosen.name == "celery"
    monkeypatch.setenv("SECONDBRAIN_EXECUTOR", "ray")
    with pytest.raises(ValueError, match="multiprocess' or 'celery"):
        executor()


def test_worker_config_is_what_dagster_celery_validates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster_celery.cli import get_validated_config

    monkeypatch.setenv("SECONDBRAIN_CELERY_BROKER", "amqp://guest:guest@127.0.0.1:5672//")
    monkeypatch.delenv("SECONDBRAIN_CELERY_BACKEND", raising=False)
    path = workers.worker_config(tmp_path / "w.yaml")
    config = get_validated_config(str(path))
    assert config["broker"] == "amqp://guest:guest@127.0.0.1:5672//"
    assert config["backend"] == "rpc://"  # RabbitMQ has no Redis db to report into
    assert config["config_source"]["task_acks_late"] is True  # a lost worker's step is re-queued
    command = workers.worker_command(["io", "llm"], 3, path)
    assert command[command.index("-q") + 1] == "io,llm"  # one flag: celery keeps only the last
    assert "--concurrency=3" in command
    with pytest.raises(SystemExit, match="unknown queue"):
        workers.worker_command(["io", "cpu"], 1, path)
    assert set(QUEUES) == {"io", "llm", "gpu"}


def test_every_step_of_every_job_names_a_queue_a_worker_serves() -> None:
    """A step without a queue tag would wait forever on Celery's default queue: none allowed."""
    from secondbrain_assets.definitions import defs

    loaded = defs()
    untagged = {
        f"{job.name}:{node.name}": node.tags.get(CELERY_QUEUE_TAG)
        for job in loaded.resolve_all_job_defs()
        for node in job.graph.node_defs
        if node.tags.get(CELERY_QUEUE_TAG) not in QUEUES
    }
    assert untagged == {}

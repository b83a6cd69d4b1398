"""Where steps run: the Celery queue each step goes to and the concurrency pool it draws from.

Named once here; asset files only pick one. With the multiprocess executor the queue tag is
ignored and the pools still cap concurrent steps (limits in dagster.yaml / dagster.production.yaml).
"""

from __future__ import annotations

import dagster as dg

# dagster_celery.tags.DAGSTER_CELERY_QUEUE_TAG, written out so loading the code location does not
# import Celery (a test keeps the two equal).
CELERY_QUEUE_TAG = "dagster-celery/queue"

# Celery settings shared by the executor and every worker. A step whose worker dies (kill -9, OOM,
# a lost machine) goes back to its queue instead of vanishing: acknowledged only when done, and
# re-queued when the worker is lost. Redis re-delivers an unacknowledged step only after
# `visibility_timeout`, which must outlast the longest step (a fine-tune), hence six hours;
# RabbitMQ re-delivers as soon as the dead worker's connection drops.
CELERY_CONFIG_SOURCE = {
    "task_acks_late": True,
    "task_reject_on_worker_lost": True,
    "worker_prefetch_multiplier": 1,
    "broker_transport_options": {"visibility_timeout": 6 * 3600},
}

# Queues: one worker pool per kind of machine. Parsing and crawling wait on disks and networks;
# scoring and summarizing on an LLM server; training, merging and evaluation on a GPU.
QUEUE_IO = "io"
QUEUE_LLM = "llm"
QUEUE_GPU = "gpu"
QUEUES = (QUEUE_IO, QUEUE_LLM, QUEUE_GPU)

# Pools: how many steps may use a shared service at once, across all runs.
POOL_CRAWL = "crawl"  # outbound HTTP and the headless browser
POOL_LLM = "llm"  # an Ollama server serves a few requests at a time
POOL_GPU = "gpu"  # one training or evaluation per GPU


def on_queue(queue: str) -> dict[str, str]:
    """Op tags that send a step to `queue` under the Celery executor."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}; choose one of {QUEUES}")
    return {CELERY_QUEUE_TAG: queue}


# Slots per pool across the whole instance. dagster.yaml can only hold a default for every pool,
# so these are written into the instance's storage by `python -m secondbrain_assets.cli pools`
# (run by `make demo`, `make dev`, and once per deployment); the UI's Concurrency page edits them.
POOL_LIMITS = {POOL_CRAWL: 4, POOL_LLM: 2, POOL_GPU: 1}


def apply_pool_limits(
    instance: dg.DagsterInstance, limits: dict[str, int] | None = None
) -> dict[str, int]:
    """Set each pool's slot count on `instance`; returns what was set."""
    wanted = dict(POOL_LIMITS if limits is None else limits)
    storage = instance.event_log_storage
    for pool, slots in wanted.items():
        if slots < 1:
            raise ValueError(f"pool {pool!r} needs at least one slot, got {slots}")
        storage.set_concurrency_slots(pool, slots)
    return wanted

"""The executor every job runs with: multiprocess on one machine, or Celery workers on queues.

`SECONDBRAIN_EXECUTOR=celery` routes each step to the queue its asset names (lib/execution.py)
through the broker in `SECONDBRAIN_CELERY_BROKER`; start one worker per queue with
`python -m secondbrain_assets.workers --queues io` (and `llm`, `gpu`). Celery needs an instance
every worker can reach: use dagster.production.yaml (PostgreSQL).
"""

import dagster as dg

from secondbrain_assets import settings
from secondbrain_assets.lib.execution import CELERY_CONFIG_SOURCE


@dg.definitions
def executor() -> dg.Definitions:
    kind = settings.executor()
    if kind == "multiprocess":
        return dg.Definitions()
    if kind != "celery":
        raise ValueError(f"SECONDBRAIN_EXECUTOR={kind!r}: use 'multiprocess' or 'celery'")
    from dagster_celery import celery_executor  # only here: loading Celery costs import time

    return dg.Definitions(
        executor=celery_executor.configured(
            {
                "broker": settings.celery_broker(),
                "backend": settings.celery_backend(),
                "config_source": CELERY_CONFIG_SOURCE,
            }
        )
    )

"""Start a Celery worker that runs this code location's steps from the given queues.

    python -m secondbrain_assets.workers --queues io          # parsing and crawling
    python -m secondbrain_assets.workers --queues llm         # scoring and summarizing
    python -m secondbrain_assets.workers --queues gpu --concurrency 1   # training, one at a time

A thin wrapper around `dagster-celery worker start`: it writes the broker and backend from
`SECONDBRAIN_CELERY_BROKER` / `SECONDBRAIN_CELERY_BACKEND` into the worker's config file, so the
executor (defs/executor.py) and the workers can never disagree, then hands over to Dagster's CLI.
Run it with the same `DAGSTER_HOME` (a PostgreSQL instance) and environment as the webserver.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import yaml

from secondbrain_assets import settings
from secondbrain_assets.lib.execution import CELERY_CONFIG_SOURCE, QUEUES


def worker_config(path: Path) -> Path:
    """The `execution: config:` block `dagster-celery worker start -y` reads, written to `path`."""
    config = {
        "broker": settings.celery_broker(),
        "backend": settings.celery_backend(),
        "config_source": CELERY_CONFIG_SOURCE,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"execution": {"config": config}}))
    return path


def worker_command(queues: list[str], concurrency: int, config_path: Path) -> list[str]:
    unknown = sorted(set(queues) - set(QUEUES))
    if unknown:
        raise SystemExit(f"unknown queue(s) {unknown}; choose from {list(QUEUES)}")
    name = "-".join(queues)  # dagster-celery appends @hostname
    return [
        str(Path(sys.executable).with_name("dagster-celery")),
        "worker",
        "start",
        "-A",
        "dagster_celery.app",
        "-y",
        str(config_path),
        # One -q with a comma list: celery keeps only the last of several -Q flags.
        "-q",
        ",".join(queues),
        "--name",
        name,
        "--",
        f"--concurrency={concurrency}",
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queues", required=True, help=f"comma list of {', '.join(QUEUES)}")
    parser.add_argument("--concurrency", type=int, default=1, help="steps this worker runs at once")
    args = parser.parse_args(argv)
    home = settings.dagster_home()
    if home is None:
        raise SystemExit("set DAGSTER_HOME to the instance the webserver uses (PostgreSQL)")
    queues = [q.strip() for q in args.queues.split(",") if q.strip()]
    config = worker_config(home / "celery" / f"worker-{'-'.join(queues)}.yaml")
    command = worker_command(queues, args.concurrency, config)
    # dagster-celery starts `celery` by name: find it beside this interpreter even outside a venv.
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    os.execv(command[0], command)


if __name__ == "__main__":
    main()

"""Command line for the things `make` runs: the demo, the asset checks and the pool limits.

    python -m secondbrain_assets.cli demo                 # every export, then dataset and model
    python -m secondbrain_assets.cli checks [--partition KEY]
    python -m secondbrain_assets.cli pools                # write pool limits into the instance

Both run in this process against the instance in $DAGSTER_HOME, so `make dev` shows the results.
`dg launch --job asset_checks_job --partition KEY` is refused by Dagster 1.13 for a job made only
of checks; the `dagster/partition` run tag used here is what the UI sets, and it works.
"""

from __future__ import annotations

import argparse
import sys
import time

import dagster as dg

from secondbrain_assets import settings
from secondbrain_assets.core.exports import discover_exports
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.execution import apply_pool_limits

# Step events are logged at DEBUG; the demo shows progress and results only.
_QUIET = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}

# The demo's settings, so the whole graph (fine-tuning included) fits 10 minutes on 2 CPU cores
# with the embedded 135M model: two temperatures instead of the original four, one retry, and
# documents shown to the summarizer cut at 512 tokens. Every check still applies unchanged.
DEMO_SUMMARIES = {"temperatures": [0.0, 0.25], "retries": 1, "max_document_tokens": 512}


def _export_keys(instance: dg.DagsterInstance) -> list[str]:
    """Every export in the exports folder, registered as a partition (what the sensor does)."""
    refs = discover_exports(settings.notion_exports_dir())
    known = set(instance.get_dynamic_partitions(notion_exports.name))
    new_keys = [ref.key for ref in refs if ref.key not in known]
    if new_keys:
        instance.add_dynamic_partitions(notion_exports.name, new_keys)
    return [ref.key for ref in refs]


def run_demo(instance: dg.DagsterInstance) -> int:
    keys = _export_keys(instance)
    if not keys:
        print(f"No Notion export in {settings.notion_exports_dir()}: drop an export zip there.")
        return 1
    apply_pool_limits(instance)
    demo = {"ops": {"summaries": {"config": DEMO_SUMMARIES}}}
    failed = _run_per_partition(instance, "notion_export_job", keys, "export", demo)
    if failed:
        return failed
    # Then what the automation sensor would start once enough summaries exist: the dataset from
    # every export, the fine-tune, the merge and the base-vs-tuned evaluation.
    return _run_once(instance, "dataset_and_model_job", {}, "dataset and model")


def run_checks(instance: dg.DagsterInstance, partitions: list[str] | None) -> int:
    keys = partitions or instance.get_dynamic_partitions(notion_exports.name)
    if not keys:
        print("No partition to check yet: run `make demo` or let the sensor add one.")
        return 1
    failed = _run_per_partition(instance, "asset_checks_job", keys, "checks of")
    if partitions is None and instance.get_latest_materialization_event(dg.AssetKey("hf_dataset")):
        failed |= _run_once(instance, "dataset_and_model_checks_job", {}, "checks of the dataset")
    return failed


def _run_per_partition(
    instance: dg.DagsterInstance,
    job_name: str,
    keys: list[str],
    title: str,
    run_config: dict | None = None,
) -> int:
    failures = 0
    for key in keys:
        # The partition as a run tag works for check-only jobs too, where partition_key= doesn't.
        tags = {"dagster/partition": key}
        failures += _run_once(instance, job_name, tags, f"{title} {key}", run_config)
    return 1 if failures else 0


def _run_once(
    instance: dg.DagsterInstance,
    job_name: str,
    tags: dict,
    title: str,
    run_config: dict | None = None,
) -> int:
    from secondbrain_assets.definitions import defs

    started = time.perf_counter()
    job = defs().resolve_job_def(job_name)
    result = job.execute_in_process(
        instance=instance,
        tags=tags,
        run_config={**_QUIET, **(run_config or {})},
        raise_on_error=False,
    )
    return 1 if report(title, result, time.perf_counter() - started) else 0


def report(title: str, result: dg.ExecuteInProcessResult, seconds: float) -> int:
    """Print what a run materialized and checked; count what should fail the command."""
    print(f"\n== {title}: {'success' if result.success else 'FAILED'} in {seconds:.1f} s")
    for event in result.get_asset_materialization_events():
        mat = event.step_materialization_data.materialization
        rows = mat.metadata.get("dagster/row_count")
        count = f"{rows.value} rows" if rows is not None else ""
        print(f"  materialized {mat.asset_key.to_user_string():<18} {count}")
    failed = 0
    for check in result.get_asset_check_evaluations():
        status = "passed" if check.passed else f"FAILED ({check.severity.value})"
        failed += int(not check.passed and check.severity == dg.AssetCheckSeverity.ERROR)
        print(f"  check {check.asset_key.to_user_string()}.{check.check_name}: {status}")
    return int(not result.success) + failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m secondbrain_assets.cli")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="materialize every export in the exports folder")
    checks = commands.add_parser("checks", help="run every asset check on stored results")
    checks.add_argument("--partition", action="append", help="export partition key (repeatable)")
    commands.add_parser("pools", help="write the crawl/llm/gpu pool limits into the instance")
    args = parser.parse_args(argv)
    instance = dg.DagsterInstance.get()
    if args.command == "pools":
        limits = apply_pool_limits(instance)
        print("pool limits: " + ", ".join(f"{k}={v}" for k, v in limits.items()))
        return 0
    code = run_demo(instance) if args.command == "demo" else run_checks(instance, args.partition)
    print(f"\nDagster instance: {instance.root_directory}. Open the UI with `make dev`.")
    return code


if __name__ == "__main__":
    sys.exit(main())

"""`notion_export_sensor`: a new or changed export in the exports folder becomes a partition run."""

from __future__ import annotations

import dagster as dg

from secondbrain_assets import settings
from secondbrain_assets.core.export_watch import dump_state, load_state, scan_exports
from secondbrain_assets.defs.jobs import notion_export_job
from secondbrain_assets.defs.partitions import notion_exports


@dg.sensor(
    job=notion_export_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Adds a `notion_exports` partition for each new or changed export "
    "(by content fingerprint) in the exports folder and materializes it.",
)
def notion_export_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    root = settings.notion_exports_dir()
    scan = scan_exports(root, load_state(context.cursor), settings.sensor_settle_seconds())
    existing = set(context.instance.get_dynamic_partitions(notion_exports.name))
    new_keys = [key for key, _ in scan.changed if key not in existing]
    runs = [
        dg.RunRequest(partition_key=key, run_key=scan.run_key(key, fingerprint))
        for key, fingerprint in scan.changed
    ]
    if scan.vanished:
        # Their data stays; deleting a partition is the user's call, in the UI.
        context.log.info(f"Exports no longer in {root}: {', '.join(scan.vanished)}")
    if scan.settling:
        context.log.info(f"Waiting for exports still being written: {', '.join(scan.settling)}")
    return dg.SensorResult(
        run_requests=runs,
        dynamic_partitions_requests=[notion_exports.build_add_request(new_keys)]
        if new_keys
        else [],
        cursor=dump_state(scan.state),
        skip_reason=None
        if runs
        else f"No new or changed exports in {root} "
        f"({scan.unchanged} unchanged, {len(scan.settling)} still being written)",
    )

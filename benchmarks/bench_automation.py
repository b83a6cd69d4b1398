"""Sensor and automation tick times with 200 exports present.

The instance (SQLite, in a temp DAGSTER_HOME) holds 200 `notion_exports` partitions: 150 fully
materialized per-export chains with accepted summaries, 50 with only `notion_docs` (their
downstream is due). Materializations are reported as runless events, which the conditions read
exactly like run results. Timed:
- `notion_export_sensor` ticks over 200 export zips (first, idle, one new export);
- the automation sensor's evaluation of every asset's condition on the real code location
  (`dg.evaluate_automation_conditions`, what the daemon's automation tick runs): first tick,
  idle tick, and a tick after one new export's `notion_docs` landed.
"""

from __future__ import annotations

import os
import tempfile
import time
import zipfile
from pathlib import Path

import dagster as dg
from _common import machine, write_result
from bench_sensor import EXPORTS, _make_exports
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)

FULL = 150  # exports whose whole chain is materialized; the rest stop after notion_docs
CHAIN = ["notion_docs", "crawled_pages", "heuristic_scores", "llm_scores", "mongo_collection"]


def _materialize(
    instance: dg.DagsterInstance, checks: dict[str, list[str]], name: str, key: str
) -> None:
    """What a run leaves: the materialization, then its checks' results (blocking ones gate the
    downstream conditions)."""
    metadata = {"n_ok": 40} if name == "summaries" else {}
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset_key=name, partition=key, metadata=metadata)
    )
    if not checks.get(name):
        return
    [record] = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(name), asset_partitions=[key]), limit=1
    ).records
    # Tied to the materialization they checked, as in a run; unlinked results do not count.
    target = AssetCheckEvaluationTargetMaterializationData(
        storage_id=record.storage_id, run_id=record.run_id, timestamp=record.timestamp
    )
    for check in checks[name]:
        instance.report_runless_asset_event(
            dg.AssetCheckEvaluation(
                asset_key=dg.AssetKey(name),
                check_name=check,
                passed=True,
                partition=key,
                target_materialization_data=target,
            )
        )


def _seed(instance: dg.DagsterInstance, checks: dict[str, list[str]], keys: list[str]) -> float:
    started = time.perf_counter()
    for index, key in enumerate(keys):
        for name in [*CHAIN, "summaries"] if index < FULL else ["notion_docs"]:
            _materialize(instance, checks, name, key)
    return time.perf_counter() - started


def _checks_by_asset(defs: dg.Definitions) -> dict[str, list[str]]:
    graph = defs.resolve_asset_graph()
    checks: dict[str, list[str]] = {}
    for key in graph.asset_check_keys:
        checks.setdefault(key.asset_key.to_user_string(), []).append(key.name)
    return checks


def _requested_counts(defs: dg.Definitions, result) -> dict[str, int]:
    graph = defs.resolve_asset_graph()
    counts = {}
    for key in graph.get_all_asset_keys():
        n = result.get_num_requested(key)
        if n:
            counts[key.to_user_string()] = n
    return counts


def main() -> None:
    from secondbrain_assets.core.exports import discover_exports
    from secondbrain_assets.definitions import defs as load_defs
    from secondbrain_assets.defs.partitions import notion_exports
    from secondbrain_assets.defs.sensors import notion_export_sensor

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "notion"
        root.mkdir()
        paths = _make_exports(root)
        os.environ.update(
            SECONDBRAIN_NOTION_DIR=str(root),
            SECONDBRAIN_SENSOR_SETTLE_SECONDS="0",
            SECONDBRAIN_DATA_DIR=str(Path(tmp) / "data"),
        )
        defs = load_defs()
        sensor_s, automation_s, requested = {}, {}, {}
        (Path(tmp) / "home").mkdir()
        with dg.instance_for_test(temp_dir=str(Path(tmp) / "home")) as instance:
            cursor = None

            def sensor_tick(label: str) -> None:
                nonlocal cursor
                started = time.perf_counter()
                result = notion_export_sensor(
                    dg.build_sensor_context(instance=instance, cursor=cursor)
                )
                sensor_s[label] = time.perf_counter() - started
                for request in result.dynamic_partitions_requests or []:
                    instance.add_dynamic_partitions(
                        request.partitions_def_name, list(request.partition_keys)
                    )
                requested[f"sensor_{label}"] = len(result.run_requests)
                cursor = result.cursor

            sensor_tick("first")
            keys = sorted(instance.get_dynamic_partitions(notion_exports.name))
            assert len(keys) == EXPORTS, len(keys)
            checks = _checks_by_asset(defs)
            seed_s = _seed(instance, checks, keys)
            sensor_tick("idle")

            auto_cursor = None

            def automation_tick(label: str) -> None:
                nonlocal auto_cursor
                started = time.perf_counter()
                result = dg.evaluate_automation_conditions(
                    defs=defs, instance=instance, cursor=auto_cursor
                )
                automation_s[label] = time.perf_counter() - started
                requested[f"automation_{label}"] = _requested_counts(defs, result)
                auto_cursor = result.cursor

            automation_tick("first")
            automation_tick("idle")
            # One new export lands: the sensor registers it, its notion_docs materializes.
            new = root / "Export-new.zip"
            with zipfile.ZipFile(new, "w") as archive:
                archive.writestr("Page 00000000000000000000000000000001.md", "# New\n\nnew page")
            os.utime(new, (time.time() - 60,) * 2)
            sensor_tick("one_new")
            [new_key] = [ref.key for ref in discover_exports(root) if ref.key not in keys]
            _materialize(instance, checks, "notion_docs", new_key)
            automation_tick("one_new_export")
            automation_tick("idle_after")
        size_mb = sum(p.stat().st_size for p in paths) / 1e6

    print(f"load: {machine()['loadavg_1m']}; {EXPORTS} exports ({FULL} fully materialized)")
    for label, seconds in sensor_s.items():
        print(
            f"sensor     {label:<16} {seconds * 1000:8.1f} ms  runs: {requested[f'sensor_{label}']}"
        )
    for label, seconds in automation_s.items():
        print(
            f"automation {label:<16} {seconds * 1000:8.1f} ms  "
            f"requested: {requested[f'automation_{label}']}"
        )
    write_result(
        "automation",
        {
            "exports": EXPORTS,
            "fully_materialized": FULL,
            "zip_mb": round(size_mb, 1),
            "seed_events_s": round(seed_s, 2),
            "sensor_tick_s": sensor_s,
            "automation_tick_s": automation_s,
            "requested": requested,
            "loadavg_after": round(os.getloadavg()[0], 2),
        },
    )


if __name__ == "__main__":
    main()

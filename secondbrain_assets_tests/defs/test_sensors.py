"""notion_export_sensor on a real (ephemeral) instance: partitions, run keys, cursor."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import dagster as dg
import pytest

from secondbrain_assets.defs.sensors import notion_export_sensor


def _export(folder: Path, name: str, text: str) -> None:
    path = folder / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Page 0123456789abcdef0123456789abcdef.md", text)
    old = time.time() - 60
    os.utime(path, (old, old))


@pytest.fixture
def exports(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SECONDBRAIN_SENSOR_SETTLE_SECONDS", "0")
    return data_dir / "notion"


def _tick(instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    result = notion_export_sensor(dg.build_sensor_context(instance=instance, cursor=cursor))
    for request in result.dynamic_partitions_requests or []:
        instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
    return result


def test_sensor_is_running_by_default() -> None:
    assert notion_export_sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_new_exports_become_partitions_and_runs(exports: Path) -> None:
    _export(exports, "Export-one.zip", "# One")
    _export(exports, "Export-two.zip", "# Two")
    instance = dg.DagsterInstance.ephemeral()
    first = _tick(instance, None)
    assert sorted(r.partition_key for r in first.run_requests) == ["export-one", "export-two"]
    assert len({r.run_key for r in first.run_requests}) == 2
    assert sorted(instance.get_dynamic_partitions("notion_exports")) == ["export-one", "export-two"]

    second = _tick(instance, first.cursor)
    assert second.run_requests == [] and "2 unchanged" in second.skip_reason.skip_message


def test_changed_export_is_rerun_without_adding_a_partition(exports: Path) -> None:
    _export(exports, "Export-one.zip", "# One")
    instance = dg.DagsterInstance.ephemeral()
    first = _tick(instance, None)
    _export(exports, "Export-one.zip", "# One, with a new paragraph")
    second = _tick(instance, first.cursor)
    assert [r.partition_key for r in second.run_requests] == ["export-one"]
    assert second.run_requests[0].run_key != first.run_requests[0].run_key
    assert not second.dynamic_partitions_requests

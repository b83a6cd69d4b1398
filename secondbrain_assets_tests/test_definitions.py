"""The code location loads, stays light, and every asset is versioned and guarded by checks."""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import pytest

from secondbrain_assets.defs.jobs import EXPORT_ASSETS
from secondbrain_assets.settings import PROJECT_ROOT

HEAVY = ["torch", "transformers", "crawl4ai", "datasets", "playwright", "trafilatura"]


def test_importing_the_code_location_pulls_no_heavy_library() -> None:
    probe = (
        "import sys, secondbrain_assets.definitions; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_export_asset_is_partitioned_versioned_and_checked() -> None:
    from secondbrain_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    checked = {key.asset_key for key in graph.asset_check_keys}
    for name in EXPORT_ASSETS:
        node = graph.get(dg.AssetKey(name))
        assert node.partitions_def is not None and node.partitions_def.name == "notion_exports"
        assert node.code_version, f"{name} has no code_version"
        assert dg.AssetKey(name) in checked, f"{name} has no asset check"


def test_jobs_and_sensor_resolve() -> None:
    from secondbrain_assets.definitions import defs

    assert defs.resolve_job_def("notion_export_job") is not None
    assert defs.resolve_job_def("asset_checks_job") is not None
    sensor = defs.resolve_sensor_def("notion_export_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


@pytest.mark.slow
def test_dg_check_defs_passes() -> None:
    dg_cli = str(PROJECT_ROOT / ".venv" / "bin" / "dg")
    out = subprocess.run(
        [dg_cli, "check", "defs"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr

"""The code location loads, stays light, and every asset is versioned and guarded by checks.

Every test iterates over the loaded Definitions, so an asset file added to `defs/` is covered
without being listed anywhere.
"""

from __future__ import annotations

import subprocess
import sys

import dagster as dg
import pytest

from secondbrain_assets.defs.jobs import EXPORT_SELECTION
from secondbrain_assets.lib.selection import selected_asset_names
from secondbrain_assets.settings import PROJECT_ROOT

HEAVY = [
    "torch",
    "transformers",
    "crawl4ai",
    "datasets",
    "playwright",
    "trafilatura",
    "trl",
    "peft",
]


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from secondbrain_assets.definitions import defs

    return defs()


def test_loading_the_code_location_pulls_no_heavy_library() -> None:
    probe = (
        "import sys; from secondbrain_assets.definitions import defs; defs(); "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_every_asset_has_a_code_version_and_a_check(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    checked = {key.asset_key for key in graph.asset_check_keys}
    keys = graph.materializable_asset_keys
    assert {"notion_docs", "mongo_collection"} <= {key.to_user_string() for key in keys}
    for key in keys:
        node = graph.get(key)
        assert node.code_version, f"{key.to_user_string()} has no code_version"
        assert key in checked, f"{key.to_user_string()} has no asset check"
        assert node.description, f"{key.to_user_string()} has no description"


def test_every_asset_attaches_a_data_version(defs: dg.Definitions) -> None:
    # A data version is set in the asset body; the source must route its output through
    # `versioned_output` (or pass data_version= itself), which is what this looks for.
    import inspect

    for assets_def in defs.assets or []:
        assert isinstance(assets_def, dg.AssetsDefinition)
        source = inspect.getsource(inspect.getmodule(assets_def.op.compute_fn.decorated_fn))
        for key in assets_def.keys:
            assert "versioned_output(" in source or "data_version=" in source, (
                f"{key.to_user_string()} sets no data version"
            )


def test_the_export_job_holds_every_export_asset_and_the_checks_job_only_checks(
    defs: dg.Definitions,
) -> None:
    names = selected_asset_names(defs, EXPORT_SELECTION)
    assert names[0] == "notion_docs"
    assert {"crawled_pages", "heuristic_scores", "llm_scores", "mongo_collection"} <= set(names)
    graph = defs.resolve_asset_graph()
    for name in names:
        assert graph.get(dg.AssetKey(name)).partitions_def.name == "notion_exports"
    export_job = defs.resolve_job_def("notion_export_job")
    checks_job = defs.resolve_job_def("asset_checks_job")
    assert set(names) <= set(export_job.graph.node_dict)
    check_nodes = set(checks_job.graph.node_dict)
    assert not check_nodes & set(names), "the checks job must not recompute assets"
    expected = {
        f"{key.asset_key.to_user_string()}_{key.name}"
        for key in graph.asset_check_keys
        if key.asset_key.to_user_string() in names
    }
    assert check_nodes == expected


def test_unpartitioned_assets_stay_out_of_the_export_job(defs: dg.Definitions) -> None:
    graph = defs.resolve_asset_graph()
    unpartitioned = {
        k for k in graph.materializable_asset_keys if graph.get(k).partitions_def is None
    }
    job_nodes = set(defs.resolve_job_def("notion_export_job").graph.node_dict)
    assert not {key.to_user_string() for key in unpartitioned} & job_nodes


def test_sensor_and_resources_resolve(defs: dg.Definitions) -> None:
    sensor = defs.resolve_sensor_def("notion_export_sensor")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.job_name == "notion_export_job"
    assert {"io_manager", "crawler", "llm", "mongo", "mongo_io_manager"} <= set(
        defs.resources or {}
    )


@pytest.mark.slow
def test_dg_check_defs_passes() -> None:
    dg_cli = str(PROJECT_ROOT / ".venv" / "bin" / "dg")
    out = subprocess.run(
        [dg_cli, "check", "defs"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_check_names_carry_their_asset_name(defs: dg.Definitions) -> None:
    for key in defs.resolve_asset_graph().asset_check_keys:
        asset = key.asset_key.to_user_string()
        assert key.name.startswith(f"{asset}_"), f"check {key.name} of {asset}: prefix {asset}_"


def _undocumented(model: type) -> list[str]:
    return [name for name, info in model.model_fields.items() if not info.description]


def test_every_config_field_is_described(defs: dg.Definitions) -> None:
    # The launchpad and the resource page show these descriptions; a `#` comment nobody sees.
    missing: list[str] = []
    for name, resource in (defs.resources or {}).items():
        missing += [f"resource {name}.{field}" for field in _undocumented(type(resource))]
    nodes = defs.resolve_asset_graph().assets_defs  # checks are AssetsDefinitions too
    assert len(nodes) > 10
    for node in nodes:
        schema = node.node_def.config_schema
        fields = getattr(getattr(schema, "config_type", None), "fields", None) or {}
        missing += [
            f"{node.node_def.name}.{field}"
            for field, spec in fields.items()
            if not spec.description
        ]
    assert missing == []

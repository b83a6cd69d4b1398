"""notion_docs materializes the shipped sample export; checks pass there and fail on bad data."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.core.exports import partition_key_for
from secondbrain_assets.defs.notion import (
    notion_checks,
    notion_docs,
    notion_docs_content_or_flagged_empty,
    notion_docs_ids_unique,
    notion_docs_internal_links_resolve,
)
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets.settings import PROJECT_ROOT

SAMPLE = PROJECT_ROOT / "data" / "notion" / "Export-2f6c1d0e-5a3b-4c8d-9e7f-1a2b3c4d5e6f.zip"


def _materialize(data_dir: Path, instance: dg.DagsterInstance) -> tuple:
    export = data_dir / "notion" / SAMPLE.name
    shutil.copy(SAMPLE, export)
    key = partition_key_for(export)
    instance.add_dynamic_partitions("notion_exports", [key])
    result = dg.materialize(
        [notion_docs, *notion_checks],
        partition_key=key,
        instance=instance,
        resources={"io_manager": PolarsParquetIOManager()},
        raise_on_error=False,
    )
    return result, key


def test_notion_docs_materializes_and_checks_pass(data_dir: Path) -> None:
    result, key = _materialize(data_dir, dg.DagsterInstance.ephemeral())
    assert result.success
    frame = pl.read_parquet(data_dir / "assets" / "notion_docs" / f"{key}.parquet")
    assert frame.height >= 25 and set(frame["export_key"]) == {key}
    meta = result.asset_materializations_for_node("notion_docs")[0].metadata
    assert meta["dagster/row_count"].value == frame.height
    assert meta["pages"].value >= 20 and meta["databases"].value == 1
    assert meta["empty_pages"].value >= 1 and meta["problems"].value == 0
    assert "data:image/png;base64," in meta["content_length_histogram"].value
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {c.check_key.name for c in notion_checks}
    assert all(e.passed for e in evaluations)


def test_checks_fail_on_bad_data(data_dir: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    _, key = _materialize(data_dir, instance)
    path = data_dir / "assets" / "notion_docs" / f"{key}.parquet"
    good = pl.read_parquet(path)
    bad = pl.concat([good, good.head(2)]).with_columns(
        pl.when(pl.col("doc_id") == good["doc_id"][3])
        .then(True)
        .otherwise(pl.col("is_empty"))
        .alias("is_empty"),
        pl.when(pl.col("doc_id") == good["doc_id"][4])
        .then(pl.lit(["gone.md"] * 50))
        .otherwise(pl.col("unresolved_links"))
        .alias("unresolved_links"),
    )
    bad.write_parquet(path)
    # Checks alone, as a checks job runs them. Partitioned checks are a Dagster preview: a job of
    # checks only rejects `partition_key=`, the `dagster/partition` tag selects the partition.
    job = dg.define_asset_job("notion_checks", selection=dg.AssetSelection.checks(*notion_checks))
    defs = dg.Definitions(
        assets=[notion_docs],
        asset_checks=notion_checks,
        jobs=[job],
        resources={"io_manager": PolarsParquetIOManager()},
    )
    result = defs.resolve_job_def("notion_checks").execute_in_process(
        instance=instance, tags={"dagster/partition": key}, raise_on_error=False
    )
    assert not [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    by_name = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert not by_name[notion_docs_ids_unique.check_key.name].passed
    assert by_name[notion_docs_ids_unique.check_key.name].metadata["duplicate_ids"].value == 2
    assert not by_name[notion_docs_content_or_flagged_empty.check_key.name].passed
    links = by_name[notion_docs_internal_links_resolve.check_key.name]
    assert not links.passed and links.severity == dg.AssetCheckSeverity.WARN
    assert links.metadata["max_unresolved_share"].value == 0.05
    assert "outside the export" in links.description

    # The threshold is run config, shown in the launchpad: raised, the same data passes.
    name = notion_docs_internal_links_resolve.check_key.name
    raised = defs.resolve_job_def("notion_checks").execute_in_process(
        instance=instance,
        tags={"dagster/partition": key},
        raise_on_error=False,
        run_config={"ops": {f"notion_docs_{name}": {"config": {"max_unresolved_share": 0.99}}}},
    )
    [relaxed] = [e for e in raised.get_asset_check_evaluations() if e.check_name == name]
    assert relaxed.passed


def test_check_names_carry_the_asset_name() -> None:
    assert {c.check_key.name for c in notion_checks} == {
        "notion_docs_ids_unique",
        "notion_docs_content_or_flagged_empty",
        "notion_docs_internal_links_resolve",
    }


def test_missing_export_fails_with_a_useful_message(data_dir: Path) -> None:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", ["export-gone"])
    with pytest.raises(FileNotFoundError, match="No Notion export for partition 'export-gone'"):
        dg.materialize(
            [notion_docs],
            partition_key="export-gone",
            instance=instance,
            resources={"io_manager": PolarsParquetIOManager()},
        )


def test_failed_blocking_check_stops_downstream(data_dir: Path, monkeypatch) -> None:
    import secondbrain_assets.defs.notion as notion_module

    real = notion_module.to_frame
    monkeypatch.setattr(notion_module, "to_frame", lambda r, k: pl.concat([real(r, k)] * 2))

    @dg.asset(partitions_def=notion_docs.partitions_def)
    def downstream(notion_docs: pl.DataFrame) -> pl.DataFrame:
        return notion_docs.head(1)

    export = data_dir / "notion" / SAMPLE.name
    shutil.copy(SAMPLE, export)
    key = partition_key_for(export)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", [key])
    result = dg.materialize(
        [notion_docs, *notion_checks, downstream],
        partition_key=key,
        instance=instance,
        resources={"io_manager": PolarsParquetIOManager()},
        raise_on_error=False,
    )
    assert not result.success
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert materialized == {"notion_docs"}

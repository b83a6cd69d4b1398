"""The Parquet IO manager: a reader of every export goes on without exports not processed yet."""

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.io.parquet import PolarsParquetIOManager

exports = dg.DynamicPartitionsDefinition(name="exports")


@dg.asset(partitions_def=exports)
def per_export(context: dg.AssetExecutionContext) -> pl.DataFrame:
    return pl.DataFrame({"export": [context.partition_key]})


@dg.asset
def all_exports(per_export: pl.DataFrame) -> pl.DataFrame:
    return per_export.sort("export")


def test_unpartitioned_reader_skips_missing_partitions(tmp_path: Path) -> None:
    io = PolarsParquetIOManager(base_dir=str(tmp_path))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("exports", ["a", "b", "c"])
        for key in ("a", "c"):  # "b" was just added and has not run yet
            dg.materialize(
                [per_export], instance=instance, partition_key=key, resources={"io_manager": io}
            )
        result = dg.materialize(
            [per_export, all_exports],
            instance=instance,
            selection=[all_exports],
            resources={"io_manager": io},
        )
        assert result.success
        assert pl.read_parquet(tmp_path / "all_exports" / "__all__.parquet")[
            "export"
        ].to_list() == [
            "a",
            "c",
        ]


def test_missing_single_partition_is_an_error(tmp_path: Path) -> None:
    io = PolarsParquetIOManager(base_dir=str(tmp_path))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("exports", ["a"])
        with pytest.raises(Exception, match="has not been materialized"):
            dg.materialize(
                [per_export, all_exports],
                instance=instance,
                selection=[all_exports],
                resources={"io_manager": io},
            )

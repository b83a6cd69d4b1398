"""Stores polars DataFrames as Parquet, one file per asset and partition.

dagster-polars does not work with polars 2.x, so this small IO manager does the job. Writes go to a
temporary file first and are renamed into place, so a crashed step never leaves half a file.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import polars as pl
from pydantic import Field

from secondbrain_assets import settings


class PolarsParquetIOManager(dg.ConfigurableIOManager):
    """Parquet files at `<base_dir>/<asset key path>/<partition>.parquet`."""

    base_dir: str | None = Field(
        default=None, description="Folder of the Parquet files; default <data dir>/assets"
    )

    def _root(self) -> Path:
        return Path(self.base_dir) if self.base_dir else settings.assets_dir()

    def _path(self, asset_key: dg.AssetKey, partition_key: str | None) -> Path:
        return self._root().joinpath(*asset_key.path) / f"{partition_key or '__all__'}.parquet"

    def handle_output(self, context: dg.OutputContext, obj: pl.DataFrame | None) -> None:
        if obj is None:
            return
        if not isinstance(obj, pl.DataFrame):
            raise TypeError(f"{context.asset_key.to_user_string()} must return a polars DataFrame")
        partition = context.partition_key if context.has_partition_key else None
        path = self._path(context.asset_key, partition)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        obj.write_parquet(tmp, compression="zstd")
        tmp.replace(path)
        context.add_output_metadata({"path": dg.MetadataValue.path(str(path))})

    def load_input(self, context: dg.InputContext) -> pl.DataFrame:
        key = context.asset_key
        if context.has_asset_partitions:
            partitions = sorted(context.asset_partition_keys)
        else:
            partitions = [None]
        paths = [self._path(key, p) for p in partitions]
        missing = [str(p) for p in paths if not p.exists()]
        # A reader of every export (hf_dataset) goes on with the exports that exist: a new export
        # not yet processed must not block it. A single missing partition is an error.
        if missing and (len(missing) == len(paths) or len(paths) == 1):
            raise FileNotFoundError(
                f"{key.to_user_string()} has not been materialized for {missing}; "
                "materialize it first (dagster UI or `make demo`)."
            )
        if missing:
            context.log.warning(
                f"{key.to_user_string()}: {len(missing)} of {len(paths)} partitions not "
                f"materialized yet, read without them: {missing[:5]}"
            )
        frames = [pl.read_parquet(p) for p in paths if p.exists()]
        return frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal_relaxed")

"""Data versions: Dagster marks a downstream asset stale only when an upstream's content changed.

Timings, fetch times and cache flags change on every run, so each asset hashes just the columns
that carry its meaning. Together with `code_version`, an unchanged export re-materialized
leaves everything downstream up to date in the UI.
"""

import hashlib
import warnings
from collections.abc import Mapping
from typing import Any

import dagster as dg
import polars as pl


def frame_version(frame: pl.DataFrame, columns: list[str]) -> dg.DataVersion:
    """sha256 of `columns` as text, rows sorted, so row order does not change the version."""
    text = frame.select(pl.col(name).cast(pl.String) for name in columns).sort(columns)
    return dg.DataVersion(hashlib.sha256(text.write_csv().encode()).hexdigest()[:32])


def versioned_output(
    frame: pl.DataFrame, version_columns: list[str], metadata: Mapping[str, Any]
) -> dg.Output[pl.DataFrame]:
    """The output with its data version (a beta parameter in Dagster 1.13, used on purpose)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.BetaWarning)
        return dg.Output(
            frame, metadata=dict(metadata), data_version=frame_version(frame, version_columns)
        )

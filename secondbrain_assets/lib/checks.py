"""Per-export asset checks: the decorator every partitioned check is declared with, and factories
for the shapes several assets share ("ids unique", "share below a threshold, else WARN").

No `from __future__ import annotations`: Dagster reads the check functions' annotations at
runtime, and the factories annotate `config` with a class known only when they are called.
"""

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg
import polars as pl

from secondbrain_assets.lib.execution import QUEUE_IO, on_queue

_EXAMPLES = 20


def partitioned_check(
    asset: dg.AssetsDefinition, blocking: bool = False, **check_args: Any
) -> Callable[[Callable], dg.AssetChecksDefinition]:
    """An asset check evaluated per partition of `asset`, against the stored asset value.

    Without partitions_def a check loads every partition of the asset at once; with it (a Dagster
    preview in 1.13, warning silenced here on purpose) it loads only the run's partition. Checks
    stay separate from their asset so `asset_checks_job` can re-run them on stored results; a job
    of checks alone takes the partition from the `dagster/partition` run tag (`partition_key=` is
    refused for check-only jobs in 1.13).
    """

    # Checks read stored results: light work for the io queue unless the caller says otherwise.
    check_args.setdefault("op_tags", on_queue(QUEUE_IO))

    def wrap(fn: Callable) -> dg.AssetChecksDefinition:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=dg.PreviewWarning)
            return dg.asset_check(
                asset=asset, partitions_def=asset.partitions_def, blocking=blocking, **check_args
            )(fn)

    return wrap


def asset_name(asset: dg.AssetsDefinition) -> str:
    """The name checks of `asset` start with, so a check list reads without its asset column."""
    return asset.key.path[-1]


def ids_unique_check(
    asset: dg.AssetsDefinition,
    id_column: str = "doc_id",
    *,
    source: str | None = None,
    blocking: bool = True,
    description: str | None = None,
) -> dg.AssetChecksDefinition:
    """Check `<asset>_ids_unique`: every `id_column` value appears once in the partition.

    `source`: the name of an upstream asset (same partition) to read the ids from instead of
    `asset` itself, for an asset stored keyed by id (MongoDB), where duplicates have collapsed.
    """
    default = f"Every {id_column} appears once: ids key the upserts downstream, "
    default += "and a duplicate would silently overwrite a row."
    check_args: dict[str, Any] = {
        "name": f"{asset_name(asset)}_ids_unique",
        "description": description or default,
    }

    def result(frame: pl.DataFrame) -> dg.AssetCheckResult:
        dupes = frame.group_by(id_column).len().filter(pl.col("len") > 1)
        examples = dupes.get_column(id_column).head(_EXAMPLES).to_list()
        return dg.AssetCheckResult(
            passed=dupes.height == 0,
            metadata={
                "rows": frame.height,
                "duplicate_ids": dupes.height,
                "examples": dg.MetadataValue.json(examples),
                **({"ids_read_from": source} if source is not None else {}),
            },
        )

    if source is None:

        @partitioned_check(asset, blocking=blocking, **check_args)
        def own_ids_unique(value: pl.DataFrame) -> dg.AssetCheckResult:
            return result(value)

        return own_ids_unique

    upstream = {"upstream": dg.AssetIn(source, partition_mapping=dg.IdentityPartitionMapping())}

    @partitioned_check(asset, blocking=blocking, additional_ins=upstream, **check_args)
    def source_ids_unique(upstream: pl.DataFrame) -> dg.AssetCheckResult:
        return result(upstream)

    return source_ids_unique


@dataclass(frozen=True)
class Share:
    """`part` of `whole` (e.g. failed links of all links), with what explains it."""

    part: int
    whole: int
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def value(self) -> float:
        return self.part / self.whole if self.whole else 0.0


def share_below_check(
    asset: dg.AssetsDefinition,
    name: str,
    *,
    config_class: type[dg.Config],
    limit_field: str,
    measure: Callable[[pl.DataFrame], Share],
    counted: str,
    hint: str,
    description: str,
) -> dg.AssetChecksDefinition:
    """Check `<asset>_<name>`, never blocking: WARN when `measure(value).value` exceeds the
    config's `limit_field` (a `Field(description=...)` the UI's launchpad shows).

    Metadata: `<counted>`, `of`, `share`, the limit, and whatever `measure` adds; on failure
    the description says "<part> of <whole> <hint>" so a person knows where to look.
    """

    @partitioned_check(asset, name=f"{asset_name(asset)}_{name}", description=description)
    def share_below(config: config_class, value: pl.DataFrame) -> dg.AssetCheckResult:  # type: ignore[valid-type]
        measured, limit = measure(value), float(getattr(config, limit_field))
        passed = measured.value <= limit
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                counted: measured.part,
                "of": measured.whole,
                "share": round(measured.value, 4),
                limit_field: limit,
                **measured.metadata,
            },
            description=None if passed else f"{measured.part} of {measured.whole} {hint}",
        )

    return share_below

"""Per-export asset checks: the decorator every partitioned check is declared with."""

import warnings
from collections.abc import Callable

import dagster as dg


def partitioned_check(
    asset: dg.AssetsDefinition, blocking: bool = False, **check_args: object
) -> Callable[[Callable], dg.AssetChecksDefinition]:
    """An asset check evaluated per partition of `asset`, against the stored asset value.

    Without partitions_def a check loads every partition of the asset at once; with it (a Dagster
    preview in 1.13, warning silenced here on purpose) it loads only the run's partition. Checks
    stay separate from their asset so `asset_checks_job` can re-run them on stored results; a job
    of checks alone takes the partition from the `dagster/partition` run tag (`partition_key=` is
    refused for check-only jobs in 1.13).
    """

    def wrap(fn: Callable) -> dg.AssetChecksDefinition:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=dg.PreviewWarning)
            return dg.asset_check(
                asset=asset, partitions_def=asset.partitions_def, blocking=blocking, **check_args
            )(fn)

    return wrap

"""Helpers shared by the asset families: per-export asset checks and histogram metadata."""

import base64
import io
import warnings
from collections.abc import Callable, Sequence

import dagster as dg

from secondbrain_assets.defs.partitions import notion_exports


def partitioned_check(
    asset: dg.AssetsDefinition | str, blocking: bool = False, **check_args: object
) -> Callable[[Callable], dg.AssetChecksDefinition]:
    """An asset check evaluated per export partition, against the stored asset value.

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
                asset=asset, partitions_def=notion_exports, blocking=blocking, **check_args
            )(fn)

    return wrap


def histogram_md(
    values: Sequence[float], xlabel: str, title: str, bins: int = 30
) -> dg.MetadataValue:
    """A histogram as a base64 PNG inside Markdown, so the UI shows it without extra files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3), dpi=80)
    ax.hist(list(values) or [0], bins=bins, color="#4f46e5")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("documents")
    ax.set_title(title)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return dg.MetadataValue.md(f"![{title}](data:image/png;base64,{encoded})")

"""Metadata renderers: plots the Dagster UI shows inline, as base64 PNGs inside Markdown."""

import base64
import io
from collections.abc import Sequence

import dagster as dg


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

"""Line and bar plots for model metadata (loss curves, base vs tuned), as Markdown PNGs."""

import base64
import io
from collections.abc import Mapping, Sequence

import dagster as dg


def _figure_md(fig: object, title: str) -> dg.MetadataValue:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    encoded = base64.b64encode(buffer.getvalue()).decode()
    return dg.MetadataValue.md(f"![{title}](data:image/png;base64,{encoded})")


def line_plot_md(
    series: Mapping[str, Sequence[tuple[float, float]]], xlabel: str, ylabel: str, title: str
) -> dg.MetadataValue:
    """One line per named series of (x, y) points, e.g. train and validation loss by step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3), dpi=80)
    for name, points in series.items():
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", markersize=3, label=name)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return _figure_md(fig, title)


def grouped_bars_md(
    groups: Mapping[str, Mapping[str, float]], metrics: Sequence[str], title: str
) -> dg.MetadataValue:
    """Bars per metric, one colour per group (e.g. base vs tuned)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3), dpi=80)
    width = 0.8 / max(1, len(groups))
    for i, (name, values) in enumerate(groups.items()):
        xs = [m + i * width for m in range(len(metrics))]
        ax.bar(xs, [values.get(m, 0.0) for m in metrics], width=width, label=name)
    ax.set_xticks([m + width * (len(groups) - 1) / 2 for m in range(len(metrics))])
    ax.set_xticklabels(metrics, rotation=20)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    return _figure_md(fig, title)

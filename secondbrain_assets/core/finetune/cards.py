"""Model cards (README.md with the Hub's YAML front matter) for the adapter and merged model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any


def write_model_card(folder: Path, title: str, lines: Sequence[str], meta: dict[str, Any]) -> Path:
    """README.md with YAML front matter (Hub model card); `meta` keys are YAML scalars/lists."""
    front = ["---"]
    for key, value in meta.items():
        if isinstance(value, list | tuple):
            front.append(f"{key}:")
            front.extend(f"- {item}" for item in value)
        else:
            front.append(f"{key}: {value}")
    front.append("---")
    path = folder / "README.md"
    path.write_text("\n".join([*front, "", f"# {title}", "", *lines, ""]))
    return path

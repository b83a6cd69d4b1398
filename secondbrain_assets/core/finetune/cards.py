"""Model cards (README.md with the Hub's YAML front matter) for the adapter and merged model."""

from __future__ import annotations

import json
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


def training_lines(info: dict[str, Any], dataset_version: str) -> list[str]:
    """How the adapter was trained, for both cards: data, settings, loss."""
    settings = info.get("settings", {})
    evals = info.get("eval_loss") or []
    lines = [
        "Summarizer fine-tuned by secondbrain_assets on TL;DR summaries of a personal knowledge "
        "base (Notion export + linked web pages): LoRA SFT with TRL, completion-only loss, the "
        "base model's chat template, prompt from `core/summarize/prompts.py`.",
        "",
        f"- base model: `{info.get('base_model', '?')}`",
        f"- dataset data version: `{dataset_version}`",
        f"- trainer: {info.get('backend', '?')} ({info.get('precision', 'fp32')}), "
        f"steps: {info.get('steps', '?')}",
    ]
    if evals:
        lines.append(f"- validation loss: {evals[0][1]:.4f} (step 0) -> {evals[-1][1]:.4f}")
    lines += ["", "Settings:", "", "```json", json.dumps(settings, indent=1), "```"]
    return lines


def card_meta(base_model_hub_id: str, library: str) -> dict[str, Any]:
    """Front matter; `base_model` only when the base has a Hub id (the Hub validates it)."""
    meta: dict[str, Any] = {"library_name": library}
    if base_model_hub_id:
        meta["base_model"] = base_model_hub_id
    meta["pipeline_tag"] = "text-generation"
    meta["tags"] = ["summarization", "lora", "trl", "sft"]
    return meta

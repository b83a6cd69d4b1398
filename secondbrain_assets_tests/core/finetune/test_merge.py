"""Merging the adapter: exact to base + adapter, and a difference the check would catch."""

from __future__ import annotations

from pathlib import Path

from secondbrain_assets.core.finetune.merge import (
    LOGIT_TOLERANCE,
    base_model_of,
    logit_difference,
    merge_adapter,
)
from secondbrain_assets.core.finetune.train import TrainResult

TEXTS = ["Slow start doubles the congestion window every round trip.", "Feed the starter daily."]


def test_merged_model_matches_base_plus_adapter(trained: TrainResult, tmp_path: Path) -> None:
    merged = merge_adapter(trained.adapter_dir, tmp_path / "merged").merged_dir
    names = {p.name for p in merged.iterdir()}
    assert {"model.safetensors", "config.json", "generation_config.json", "tokenizer.json"} <= names
    assert logit_difference(trained.adapter_dir, merged, TEXTS) <= LOGIT_TOLERANCE


def test_the_check_sees_a_model_without_the_adapter(trained: TrainResult) -> None:
    """The base folder posing as the merged model differs by far more than the tolerance:
    the adapter changed the outputs, and the comparison is sensitive to it."""
    base = base_model_of(trained.adapter_dir)
    assert logit_difference(trained.adapter_dir, base, TEXTS) > 100 * LOGIT_TOLERANCE

"""Precision choice and completion-only scoring of the LM head on CPU (cpu_speed.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondbrain_assets.core.finetune.cpu_speed import labeled_positions_only, resolve_precision
from secondbrain_assets_tests.core.llm.fixtures import tiny_llama_dir  # noqa: F401


@pytest.mark.parametrize(
    "amx,avx512_bf16,expected",
    [(True, False, "bf16"), (False, True, "bf16"), (False, False, "fp32")],
)
def test_auto_precision_is_bf16_only_where_the_cpu_has_it(
    monkeypatch: pytest.MonkeyPatch, amx: bool, avx512_bf16: bool, expected: str
) -> None:
    import torch

    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: amx, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: avx512_bf16, raising=False)
    assert resolve_precision("auto", use_cpu=True) == expected
    # An explicit choice is kept whatever the hardware.
    assert resolve_precision("fp32", use_cpu=True) == "fp32"
    assert resolve_precision("bf16", use_cpu=True) == "bf16"


def test_unknown_precision_is_refused() -> None:
    with pytest.raises(ValueError, match="precision must be"):
        resolve_precision("fp8", use_cpu=True)


def test_cpu_scores_only_labeled_positions_and_the_loss_is_unchanged(
    tiny_llama_dir: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import torch
    from transformers import AutoModelForCausalLM
    from trl.trainer import utils as trl_utils
    from trl.trainer.utils import add_fused_lm_head

    model = AutoModelForCausalLM.from_pretrained(tiny_llama_dir, dtype=torch.float32)
    add_fused_lm_head(model)
    rows_scored: list[int] = []
    apply = trl_utils._ChunkedLogProbFunction.apply

    def spy(hidden, *args):
        rows_scored.append(hidden.shape[0])
        return apply(hidden, *args)

    monkeypatch.setattr(trl_utils._ChunkedLogProbFunction, "apply", spy)
    torch.manual_seed(0)
    ids = torch.randint(3, model.config.vocab_size, (2, 40))
    labels = ids.clone()
    labels[:, :32] = -100  # a long prompt, a short answer: 8 labeled tokens per row
    labels[1, -1] = -100
    labeled = int((labels[:, 1:] != -100).sum())

    def loss() -> float:
        with torch.no_grad():
            return float(model(input_ids=ids, labels=labels, fused_lm_head=True).loss)

    everywhere = loss()
    with labeled_positions_only() as active:
        compact = loss()
    after = loss()
    assert active
    assert rows_scored == [2 * 39, labeled, 2 * 39]  # TRL's CPU default, ours, restored
    assert compact == pytest.approx(everywhere, rel=1e-5) and after == everywhere
    assert trl_utils._use_triton(torch.device("cpu")) is False  # nothing left patched


def test_without_the_trl_switch_training_goes_on_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    from trl.trainer import utils as trl_utils

    monkeypatch.delattr(trl_utils, "_use_triton")
    with labeled_positions_only() as active:
        assert active is False
    assert not hasattr(trl_utils, "_use_triton")


@pytest.mark.parametrize("precision", ["bf16", "fp32"])
def test_the_trainer_gets_the_chosen_precision(tmp_path: Path, precision: str) -> None:
    from secondbrain_assets.core.finetune.config import LoraSettings
    from secondbrain_assets.core.finetune.train import sft_config

    config = sft_config(LoraSettings(precision=precision), tmp_path, True, False)
    assert config.bf16 is (precision == "bf16") and config.fp16 is False

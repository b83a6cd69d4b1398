from __future__ import annotations

from pathlib import Path

import pytest

from secondbrain_assets.core.finetune.config import LoraSettings
from secondbrain_assets.core.finetune.train import TrainResult, train_lora
from secondbrain_assets_tests.core.finetune.fixtures import summary_dataset
from secondbrain_assets_tests.core.llm.fixtures import tiny_llama_dir  # noqa: F401

TINY = LoraSettings(max_steps=6, save_steps=2, batch_size=2, learning_rate=5e-3, r=8, alpha=16)


@pytest.fixture(scope="session")
def trained(tiny_llama_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainResult:  # noqa: F811
    """One short LoRA run on the tiny Llama, shared by the tests that only read its result."""
    work = tmp_path_factory.mktemp("lora")
    return train_lora(summary_dataset(), TINY, tiny_llama_dir, work, log=lambda _: None)

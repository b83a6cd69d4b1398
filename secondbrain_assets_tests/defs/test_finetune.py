"""lora_adapter -> merged_model -> model_evaluation as Dagster assets, on a tiny local Llama.

`hf_dataset` is stood in by a DatasetDict in the contract's shape, stored where the real
`hf_io_manager` keeps it; the merged model is pushed (private) to the local Hub stand-in.
"""

from __future__ import annotations

import json
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.core.finetune.cpu_speed import resolve_precision
from secondbrain_assets.core.llm.backends import JudgeInput
from secondbrain_assets.core.llm.transformers_backend import TransformersBackend
from secondbrain_assets.core.summarize.backends import GenerationRequest
from secondbrain_assets.core.summarize.prompts import summary_messages
from secondbrain_assets.core.summarize.transformers_summarizer import TransformersSummarizer
from secondbrain_assets.defs.evaluation import (
    model_evaluation,
    model_evaluation_no_empty_outputs,
    model_evaluation_tuned_beats_base,
)
from secondbrain_assets.defs.finetune import (
    lora_adapter,
    lora_adapter_files,
    lora_adapter_validation_loss_fell,
    merged_model,
    merged_model_files,
    merged_model_logits_match,
)
from secondbrain_assets.io.huggingface import HuggingFaceIOManager
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets_tests.core.finetune.fixtures import summary_dataset
from secondbrain_assets_tests.core.llm.fixtures import tiny_llama_dir  # noqa: F401
from secondbrain_assets_tests.hub_stub import HubStub, hub_stub  # noqa: F401

HF_DATASET = dg.AssetSpec("hf_dataset").with_io_manager_key("hf_io_manager")
CHECKS = [
    lora_adapter_files,
    lora_adapter_validation_loss_fell,
    merged_model_files,
    merged_model_logits_match,
    model_evaluation_tuned_beats_base,
    model_evaluation_no_empty_outputs,
]


def _store_dataset(data_dir: Path) -> None:
    root = data_dir / "hf" / "hf_dataset"
    summary_dataset().save_to_disk(str(root / "v1"))
    (root / "latest.json").write_text(json.dumps({"version": "v1", "kind": "dataset"}))


@pytest.mark.slow
def test_finetune_graph_trains_merges_evaluates_and_pushes(
    data_dir: Path,
    tiny_llama_dir: Path,  # noqa: F811
    hub_stub: HubStub,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_TOKEN", "hf_test_token_for_the_stub")
    _store_dataset(data_dir)
    hf = HuggingFaceIOManager(publish={"merged_model": "me/tldr"}, hub_endpoint=hub_stub.url)
    train = {
        "base_model": str(tiny_llama_dir),
        "max_steps": 4,
        "save_steps": 2,
        "learning_rate": 5e-3,
        "r": 8,
        "alpha": 16,
    }
    result = dg.materialize(
        [HF_DATASET, lora_adapter, merged_model, model_evaluation, *CHECKS],
        resources={"hf_io_manager": hf, "io_manager": PolarsParquetIOManager()},
        run_config={
            "ops": {
                "lora_adapter": {"config": train},
                "model_evaluation": {"config": {"max_new_tokens": 16, "batch_size": 2}},
            }
        },
    )
    assert result.success

    adapter_meta = result.asset_materializations_for_node("lora_adapter")[0].metadata
    assert adapter_meta["steps"].value == 4
    assert adapter_meta["trainable_params"].value > 0
    assert adapter_meta["tokens_per_s"].value > 0
    assert "data:image/png;base64," in adapter_meta["loss_curves"].value
    assert adapter_meta["config"].value["base_model"] == str(tiny_llama_dir)
    # What ran is recorded: bf16 only where this CPU computes it natively.
    assert adapter_meta["precision"].value == resolve_precision("auto", use_cpu=True)
    stored_adapter = Path(adapter_meta["path"].value)
    assert stored_adapter.parent == data_dir / "hf" / "lora_adapter"
    assert (stored_adapter / "adapter_model.safetensors").exists()
    assert not list((data_dir / "cache" / "finetune").glob("*/checkpoints"))  # cleaned up

    checks = {c.check_name: c for c in result.get_asset_check_evaluations()}
    assert checks["merged_model_logits_match"].passed
    assert checks["merged_model_logits_match"].metadata["max_abs_logit_diff"].value <= 1e-3
    assert checks["merged_model_files"].passed and checks["lora_adapter_files"].passed
    assert checks["model_evaluation_no_empty_outputs"].severity == dg.AssetCheckSeverity.ERROR
    assert checks["model_evaluation_tuned_beats_base"].severity == dg.AssetCheckSeverity.WARN

    table = pl.read_parquet(data_dir / "assets" / "model_evaluation" / "__all__.parquet")
    assert table.height == 2 * len(summary_dataset()["test"])
    assert set(table["model"]) == {"base", "tuned"}
    assert table["semantic_similarity"].is_between(-1.0, 1.0).all()
    assert (table["n_prompt_tokens"] + 16 <= 2048).all()

    # The merged folder went to the Hub stand-in, private, weights via LFS.
    repo = hub_stub.repo("me/tldr", "model")
    assert repo.private
    assert {"model.safetensors", "config.json", "tokenizer.json", "README.md"} <= set(repo.files)

    # ...and serves as the judge backend (the llm resource's `model` points at such a folder).
    merged = Path(result.asset_materializations_for_node("merged_model")[0].metadata["path"].value)
    judged = TransformersBackend(merged).judge(
        [JudgeInput("d1", "TCP notes", "Slow start doubles the window.", "h1")]
    )
    assert judged[0].status == "ok" and 0.0 <= (judged[0].score or 0.0) <= 1.0
    # ...and as the summarizer backend, with the prompt it was trained on.
    request = GenerationRequest.from_chat(summary_messages("TCP slow start.", 120), 0.0, 0, 8)
    [summary] = TransformersSummarizer(merged).generate([request])
    assert summary.error is None and summary.n_tokens > 0


def test_config_defaults_are_the_core_defaults_and_documented() -> None:
    from secondbrain_assets.core.finetune.config import LoraSettings
    from secondbrain_assets.defs.evaluation import ModelEvaluationConfig
    from secondbrain_assets.defs.finetune import LoraAdapterConfig, MergedModelConfig

    assert LoraAdapterConfig().to_settings() == LoraSettings()
    for config in (LoraAdapterConfig, MergedModelConfig, ModelEvaluationConfig):
        undocumented = [n for n, f in config.model_fields.items() if not f.description]
        assert not undocumented, f"{config.__name__}: {undocumented}"

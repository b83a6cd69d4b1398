"""`lora_adapter` and `merged_model`: fine-tune the summarizer on `hf_dataset`, then merge."""

import hashlib
import shutil
import warnings
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from secondbrain_assets import settings as env
from secondbrain_assets.core.finetune.config import LoraSettings
from secondbrain_assets.lib.automation import follows_upstream
from secondbrain_assets.lib.execution import POOL_GPU, QUEUE_GPU, QUEUE_IO, on_queue
from secondbrain_assets.lib.plots import line_plot_md

_D = LoraSettings()
EMBEDDED_HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"  # what the embedded GGUF was made from
# Sample inputs of the merge check: a chat-formatted summary prompt and plain text.
CHECK_TEXTS = (
    "TCP congestion control keeps senders from overwhelming the network: slow start, then "
    "additive increase and multiplicative decrease.",
    "Sourdough needs a lively starter, a long cold proof and a very hot oven.",
)


class LoraAdapterConfig(dg.Config):
    base_model: str = Field(
        default="", description="HF model folder to fine-tune; empty = embedded SmolLM2-135M"
    )
    r: int = Field(default=_D.r, description="LoRA rank")
    alpha: int = Field(default=_D.alpha, description="LoRA alpha (scale = alpha / r)")
    dropout: float = Field(default=_D.dropout, description="LoRA dropout")
    target_modules: list[str] = Field(
        default=list(_D.target_modules), description="Linear layers that get LoRA weights"
    )
    learning_rate: float = Field(default=_D.learning_rate, description="Peak learning rate")
    max_steps: int = Field(default=_D.max_steps, description="Optimizer steps; <= 0: use epochs")
    epochs: float = Field(default=_D.epochs, description="Epochs when max_steps <= 0")
    batch_size: int = Field(default=_D.batch_size, description="Rows (packed) per device step")
    grad_accum: int = Field(default=_D.grad_accum, description="Gradient accumulation steps")
    max_length: int = Field(default=_D.max_length, description="Tokens per (packed) training row")
    warmup_steps: int = Field(default=_D.warmup_steps, description="Linear warm-up steps")
    weight_decay: float = Field(default=_D.weight_decay, description="AdamW weight decay")
    lr_scheduler: str = Field(default=_D.lr_scheduler, description="transformers scheduler name")
    optimizer: str = Field(default=_D.optimizer, description="'adamw_torch'; 'adamw_8bit' on CUDA")
    seed: int = Field(default=_D.seed, description="Seed for LoRA init and data order")
    save_steps: int = Field(default=_D.save_steps, description="Checkpoint every N steps")
    eval_steps: int = Field(
        default=_D.eval_steps, description="Validation every N steps; 0 = at checkpoints"
    )
    gradient_checkpointing: bool = Field(
        default=_D.gradient_checkpointing, description="Recompute activations (saves memory)"
    )
    packing: bool = Field(default=_D.packing, description="Best-fit packing, no padding")
    load_in_4bit: bool = Field(default=_D.load_in_4bit, description="QLoRA (unsloth/CUDA only)")
    backend: str = Field(default=_D.backend, description="'auto', 'trl' (CPU/CUDA) or 'unsloth'")
    precision: str = Field(
        default=_D.precision,
        description="'auto' (bf16 where the GPU or CPU computes it natively), 'bf16' or 'fp32'",
    )
    score_labeled_only: bool = Field(
        default=_D.score_labeled_only,
        description="On CPU, project the loss on answer positions only (same loss, less work)",
    )

    def to_settings(self) -> LoraSettings:
        values = self.model_dump()
        values["target_modules"] = tuple(values["target_modules"])
        return LoraSettings(**values)


def _base_model(name: str) -> tuple[Path, str]:
    """The base folder, and the Hub id to name in model cards ('' when it has none)."""
    if name:
        return Path(name).expanduser(), ""
    from secondbrain_assets.core.llm.embedded_model import ensure_embedded_model

    return ensure_embedded_model(), EMBEDDED_HUB_ID


def _upstream_version(context: dg.AssetExecutionContext, key: str) -> str:
    event = context.instance.get_latest_materialization_event(dg.AssetKey(key))
    tags = event.asset_materialization.tags if event and event.asset_materialization else None
    return (tags or {}).get("dagster/data_version", "unknown")


def _folder_digest(folder: Path, pattern: str) -> dg.DataVersion:
    digest = hashlib.sha256()
    for path in sorted(folder.glob(pattern)):
        digest.update(path.read_bytes())
    return dg.DataVersion(digest.hexdigest()[:32])


def _output(path: Path, metadata: dict[str, Any], version: dg.DataVersion) -> dg.Output[Path]:
    with warnings.catch_warnings():  # data_version is a beta parameter in 1.13, used on purpose
        warnings.simplefilter("ignore", category=dg.BetaWarning)
        return dg.Output(path, metadata=metadata, data_version=version)


@dg.asset(
    io_manager_key="hf_io_manager",
    code_version="1",
    group_name="finetune",
    pool=POOL_GPU,  # one training / merge / evaluation at a time
    op_tags=on_queue(QUEUE_GPU),
    automation_condition=follows_upstream(),
    kinds={"pytorch", "python"},
    description=(
        "LoRA adapter of the summarizer trained on hf_dataset (TRL SFTTrainer + PEFT on CPU, "
        "unsloth on CUDA): completion-only loss, the base model's chat template, checkpoints "
        "every N steps under the data dir, resumed after a crash."
    ),
)
def lora_adapter(
    context: dg.AssetExecutionContext, config: LoraAdapterConfig, hf_dataset: Any
) -> dg.Output[Path]:
    from secondbrain_assets.core.finetune.cards import card_meta, training_lines, write_model_card
    from secondbrain_assets.core.finetune.train import dataset_fingerprint, train_lora
    from secondbrain_assets.core.llm.transformers_backend import model_fingerprint

    settings = config.to_settings()
    base_dir, base_hub_id = _base_model(settings.base_model)
    dataset_version = _upstream_version(context, "hf_dataset")
    # Same settings, data and base => same folder, so a re-run after a crash resumes there.
    run_id = (
        f"{settings.fingerprint()}-{dataset_fingerprint(hf_dataset)}-{model_fingerprint(base_dir)}"
    )
    work = env.cache_dir() / "finetune" / run_id
    result = train_lora(hf_dataset, settings, base_dir, work, log=context.log.info)
    adapter = result.adapter_dir
    (adapter / "training_args.bin").unlink(missing_ok=True)  # a pickle; settings are in the card
    write_model_card(
        adapter,
        "LoRA adapter: personal knowledge base TL;DR summarizer",
        training_lines(result.info, dataset_version),
        card_meta(base_hub_id, "peft"),
    )
    shutil.rmtree(work / "checkpoints", ignore_errors=True)  # done: the adapter is the result
    curves = {"train": result.train_loss, "validation": result.eval_loss}
    metadata = {
        "loss_curves": line_plot_md(curves, "step", "loss", "LoRA SFT loss"),
        "final_train_loss": result.train_loss[-1][1] if result.train_loss else None,
        "validation_loss_start": result.eval_loss[0][1] if result.eval_loss else None,
        "validation_loss_end": result.eval_loss[-1][1] if result.eval_loss else None,
        "tokens_per_s": dg.MetadataValue.float(round(result.tokens_per_s, 1)),
        "tokens_trained": result.tokens,
        "trainable_params": result.trainable_params,
        "total_params": result.total_params,
        "steps": result.steps,
        "resumed_from_step": result.resumed_from_step,
        "wall_s": dg.MetadataValue.float(round(result.wall_s, 1)),
        "train_s": dg.MetadataValue.float(round(result.train_s, 1)),
        "backend": result.backend,
        "precision": result.info["precision"],
        "base_model": str(base_dir),
        "config": dg.MetadataValue.json(settings.as_dict()),
        "dataset_data_version": dataset_version,
    }
    return _output(adapter, metadata, _folder_digest(adapter, "*.safetensors"))


@dg.asset_check(asset=lora_adapter, blocking=True, op_tags=on_queue(QUEUE_IO))
def lora_adapter_files(lora_adapter: Path) -> dg.AssetCheckResult:
    """The adapter folder has weights, adapter config, tokenizer and a model card."""
    needed = [
        "adapter_model.safetensors",
        "adapter_config.json",
        "tokenizer_config.json",
        "README.md",
    ]
    missing = [name for name in needed if not (lora_adapter / name).exists()]
    return dg.AssetCheckResult(passed=not missing, metadata={"missing": missing})


@dg.asset_check(asset=lora_adapter, op_tags=on_queue(QUEUE_IO))
def lora_adapter_validation_loss_fell(lora_adapter: Path) -> dg.AssetCheckResult:
    """Validation loss at the end is below the loss before training (WARN: more steps/data)."""
    import json

    from secondbrain_assets.core.finetune.train import INFO_FILE

    losses = json.loads((lora_adapter / INFO_FILE).read_text()).get("eval_loss") or []
    passed = len(losses) >= 2 and losses[-1][1] < losses[0][1]
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"validation_loss": dg.MetadataValue.json(losses)},
        description=None
        if passed
        else "Validation loss did not fall: raise max_steps or "
        "learning_rate, or add exports so the dataset grows.",
    )


class MergedModelConfig(dg.Config):
    base_model: str = Field(
        default="", description="Base folder to merge into; empty = the adapter's own base"
    )


@dg.asset(
    io_manager_key="hf_io_manager",
    code_version="1",
    group_name="finetune",
    pool=POOL_GPU,  # one training / merge / evaluation at a time
    op_tags=on_queue(QUEUE_GPU),
    automation_condition=follows_upstream(),
    kinds={"pytorch", "python"},
    description=(
        "Base model (float32, never 4-bit) with the LoRA adapter merged: safetensors, tokenizer, "
        "generation config, model card. Point the `llm` resource's `model` at its folder."
    ),
)
def merged_model(
    context: dg.AssetExecutionContext, config: MergedModelConfig, lora_adapter: Path
) -> dg.Output[Path]:
    import json

    from secondbrain_assets.core.finetune.cards import card_meta, training_lines, write_model_card
    from secondbrain_assets.core.finetune.merge import merge_adapter
    from secondbrain_assets.core.finetune.train import INFO_FILE

    base = Path(config.base_model).expanduser() if config.base_model else None
    target = env.cache_dir() / "finetune" / "merged" / lora_adapter.name
    for old in target.parent.glob("*"):  # hf_io_manager keeps the stored copies; one here is enough
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
    result = merge_adapter(lora_adapter, target, base)
    info = json.loads((lora_adapter / INFO_FILE).read_text())
    embedded = not info.get("settings", {}).get("base_model")
    write_model_card(
        target,
        "Personal knowledge base TL;DR summarizer (LoRA merged)",
        training_lines(info, _upstream_version(context, "hf_dataset")),
        card_meta(EMBEDDED_HUB_ID if embedded else "", "transformers"),
    )
    metadata = {
        "merge_s": dg.MetadataValue.float(round(result.seconds, 2)),
        "base_model": result.base_model,
        "adapter": str(lora_adapter),
        "size_mb": dg.MetadataValue.float(
            round(sum(p.stat().st_size for p in target.glob("*.safetensors")) / 1e6, 1)
        ),
        "use_as_llm": "LLMResource(backend='transformers', model='<this folder>')",
    }
    return _output(target, metadata, _folder_digest(target, "*.safetensors"))


@dg.asset_check(
    asset=merged_model,
    additional_ins={"lora_adapter": dg.AssetIn("lora_adapter")},
    blocking=True,
    op_tags=on_queue(QUEUE_GPU),  # loads both models
)
def merged_model_logits_match(merged_model: Path, lora_adapter: Path) -> dg.AssetCheckResult:
    """Merged logits equal base + adapter (unmerged) on sample inputs within LOGIT_TOLERANCE."""
    from secondbrain_assets.core.finetune.merge import LOGIT_TOLERANCE, logit_difference

    worst = logit_difference(lora_adapter, merged_model, CHECK_TEXTS)
    return dg.AssetCheckResult(
        passed=worst <= LOGIT_TOLERANCE,
        metadata={"max_abs_logit_diff": worst, "tolerance": LOGIT_TOLERANCE},
    )


@dg.asset_check(asset=merged_model, blocking=True, op_tags=on_queue(QUEUE_IO))
def merged_model_files(merged_model: Path) -> dg.AssetCheckResult:
    """Weights as safetensors, config, generation config, tokenizer and card are all there."""
    needed = ["config.json", "generation_config.json", "tokenizer_config.json", "README.md"]
    missing = [n for n in needed if not (merged_model / n).exists()]
    if not any(merged_model.glob("*.safetensors")):
        missing.append("*.safetensors")
    return dg.AssetCheckResult(passed=not missing, metadata={"missing": missing})

"""LoRA SFT with TRL: completion-only loss, the base model's chat template, resumable checkpoints.

The dataset's `prompt`/`completion` columns are TRL's conversational prompt-completion form:
SFTTrainer renders them with the tokenizer's chat template and masks the prompt out of the loss.
Checkpoints go to `<work dir>/checkpoints` every `save_steps`; a run that dies (even `kill -9`)
resumes from the last *complete* one (its trainer_state.json, written last, parses) and ends
where an uninterrupted run with the same seed and data ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secondbrain_assets.core.finetune.backend import select_backend
from secondbrain_assets.core.finetune.config import LoraSettings
from secondbrain_assets.core.finetune.cpu_speed import labeled_positions_only, resolve_precision

TRAIN_COLUMNS = ["prompt", "completion"]
INFO_FILE = "secondbrain_training.json"  # written next to the adapter; read by merge and eval


@dataclass
class TrainResult:
    adapter_dir: Path
    backend: str
    steps: int
    train_loss: list[tuple[int, float]]
    eval_loss: list[tuple[int, float]]
    tokens: int  # real (non-padding) tokens trained on in this run
    train_s: float  # forward + backward + optimizer time of this run (no eval, no saving)
    wall_s: float
    trainable_params: int
    total_params: int
    resumed_from_step: int | None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def tokens_per_s(self) -> float:
        return self.tokens / self.train_s if self.train_s else 0.0


def dataset_fingerprint(dataset: Any) -> str:
    """sha256 of the rows training sees (train + validation), for the checkpoint folder's name."""
    digest = hashlib.sha256()
    for split in ("train", "validation"):
        for row in dataset[split].select_columns(TRAIN_COLUMNS):
            digest.update(json.dumps(row, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def last_complete_checkpoint(checkpoints: Path) -> Path | None:
    """Newest `checkpoint-N` whose trainer state (saved after weights, optimizer and RNG) parses."""
    found: list[tuple[int, Path]] = []
    for path in checkpoints.glob("checkpoint-*") if checkpoints.is_dir() else []:
        try:
            step = int(path.name.rsplit("-", 1)[1])
            json.loads((path / "trainer_state.json").read_text())
        except (ValueError, OSError):  # a checkpoint cut short by a kill
            continue
        found.append((step, path))
    return max(found)[1] if found else None


def train_lora(
    dataset: Any,
    settings: LoraSettings,
    base_model_dir: Path,
    work_dir: Path,
    *,
    callbacks: Sequence[Any] = (),
    log: Callable[[str], None] = print,
) -> TrainResult:
    """Train (or resume) a LoRA adapter; the adapter folder is `<work_dir>/adapter`."""
    started = time.perf_counter()
    backend = select_backend(settings.backend)
    checkpoints = work_dir / "checkpoints"
    resume = last_complete_checkpoint(checkpoints)
    if resume is not None:
        log(f"resuming from {resume}")
    if backend == "unsloth":
        from secondbrain_assets.core.finetune.unsloth_path import load_unsloth

        model, tokenizer, peft_config = load_unsloth(base_model_dir, settings)
    else:
        model, tokenizer, peft_config = _load_trl(base_model_dir, settings)
    timer = _step_timer()
    trainer = _build_trainer(
        model, tokenizer, peft_config, dataset, settings, checkpoints, backend, resume is None
    )
    trainer.add_callback(timer)
    for callback in callbacks:
        trainer.add_callback(callback)
    scoring = labeled_positions_only() if settings.score_labeled_only else contextlib.nullcontext()
    with scoring:
        trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    tokens = trainer.state.num_input_tokens_seen - trainer._initial_num_input_tokens_seen

    adapter_dir = work_dir / "adapter"
    shutil.rmtree(adapter_dir, ignore_errors=True)
    trainer.save_model(str(adapter_dir))
    tokenizer.save_pretrained(adapter_dir)
    trainable, total = _param_counts(trainer.model)
    history = trainer.state.log_history
    result = TrainResult(
        adapter_dir=adapter_dir,
        backend=backend,
        steps=int(trainer.state.global_step),
        train_loss=[(int(h["step"]), float(h["loss"])) for h in history if "loss" in h],
        eval_loss=[(int(h["step"]), float(h["eval_loss"])) for h in history if "eval_loss" in h],
        tokens=int(tokens),
        train_s=timer.seconds,
        wall_s=time.perf_counter() - started,
        trainable_params=trainable,
        total_params=total,
        resumed_from_step=int(resume.name.rsplit("-", 1)[1]) if resume else None,
    )
    result.info = {
        "base_model": str(base_model_dir),
        "settings": settings.as_dict(),
        "backend": backend,
        "precision": "bf16" if trainer.args.bf16 else "fp32",
        "steps": result.steps,
        "train_loss": result.train_loss,
        "eval_loss": result.eval_loss,
    }
    (adapter_dir / INFO_FILE).write_text(json.dumps(result.info, indent=1))
    return result


def _load_trl(base_model_dir: Path, settings: LoraSettings) -> tuple[Any, Any, Any]:
    import torch
    from peft import LoraConfig
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base_model_dir)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(base_model_dir, dtype=torch.float32)
    peft_config = LoraConfig(
        r=settings.r,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=list(settings.target_modules),
        bias="none",
        task_type="CAUSAL_LM",
    )
    return model, tokenizer, peft_config


def sft_config(
    settings: LoraSettings, output_dir: Path, use_cpu: bool, evaluate_first: bool
) -> Any:
    """The SFTConfig both backends train with (TRL 1.16 names: max_length, use_cpu, ...)."""
    from trl import SFTConfig

    bf16 = resolve_precision(settings.precision, use_cpu) == "bf16"
    every = settings.eval_steps or settings.save_steps
    kwargs: dict[str, Any] = {
        "output_dir": str(output_dir),
        "use_cpu": use_cpu,
        "bf16": bf16,
        "fp16": False,
        "seed": settings.seed,
        "data_seed": settings.seed,
        "learning_rate": settings.learning_rate,
        "lr_scheduler_type": settings.lr_scheduler,
        "warmup_steps": settings.warmup_steps,
        "weight_decay": settings.weight_decay,
        "optim": settings.optimizer,
        "per_device_train_batch_size": settings.batch_size,
        "per_device_eval_batch_size": settings.batch_size,
        "gradient_accumulation_steps": settings.grad_accum,
        "max_steps": settings.max_steps if settings.max_steps > 0 else -1,
        "num_train_epochs": settings.epochs,
        "max_length": settings.max_length,
        "packing": settings.packing,
        "gradient_checkpointing": settings.gradient_checkpointing,
        "completion_only_loss": True,
        "logging_steps": 1,
        "save_strategy": "steps",
        "save_steps": settings.save_steps,
        "save_total_limit": 2,
        "eval_strategy": "steps",
        "eval_steps": every,
        "eval_on_start": evaluate_first,
        "report_to": "none",
        "dataloader_num_workers": 0,
        "dataset_num_proc": None,
        "disable_tqdm": True,
        # Real tokens only (attention mask, or non-pad ids when packed): fair across setups.
        "include_num_input_tokens_seen": "non_padding",
    }
    kwargs.update(settings.extra)
    return SFTConfig(**kwargs)


def _build_trainer(
    model: Any,
    tokenizer: Any,
    peft_config: Any,
    dataset: Any,
    settings: LoraSettings,
    checkpoints: Path,
    backend: str,
    fresh: bool,
) -> Any:
    import torch
    from trl import SFTTrainer

    missing = [s for s in ("train", "validation") if s not in dataset]
    if missing:
        raise ValueError(f"The dataset has no {missing} split; re-materialize hf_dataset.")
    config = sft_config(settings, checkpoints, not torch.cuda.is_available(), fresh)
    return SFTTrainer(
        model=model,
        args=config,
        train_dataset=dataset["train"].select_columns(TRAIN_COLUMNS),
        eval_dataset=dataset["validation"].select_columns(TRAIN_COLUMNS),
        processing_class=tokenizer,
        peft_config=peft_config,
    )


def _param_counts(model: Any) -> tuple[int, int]:
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return int(trainable), int(sum(p.numel() for p in model.parameters()))


def _step_timer() -> Any:
    """A callback that sums the time of optimizer steps (forward, backward, update)."""
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def __init__(self) -> None:
            self.seconds = 0.0
            self._start: float | None = None

        def on_step_begin(self, *args: Any, **kwargs: Any) -> None:
            self._start = time.perf_counter()

        def on_step_end(self, *args: Any, **kwargs: Any) -> None:
            if self._start is not None:
                self.seconds += time.perf_counter() - self._start
                self._start = None

    return StepTimer()

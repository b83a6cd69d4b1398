"""Training settings, defined once: the Dagster config and the benchmarks build on these.

The defaults fit the embedded demo (SmolLM2-135M on 2 CPU cores, about a minute of training);
`ORIGINAL_8B` holds the settings of the original course's Llama-3.1-8B run for a real GPU.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from secondbrain_assets.core.finetune.cpu_speed import Precision

ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
Backend = Literal["auto", "trl", "unsloth"]


@dataclass(frozen=True)
class LoraSettings:
    base_model: str = ""  # HF folder; "" = the embedded SmolLM2-135M-Instruct
    r: int = 16
    alpha: int = 32
    dropout: float = 0.0
    target_modules: tuple[str, ...] = ALL_LINEAR
    # Short demo run (~10k tokens, 1-2 minutes on 2 cores): a higher rate than the 8B run's 2e-4
    # so ten steps move a 135M model visibly.
    learning_rate: float = 4e-4
    max_steps: int = 10  # > 0 wins over epochs
    epochs: float = 1.0
    batch_size: int = 1  # one packed row of up to max_length tokens per step
    grad_accum: int = 1
    max_length: int = 1024
    warmup_steps: int = 2
    weight_decay: float = 0.01
    lr_scheduler: str = "linear"
    optimizer: str = "adamw_torch"
    seed: int = 42
    save_steps: int = 5
    eval_steps: int = 0  # 0 = evaluate at every checkpoint
    # Off on CPU: at ~1k tokens per step recomputing activations costs more than it saves.
    gradient_checkpointing: bool = False
    # Best-fit packing without padding: no compute spent on pad tokens (transformers 5 builds a
    # block-diagonal mask from the position ids, so packed examples do not see each other).
    packing: bool = True
    load_in_4bit: bool = False  # QLoRA, unsloth path only
    # bf16 autocast where the hardware computes bf16 natively (CUDA, or CPUs with AMX /
    # AVX512-BF16), fp32 elsewhere; "bf16" or "fp32" force one.
    precision: Precision = "auto"
    # On CPU, the loss's vocabulary-wide projection on labeled (answer) positions only, as TRL
    # does on CUDA: the same loss, less work (cpu_speed.py). Off = TRL as it ships.
    score_labeled_only: bool = True
    backend: Backend = "auto"
    extra: dict[str, Any] = field(default_factory=dict)  # passed to SFTConfig as is

    def as_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["target_modules"] = list(self.target_modules)
        return data

    def fingerprint(self) -> str:
        """What changes the trained weights (not the backend choice: both follow the config)."""
        data = self.as_dict()
        data.pop("backend")
        data.pop("score_labeled_only")  # the same loss either way
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


# The original course's notebook (unsloth on a Colab L4, ~150-170 minutes). Alpaca template and
# loss on the whole text there; here the model's chat template and completion-only loss.
ORIGINAL_8B = LoraSettings(
    base_model="meta-llama/Llama-3.1-8B-Instruct",
    r=16,
    alpha=16,
    dropout=0.0,
    target_modules=ALL_LINEAR,
    learning_rate=2e-4,
    max_steps=250,
    batch_size=2,
    grad_accum=4,
    max_length=4096,
    warmup_steps=5,
    weight_decay=0.01,
    lr_scheduler="linear",
    optimizer="adamw_8bit",
    save_steps=50,
    gradient_checkpointing=True,
    packing=False,
    load_in_4bit=True,
    backend="unsloth",
)

# What TRL 1.16 does when told nothing: the baseline of benchmarks/bench_finetune.py.
TRL_DEFAULTS = {"gradient_checkpointing": True, "packing": False, "score_labeled_only": False}

"""The CUDA path: unsloth's FastLanguageModel (optionally 4-bit QLoRA through bitsandbytes).

Only imported after `backend.select_backend` chose 'unsloth' (CUDA present, package installed):
importing unsloth patches transformers and trl for the whole process. The training loop itself is
the same SFTTrainer and SFTConfig as the CPU path (`train.sft_config`), so both read one config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from secondbrain_assets.core.finetune.config import LoraSettings


def load_unsloth(base_model_dir: Path, settings: LoraSettings) -> tuple[Any, Any, None]:
    """Model with LoRA already attached (so no peft_config for the trainer), and its tokenizer."""
    from unsloth import FastLanguageModel  # noqa: I001 - must come before trl/transformers use

    model, tokenizer = FastLanguageModel.from_pretrained(
        model_name=str(base_model_dir),
        max_seq_length=settings.max_length,
        dtype=None,  # bf16 where the GPU supports it
        load_in_4bit=settings.load_in_4bit,
        local_files_only=True,
    )
    model = FastLanguageModel.get_peft_model(
        model,
        r=settings.r,
        lora_alpha=settings.alpha,
        lora_dropout=settings.dropout,
        target_modules=list(settings.target_modules),
        bias="none",
        use_gradient_checkpointing="unsloth" if settings.gradient_checkpointing else False,
        random_state=settings.seed,
    )
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer, None

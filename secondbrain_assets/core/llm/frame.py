"""Turn a judging run into the `llm_scores` table (the data contract's columns and types)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from secondbrain_assets.core.llm.backends import JudgeInput
from secondbrain_assets.core.llm.judge import JudgeRun

SCHEMA: dict[str, pl.DataType] = {
    "doc_id": pl.String(),
    "export_key": pl.String(),
    "llm_score": pl.Float64(),
    "llm_confidence": pl.Float64(),
    "llm_reason": pl.String(),
    "llm_backend": pl.String(),
    "llm_model": pl.String(),
    "prompt_version": pl.String(),
    "llm_status": pl.String(),
    "llm_error": pl.String(),
    "from_cache": pl.Boolean(),
}
# The verdict itself: what the store keeps of a judgement (not the row keys, not cache flags).
VERDICT_COLUMNS: tuple[str, ...] = tuple(
    name for name in SCHEMA if name not in ("doc_id", "export_key", "from_cache")
)


def inputs_from_frame(frame: pl.DataFrame) -> list[JudgeInput]:
    """Judge inputs from heuristic_scores-shaped rows (doc_id, title, content, content_hash)."""
    return [
        JudgeInput(row["doc_id"], row["title"] or "", row["content"] or "", row["content_hash"])
        for row in frame.select("doc_id", "title", "content", "content_hash").iter_rows(named=True)
    ]


def to_frame(
    export_key: str,
    documents: Sequence[JudgeInput],
    run: JudgeRun,
    backend: str,
    model: str,
    prompt_version: str,
) -> pl.DataFrame:
    rows = [
        {
            "doc_id": doc.doc_id,
            "export_key": export_key,
            "llm_score": j.score,
            "llm_confidence": j.confidence,
            "llm_reason": j.reason,
            "llm_backend": backend,
            "llm_model": model,
            "prompt_version": prompt_version,
            "llm_status": j.status,
            "llm_error": j.error,
            "from_cache": hit,
        }
        for doc, j, hit in zip(documents, run.judgements, run.from_cache, strict=True)
    ]
    return pl.DataFrame(rows, schema=SCHEMA)

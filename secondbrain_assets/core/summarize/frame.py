"""Between polars frames and the summarizer: documents in, one row per candidate summary out."""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl

from secondbrain_assets.core.summarize.run import SummaryDocument

SCHEMA: dict[str, Any] = {
    "doc_id": pl.String,
    "export_key": pl.String,
    "source": pl.String,
    "title": pl.String,
    "content_hash": pl.String,
    "quality_score": pl.Float64,
    "instruction": pl.String,
    "instruction_truncated": pl.Boolean,
    "answer": pl.String,
    "temperature": pl.Float64,
    "seed": pl.Int64,
    "attempt": pl.Int64,
    "budget_chars": pl.Int64,
    "max_new_tokens": pl.Int64,
    "summarizer_backend": pl.String,
    "summarizer_model": pl.String,
    "prompt_version": pl.String,
    "status": pl.String,
    "reject_reason": pl.String,
    "error": pl.String,
    "n_answer_chars": pl.Int64,
    "n_answer_tokens": pl.Int64,
    "language": pl.String,
}

# What the data version hashes: the meaning of the rows, not timings or cache flags.
VERSION_COLUMNS = [
    "doc_id",
    "content_hash",
    "temperature",
    "seed",
    "attempt",
    "status",
    "reject_reason",
    "answer",
    "summarizer_model",
    "prompt_version",
    "budget_chars",
]


def documents_from_frame(frame: pl.DataFrame, export_key: str) -> list[SummaryDocument]:
    """Store rows (doc_id, source, title, content, content_hash, quality_score) as inputs."""
    docs = []
    for row in frame.iter_rows(named=True):
        docs.append(
            SummaryDocument(
                doc_id=str(row["doc_id"]),
                export_key=export_key,
                source=str(row.get("source") or "notion"),
                title=str(row.get("title") or ""),
                content=str(row.get("content") or ""),
                content_hash=str(row.get("content_hash") or ""),
                quality_score=row.get("quality_score"),
            )
        )
    return docs


def to_frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMA) if rows else pl.DataFrame(schema=SCHEMA)


def reject_counts(frame: pl.DataFrame) -> dict[str, int]:
    """Rejected candidates per reason, most frequent first."""
    reasons = frame.filter(pl.col("status") == "rejected").get_column("reject_reason").to_list()
    return dict(Counter(r or "unknown" for r in reasons).most_common())

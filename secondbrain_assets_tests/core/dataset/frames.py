"""`summaries`-shaped polars frames for dataset tests (the contract's columns)."""

from __future__ import annotations

import hashlib

import polars as pl

from secondbrain_assets.core.summarize.prompts import PROMPT_VERSION


def paragraphs(doc_id: str, n: int) -> str:
    """A document of n paragraphs with distinct, tokenizable sentences."""
    return "\n\n".join(
        f"Paragraph {i} of {doc_id}. TCP congestion control keeps senders from overwhelming the "
        f"network, and slow start doubles the window every round trip until loss {i}."
        for i in range(n)
    )


def summary_rows(
    doc_id: str,
    export_key: str,
    text: str,
    answers: list[str],
    status: str = "ok",
    source: str = "notion",
    budget: int = 256,
    content_hash: str | None = None,
) -> list[dict]:
    digest = content_hash or hashlib.sha256(text.encode()).hexdigest()
    return [
        {
            "doc_id": doc_id,
            "export_key": export_key,
            "source": source,
            "title": doc_id,
            "content_hash": digest,
            "quality_score": 0.8,
            "instruction": text,
            "answer": answer,
            "temperature": [0.0, 0.125, 0.25, 0.375][i % 4],
            "seed": i,
            "attempt": 0,
            "budget_chars": budget,
            "summarizer_backend": "transformers",
            "summarizer_model": "test-model",
            "prompt_version": PROMPT_VERSION,
            "status": status,
            "reject_reason": None if status == "ok" else "over_budget",
            "n_answer_chars": len(answer),
            "language": "en",
        }
        for i, answer in enumerate(answers)
    ]


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, infer_schema_length=None)


def corpus(n_docs: int, export_key: str = "e1", n_paragraphs: int = 3) -> pl.DataFrame:
    rows: list[dict] = []
    for i in range(n_docs):
        doc = f"{i:032x}"
        rows += summary_rows(
            doc,
            export_key,
            paragraphs(doc, n_paragraphs),
            [f"Summary {j} of document {i}." for j in range(4)],
        )
    return frame(rows)

"""Turn the joined `heuristic_scores` + `llm_scores` rows into store documents.

One document per stable id (`_id` = doc_id). The `fingerprint` is a hash of everything a reader
can see except the export set and the timestamps: the writer changes `updated_at` only when it
changes, so loading the same partition twice writes nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import polars as pl

from secondbrain_assets.core.llm.backends import STATUS_OK
from secondbrain_assets.core.llm.frame import VERDICT_COLUMNS

SCHEMA_VERSION = 1

# quality_status values (contract in the project brief, "mongo_collection").
STATUS_SCORED = "scored"
STATUS_REJECTED = "rejected_by_heuristics"
STATUS_LLM_ERROR = "llm_error"

_LLM_COLUMNS = VERDICT_COLUMNS


def join_scores(heuristic_scores: pl.DataFrame, llm_scores: pl.DataFrame) -> pl.DataFrame:
    """Left-join the LLM verdicts onto every heuristic row and derive the final quality columns.

    quality_score is the LLM score when the LLM answered; 0.0 when the heuristics rejected the
    document (so a rejection is never mistaken for "unscored"); null with status `llm_error`
    when the LLM failed or has no row for a document that passed.
    """
    llm = llm_scores.select(
        [pl.col("doc_id")] + [pl.col(c) for c in _LLM_COLUMNS if c in llm_scores.columns]
    ).unique(subset="doc_id", keep="last")
    joined = heuristic_scores.join(llm, on="doc_id", how="left")
    for column in _LLM_COLUMNS:  # an empty llm_scores frame may lack columns
        if column not in joined.columns:
            joined = joined.with_columns(pl.lit(None).alias(column))
    passed = pl.col("heuristic_pass").fill_null(False)
    llm_ok = pl.col("llm_status") == STATUS_OK
    return joined.with_columns(
        pl.when(~passed)
        .then(pl.lit(0.0))
        .when(llm_ok)
        .then(pl.col("llm_score").cast(pl.Float64))
        .otherwise(pl.lit(None, dtype=pl.Float64))
        .alias("quality_score"),
        pl.when(~passed)
        .then(pl.lit(STATUS_REJECTED))
        .when(llm_ok & pl.col("llm_score").is_not_null())
        .then(pl.lit(STATUS_SCORED))
        .otherwise(pl.lit(STATUS_LLM_ERROR))
        .alias("quality_status"),
    )


def _fingerprint(doc: dict[str, Any]) -> str:
    payload = json.dumps(doc, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _quality(row: dict[str, Any]) -> dict[str, Any]:
    signals = {k[4:]: row[k] for k in sorted(row) if k.startswith("sig_")}
    llm_ok = row.get("llm_status") is not None
    return {
        "heuristic_score": row.get("heuristic_score"),
        "heuristic_pass": bool(row.get("heuristic_pass")),
        "failed_rules": list(row.get("failed_rules") or []),
        "signals": signals,
        "llm": {c: row.get(c) for c in _LLM_COLUMNS} if llm_ok else None,
    }


def row_to_document(row: dict[str, Any]) -> dict[str, Any]:
    """One joined row as a store document, without exports and timestamps (the writer adds them)."""
    doc: dict[str, Any] = {
        "_id": row["doc_id"],
        "source": row.get("source"),
        "title": row.get("title"),
        "url": row.get("url"),
        "content": row.get("content") or "",
        "content_hash": row.get("content_hash"),
        "parent_id": row.get("parent_id"),
        "n_chars": row.get("n_chars"),
        "quality": _quality(row),
        "quality_score": row.get("quality_score"),
        "quality_status": row.get("quality_status"),
        "schema_version": SCHEMA_VERSION,
    }
    doc["fingerprint"] = _fingerprint(doc)
    return doc


def iter_documents(joined: pl.DataFrame) -> Iterator[dict[str, Any]]:
    """Documents of a joined frame; a doc_id repeated in the frame yields only its last row."""
    if "quality_score" not in joined.columns:
        raise ValueError("expected rows from join_scores() (no quality_score column)")
    deduped = joined.unique(subset="doc_id", keep="last", maintain_order=True)
    for row in deduped.iter_rows(named=True):
        yield row_to_document(row)

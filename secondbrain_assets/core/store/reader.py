"""Read documents back with server-side filters, a projection, and batches from the cursor."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import polars as pl
from pymongo import ASCENDING
from pymongo.collection import Collection


def build_filter(
    export_keys: Sequence[str] | None = None,
    min_quality_score: float | None = None,
    sources: Sequence[str] | None = None,
) -> dict[str, Any]:
    """A MongoDB filter; None means "no condition" (null scores never pass a minimum)."""
    query: dict[str, Any] = {}
    if export_keys is not None:
        query["exports"] = {"$in": list(export_keys)}
    if min_quality_score is not None:
        query["quality_score"] = {"$gte": float(min_quality_score)}
    if sources:
        query["source"] = {"$in": list(sources)}
    return query


def _projection(fields: Sequence[str] | None) -> dict[str, int] | None:
    if not fields:
        return None
    projection = {f: 1 for f in fields}
    projection.setdefault("_id", 1)  # ids are always wanted: they key everything downstream
    return projection


def iter_batches(
    collection: Collection,
    query: dict[str, Any],
    fields: Sequence[str] | None = None,
    batch_size: int = 1000,
) -> Iterator[list[dict[str, Any]]]:
    """Documents in `_id` order, `batch_size` at a time (also the cursor round-trip size)."""
    cursor = (
        collection.find(query, _projection(fields)).sort("_id", ASCENDING).batch_size(batch_size)
    )
    batch: list[dict[str, Any]] = []
    try:
        for doc in cursor:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch
    finally:
        cursor.close()


def to_frame(docs: list[dict[str, Any]]) -> pl.DataFrame:
    """Documents as a polars frame; `_id` becomes `doc_id` to match the Parquet assets."""
    frame = pl.from_dicts(docs, infer_schema_length=None) if docs else pl.DataFrame()
    return frame.rename({"_id": "doc_id"}) if "_id" in frame.columns else frame


def iter_frames(
    collection: Collection,
    query: dict[str, Any],
    fields: Sequence[str] | None = None,
    batch_size: int = 1000,
) -> Iterator[pl.DataFrame]:
    """One polars frame per batch: memory stays bounded by `batch_size` documents."""
    for batch in iter_batches(collection, query, fields, batch_size):
        yield to_frame(batch)


def read_frame(
    collection: Collection,
    query: dict[str, Any],
    fields: Sequence[str] | None = None,
    batch_size: int = 1000,
) -> pl.DataFrame:
    """All matching documents as one frame (built batch by batch)."""
    frames = list(iter_frames(collection, query, fields, batch_size))
    if not frames:
        return pl.DataFrame({"doc_id": []}, schema={"doc_id": pl.String})
    return pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]

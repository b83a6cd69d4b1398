"""Server-side filters, projection and batched streaming, on every engine."""

from __future__ import annotations

import polars as pl
import pytest
from pymongo.collection import Collection

from secondbrain_assets.core.store import reader
from secondbrain_assets.core.store.writer import sync_partition
from secondbrain_assets_tests.core.store.engines import documents

IDS = [f"{i:032x}" for i in range(60)]


@pytest.fixture
def loaded(collection: Collection) -> Collection:
    sync_partition(collection, "A", documents("A", IDS[:40]))
    sync_partition(collection, "B", documents("B", IDS[30:60]))
    return collection


def test_filters_by_export_score_and_source(loaded: Collection) -> None:
    only_b = reader.read_frame(loaded, reader.build_filter(["B"]))
    assert sorted(only_b["doc_id"]) == IDS[30:60]

    query = reader.build_filter(["A"], min_quality_score=0.5, sources=["web"])
    frame = reader.read_frame(loaded, query)
    expected = documents("A", IDS[:40])
    want = sorted(
        d["_id"]
        for d in expected
        if d["source"] == "web" and d["quality_score"] is not None and d["quality_score"] >= 0.5
    )
    assert want and sorted(frame["doc_id"]) == want
    assert (frame["quality_score"] >= 0.5).all() and set(frame["source"]) == {"web"}


def test_projection_returns_only_requested_fields(loaded: Collection) -> None:
    frame = reader.read_frame(loaded, {}, fields=["title", "quality_score"])
    assert set(frame.columns) == {"doc_id", "title", "quality_score"}
    assert frame.height == 60 and frame["doc_id"].n_unique() == 60


def test_streams_in_batches(loaded: Collection) -> None:
    frames = list(reader.iter_frames(loaded, reader.build_filter(["A", "B"]), batch_size=16))
    assert [f.height for f in frames] == [16, 16, 16, 12]
    ids = pl.concat(frames, how="diagonal_relaxed")["doc_id"].to_list()
    assert ids == IDS  # sorted by _id, each once, across exports


def test_no_match_gives_empty_frame_with_doc_id(loaded: Collection) -> None:
    frame = reader.read_frame(loaded, reader.build_filter(["nope"]))
    assert frame.height == 0 and frame.columns == ["doc_id"]

"""Data versions follow content, not row order or per-run columns."""

import polars as pl

from secondbrain_assets.lib.versions import frame_version

COLUMNS = ["doc_id", "content_hash"]


def _frame(ids: list[str], hashes: list[str], elapsed: list[float]) -> pl.DataFrame:
    return pl.DataFrame({"doc_id": ids, "content_hash": hashes, "elapsed_ms": elapsed})


def test_same_content_in_another_order_and_timing_keeps_the_version() -> None:
    first = _frame(["a", "b"], ["h1", "h2"], [1.0, 2.0])
    again = _frame(["b", "a"], ["h2", "h1"], [9.0, 7.0])
    assert frame_version(first, COLUMNS) == frame_version(again, COLUMNS)


def test_changed_or_added_content_changes_the_version() -> None:
    base = frame_version(_frame(["a", "b"], ["h1", "h2"], [0, 0]), COLUMNS)
    assert frame_version(_frame(["a", "b"], ["h1", "h3"], [0, 0]), COLUMNS) != base
    assert frame_version(_frame(["a", "b", "c"], ["h1", "h2", "h4"], [0, 0, 0]), COLUMNS) != base


def test_nulls_and_numbers_are_versioned() -> None:
    scores = pl.DataFrame({"doc_id": ["a", "b"], "score": [0.5, None]})
    changed = pl.DataFrame({"doc_id": ["a", "b"], "score": [0.5, 0.0]})
    assert frame_version(scores, ["doc_id", "score"]) != frame_version(changed, ["doc_id", "score"])

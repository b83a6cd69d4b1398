"""The dataset's invariants as plain functions over one frame of all splits (column `split`).

Each returns (passed, facts); the Dagster checks in defs/dataset.py only wrap them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import polars as pl

from secondbrain_assets.core.dataset.build import content_key
from secondbrain_assets.core.dataset.split import SPLITS

Facts = dict[str, Any]


def frame_of(dataset_dict: Any, columns: list[str]) -> pl.DataFrame:
    """Selected columns of every split of a DatasetDict as one polars frame (zero-copy Arrow)."""
    frames = [
        pl.from_arrow(split.data.table.select(columns)).with_columns(pl.lit(name).alias("split"))
        for name, split in dataset_dict.items()
    ]
    return pl.concat(frames) if frames else pl.DataFrame()


def no_split_leak(frame: pl.DataFrame) -> tuple[bool, Facts]:
    """No document id and no document text (case and spacing ignored) in two splits."""
    ids = (
        frame.group_by("doc_id").agg(pl.col("split").n_unique().alias("n")).filter(pl.col("n") > 1)
    )
    texts = (
        frame.with_columns(content_key().alias("_key"))
        .group_by("_key")
        .agg(pl.col("split").n_unique().alias("n"), pl.col("doc_id").first())
        .filter(pl.col("n") > 1)
    )
    facts = {
        "doc_ids_in_two_splits": ids.height,
        "texts_in_two_splits": texts.height,
        "examples": ids["doc_id"].head(10).to_list() + texts["doc_id"].head(10).to_list(),
    }
    return ids.height == 0 and texts.height == 0, facts


def no_empty_answer(frame: pl.DataFrame) -> tuple[bool, Facts]:
    empty = frame.filter(pl.col("answer").fill_null("").str.strip_chars() == "")
    return empty.height == 0, {
        "empty_answers": empty.height,
        "examples": empty["doc_id"].head(10).to_list(),
    }


def answers_within_budget(frame: pl.DataFrame) -> tuple[bool, Facts]:
    over = frame.filter(pl.col("answer").str.len_chars() > pl.col("budget_chars"))
    lengths = frame.get_column("answer").str.len_chars()
    facts = {
        "over_budget": over.height,
        "max_answer_chars": int(lengths.max() or 0),
        "examples": over["doc_id"].head(10).to_list(),
    }
    return over.height == 0, facts


def rows_fit(frame: pl.DataFrame, max_length: int) -> tuple[bool, Facts]:
    total = pl.col("n_prompt_tokens") + pl.col("n_answer_tokens")
    over = frame.filter(total > max_length)
    longest = frame.select(total.max()).item() if frame.height else 0
    facts = {"max_length": max_length, "rows_over": over.height, "longest_row_tokens": longest}
    return over.height == 0, facts


def splits_non_empty(frame: pl.DataFrame) -> tuple[bool, Facts]:
    rows = {name: frame.filter(pl.col("split") == name).height for name in SPLITS}
    return all(rows.values()), {f"rows_{name}": n for name, n in rows.items()}


def split_shares_ok(frame: pl.DataFrame, shares: Mapping[str, float]) -> tuple[bool, Facts]:
    """Document shares per split within 3 binomial standard deviations (+1 document) of the goal.

    A stable hash puts each document in a split independently, so with n documents a split's
    share has standard deviation sqrt(p(1-p)/n): a fixed tolerance would fail small datasets by
    chance and miss a broken rule on large ones.
    """
    docs = frame.select("doc_id", "split").unique()
    n = docs.height
    facts: Facts = {"documents": n}
    passed = n > 0
    for name in SPLITS:
        goal = shares[name]
        share = docs.filter(pl.col("split") == name).height / n if n else 0.0
        tolerance = 3 * math.sqrt(goal * (1 - goal) / n) + 1 / n if n else 0.0
        facts[f"share_{name}"] = round(share, 4)
        facts[f"tolerance_{name}"] = round(tolerance, 4)
        passed = passed and abs(share - goal) <= tolerance
    return passed, facts

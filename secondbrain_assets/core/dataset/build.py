"""From every export's `summaries` rows to dataset rows: merged, split, measured, made to fit.

Plain polars plus a tokenizer; `hf.py` turns the result into a `datasets.DatasetDict`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from secondbrain_assets.core.dataset.split import (
    DEFAULT_SALT,
    DEFAULT_SHARES,
    SPLITS,
    DocumentSeen,
    assign_splits,
)
from secondbrain_assets.core.dataset.tokens import ChatTokenCounter

# The columns of every split, in order (contract with the fine-tune and evaluation assets).
COLUMNS = (
    "instruction",
    "answer",
    "messages",
    "prompt",
    "completion",
    "doc_id",
    "source",
    "temperature",
    "export_keys",
    "n_prompt_tokens",
    "n_answer_tokens",
    "budget_chars",
)
# When two rows with the same document text land in different splits, the copy in the first of
# these is kept (training data is the most plentiful, so dropping elsewhere costs least signal).
_KEEP_ORDER = ("train", "validation", "test")


@dataclass(frozen=True)
class BuildSettings:
    max_length: int = 1024
    min_instruction_tokens: int = 64
    shares: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_SHARES))
    salt: str = DEFAULT_SALT


@dataclass
class BuildReport:
    """What happened to the input rows, for metadata and the dataset card."""

    counts: dict[str, int] = field(default_factory=dict)
    prompt_versions: list[str] = field(default_factory=list)
    summarizer_models: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)


def build_rows(
    summaries: pl.DataFrame,
    counter: ChatTokenCounter,
    export_order: Sequence[str],
    settings: BuildSettings | None = None,
) -> tuple[pl.DataFrame, BuildReport]:
    """One row per distinct accepted (document text, answer), with its split and token counts."""
    settings = settings or BuildSettings()
    report = BuildReport()
    counts = report.counts
    counts["input_rows"] = summaries.height
    ok = summaries.filter(pl.col("status") == "ok")
    counts["rejected_rows"] = summaries.height - ok.height
    nonempty = ok.filter(pl.col("answer").fill_null("").str.strip_chars() != "")
    counts["dropped_empty_answer"] = ok.height - nonempty.height
    for column, target in (
        ("prompt_version", report.prompt_versions),
        ("summarizer_model", report.summarizer_models),
        ("language", report.languages),
    ):
        if column in nonempty.columns:
            target.extend(sorted(nonempty.get_column(column).drop_nulls().unique().to_list()))

    merged = _merge_copies(nonempty)
    counts["merged_copies"] = nonempty.height - merged.height
    fitted = _fit(merged, counter, settings, counts)
    fitted = _merge_copies(fitted)  # shortening can make two versions of a document identical
    # Splits are decided on the rows that made it this far, so a document that has rows in the
    # dataset is what fills an empty split (rule 3 in split.py).
    seen = (
        fitted.select("doc_id", "export_keys", "content_hash")
        .explode("export_keys")
        .unique()
        .iter_rows()
    )
    split_of = assign_splits(
        (DocumentSeen(doc, export, (content,)) for doc, export, content in seen),
        export_order,
        settings.shares,
        settings.salt,
    )
    fitted = fitted.with_columns(
        pl.col("doc_id").replace_strict(split_of, return_dtype=pl.String).alias("split")
    )
    rows = _drop_cross_split_copies(fitted, counts)
    counts["rows"] = rows.height
    counts["documents"] = rows.get_column("doc_id").n_unique()
    for split in SPLITS:
        part = rows.filter(pl.col("split") == split)
        counts[f"rows_{split}"] = part.height
        counts[f"documents_{split}"] = part.get_column("doc_id").n_unique()
    return rows.sort("split", "doc_id", "temperature", "answer"), report


def _merge_copies(frame: pl.DataFrame) -> pl.DataFrame:
    """The same document text and answer from several exports or temperatures: one row."""
    keys = ["doc_id", "instruction", "answer", "budget_chars"]
    exports = (
        pl.col("export_keys").list.explode(keep_nulls=False, empty_as_null=False)
        if "export_keys" in frame.columns
        else pl.col("export_key")
    )
    keep = ["source", "content_hash", "n_prompt_tokens", "n_answer_tokens"]
    return frame.group_by(keys, maintain_order=True).agg(
        *(pl.col(name).first() for name in keep if name in frame.columns),
        pl.col("temperature").min(),
        exports.unique().sort().alias("export_keys"),
    )


def _fit(
    frame: pl.DataFrame, counter: ChatTokenCounter, settings: BuildSettings, counts: dict
) -> pl.DataFrame:
    """Token counts for every row; instructions shortened (never answers) so rows fit."""
    n_answer = counter.answer_tokens(frame["answer"].to_list(), frame["budget_chars"].to_list())
    frame = frame.with_columns(pl.Series("n_answer_tokens", n_answer, dtype=pl.Int32))
    budgets = sorted(frame.get_column("budget_chars").unique().to_list())
    # The smallest prompt worth training on: the template plus a minimal document.
    empty = dict(zip(budgets, counter.prompt_tokens([""] * len(budgets), budgets), strict=True))
    floor = pl.col("budget_chars").replace_strict(empty, return_dtype=pl.Int64)
    room = settings.max_length - floor - settings.min_instruction_tokens
    fits = frame.filter(pl.col("n_answer_tokens") <= room)
    counts["dropped_answer_too_long"] = frame.height - fits.height

    docs = fits.group_by("instruction", "budget_chars", maintain_order=True).agg(
        pl.col("n_answer_tokens").max().alias("max_answer")
    )
    limits = [settings.max_length - m for m in docs["max_answer"].to_list()]
    new_text, new_prompt = counter.fit(
        docs["instruction"].to_list(), docs["budget_chars"].to_list(), limits
    )
    counts["shortened_instructions"] = sum(
        new.strip() != old.strip() for new, old in zip(new_text, docs["instruction"], strict=True)
    )
    docs = docs.with_columns(
        pl.Series("new_instruction", new_text, dtype=pl.String),
        pl.Series("n_prompt_tokens", new_prompt, dtype=pl.Int32),
    ).drop("max_answer")
    out = fits.join(docs, on=["instruction", "budget_chars"], how="left", nulls_equal=True)
    out = out.with_columns(pl.col("new_instruction").alias("instruction")).drop("new_instruction")
    kept = out.filter(pl.col("instruction").str.strip_chars() != "")
    counts["dropped_no_room_for_document"] = out.height - kept.height
    return kept


def content_key() -> pl.Expr:
    """Identity of a document text for the leak check: case and spacing do not matter."""
    normalized = pl.col("instruction").str.to_lowercase().str.replace_all(r"\s+", " ")
    return normalized.str.strip_chars().hash(seed=0)


def _drop_cross_split_copies(frame: pl.DataFrame, counts: dict) -> pl.DataFrame:
    rank = {split: i for i, split in enumerate(_KEEP_ORDER)}
    keyed = frame.with_columns(
        content_key().alias("_key"),
        pl.col("split").replace_strict(rank, return_dtype=pl.Int8).alias("_rank"),
    )
    kept = keyed.filter(pl.col("_rank") == pl.col("_rank").min().over("_key"))
    counts["dropped_cross_split_copies"] = frame.height - kept.height
    return kept.drop("_key", "_rank")

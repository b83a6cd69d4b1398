"""Score documents against a profile: failed rules, a score in [0, 1] and a pass flag.

score = applicable rules passed / applicable rules (1.0 when no rule applies). `heuristic_pass`
is True only when no rule failed. An empty document (nothing left after markdown stripping)
fails the "empty" rule and scores 0.0: a real score of zero, never "unscored" (the original
project read 0.0 as missing and let such documents through).
Everything is vectorized over the batch: numba kernels for signals, one polars pass for rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from secondbrain_assets.core.quality.rules import PROFILES, Profile, Rule
from secondbrain_assets.core.quality.text_stats import SIGNAL_NAMES, compute_signals_frame
from secondbrain_assets.core.quality.tokenize import (
    MARKDOWN_HINT,
    code_lines_expr,
    strip_markdown_expr,
)

EMPTY_RULE = "empty"
# Which profile judges which `source` of the data contract.
SOURCE_PROFILE = {"notion": "notes", "web": "web"}
SIGNAL_COLUMNS = tuple(f"sig_{n}" for n in (*SIGNAL_NAMES, "code_lines"))


@dataclass(frozen=True)
class Verdict:
    score: float
    failed_rules: list[str]
    passed: bool
    signals: dict[str, float]


def _rule_exprs(rule: Rule) -> tuple[pl.Expr, pl.Expr]:
    """(applies, fails) boolean expressions over sig_* columns."""
    value = pl.col(f"sig_{rule.signal}")
    applies = pl.col("sig_n_words") >= rule.min_words
    fails = value < rule.threshold if rule.kind == "min" else value > rule.threshold
    return applies, applies & fails


def score_batch(contents: pl.Series, profile: Profile) -> pl.DataFrame:
    """heuristic_score, failed_rules, heuristic_pass and sig_* columns, one row per content."""
    contents = contents.cast(pl.String).fill_null("")
    if profile.strip_markdown:
        text, code_lines = _strip(contents)
    else:
        text, code_lines = contents, pl.Series([0.0] * len(contents))
    signals = compute_signals_frame(text, contents)
    signals = signals.with_columns(code_lines=code_lines)
    signals = signals.rename({n: f"sig_{n}" for n in signals.columns})
    empty = (text.str.strip_chars() == "").alias("_empty")
    frame = signals.with_columns(empty)
    total = pl.lit(0.0)
    passed = pl.lit(0.0)
    failures: list[pl.Expr] = []
    for rule in profile.rules:
        applies, fails = _rule_exprs(rule)
        total = total + applies.cast(pl.Float64)
        passed = passed + (applies & ~fails).cast(pl.Float64)
        failures.append(pl.when(fails).then(pl.lit(rule.name)).otherwise(None))
    failed = (
        pl.concat_list(failures).list.drop_nulls()
        if failures
        else pl.lit([], dtype=pl.List(pl.String))
    )
    scored = frame.select(
        heuristic_score=pl.when(pl.col("_empty"))
        .then(0.0)
        .when(total > 0)
        .then(passed / total)
        .otherwise(1.0),
        failed_rules=pl.when(pl.col("_empty"))
        .then(pl.lit([EMPTY_RULE], dtype=pl.List(pl.String)))
        .otherwise(failed),
    ).with_columns(heuristic_pass=pl.col("failed_rules").list.len() == 0)
    return pl.concat([scored, signals.select(SIGNAL_COLUMNS)], how="horizontal")


def _strip(contents: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Markdown-stripped texts and code line counts. Texts without any markdown character
    skip the regex passes (stripping would only trim them)."""
    text = contents.str.strip_chars()
    code_lines = pl.Series([0.0] * len(contents), dtype=pl.Float64)
    rows = contents.str.contains(MARKDOWN_HINT).arg_true()
    if len(rows):
        stripped = pl.DataFrame({"c": contents.gather(rows)}).select(
            text=strip_markdown_expr(pl.col("c")), code=code_lines_expr(pl.col("c")).fill_null(0.0)
        )
        text = text.scatter(rows, stripped["text"])
        code_lines = code_lines.scatter(rows, stripped["code"])
    return text, code_lines


def score_text(content: str, profile: Profile) -> Verdict:
    """Judge one document (tests, debugging); batches use `score_batch` / `score_frame`."""
    row = score_batch(pl.Series([content], dtype=pl.String), profile).row(0, named=True)
    signals = {k.removeprefix("sig_"): v for k, v in row.items() if k.startswith("sig_")}
    return Verdict(row["heuristic_score"], row["failed_rules"], row["heuristic_pass"], signals)


def score_frame(docs: pl.DataFrame, profiles: Mapping[str, Profile] | None = None) -> pl.DataFrame:
    """`docs` plus heuristic_score, failed_rules, heuristic_pass and sig_* columns, same order.

    `docs` needs `content` and `source` ("notion" judged as notes, "web" as a web article).
    """
    profiles = dict(PROFILES if profiles is None else profiles)
    for needed in ("content", "source"):
        if needed not in docs.columns:
            raise ValueError(f"score_frame needs a {needed!r} column; got {docs.columns}")
    unknown = set(docs["source"].unique().to_list()) - set(SOURCE_PROFILE)
    if unknown:
        raise ValueError(f"no quality profile for sources {sorted(unknown)}; known: notion, web")
    indexed = docs.with_row_index("_row")
    parts = []
    for source, name in SOURCE_PROFILE.items():
        subset = indexed.filter(pl.col("source") == source)
        if subset.height:
            scored = score_batch(subset["content"], profiles[name])
            parts.append(pl.concat([subset, scored], how="horizontal"))
    if not parts:  # no documents: same columns, zero rows
        empty = score_batch(pl.Series([], dtype=pl.String), profiles["web"])
        return pl.concat([docs.clear(), empty], how="horizontal")
    return pl.concat(parts, how="vertical").sort("_row").drop("_row")


def rule_pass_rates(
    scored: pl.DataFrame, profiles: Mapping[str, Profile] | None = None
) -> pl.DataFrame:
    """profile, rule, applied, passed, pass_rate (worst first) over a `score_frame` result."""
    profiles = dict(PROFILES if profiles is None else profiles)
    rows = []
    for source, name in SOURCE_PROFILE.items():
        subset = scored.filter(
            (pl.col("source") == source) & ~pl.col("failed_rules").list.contains(EMPTY_RULE)
        )
        if not subset.height:
            continue
        for rule in profiles[name].rules:
            applies, fails = _rule_exprs(rule)
            applied, failed = subset.select(applies.sum().alias("a"), fails.sum().alias("f")).row(0)
            rows.append((name, rule.name, applied, applied - failed))
    frame = pl.DataFrame(rows, schema=["profile", "rule", "applied", "passed"], orient="row")
    return frame.with_columns(
        pass_rate=pl.when(pl.col("applied") > 0).then(pl.col("passed") / pl.col("applied"))
    ).sort("pass_rate", "profile", "rule", nulls_last=True)

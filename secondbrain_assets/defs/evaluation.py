"""`model_evaluation`: base vs fine-tuned summarizer on the test split, with its checks."""

from pathlib import Path
from typing import Any

import dagster as dg
import polars as pl
from pydantic import Field

from secondbrain_assets.core.evaluation.evaluate import EvalSettings
from secondbrain_assets.lib.automation import follows_upstream
from secondbrain_assets.lib.execution import POOL_GPU, QUEUE_GPU, QUEUE_IO, on_queue
from secondbrain_assets.lib.plots import grouped_bars_md
from secondbrain_assets.lib.versions import versioned_output

_D = EvalSettings()
PLOTTED = ["rouge1", "rouge2", "rougeL", "rougeLsum", "within_budget", "semantic_similarity"]


class ModelEvaluationConfig(dg.Config):
    base_model: str = Field(
        default="", description="Base model folder; empty = the one the adapter was trained on"
    )
    max_new_tokens: int = Field(
        default=_D.max_new_tokens, description="Answer token cap, the same for both models"
    )
    max_prompt_tokens: int = Field(
        default=_D.max_prompt_tokens,
        description="Prompt token cap; documents are shortened by tokens to fit it and the context",
    )
    batch_size: int = Field(default=_D.batch_size, description="Prompts generated together")
    max_examples: int = Field(default=_D.max_examples, description="Test rows used; 0 = all")
    semantic_similarity: bool = Field(
        default=_D.semantic_similarity, description="Embedding similarity (all-MiniLM-L6-v2)"
    )


@dg.asset(
    code_version="1",
    group_name="finetune",
    pool=POOL_GPU,  # one training / merge / evaluation at a time
    op_tags=on_queue(QUEUE_GPU),
    automation_condition=follows_upstream(),
    kinds={"python", "polars"},
    description=(
        "Base vs fine-tuned on hf_dataset's test split with identical greedy settings: ROUGE-1/2/"
        "L/Lsum, length-budget compliance, empty rate, mean length, semantic similarity, latency; "
        "one row per (model, test example)."
    ),
)
def model_evaluation(
    context: dg.AssetExecutionContext,
    config: ModelEvaluationConfig,
    hf_dataset: Any,
    merged_model: Path,
) -> dg.Output[pl.DataFrame]:
    from secondbrain_assets.core.evaluation.evaluate import evaluate_models, summarize_table
    from secondbrain_assets.core.finetune.merge import base_model_of

    base = (
        Path(config.base_model).expanduser() if config.base_model else base_model_of(merged_model)
    )
    settings = EvalSettings(**config.model_dump(exclude={"base_model"}))
    rows = list(hf_dataset["test"])
    table = evaluate_models(rows, {"base": base, "tuned": merged_model}, settings, context.log.info)
    means = summarize_table(table)
    metadata: dict[str, Any] = {
        "dagster/row_count": dg.MetadataValue.int(table.height),
        "test_examples": len(rows)
        if not settings.max_examples
        else min(len(rows), settings.max_examples),
        "metrics": dg.MetadataValue.json(means),
        "comparison": dg.MetadataValue.md(_means_markdown(means)),
        "plot": grouped_bars_md(means, PLOTTED, "base vs tuned (test split)"),
        "samples": dg.MetadataValue.md(_samples_markdown(table)),
        "base_model": str(base),
        "tuned_model": str(merged_model),
        "generation": dg.MetadataValue.json(
            {
                "greedy": True,
                "max_new_tokens": settings.max_new_tokens,
                "max_prompt_tokens": settings.max_prompt_tokens,
            }
        ),
    }
    for model, values in means.items():
        metadata[f"{model}_rougeL"] = dg.MetadataValue.float(values["rougeL"])
    return versioned_output(table, ["model", "example", "doc_id", "output"], metadata)


def _means_markdown(means: dict[str, dict[str, float]]) -> str:
    models = sorted(means)
    metrics = list(next(iter(means.values())))
    lines = ["| metric | " + " | ".join(models) + " |", "|---" * (len(models) + 1) + "|"]
    for metric in metrics:
        lines.append(
            f"| {metric} | " + " | ".join(f"{means[m][metric]:.4f}" for m in models) + " |"
        )
    return "\n".join(lines)


def _samples_markdown(table: pl.DataFrame, limit: int = 20) -> str:
    lines = ["| model | doc | rougeL | chars/budget | output |", "|---|---|---|---|---|"]
    for row in table.sort("example", "model").head(limit).iter_rows(named=True):
        text = row["output"].replace("|", "\\|").replace("\n", " ")[:120]
        budget = f"{row['n_output_chars']}/{row['budget_chars']}"
        lines.append(
            f"| {row['model']} | {row['doc_id']} | {row['rougeL']:.3f} | {budget} | {text} |"
        )
    return "\n".join(lines)


@dg.asset_check(asset=model_evaluation, op_tags=on_queue(QUEUE_IO))
def model_evaluation_tuned_beats_base(model_evaluation: pl.DataFrame) -> dg.AssetCheckResult:
    """The fine-tuned model's mean ROUGE-L is above its base's (WARN otherwise)."""
    means = {m: v["rougeL"] for m, v in _means(model_evaluation).items()}
    passed = means.get("tuned", 0.0) > means.get("base", 0.0)
    return dg.AssetCheckResult(
        passed=passed,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"rougeL": dg.MetadataValue.json(means)},
        description=None
        if passed
        else "Fine-tuning did not beat the base on ROUGE-L: train "
        "longer (lora_adapter max_steps), or grow the dataset with more exports.",
    )


@dg.asset_check(asset=model_evaluation, op_tags=on_queue(QUEUE_IO))
def model_evaluation_no_empty_outputs(model_evaluation: pl.DataFrame) -> dg.AssetCheckResult:
    """No model returned an empty summary (prompts are cut to fit, so none should)."""
    empty = model_evaluation.filter(pl.col("empty"))
    by_model = {m: empty.filter(pl.col("model") == m).height for m in ("base", "tuned")}
    return dg.AssetCheckResult(
        passed=empty.height == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"empty_outputs": dg.MetadataValue.json(by_model)},
    )


def _means(table: pl.DataFrame) -> dict[str, dict[str, float]]:
    from secondbrain_assets.core.evaluation.evaluate import summarize_table

    return summarize_table(table)

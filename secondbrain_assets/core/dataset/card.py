"""The dataset card (README.md): YAML front matter the Hub reads, then what a reader must know."""

from __future__ import annotations

import re
from collections.abc import Mapping

import yaml

from secondbrain_assets.core.dataset import split as split_rule
from secondbrain_assets.core.dataset.build import BuildReport, BuildSettings

_LANGUAGE = re.compile(r"^[a-z]{2,3}$")


def size_category(n_rows: int) -> str:
    """The Hub's size bucket for a row count."""
    for limit, label in (
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
    ):
        if n_rows < limit:
            return label
    return "1M<n<10M"


def dataset_card(
    report: BuildReport,
    settings: BuildSettings,
    tokenizer_name: str,
    license_id: str = "other",
    extra: Mapping[str, object] | None = None,
) -> str:
    """README.md text: front matter (license, task, language, size) and the numbers behind it."""
    counts = report.counts
    languages = [code for code in report.languages if _LANGUAGE.match(code)] or ["en"]
    front = {
        "license": license_id,
        "task_categories": ["summarization"],
        "language": languages,
        "size_categories": [size_category(counts.get("rows", 0))],
        "pretty_name": "secondbrain TL;DR summaries",
        "tags": ["summarization", "synthetic", "notion", "secondbrain"],
    }
    split_table = "\n".join(
        f"| {name} | {counts.get(f'rows_{name}', 0)} | {counts.get(f'documents_{name}', 0)} |"
        for name in split_rule.SPLITS
    )
    dropped = "\n".join(
        f"- {key.removeprefix('dropped_').replace('_', ' ')}: {value}"
        for key, value in counts.items()
        if key.startswith("dropped_")
    )
    shares = ", ".join(f"{name} {settings.shares[name]:.0%}" for name in split_rule.SPLITS)
    details = "\n".join(f"- {key}: {value}" for key, value in (extra or {}).items())
    return f"""---
{yaml.safe_dump(front, sort_keys=False).strip()}
---

# secondbrain TL;DR summaries

Documents from a personal Notion workspace and the web pages it links to, each paired with a
short summary written by an LLM (several per document, at different temperatures). Built by the
`hf_dataset` asset of secondbrain_assets.

## Splits
| split | rows | documents |
|---|---|---|
{split_table}

Split by source document ({shares}), never by row: all summaries of a document share its split.
{_split_rule_text()}

## Columns
`instruction` (the document text exactly as shown in the prompt), `answer` (the summary),
`messages` (system, user, assistant), `prompt` / `completion` (TRL's conversational
prompt-completion form: loss on the completion only), `doc_id`, `source` (notion or web),
`temperature`, `export_keys`, `n_prompt_tokens` / `n_answer_tokens` (tokens in `{tokenizer_name}`'s
chat template), `budget_chars` (the length the prompt asked for).

## How it was made
- Summarizer models: {", ".join(report.summarizer_models) or "n/a"}
- Prompt versions: {", ".join(report.prompt_versions) or "n/a"}
- Token counts: `{tokenizer_name}`; every row fits `max_length` = {settings.max_length} tokens with
  its answer whole (documents shortened at a paragraph or sentence boundary when needed:
  {counts.get("shortened_instructions", 0)} documents); at least {settings.min_instruction_tokens}
  document tokens per row.
- Input rows: {counts.get("input_rows", 0)}, rejected by the summary filters:
  {counts.get("rejected_rows", 0)}, copies merged: {counts.get("merged_copies", 0)}.
{dropped}
{details}

## Personal data
Published copies are scrubbed of e-mail addresses, phone numbers, API keys and tokens, IBANs and
card numbers (replaced by placeholders such as `[EMAIL]`); the counts are in the asset metadata.
The documents are personal notes: keep the repository private unless you own all of them.
"""


def _split_rule_text() -> str:
    doc = split_rule.__doc__ or ""
    start = doc.find("1. ")
    end = doc.find("Why not")
    return doc[start:end].strip() if start >= 0 else ""

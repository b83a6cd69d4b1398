"""`notion_docs`: one row per Notion page, database and database row of an export; its checks.

No `from __future__ import annotations`: Dagster reads the context annotation at runtime.
"""

import time
from collections import Counter

import dagster as dg
import polars as pl
from pydantic import Field

from secondbrain_assets import settings
from secondbrain_assets.core.exports import find_export
from secondbrain_assets.core.notion import parse_export, to_frame
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.checks import (
    Share,
    ids_unique_check,
    partitioned_check,
    share_below_check,
)
from secondbrain_assets.lib.execution import QUEUE_IO, on_queue
from secondbrain_assets.lib.metadata import histogram_md
from secondbrain_assets.lib.versions import versioned_output

_MAX_PROBLEMS_SHOWN = 50


@dg.asset(
    partitions_def=notion_exports,
    code_version="1",
    group_name="ingest",
    op_tags=on_queue(QUEUE_IO),
    kinds={"python", "polars"},
    description=(
        "One row per Notion page, database and database row of one export (zip or folder): "
        "stable id, title, markdown content, parent, properties, links and attachments."
    ),
)
def notion_docs(context: dg.AssetExecutionContext) -> dg.Output[pl.DataFrame]:
    export = find_export(settings.notion_exports_dir(), context.partition_key)
    started = time.perf_counter()
    result = parse_export(export.path)
    parse_s = time.perf_counter() - started
    frame = to_frame(result, export.key)
    for problem in result.problems:
        context.log.warning(f"{problem.path}: {problem.message}")
    kinds = Counter(frame["kind"].to_list())
    problems_md = (
        "\n".join(f"- `{p.path}`: {p.message}" for p in result.problems[:_MAX_PROBLEMS_SHOWN])
        or "none"
    )
    if len(result.problems) > _MAX_PROBLEMS_SHOWN:
        problems_md += f"\n- ... and {len(result.problems) - _MAX_PROBLEMS_SHOWN} more (see logs)"
    metadata = {
        "dagster/row_count": frame.height,
        "export": dg.MetadataValue.path(str(export.path)),
        "pages": kinds.get("page", 0),
        "databases": kinds.get("database", 0),
        "database_rows": kinds.get("database_row", 0),
        "empty_pages": int(frame["is_empty"].sum()),
        "empty_titles": dg.MetadataValue.json(frame.filter("is_empty")["title"].to_list()[:50]),
        "files": result.n_files,
        "attachments": result.n_attachments,
        "text_mb": round(result.bytes_read / 1e6, 3),
        "internal_links": int(frame["internal_links"].list.len().sum()),
        "unresolved_links": int(frame["unresolved_links"].list.len().sum()),
        "external_links": int(frame["external_links"].list.len().sum()),
        "problems": len(result.problems),
        "problem_list": dg.MetadataValue.md(problems_md),
        "parse_seconds": round(parse_s, 4),
        "pages_per_second": round(frame.height / parse_s, 1) if parse_s else 0.0,
        "content_length_histogram": histogram_md(
            frame["n_chars"].to_list(), "content length (characters)", "notion_docs: content length"
        ),
    }
    version_columns = ["doc_id", "content_hash", "title", "parent_id", "properties"]
    return versioned_output(frame, version_columns, metadata)


notion_docs_ids_unique = ids_unique_check(notion_docs)


@partitioned_check(notion_docs, blocking=True)
def notion_docs_content_or_flagged_empty(notion_docs: pl.DataFrame) -> dg.AssetCheckResult:
    """Each document has content, or is_empty says it has none: scoring relies on the flag."""
    has_text = pl.col("content").str.strip_chars().str.len_chars() > 0
    bad = notion_docs.filter(has_text == pl.col("is_empty"))
    return dg.AssetCheckResult(
        passed=bad.height == 0,
        metadata={
            "inconsistent": bad.height,
            "empty_flagged": int(notion_docs["is_empty"].sum()),
            "examples": dg.MetadataValue.json(bad["path"].to_list()[:20]),
        },
    )


class InternalLinksConfig(dg.Config):
    max_unresolved_share: float = Field(
        default=0.05,
        ge=0.0,
        le=1.0,
        description="Largest share of internal links that may point outside the export. A "
        "partial export always links to some pages it lacks; more than this suggests a broken "
        "parse or a damaged export.",
    )


def _unresolved_links(notion_docs: pl.DataFrame) -> Share:
    resolved = int(notion_docs["internal_links"].list.len().sum())
    unresolved = int(notion_docs["unresolved_links"].list.len().sum())
    examples = (
        notion_docs.filter(pl.col("unresolved_links").list.len() > 0)
        .select("path", "unresolved_links")
        .head(20)
        .to_dicts()
    )
    return Share(
        unresolved,
        resolved + unresolved,
        {"resolved": resolved, "examples": dg.MetadataValue.json(examples)},
    )


# Not blocking, WARN: crawling and scoring do not need links to pages outside the export, but a
# high share points at a parser bug or a damaged export, which a person should look at.
notion_docs_internal_links_resolve = share_below_check(
    notion_docs,
    "internal_links_resolve",
    config_class=InternalLinksConfig,
    limit_field="max_unresolved_share",
    measure=_unresolved_links,
    counted="unresolved",
    hint="internal links point at pages outside the export; see the examples (a partial "
    "export, or a parser bug?)",
    description="Internal links point at pages of the same export (WARN above the threshold).",
)

notion_checks = [
    notion_docs_ids_unique,
    notion_docs_content_or_flagged_empty,
    notion_docs_internal_links_resolve,
]

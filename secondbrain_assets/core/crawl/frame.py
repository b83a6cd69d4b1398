"""The crawled_pages table: notion_docs links in, a DataFrame with a fixed schema out."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl

from secondbrain_assets.core.crawl.crawler import CrawlItem

PAGE_SCHEMA: dict[str, Any] = {
    "doc_id": pl.String,
    "url": pl.String,
    "export_key": pl.String,
    "source": pl.String,
    "linked_from": pl.List(pl.String),
    "anchor_texts": pl.List(pl.String),
    "final_url": pl.String,
    "status_code": pl.Int64,
    "content_type": pl.String,
    "title": pl.String,
    "content": pl.String,
    "fetched_at": pl.Datetime("us", "UTC"),
    "elapsed_ms": pl.Float64,
    "outcome": pl.String,
    "error_class": pl.String,
    "error_message": pl.String,
    "fetcher": pl.String,
    "from_cache": pl.Boolean,
    "content_hash": pl.String,
}


def items_from_docs(docs: pl.DataFrame) -> list[CrawlItem]:
    """One CrawlItem per (document, external link) of a notion_docs frame."""
    if docs.height == 0 or "external_links" not in docs.columns:
        return []
    links = (
        docs.select("doc_id", "external_links")
        .explode("external_links")
        .drop_nulls("external_links")
        .unnest("external_links")
    )
    return [
        CrawlItem(url=row["url"] or "", linked_from=row["doc_id"], anchor=row["anchor"] or "")
        for row in links.iter_rows(named=True)
    ]


def to_frame(rows: Iterable[dict[str, Any]], export_key: str) -> pl.DataFrame:
    """Crawler rows as a DataFrame with PAGE_SCHEMA's columns, in that order."""
    records = [{**row, "export_key": export_key, "source": "web"} for row in rows]
    if not records:
        return pl.DataFrame(schema=PAGE_SCHEMA)
    return pl.DataFrame(records, schema=PAGE_SCHEMA)

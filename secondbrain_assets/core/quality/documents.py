"""The documents `heuristic_scores` judges: every Notion page plus every web page fetched "ok"."""

from __future__ import annotations

import polars as pl

from secondbrain_assets.core.content import content_hashes
from secondbrain_assets.core.crawl import outcomes

DOCUMENT_COLUMNS = (
    "doc_id",
    "export_key",
    "source",
    "title",
    "url",
    "parent_id",
    "content",
    "content_hash",
    "n_chars",
)


def _need(frame: pl.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{name} lacks columns {missing} of its data contract; re-materialize {name} "
            "with the current code."
        )


def documents_for_scoring(notion_docs: pl.DataFrame, crawled_pages: pl.DataFrame) -> pl.DataFrame:
    """One row per document with content, in the heuristic_scores column order.

    Web rows: only `outcome == "ok"`; `url` is the final URL after redirects when known.
    """
    _need(notion_docs, "notion_docs", ("doc_id", "export_key", "title", "content", "parent_id"))
    _need(crawled_pages, "crawled_pages", ("doc_id", "export_key", "url", "final_url", "outcome"))
    notes = notion_docs.select(
        pl.col("doc_id").cast(pl.String),
        pl.col("export_key").cast(pl.String),
        source=pl.lit("notion", pl.String),
        title=pl.col("title").cast(pl.String).fill_null(""),
        url=pl.lit(None, pl.String),
        parent_id=pl.col("parent_id").cast(pl.String),
        content=pl.col("content").cast(pl.String).fill_null(""),
        content_hash=_upstream_hash(notion_docs),
    )
    web = crawled_pages.filter(pl.col("outcome") == outcomes.OK).select(
        pl.col("doc_id").cast(pl.String),
        pl.col("export_key").cast(pl.String),
        source=pl.lit("web", pl.String),
        title=pl.col("title").cast(pl.String).fill_null("")
        if "title" in crawled_pages.columns
        else pl.lit("", pl.String),
        url=pl.coalesce(pl.col("final_url"), pl.col("url")).cast(pl.String),
        parent_id=pl.lit(None, pl.String),
        content=pl.col("content").cast(pl.String).fill_null(""),
        content_hash=_upstream_hash(crawled_pages),
    )
    docs = pl.concat([notes, web], how="vertical")
    if docs.get_column("content_hash").null_count():
        # The parser and the crawler hash the content; frames without the column are hashed
        # here, by the same function.
        hashed = pl.col("content").map_batches(content_hashes, return_dtype=pl.String)
        docs = docs.with_columns(content_hash=pl.coalesce("content_hash", hashed))
    return docs.with_columns(n_chars=pl.col("content").str.len_chars().cast(pl.Int64)).select(
        DOCUMENT_COLUMNS
    )


def _upstream_hash(frame: pl.DataFrame) -> pl.Expr:
    if "content_hash" in frame.columns:
        return pl.col("content_hash").cast(pl.String)
    return pl.lit(None, pl.String)

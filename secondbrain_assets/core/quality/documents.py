"""The documents `heuristic_scores` judges: every Notion page plus every web page fetched "ok"."""

from __future__ import annotations

import polars as pl

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
    )
    web = crawled_pages.filter(pl.col("outcome") == "ok").select(
        pl.col("doc_id").cast(pl.String),
        pl.col("export_key").cast(pl.String),
        source=pl.lit("web", pl.String),
        title=pl.col("title").cast(pl.String).fill_null("")
        if "title" in crawled_pages.columns
        else pl.lit("", pl.String),
        url=pl.coalesce(pl.col("final_url"), pl.col("url")).cast(pl.String),
        parent_id=pl.lit(None, pl.String),
        content=pl.col("content").cast(pl.String).fill_null(""),
    )
    docs = pl.concat([notes, web], how="vertical")
    return docs.with_columns(
        content_hash=pl.col("content").map_batches(_sha256, return_dtype=pl.String),
        n_chars=pl.col("content").str.len_chars().cast(pl.Int64),
    ).select(DOCUMENT_COLUMNS)


def _sha256(contents: pl.Series) -> pl.Series:
    import hashlib

    return pl.Series(
        [hashlib.sha256(c.encode()).hexdigest() for c in contents.to_list()], dtype=pl.String
    )

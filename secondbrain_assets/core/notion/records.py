"""A parsed export as rows: the `notion_docs` contract (ARCHITECTURE.md, data contracts)."""

from __future__ import annotations

import json
from typing import Any

from secondbrain_assets.core.content import content_hash
from secondbrain_assets.core.notion.parser import ParseResult


def to_records(result: ParseResult, export_key: str) -> list[dict[str, Any]]:
    """Rows in the `notion_docs` contract (see ARCHITECTURE data contracts)."""
    return [
        {
            "doc_id": d.doc_id,
            "export_key": export_key,
            "source": "notion",
            "kind": d.kind,
            "title": d.title,
            "content": d.content,
            "parent_id": d.parent_id,
            "path": d.path,
            "properties": json.dumps(d.properties, ensure_ascii=False, sort_keys=True),
            "internal_links": d.internal_links,
            "unresolved_links": d.unresolved_links,
            "external_links": d.external_links,
            "attachments": d.attachments,
            "is_empty": d.is_empty,
            "content_hash": content_hash(d.content),
            "n_chars": len(d.content),
        }
        for d in result.documents
    ]


def to_frame(result: ParseResult, export_key: str) -> Any:
    """The `notion_docs` polars DataFrame, with an explicit schema so empty exports type-check."""
    import polars as pl

    schema = {
        "doc_id": pl.String,
        "export_key": pl.String,
        "source": pl.String,
        "kind": pl.String,
        "title": pl.String,
        "content": pl.String,
        "parent_id": pl.String,
        "path": pl.String,
        "properties": pl.String,
        "internal_links": pl.List(pl.String),
        "unresolved_links": pl.List(pl.String),
        "external_links": pl.List(pl.Struct({"url": pl.String, "anchor": pl.String})),
        "attachments": pl.List(pl.String),
        "is_empty": pl.Boolean,
        "content_hash": pl.String,
        "n_chars": pl.Int64,
    }
    return pl.DataFrame(to_records(result, export_key), schema=schema)

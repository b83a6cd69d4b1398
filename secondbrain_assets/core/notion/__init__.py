"""Notion "Markdown & CSV" export parsing (plain Python, no Dagster)."""

from secondbrain_assets.core.notion.archive import Limits, NotionExportError, Problem
from secondbrain_assets.core.notion.parser import NotionDocument, ParseResult, parse_export
from secondbrain_assets.core.notion.records import to_frame, to_records

__all__ = [
    "Limits",
    "NotionDocument",
    "NotionExportError",
    "ParseResult",
    "Problem",
    "parse_export",
    "to_frame",
    "to_records",
]

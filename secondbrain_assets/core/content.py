"""The content hash every document carries, computed one way for Notion pages and web pages.

It keys the LLM judgement cache and the store's change detection, so the parser, the crawler
and the scorer must agree on it byte for byte.
"""

from __future__ import annotations

import hashlib

import polars as pl


def content_hash(text: str) -> str:
    """sha256 hex digest of the text as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hashes(texts: pl.Series) -> pl.Series:
    """`content_hash` of each text (null counts as empty), as a String series."""
    return pl.Series([content_hash(t or "") for t in texts.to_list()], dtype=pl.String)

"""Defaults, statuses and hashes defined once in core agree wherever they are used."""

from __future__ import annotations

import polars as pl

from secondbrain_assets.core.content import content_hash
from secondbrain_assets.core.crawl import defaults, outcomes
from secondbrain_assets.core.crawl.crawler import CrawlConfig
from secondbrain_assets.core.notion.databases import all_rows_path, csv_name, split_all_rows
from secondbrain_assets.core.quality.documents import documents_for_scoring
from secondbrain_assets.resources.crawler import CrawlerResource


def test_crawler_resource_and_core_settings_share_every_default() -> None:
    core, resource = CrawlConfig(), CrawlerResource().crawl_config()
    assert resource.fetch == core.fetch
    assert resource.fetch.user_agent == defaults.USER_AGENT
    assert resource.browser == core.browser
    assert (resource.cache_max_age_hours, resource.failure_cache_max_age_hours) == (
        core.cache_max_age_hours,
        core.failure_cache_max_age_hours,
    )
    assert resource.use_browser == core.use_browser


def test_outcome_groups_are_made_of_known_outcomes() -> None:
    assert outcomes.FAILURES | outcomes.TRANSIENT | outcomes.UNCACHED <= outcomes.ALL
    assert outcomes.OK not in outcomes.FAILURES
    assert not outcomes.FAILURES & outcomes.UNCACHED


def test_all_rows_csv_rule() -> None:
    assert split_all_rows("Tasks 1a2b_all") == ("Tasks 1a2b", True)
    assert split_all_rows("Tasks 1a2b") == ("Tasks 1a2b", False)
    assert all_rows_path("db/Tasks 1a2b.csv") == "db/Tasks 1a2b_all.csv"
    assert csv_name("Tasks 0123456789abcdef0123456789abcdef_all").is_all


def _docs(with_hash: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    notes = pl.DataFrame(
        {
            "doc_id": ["n1"],
            "export_key": ["e"],
            "title": ["Note"],
            "content": ["Ünïcode note"],
            "parent_id": [None],
        },
        schema_overrides={"parent_id": pl.String},
    )
    pages = pl.DataFrame(
        {
            "doc_id": ["w1", "w2"],
            "export_key": ["e", "e"],
            "url": ["http://a", "http://b"],
            "final_url": [None, None],
            "outcome": [outcomes.OK, outcomes.TIMEOUT],
            "title": ["Page", ""],
            "content": ["web text", ""],
        },
        schema_overrides={"final_url": pl.String},
    )
    if with_hash:
        notes = notes.with_columns(content_hash=pl.lit("from-parser"))
        pages = pages.with_columns(content_hash=pl.lit("from-crawler"))
    return notes, pages


def test_scoring_reuses_upstream_hashes_and_computes_missing_ones_the_same_way() -> None:
    reused = documents_for_scoring(*_docs(with_hash=True))
    assert reused["content_hash"].to_list() == ["from-parser", "from-crawler"]
    computed = documents_for_scoring(*_docs(with_hash=False))
    expected = [content_hash("Ünïcode note"), content_hash("web text")]
    assert computed["content_hash"].to_list() == expected

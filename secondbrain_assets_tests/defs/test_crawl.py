"""crawled_pages materializes against a real local web site, reuses its cache, and never fails
because of a link."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.core.crawl.frame import PAGE_SCHEMA
from secondbrain_assets.core.exports import partition_key_for
from secondbrain_assets.defs.crawl import (
    FailureShareConfig,
    crawled_pages,
    crawled_pages_failure_share,
    crawled_pages_ids_unique,
)
from secondbrain_assets.defs.notion import notion_docs
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets.resources.crawler import CrawlerResource
from secondbrain_assets.settings import PROJECT_ROOT
from secondbrain_assets_tests.core.crawl.site import Site

SAMPLE = PROJECT_ROOT / "data" / "notion" / "Export-2f6c1d0e-5a3b-4c8d-9e7f-1a2b3c4d5e6f.zip"
LINKS = pl.List(pl.Struct({"url": pl.String, "anchor": pl.String}))
KEY = "export-test"


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site(slow_s=3.0).start()
    yield server
    server.stop()


def _write_docs(data_dir: Path, links: dict[str, list[tuple[str, str]]]) -> None:
    """notion_docs as its IO manager stores it (only the columns crawled_pages reads)."""
    frame = pl.DataFrame(
        {
            "doc_id": list(links),
            "export_key": [KEY] * len(links),
            "external_links": [[{"url": u, "anchor": a} for u, a in v] for v in links.values()],
        },
        schema={"doc_id": pl.String, "export_key": pl.String, "external_links": LINKS},
    )
    path = data_dir / "assets" / "notion_docs" / f"{KEY}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)


def _run(
    instance: dg.DagsterInstance, crawler: CrawlerResource, key: str = KEY, upstream: bool = False
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [notion_docs, crawled_pages, crawled_pages_ids_unique, crawled_pages_failure_share],
        selection=None if upstream else dg.AssetSelection.assets(crawled_pages),
        partition_key=key,
        instance=instance,
        resources={"io_manager": PolarsParquetIOManager(), "crawler": crawler},
    )


def _meta(result: dg.ExecuteInProcessResult) -> dict:
    return result.asset_materializations_for_node("crawled_pages")[0].metadata


def test_crawled_pages_local_site_then_cache(data_dir: Path, site: Site) -> None:
    a, b = "a" * 32, "b" * 32
    _write_docs(
        data_dir,
        {
            a: [
                (site.url("/article"), "glaciers"),
                (site.url("/missing"), "dead link"),
                (site.url("/paper.pdf"), "paper"),
                ("http://10.0.0.1/admin", "router"),
            ],
            b: [(site.url("/article#top"), "same article"), (site.url("/latin"), "crepes")],
        },
    )
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", [KEY])
    crawler = CrawlerResource(allow_private=["127.0.0.1"], use_browser=False, timeout_s=2)

    result = _run(instance, crawler)
    assert result.success
    frame = pl.read_parquet(data_dir / "assets" / "crawled_pages" / f"{KEY}.parquet")
    assert dict(frame.schema) == PAGE_SCHEMA
    assert frame.height == 5 and set(frame["export_key"]) == {KEY}
    assert set(frame["source"]) == {"web"}
    article = frame.filter(pl.col("url") == site.url("/article")).row(0, named=True)
    assert article["outcome"] == "ok" and sorted(article["linked_from"]) == [a, b]
    assert "Plucking and abrasion" in article["content"] and "Accept all" not in article["content"]
    outcomes = dict(frame.select("url", "outcome").iter_rows())
    assert outcomes["http://10.0.0.1/admin"] == "refused"
    assert outcomes[site.url("/missing")] == "http_error"
    assert outcomes[site.url("/paper.pdf")] == "skipped_content_type"
    meta = _meta(result)
    assert meta["dagster/row_count"].value == 5
    assert meta["by_outcome"].value == {
        "ok": 2,
        "http_error": 1,
        "skipped_content_type": 1,
        "refused": 1,
    }
    assert meta["requests_made"].value == site.total == 4
    assert "| 127.0.0.1 | 4 |" in meta["slowest_hosts"].value
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["crawled_pages_ids_unique"].passed
    assert checks["crawled_pages_failure_share"].passed  # 1 failure of 5 <= 0.3

    before = site.total
    again = _run(instance, crawler)
    assert again.success and site.total == before  # counted at the server: zero requests
    meta = _meta(again)
    assert meta["requests_made"].value == 0 and meta["cache_hits"].value == 4
    frame2 = pl.read_parquet(data_dir / "assets" / "crawled_pages" / f"{KEY}.parquet")
    assert frame2.filter(pl.col("outcome") != "refused")["from_cache"].all()
    refused = frame2.filter(pl.col("outcome") == "refused")
    assert refused.height == 1 and not refused["from_cache"].any()  # policy decided afresh


def test_no_links_gives_empty_frame(data_dir: Path) -> None:
    _write_docs(data_dir, {"c" * 32: []})
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", [KEY])
    result = _run(instance, CrawlerResource())
    frame = pl.read_parquet(data_dir / "assets" / "crawled_pages" / f"{KEY}.parquet")
    assert frame.height == 0 and dict(frame.schema) == PAGE_SCHEMA
    assert _meta(result)["dagster/row_count"].value == 0
    assert all(e.passed for e in result.get_asset_check_evaluations())


def test_sample_export_links_never_fail_the_asset(data_dir: Path) -> None:
    export = data_dir / "notion" / SAMPLE.name
    shutil.copy(SAMPLE, export)
    key = partition_key_for(export)
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", [key])
    result = _run(
        instance, CrawlerResource(use_browser=False, timeout_s=5, retries=0), key, upstream=True
    )
    assert result.success
    docs = pl.read_parquet(data_dir / "assets" / "notion_docs" / f"{key}.parquet")
    frame = pl.read_parquet(data_dir / "assets" / "crawled_pages" / f"{key}.parquet")
    n_links = docs["external_links"].list.len().sum()
    assert 0 < frame.height <= n_links
    assert frame["doc_id"].n_unique() == frame.height
    if _offline():  # this machine: the links' hosts do not resolve, each is a network_error row
        assert set(frame["outcome"]) <= {"network_error", "invalid_url", "refused"}
        assert (frame["outcome"] == "network_error").sum() > 0
        share = {e.check_name: e for e in result.get_asset_check_evaluations()}
        assert not share["crawled_pages_failure_share"].passed
        assert share["crawled_pages_failure_share"].severity == dg.AssetCheckSeverity.WARN


def test_duplicate_ids_fail_the_blocking_check() -> None:
    frame = pl.DataFrame({"doc_id": ["x", "x", "y"], "outcome": ["ok", "ok", "timeout"]})
    unique = crawled_pages_ids_unique(frame)
    assert not unique.passed and unique.metadata["duplicate_ids"].value == 1
    assert unique.metadata["examples"].value == ["x"]
    lenient = FailureShareConfig(max_failure_share=0.5)
    assert crawled_pages_failure_share(lenient, frame).passed
    strict = FailureShareConfig(max_failure_share=0.2)
    failed = crawled_pages_failure_share(strict, frame)
    assert not failed.passed and failed.severity == dg.AssetCheckSeverity.WARN
    assert failed.metadata["failures"].value == 1 and failed.metadata["share"].value == 0.3333
    assert failed.metadata["by_outcome"].value == {"timeout": 1}
    assert failed.description.startswith("1 of 3 links failed")


def _offline() -> bool:
    try:
        socket.getaddrinfo("arxiv.org", 443)
    except OSError:
        return True
    return False


@pytest.mark.browser
def test_crawled_pages_renders_script_pages_in_chromium(data_dir: Path, site: Site) -> None:
    _write_docs(data_dir, {"d" * 32: [(site.url("/app"), "tides"), (site.url("/article"), "")]})
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", [KEY])
    result = _run(instance, CrawlerResource(allow_private=["127.0.0.1"], timeout_s=5))
    frame = pl.read_parquet(data_dir / "assets" / "crawled_pages" / f"{KEY}.parquet")
    fetchers = dict(frame.select("url", "fetcher").iter_rows())
    assert fetchers == {site.url("/app"): "browser", site.url("/article"): "http"}
    app = frame.filter(pl.col("fetcher") == "browser").row(0, named=True)
    assert "A tide table lists the predicted times" in app["content"]  # rendered by the script
    meta = _meta(result)
    assert meta["by_fetcher"].value == {"browser": 1, "http": 1}
    assert meta["browser_reasons"].value == {"spa_root": 1}

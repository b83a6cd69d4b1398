from __future__ import annotations

import time
from pathlib import Path

from secondbrain_assets.core.crawl.cache import CrawlCache
from secondbrain_assets.core.crawl.crawler import CrawlConfig, CrawlItem, crawl
from secondbrain_assets.core.crawl.http_fetch import FetchSettings
from secondbrain_assets_tests.core.crawl.site import Site

PATHS = ("/article", "/missing", "/paper.pdf", "/chain/0", "/latin", "/broken")


def _config(cache: Path, **kw: float) -> CrawlConfig:
    return CrawlConfig(
        fetch=FetchSettings(timeout_s=1.0, retries=0),
        use_browser=False,
        allow_private=("127.0.0.1",),
        cache_path=cache,
        **kw,
    )


def test_second_crawl_makes_zero_requests(site: Site, tmp_path: Path) -> None:
    cfg = _config(tmp_path / "crawl.sqlite")
    items = [CrawlItem(site.url(p), "doc1", p) for p in PATHS]
    first = crawl(items, cfg)
    requests_first = site.total
    assert requests_first >= len(PATHS) and first.requests == requests_first
    assert not any(r["from_cache"] for r in first.rows)

    # Another partition linking the same pages (differently written) from another doc.
    again = [CrawlItem(site.url(p) + "?utm_source=x", "doc2", "again") for p in PATHS]
    second = crawl(again, cfg)
    assert site.total == requests_first  # counted at the server: no request at all
    assert second.requests == 0 and second.cache_hits == len(PATHS)
    assert all(r["from_cache"] for r in second.rows)
    strip = ("from_cache", "linked_from", "anchor_texts")
    assert [{k: v for k, v in r.items() if k not in strip} for r in first.rows] == [
        {k: v for k, v in r.items() if k not in strip} for r in second.rows
    ]
    assert second.rows[0]["linked_from"] == ["doc2"]
    assert (tmp_path / "crawl.sqlite-wal").exists() or (tmp_path / "crawl.sqlite").exists()


def test_stale_entries_refetched(site: Site, tmp_path: Path) -> None:
    items = [CrawlItem(site.url("/article"), "doc1")]
    crawl(items, _config(tmp_path / "c.sqlite"))
    crawl(items, _config(tmp_path / "c.sqlite", cache_max_age_hours=0))
    assert site.hits["/article"] == 2


def test_transient_failures_expire_sooner(site: Site, tmp_path: Path) -> None:
    items = [CrawlItem(site.url("/broken"), "d"), CrawlItem(site.url("/missing"), "d")]
    cfg = _config(tmp_path / "c.sqlite", failure_cache_max_age_hours=0)
    crawl(items, cfg)
    crawl(items, cfg)
    assert site.hits["/broken"] == 2  # a 500 is retried on the next run
    assert site.hits["/missing"] == 1  # a 404 is kept for the full max age


def test_cache_shared_between_instances(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite"
    writer = CrawlCache(path, max_age_hours=1)
    reader = CrawlCache(path, max_age_hours=1)
    rec = {"doc_id": "a" * 32, "url": "https://example.com/", "outcome": "ok", "status_code": 200}
    writer.put_many([rec])
    assert reader.get_many(["a" * 32, "b" * 32]) == {"a" * 32: rec}
    assert reader.get_many(["a" * 32], now=time.time() + 7200) == {}


def test_cache_shared_across_processes(tmp_path: Path) -> None:
    """Two Dagster step processes write the same cache at once; both see every record."""
    import subprocess
    import sys

    path = tmp_path / "multi.sqlite"
    CrawlCache(path, max_age_hours=1)  # create schema and WAL once
    code = (
        "import sys; from pathlib import Path\n"
        "from secondbrain_assets.core.crawl.cache import CrawlCache\n"
        "c = CrawlCache(Path(sys.argv[1]), 1)\n"
        "for i in range(200):\n"
        "    c.put_many([{'doc_id': f'{sys.argv[2]}{i:031d}', 'url': 'u', 'outcome': 'ok'}])\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path), tag]) for tag in "ab"]
    assert [p.wait(timeout=60) for p in procs] == [0, 0]
    ids = [f"{tag}{i:031d}" for tag in "ab" for i in range(200)]
    assert len(CrawlCache(path, max_age_hours=1).get_many(ids)) == 400

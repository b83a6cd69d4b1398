"""The real browser path: Debian Chromium driven by crawl4ai over CDP."""

from __future__ import annotations

import pytest

from secondbrain_assets.core.crawl.browser import BrowserSettings, render_sync
from secondbrain_assets.core.crawl.crawler import CrawlConfig, CrawlItem, crawl
from secondbrain_assets.core.crawl.extract import extract
from secondbrain_assets.core.crawl.http_fetch import FetchSettings
from secondbrain_assets_tests.core.crawl.site import JS_DATA, Site

pytestmark = pytest.mark.browser


def test_script_rendered_page_goes_through_browser(site: Site) -> None:
    cfg = CrawlConfig(
        fetch=FetchSettings(timeout_s=2.0), allow_private=("127.0.0.1",), use_browser=True
    )
    items = [CrawlItem(site.url("/app"), "d1", "tides"), CrawlItem(site.url("/article"), "d1")]
    report = crawl(items, cfg)
    rows = {r["url"].rsplit("/", 1)[1]: r for r in report.rows}
    app = rows["app"]
    assert app["outcome"] == "ok" and app["fetcher"] == "browser"
    assert JS_DATA["paragraphs"][1][:40] in app["content"]  # rendered by the script
    assert "safety margin" in app["content"]
    assert site.hits["/app-data.json"] >= 1  # the script really ran
    assert rows["article"]["fetcher"] == "http"  # static pages never open the browser
    assert report.browser_reasons == {"spa_root": 1}


def test_browser_outcomes_match_http_path(site: Site) -> None:
    paths = ["/article", "/missing", "/broken", "/latin", "/chain/0", "/slow"]
    results = render_sync([site.url(p) for p in paths], BrowserSettings(timeout_s=1.5))
    by = {p: results[site.url(p)] for p in paths}
    article = extract(by["/article"].html or "", site.url("/article"))
    assert by["/article"].outcome == "ok" and by["/article"].status_code == 200
    assert "## Plucking and abrasion" in article.markdown
    assert "Accept all" not in article.markdown and "jdoe42" not in article.markdown
    # crawl4ai reports these as success=True; we record them as HTTP errors, like the HTTP path.
    assert (by["/missing"].outcome, by["/missing"].status_code) == ("http_error", 404)
    assert (by["/broken"].outcome, by["/broken"].status_code) == ("http_error", 500)
    latin = extract(by["/latin"].html or "", site.url("/latin"))
    assert "Caf\u00e9 cr\u00e8me" in latin.markdown
    assert by["/chain/0"].outcome == "ok"
    assert by["/chain/0"].final_url == site.url("/article")
    assert by["/slow"].outcome == "timeout"


def test_browser_failure_keeps_static_result(site: Site) -> None:
    cfg = CrawlConfig(
        fetch=FetchSettings(timeout_s=5.0),
        browser=BrowserSettings(timeout_s=1.0),
        allow_private=("127.0.0.1",),
    )
    report = crawl([CrawlItem(site.url("/app-then-slow"), "d1")], cfg)
    (row,) = report.rows
    # The static result is kept: an empty script shell, recorded as such (never "ok" and empty).
    assert row["outcome"] == "no_content" and row["fetcher"] == "http"
    assert report.browser_failures == 1 and site.hits["/app-then-slow"] == 2

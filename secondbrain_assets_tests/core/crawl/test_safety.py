from __future__ import annotations

import asyncio

import pytest

from secondbrain_assets.core.crawl.crawler import CrawlConfig, CrawlItem, crawl
from secondbrain_assets.core.crawl.http_fetch import FetchResult, FetchSettings, HttpFetcher
from secondbrain_assets.core.crawl.safety import RefusedURLError, ResolveError, SafetyPolicy
from secondbrain_assets_tests.core.crawl.site import Site


def _check(policy: SafetyPolicy, url: str) -> None:
    asyncio.run(policy.check(url))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8080/",
        "http://10.0.0.8/",
        "http://192.168.1.1/admin",
        "http://172.16.5.4/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://100.64.0.1/",
        "http://0.0.0.0/",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "http://metadata.google.internal/computeMetadata/v1/",
    ],
)
def test_refused_by_default(url: str) -> None:
    with pytest.raises(RefusedURLError):
        _check(SafetyPolicy(), url)


def test_public_address_allowed() -> None:
    _check(SafetyPolicy(), "http://93.184.215.14/")


def test_allow_list_by_address_network_and_host() -> None:
    _check(SafetyPolicy(("127.0.0.1",)), "http://127.0.0.1:9/")
    _check(SafetyPolicy(("10.0.0.0/8",)), "http://10.1.2.3/")
    _check(SafetyPolicy(("localhost",)), "http://localhost/")
    with pytest.raises(RefusedURLError):  # allowing loopback does not open the LAN or metadata
        _check(SafetyPolicy(("127.0.0.1",)), "http://169.254.169.254/")


def test_unresolvable_host_is_a_resolve_error() -> None:
    with pytest.raises(ResolveError):
        _check(SafetyPolicy(), "http://no-such-host.invalid/")


def test_crawl_refuses_loopback_without_requesting(site: Site) -> None:
    report = crawl([CrawlItem(site.url("/article"), "d1")], CrawlConfig(use_browser=False))
    (row,) = report.rows
    assert row["outcome"] == "refused"
    assert "allow_private" in row["error_message"]
    assert site.total == 0


def test_crawl_allows_listed_loopback(site: Site) -> None:
    cfg = CrawlConfig(use_browser=False, allow_private=("127.0.0.1",))
    (row,) = crawl([CrawlItem(site.url("/article"), "d1")], cfg).rows
    assert row["outcome"] == "ok"
    assert site.hits["/article"] == 1


def test_redirect_to_metadata_address_refused(site: Site) -> None:
    cfg = CrawlConfig(use_browser=False, allow_private=("127.0.0.1",))
    (row,) = crawl([CrawlItem(site.url("/to-private"), "d1")], cfg).rows
    assert row["outcome"] == "refused"
    assert row["final_url"] == "http://169.254.169.254/latest/meta-data/"
    assert site.hits["/to-private"] == 1


def test_connects_to_vetted_address_with_original_host(site: Site) -> None:
    """The request goes to the address the policy approved; the name stays in the Host header."""
    cfg = CrawlConfig(use_browser=False, allow_private=("localhost",))
    port = site.server_port
    (row,) = crawl([CrawlItem(f"http://LocalHost:{port}/article", "d1")], cfg).rows
    assert row["outcome"] == "ok" and row["url"] == f"http://localhost:{port}/article"
    assert site.hits["/article"] == 1


def test_pinned_request_keeps_host_header(site: Site) -> None:
    async def fetch() -> FetchResult:
        async with HttpFetcher(FetchSettings(), SafetyPolicy(("localhost",))) as fetcher:
            return await fetcher.fetch(f"http://localhost:{site.server_port}/whoami")

    result = asyncio.run(fetch())
    assert result.outcome == "ok"
    assert f"<p>localhost:{site.server_port}</p>" in (result.html or "")


def test_check_returns_vetted_addresses() -> None:
    addrs = asyncio.run(SafetyPolicy(("localhost",)).check("http://localhost:1/"))
    assert addrs and all(a.is_loopback for a in addrs)

"""`crawler` resource: limits, cache and safety settings of the web crawler."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from pydantic import Field

from secondbrain_assets import settings
from secondbrain_assets.core.crawl import defaults

if TYPE_CHECKING:
    from secondbrain_assets.core.crawl.crawler import CrawlConfig


class CrawlerResource(dg.ConfigurableResource):
    """How crawled_pages fetches the web. Private addresses are refused unless listed.

    Tests and local demos allow the local web server with `allow_private=["127.0.0.1"]`.
    """

    max_concurrency: int = Field(
        default=defaults.MAX_CONCURRENCY, description="Requests in flight, all hosts together"
    )
    per_host_concurrency: int = Field(
        default=defaults.PER_HOST_CONCURRENCY, description="Requests in flight per host"
    )
    timeout_s: float = Field(
        default=defaults.TIMEOUT_S, description="Time limit per request (whole response)"
    )
    max_bytes: int = Field(
        default=defaults.MAX_BYTES, description="Largest page body read, in bytes"
    )
    retries: int = Field(
        default=defaults.RETRIES, description="Retries on 429, 5xx, timeouts, dropped links"
    )
    max_redirects: int = Field(
        default=defaults.MAX_REDIRECTS, description="Redirect hops followed per URL"
    )
    cache_max_age_hours: float = Field(
        default=defaults.CACHE_MAX_AGE_HOURS,
        description="How long a fetched page (or 404, PDF, ...) is reused",
    )
    failure_cache_max_age_hours: float = Field(
        default=defaults.FAILURE_CACHE_MAX_AGE_HOURS,
        description="How long a transient failure (timeout, DNS, 5xx) is reused",
    )
    cache_path: str | None = Field(
        default=None, description="SQLite crawl cache; default <cache dir>/crawl/pages.sqlite"
    )
    use_browser: bool = Field(
        default=defaults.USE_BROWSER, description="Render script-built pages in Debian's Chromium"
    )
    browser_concurrency: int = Field(
        default=defaults.BROWSER_CONCURRENCY, description="Chromium tabs at once"
    )
    browser_timeout_s: float = Field(
        default=defaults.BROWSER_TIMEOUT_S, description="Time limit per browser page"
    )
    allow_private: list[str] = Field(
        default_factory=list,
        description="Hosts, IPs or CIDR networks that may be private/loopback, e.g. 127.0.0.1",
    )
    user_agent: str = Field(
        default=defaults.USER_AGENT,
        description="User-Agent header of the HTTP path (the browser keeps Chromium's own)",
    )

    def crawl_config(self) -> CrawlConfig:
        """The core crawler configuration these settings describe."""
        from secondbrain_assets.core.crawl.browser import BrowserSettings
        from secondbrain_assets.core.crawl.crawler import CrawlConfig
        from secondbrain_assets.core.crawl.http_fetch import FetchSettings

        cache = (
            Path(self.cache_path)
            if self.cache_path
            else (settings.cache_dir() / "crawl" / "pages.sqlite")
        )
        return CrawlConfig(
            fetch=FetchSettings(
                max_concurrency=self.max_concurrency,
                per_host_concurrency=self.per_host_concurrency,
                timeout_s=self.timeout_s,
                max_bytes=self.max_bytes,
                retries=self.retries,
                max_redirects=self.max_redirects,
                user_agent=self.user_agent,
            ),
            browser=BrowserSettings(
                concurrency=self.browser_concurrency, timeout_s=self.browser_timeout_s
            ),
            use_browser=self.use_browser,
            allow_private=tuple(self.allow_private),
            cache_path=cache,
            cache_max_age_hours=self.cache_max_age_hours,
            failure_cache_max_age_hours=self.failure_cache_max_age_hours,
        )

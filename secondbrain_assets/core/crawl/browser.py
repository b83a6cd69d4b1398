"""Rendering pages in Debian's Chromium through crawl4ai.

crawl4ai cannot be pointed at a Chromium binary, and downloading Playwright's browser is not
possible here, so we start `/usr/bin/chromium` ourselves with a DevTools port and connect over CDP.
Each page gets an isolated browser context (without it arun_many loses pages). We stop the process
by its PID, never by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

from secondbrain_assets.core.crawl import defaults, outcomes
from secondbrain_assets.core.crawl.http_fetch import FetchResult

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--remote-debugging-address=127.0.0.1",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)


class BrowserUnavailableError(RuntimeError):
    """Chromium is missing or did not open its DevTools port."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def chromium_cdp(executable: str = CHROMIUM, start_timeout_s: float = 30.0) -> Iterator[str]:
    """Start a headless Chromium, yield its CDP URL, and stop it (by PID) afterwards."""
    if not shutil.which(executable):
        raise BrowserUnavailableError(
            f"{executable} not found; install Debian's chromium (apt-get install chromium) "
            "or set the crawler's use_browser to false"
        )
    port = free_port()
    profile = tempfile.mkdtemp(prefix="secondbrain-chromium-")
    cmd = [
        executable,
        *CHROMIUM_FLAGS,
        f"--remote-debugging-port={port}",
        f"--user-data-dir={profile}",
        "about:blank",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout_s
        while True:  # readiness poll for the DevTools endpoint, not rate limiting
            try:
                with urllib.request.urlopen(f"{url}/json/version", timeout=1):
                    break
            except OSError as exc:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise BrowserUnavailableError(
                        f"Chromium did not open its DevTools port {port} ({exc})"
                    ) from exc
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        shutil.rmtree(profile, ignore_errors=True)


@dataclass(frozen=True)
class BrowserSettings:
    concurrency: int = defaults.BROWSER_CONCURRENCY
    timeout_s: float = defaults.BROWSER_TIMEOUT_S
    settle_s: float = 0.5  # time after the load event for scripts to fill the page
    user_agent: str | None = None


def _to_result(url: str, res: object, elapsed_ms: float) -> FetchResult:
    status = getattr(res, "status_code", None)
    headers = getattr(res, "response_headers", None) or {}
    ctype = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    final = getattr(res, "redirected_url", None) or url
    if not getattr(res, "success", False):
        msg = str(getattr(res, "error_message", "") or "browser crawl failed")
        outcome, cls = (
            (outcomes.TIMEOUT, "BrowserTimeout")
            if "timeout" in msg.lower()
            else (outcomes.NETWORK_ERROR, "BrowserError")
        )
        if status and status >= 400:
            outcome, cls = outcomes.HTTP_ERROR, f"HTTP{status}"
        return FetchResult(
            url, outcome, final, status, ctype, None, cls, msg[:500], elapsed_ms, requests=1
        )
    # The browser path reports 404/500 as success=True: treat them like the HTTP path does.
    if status and status >= 400:
        return FetchResult(
            url,
            outcomes.HTTP_ERROR,
            final,
            status,
            ctype,
            None,
            f"HTTP{status}",
            f"server answered {status}",
            elapsed_ms,
            requests=1,
        )
    return FetchResult(
        url,
        outcomes.OK,
        final,
        status,
        ctype,
        getattr(res, "html", "") or "",
        elapsed_ms=elapsed_ms,
        requests=1,
    )


async def render_many(
    urls: list[str], settings: BrowserSettings, cdp_url: str
) -> dict[str, FetchResult]:
    """Render `urls` in the Chromium at `cdp_url`; one FetchResult (with rendered HTML) per URL."""
    from secondbrain_assets import settings as project_settings

    project_settings.quiet_crawl4ai()
    from crawl4ai import (
        AsyncWebCrawler,
        BrowserConfig,
        CacheMode,
        CrawlerRunConfig,
        SemaphoreDispatcher,
    )

    browser_cfg = BrowserConfig(
        browser_mode="cdp", cdp_url=cdp_url, create_isolated_context=True, verbose=False
    )
    run_cfg = CrawlerRunConfig(
        cache_mode=CacheMode.BYPASS,
        page_timeout=int(settings.timeout_s * 1000),
        wait_until="load",
        delay_before_return_html=settings.settle_s,
        verbose=False,
        user_agent=settings.user_agent,
    )
    dispatcher = SemaphoreDispatcher(
        semaphore_count=settings.concurrency, max_session_permit=settings.concurrency
    )
    out: dict[str, FetchResult] = {}
    start = time.perf_counter()
    async with AsyncWebCrawler(config=browser_cfg) as crawler:
        results = await crawler.arun_many(urls, config=run_cfg, dispatcher=dispatcher)
        for res in results:
            dispatch = getattr(res, "dispatch_result", None)
            took = (
                (dispatch.end_time - dispatch.start_time) * 1000
                if dispatch
                else (time.perf_counter() - start) * 1000
            )
            if hasattr(took, "total_seconds"):
                took = took.total_seconds() * 1000
            out[res.url] = _to_result(res.url, res, float(took))
    for url in urls:  # a URL crawl4ai dropped still gets an answer
        out.setdefault(
            url,
            FetchResult(
                url,
                outcomes.ERROR,
                url,
                None,
                None,
                None,
                "BrowserMissing",
                "crawl4ai returned no result for this URL",
                requests=1,
            ),
        )
    return out


def render_sync(urls: list[str], settings: BrowserSettings) -> dict[str, FetchResult]:
    """Start Chromium, render `urls`, stop Chromium (for callers outside an event loop)."""
    with chromium_cdp() as cdp_url:
        return asyncio.run(render_many(urls, settings, cdp_url))

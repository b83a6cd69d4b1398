"""crawled_pages crawler vs crawl4ai's browser arun_many on static pages from a local server.

    python benchmarks/bench_crawl.py [--pages 1000] [--baseline-pages 200]

Both crawl the same real-looking article pages (nav, cookie banner, related list, comments,
footer) from a threaded http.server on 127.0.0.1 running in a separate process, one after the
other in this process. Ours: httpx + trafilatura, browser fallback on (no page needs it), cache in
a temporary dir. Baseline: crawl4ai 0.9.5 `AsyncWebCrawler.arun_many` with default settings
(default CrawlerRunConfig and dispatcher) driving Debian Chromium over CDP (it cannot download
its own browser here), on the first `--baseline-pages` pages so it fits in ~3 minutes; pages/s
are compared. Then: re-crawl of the same URLs (cache; requests counted at the server), peak RSS
of the process and its children during each crawl, and token precision/recall of the main content
on the boilerplate-heavy fixture (ours vs crawl4ai's fit_markdown with PruningContentFilter).
Writes benchmarks/results/crawl.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import re
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, write_result  # noqa: E402

from secondbrain_assets.core.crawl.browser import chromium_cdp  # noqa: E402
from secondbrain_assets.core.crawl.crawler import CrawlConfig, CrawlItem, crawl  # noqa: E402
from secondbrain_assets.core.crawl.extract import extract  # noqa: E402
from secondbrain_assets_tests.core.crawl import site as site_mod  # noqa: E402


def _serve(port_q: mp.Queue) -> None:
    server = site_mod.Site()
    port_q.put(server.server_port)
    server.serve_forever()


def _server_requests(base: str) -> int:
    with urllib.request.urlopen(f"{base}/__stats") as resp:
        return int(json.load(resp)["total"])


class PeakRSS:
    """Peak resident memory of this process plus its children (Chromium), sampled every 50 ms."""

    def __init__(self) -> None:
        import psutil

        self.proc, self.peak, self._stop = psutil.Process(), 0, threading.Event()

    def _rss(self) -> int:
        total = self.proc.memory_info().rss
        for child in self.proc.children(recursive=True):
            with contextlib.suppress(Exception):  # a renderer that just exited
                total += child.memory_info().rss
        return total

    def __enter__(self) -> PeakRSS:
        self.base = self._rss()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, self._rss())


async def _baseline(urls: list[str], cdp_url: str) -> list:
    from crawl4ai import AsyncWebCrawler, BrowserConfig, CrawlerRunConfig

    cfg = BrowserConfig(
        browser_mode="cdp", cdp_url=cdp_url, create_isolated_context=True, verbose=False
    )
    async with AsyncWebCrawler(config=cfg) as crawler:
        return list(await crawler.arun_many(urls, config=CrawlerRunConfig(verbose=False)))


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _quality() -> dict:
    """Token precision/recall of the main content on the boilerplate-heavy fixture page."""
    from crawl4ai.content_filter_strategy import PruningContentFilter
    from crawl4ai.markdown_generation_strategy import DefaultMarkdownGenerator

    gold = set(_tokens(re.sub(r"<[^>]+>", " ", site_mod.ARTICLE_BODY)))

    def score(md: str) -> dict:
        toks = _tokens(re.sub(r"\]\([^)]*\)|<https?://[^>]*>", "]", md))  # ignore link targets
        good = sum(t in gold for t in toks)
        found = gold & set(toks)
        return {
            "precision": round(good / max(len(toks), 1), 3),
            "recall": round(len(found) / len(gold), 3),
        }

    ours = extract(site_mod.ARTICLE, "http://127.0.0.1/article").markdown
    gen = DefaultMarkdownGenerator(content_filter=PruningContentFilter())
    res = gen.generate_markdown(site_mod.ARTICLE, base_url="http://127.0.0.1/article")
    return {
        "ours_trafilatura": score(ours),
        "crawl4ai_fit_markdown": score(res.fit_markdown),
        "crawl4ai_raw_markdown": score(res.raw_markdown),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--baseline-pages", type=int, default=200)
    args = ap.parse_args()

    ctx = mp.get_context("spawn")
    port_q: mp.Queue = ctx.Queue()
    server = ctx.Process(target=_serve, args=(port_q,), daemon=True)
    server.start()
    base = f"http://127.0.0.1:{port_q.get(timeout=30)}"
    urls = [f"{base}/static/{i}" for i in range(args.pages)]
    load_before = machine()["loadavg_1m"]

    with tempfile.TemporaryDirectory() as tmp:
        cfg = CrawlConfig(allow_private=("127.0.0.1",), cache_path=Path(tmp) / "crawl.sqlite")
        items = [CrawlItem(u, "bench") for u in urls]
        before = _server_requests(base)
        with PeakRSS() as mem_ours:
            t0 = time.perf_counter()
            first = crawl(items, cfg)
            ours_s = time.perf_counter() - t0
        ours_requests = _server_requests(base) - before
        ok = sum(r["outcome"] == "ok" for r in first.rows)
        fetchers = first.count("fetcher")

        before = _server_requests(base)
        t0 = time.perf_counter()
        second = crawl(items, cfg)
        cached_s = time.perf_counter() - t0
        cached_requests = _server_requests(base) - before
        assert all(r["from_cache"] for r in second.rows)

    sub = urls[: args.baseline_pages]
    before = _server_requests(base)
    with PeakRSS() as mem_base, chromium_cdp() as cdp_url:
        t0 = time.perf_counter()
        results = asyncio.run(_baseline(sub, cdp_url))
        base_s = time.perf_counter() - t0
    base_requests = _server_requests(base) - before
    base_ok = sum(bool(r.success) and r.status_code == 200 for r in results)
    server.terminate()

    ours_pps, base_pps = args.pages / ours_s, len(sub) / base_s
    result = {
        "pages": args.pages,
        "ours": {
            "seconds": round(ours_s, 2),
            "pages_per_s": round(ours_pps, 1),
            "ok": ok,
            "fetchers": fetchers,
            "server_requests": ours_requests,
            "peak_rss_mb": round(mem_ours.peak / 2**20, 1),
            "rss_before_mb": round(mem_ours.base / 2**20, 1),
        },
        "baseline_crawl4ai_arun_many": {
            "pages": len(sub),
            "seconds": round(base_s, 2),
            "pages_per_s": round(base_pps, 1),
            "ok": base_ok,
            "server_requests": base_requests,
            "peak_rss_mb_incl_chromium": round(mem_base.peak / 2**20, 1),
        },
        "speedup_pages_per_s": round(ours_pps / base_pps, 1),
        "recrawl_from_cache": {
            "seconds": round(cached_s, 3),
            "server_requests": cached_requests,
            "cache_hits": second.cache_hits,
        },
        "extraction_quality_fixture": _quality(),
        "loadavg_1m_before": load_before,
        "loadavg_1m_after": machine()["loadavg_1m"],
    }
    print(f"{'':28}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'peak RSS MB':>13}")
    print(
        f"{'ours (httpx+trafilatura)':28}{args.pages:>7}{ours_s:>9.1f}{ours_pps:>9.1f}"
        f"{mem_ours.peak / 2**20:>13.0f}"
    )
    print(
        f"{'crawl4ai arun_many (browser)':28}{len(sub):>7}{base_s:>9.1f}{base_pps:>9.1f}"
        f"{mem_base.peak / 2**20:>13.0f}"
    )
    print(
        f"speed-up: {result['speedup_pages_per_s']}x   re-crawl: {cached_s:.3f} s, "
        f"{cached_requests} requests   load: {load_before} -> {result['loadavg_1m_after']}"
    )
    print(
        "extraction (token precision/recall on fixture):",
        json.dumps(result["extraction_quality_fixture"]),
    )
    print("wrote", write_result("crawl", result))


if __name__ == "__main__":
    main()

"""Crawl the web links of an export: dedupe, serve fresh cache hits, fetch the rest, render in a
browser only where the static page looks script-rendered.

Rule for the browser (recorded per page in `fetcher`): a page fetched with HTTP that answered 200
with HTML goes to Chromium when `extract.browser_reason` says so (empty HTML, no main content at
all, or under 40 words of it plus an empty SPA root, a <noscript> asking for JavaScript, or
scripts). If rendering fails the static result stands. Every URL gets one outcome row; nothing
here raises because of a single URL.
"""

from __future__ import annotations

import asyncio
import html as html_lib
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from secondbrain_assets.core.content import content_hash
from secondbrain_assets.core.crawl import browser as browser_mod
from secondbrain_assets.core.crawl import defaults, outcomes
from secondbrain_assets.core.crawl.cache import CrawlCache
from secondbrain_assets.core.crawl.extract import browser_reason, extract
from secondbrain_assets.core.crawl.http_fetch import FetchResult, FetchSettings, HttpFetcher
from secondbrain_assets.core.crawl.safety import RefusedURLError, ResolveError, SafetyPolicy
from secondbrain_assets.core.crawl.urls import InvalidURLError, host_of, normalize_url, url_id

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CrawlConfig:
    fetch: FetchSettings = field(default_factory=FetchSettings)
    browser: browser_mod.BrowserSettings = field(default_factory=browser_mod.BrowserSettings)
    use_browser: bool = defaults.USE_BROWSER
    allow_private: tuple[str, ...] = ()
    cache_path: Path | None = None  # None: no cache
    cache_max_age_hours: float = defaults.CACHE_MAX_AGE_HOURS
    failure_cache_max_age_hours: float = defaults.FAILURE_CACHE_MAX_AGE_HOURS
    progress_every: int = 100


@dataclass(frozen=True)
class CrawlItem:
    url: str
    linked_from: str
    anchor: str = ""


@dataclass
class CrawlReport:
    rows: list[dict[str, Any]]  # one per distinct URL, crawled_pages columns minus export_key
    requests: int = 0  # HTTP requests (retries and redirect hops included) + browser page loads
    cache_hits: int = 0
    browser_failures: int = 0  # pages kept static because rendering failed
    browser_reasons: Counter[str] = field(default_factory=Counter)
    host_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    elapsed_s: float = 0.0

    def count(self, key: str) -> dict[str, int]:
        return dict(Counter(str(r[key]) for r in self.rows))


def _record(
    pid: str, url: str, res: FetchResult, fetcher: str | None, title: str = "", content: str = ""
) -> dict[str, Any]:
    return {
        "doc_id": pid,
        "url": url,
        "final_url": res.final_url,
        "status_code": res.status_code,
        "content_type": res.content_type,
        "title": title,
        "content": content,
        "fetched_at": datetime.now(UTC).isoformat(),
        "elapsed_ms": round(res.elapsed_ms, 2),
        "outcome": res.outcome,
        "error_class": res.error_class,
        "error_message": res.error_message,
        "fetcher": fetcher,
        "content_hash": content_hash(content),
    }


def _error_record(pid: str, url: str, outcome: str, exc: BaseException) -> dict[str, Any]:
    res = FetchResult(
        url,
        outcome,
        None,
        error_class=type(exc).__name__,
        error_message=str(exc)[:500] or repr(exc),
    )
    return _record(pid, url, res, None)


_TAG = re.compile(r"<[^>]*>")
_INVISIBLE = ("script", "style", "noscript", "template", "head")


def plain_text(html: str) -> str:
    """All visible text of `html`, tags dropped: the last resort when extraction finds nothing.

    String scanning only (no parser, no regex that can backtrack): 100,000 nested <div>s, which
    defeat lxml, are just tags here.
    """
    lower, parts, pos = html.lower(), [], 0
    while True:  # drop invisible elements; an unclosed one hides the rest of the page
        starts = [(i, name) for name in _INVISIBLE if (i := lower.find(f"<{name}", pos)) >= 0]
        if not starts:
            parts.append(html[pos:])
            break
        start, name = min(starts)
        parts.append(html[pos:start])
        end = lower.find(f"</{name}", start)
        if end < 0:
            break
        pos = lower.find(">", end)
        pos = len(html) if pos < 0 else pos + 1
    text = html_lib.unescape(_TAG.sub(" ", "".join(parts)))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


async def _from_fetch(
    pid: str, url: str, res: FetchResult, fetcher: str
) -> tuple[dict, str | None]:
    if res.outcome != outcomes.OK or res.html is None:
        return _record(pid, url, res, fetcher), None
    page = await asyncio.to_thread(extract, res.html, res.final_url or url)
    reason = browser_reason(res.html, page.markdown) if fetcher == "http" else None
    content = page.markdown
    if not content.strip():
        # "ok with nothing extracted" must not exist: keep the plain text, or say there is none.
        content = await asyncio.to_thread(plain_text, res.html)
        if content:
            res.error_class = "PlainTextFallback"
            res.error_message = "no main content found by extraction; kept the page's plain text"
        else:
            res.outcome, res.error_class = outcomes.NO_CONTENT, "NoContent"
            res.error_message = "the page has no visible text (empty, or only markup and scripts)"
    return _record(pid, url, res, fetcher, page.title, content), reason


class _Crawl:
    def __init__(self, config: CrawlConfig, progress: Progress | None, report: CrawlReport):
        self.cfg, self.progress, self.report = config, progress or (lambda _m: None), report
        self.policy = SafetyPolicy.from_list(config.allow_private)

    async def run(self, todo: dict[str, str], cache: CrawlCache | None) -> dict[str, dict]:
        out: dict[str, dict] = {}
        candidates: dict[str, str] = {}
        pending: list[dict] = []
        done, total, start = 0, len(todo), time.perf_counter()
        async with HttpFetcher(self.cfg.fetch, self.policy) as fetcher:

            async def one(pid: str, url: str) -> tuple[str, dict, str | None]:
                try:
                    res = await fetcher.fetch(url)
                    self.report.host_ms[host_of(url)].append(res.elapsed_ms)
                    rec, reason = await _from_fetch(pid, url, res, "http")
                except Exception as exc:  # one broken page must not stop the crawl
                    rec, reason = _error_record(pid, url, outcomes.ERROR, exc), None
                return pid, rec, reason

            tasks = [asyncio.create_task(one(pid, url)) for pid, url in todo.items()]
            for fut in asyncio.as_completed(tasks):
                pid, rec, reason = await fut
                out[pid] = rec
                if reason and self.cfg.use_browser:
                    candidates[pid] = reason
                else:
                    pending.append(rec)
                done += 1
                if done % self.cfg.progress_every == 0 or done == total:
                    rate = done / max(time.perf_counter() - start, 1e-6)
                    self.progress(f"fetched {done}/{total} pages ({rate:.1f} pages/s)")
                if cache and len(pending) >= 200:
                    cache.put_many(pending)
                    pending.clear()
            self.report.requests += fetcher.requests
        if candidates:
            await self._render(candidates, out)
            pending.extend(out[pid] for pid in candidates)
        if cache:
            cache.put_many(pending)
        return out

    async def _render(self, candidates: dict[str, str], out: dict[str, dict]) -> None:
        """Re-fetch script-rendered pages in Chromium; keep the static result if that fails."""
        self.report.browser_reasons.update(candidates.values())
        by_url: dict[str, list[str]] = defaultdict(list)
        for pid in candidates:
            by_url[out[pid]["final_url"] or out[pid]["url"]].append(pid)
        self.progress(f"rendering {len(by_url)} script-rendered pages in Chromium")
        try:
            with browser_mod.chromium_cdp() as cdp_url:
                results = await browser_mod.render_many(list(by_url), self.cfg.browser, cdp_url)
        except Exception as exc:  # no Chromium, crashed browser: static results stand
            self.progress(f"browser unavailable, keeping static results: {exc}")
            return
        self.report.requests += len(results)
        for final_url, res in results.items():
            if res.outcome != outcomes.OK:  # the static page (200, little text) beats no page
                self.report.browser_failures += 1
                self.progress(f"browser failed on {final_url} ({res.error_message}); kept static")
                continue
            for pid in by_url.get(final_url, []):
                out[pid] = await self._browser_record(pid, out[pid]["url"], final_url, res)

    async def _browser_record(self, pid: str, url: str, asked: str, res: FetchResult) -> dict:
        self.report.host_ms[host_of(url)].append(res.elapsed_ms)
        try:
            if res.final_url and res.final_url != asked:
                await self.policy.check(res.final_url)  # the browser followed a redirect
            rec, _ = await _from_fetch(pid, url, res, "browser")
        except (RefusedURLError, ResolveError) as exc:
            rec = _error_record(pid, url, outcomes.REFUSED, exc)
            rec["fetcher"] = "browser"
        except Exception as exc:
            rec = _error_record(pid, url, outcomes.ERROR, exc)
            rec["fetcher"] = "browser"
        return rec


def _group(items: Iterable[CrawlItem]) -> tuple[dict[str, str], dict[str, dict], dict[str, str]]:
    """(id -> normalized url, id -> {linked_from, anchors}, id -> invalid reason)."""
    urls: dict[str, str] = {}
    links: dict[str, dict] = {}
    invalid: dict[str, str] = {}
    seen: dict[str, str] = {}  # raw url -> id: one URL linked 100,000 times is normalized once
    for item in items:
        pid = seen.get(item.url)
        if pid is None:
            try:
                url = normalize_url(item.url)
            except InvalidURLError as exc:
                url = (item.url or "").strip()
                invalid[url_id(url)] = str(exc)
            pid = seen[item.url] = url_id(url)
            urls[pid] = url
        # Ordered sets (dict keys): a list membership test per item was quadratic.
        entry = links.setdefault(pid, {"linked_from": {}, "anchor_texts": {}})
        if item.linked_from:
            entry["linked_from"][item.linked_from] = None
        anchor = " ".join((item.anchor or "").split())
        if anchor:
            entry["anchor_texts"][anchor] = None
    return urls, {p: {k: list(v) for k, v in e.items()} for p, e in links.items()}, invalid


def crawl(
    items: Iterable[CrawlItem], config: CrawlConfig, progress: Progress | None = None
) -> CrawlReport:
    """Crawl the distinct URLs of `items`; one row per URL, sorted by id."""
    start = time.perf_counter()
    report = CrawlReport(rows=[])
    urls, links, invalid = _group(items)
    cache = None
    if config.cache_path is not None:
        cache = CrawlCache(
            config.cache_path, config.cache_max_age_hours, config.failure_cache_max_age_hours
        )
    records: dict[str, dict] = {}
    for pid, reason in invalid.items():
        records[pid] = _error_record(pid, urls[pid], outcomes.INVALID_URL, InvalidURLError(reason))
    cached = cache.get_many(p for p in urls if p not in invalid) if cache else {}
    # Rows cached before the empty-content rule (ok, no text) are fetched again.
    cached = {
        p: r for p, r in cached.items() if r["outcome"] != outcomes.OK or r["content"].strip()
    }
    report.cache_hits = len(cached)
    todo = {p: u for p, u in urls.items() if p not in invalid and p not in cached}
    progress and progress(
        f"{len(urls)} distinct URLs: {len(cached)} fresh in cache, "
        f"{len(todo)} to fetch, {len(invalid)} invalid"
    )
    if todo:
        records.update(asyncio.run(_Crawl(config, progress, report).run(todo, cache)))
    for pid in sorted(urls):
        rec = dict(cached.get(pid) or records[pid])
        rec["from_cache"] = pid in cached
        rec["fetched_at"] = datetime.fromisoformat(rec["fetched_at"])
        rec.update(links[pid])
        report.rows.append(rec)
    report.elapsed_s = time.perf_counter() - start
    return report

"""Static fetching with httpx: bounded, retried, size- and time-limited, redirect- and SSRF-safe.

Redirects are followed by hand so every hop passes the safety policy and loops are caught. Retries
use exponential backoff with jitter (429, 5xx, timeouts, dropped connections) and honour
Retry-After up to a cap; there is no fixed sleep anywhere.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from secondbrain_assets.core.crawl import defaults, outcomes
from secondbrain_assets.core.crawl.charset import decode_html, is_html, sniff_non_html
from secondbrain_assets.core.crawl.location_guard import REDIRECT_CODES, LocationGuard
from secondbrain_assets.core.crawl.safety import (
    IPAddress,
    RefusedURLError,
    ResolveError,
    SafetyPolicy,
)
from secondbrain_assets.core.crawl.urls import InvalidURLError, host_of, normalize_url

RETRY_CODES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchSettings:
    max_concurrency: int = defaults.MAX_CONCURRENCY
    per_host_concurrency: int = defaults.PER_HOST_CONCURRENCY
    timeout_s: float = defaults.TIMEOUT_S
    max_bytes: int = defaults.MAX_BYTES
    retries: int = defaults.RETRIES
    backoff_base_s: float = 0.5
    backoff_max_s: float = 8.0
    retry_after_cap_s: float = 30.0
    max_redirects: int = defaults.MAX_REDIRECTS
    user_agent: str = defaults.USER_AGENT


@dataclass
class FetchResult:
    url: str
    outcome: str  # one of core/crawl/outcomes.py
    final_url: str | None = None
    status_code: int | None = None
    content_type: str | None = None
    html: str | None = None
    error_class: str | None = None
    error_message: str | None = None
    elapsed_ms: float = 0.0
    requests: int = 0


def _failed(url: str, outcome: str, current: str, cls: str, message: str) -> FetchResult:
    return FetchResult(url, outcome, current, error_class=cls, error_message=message or cls)


class _Retryable(Exception):
    def __init__(self, delay_hint: float | None, result: FetchResult) -> None:
        super().__init__(result.error_message)
        self.delay_hint = delay_hint
        self.result = result


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpFetcher:
    """Use as `async with HttpFetcher(settings, policy) as f: await f.fetch(url)`."""

    def __init__(self, settings: FetchSettings, policy: SafetyPolicy) -> None:
        self.settings = settings
        self.policy = policy
        self.requests = 0
        self._global = asyncio.Semaphore(settings.max_concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.per_host_concurrency)
        )
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> HttpFetcher:
        s = self.settings
        transport = httpx.AsyncHTTPTransport(
            limits=httpx.Limits(
                max_connections=s.max_concurrency, max_keepalive_connections=s.max_concurrency
            ),
            trust_env=False,
        )
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(s.timeout_s, connect=min(10.0, s.timeout_s)),
            transport=LocationGuard(transport),
            headers={"User-Agent": s.user_agent, "Accept": "text/html,application/xhtml+xml,*/*"},
            trust_env=False,  # a proxy from the environment would bypass the address checks
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def fetch(self, url: str) -> FetchResult:
        """Fetch one URL; never raises for a per-URL problem, the outcome says what happened."""
        start = time.perf_counter()
        result = await self._follow(url)
        result.elapsed_ms = (time.perf_counter() - start) * 1000
        return result

    async def _follow(self, url: str) -> FetchResult:
        seen: set[str] = set()
        current, requests = url, 0
        for _hop in range(self.settings.max_redirects + 1):
            seen.add(current)
            try:
                # IPv4 first: hosts often publish AAAA records this machine cannot route to.
                addresses = await self.policy.check(current)
                addresses = sorted(dict.fromkeys(addresses), key=lambda a: a.version)
            except RefusedURLError as exc:
                return FetchResult(
                    url,
                    outcomes.REFUSED,
                    current,
                    error_class="RefusedURL",
                    error_message=str(exc),
                    requests=requests,
                )
            except ResolveError as exc:
                return FetchResult(
                    url,
                    outcomes.NETWORK_ERROR,
                    current,
                    error_class="DNSError",
                    error_message=str(exc),
                    requests=requests,
                )
            for ip in addresses[:3]:  # the next address only when connecting failed
                result, location = await self._with_retries(url, current, ip)
                requests += result.requests
                if result.error_class != "ConnectError":
                    break
            result.requests = requests
            if location is None:
                return result
            try:
                nxt = normalize_url(urljoin(current, location))
            except InvalidURLError as exc:
                result.outcome, result.error_class = outcomes.INVALID_URL, "InvalidRedirect"
                result.error_message = f"redirect to unusable URL {location!r}: {exc}"
                return result
            if nxt in seen:
                result.outcome, result.error_class = outcomes.REDIRECT_LOOP, "RedirectLoop"
                result.error_message = f"redirect loop: {current} -> {nxt} was already visited"
                return result
            current = nxt
        msg = f"more than {self.settings.max_redirects} redirects"
        result = _failed(url, outcomes.REDIRECT_LOOP, current, "TooManyRedirects", msg)
        result.requests = requests
        return result

    async def _with_retries(
        self, url: str, current: str, pinned: IPAddress
    ) -> tuple[FetchResult, str | None]:
        s, made = self.settings, 0
        for attempt in range(s.retries + 1):
            try:
                made += 1
                result, location = await self._attempt(url, current, pinned)
                result.requests = made
                return result, location
            except _Retryable as exc:
                exc.result.requests = made
                delay = s.backoff_base_s * 2**attempt
                delay = min(s.backoff_max_s, delay + random.uniform(0, delay))  # full jitter
                if exc.delay_hint is not None:
                    if exc.delay_hint > s.retry_after_cap_s:
                        return exc.result, None  # the server asks for more patience than we have
                    delay = max(delay, exc.delay_hint)
                if attempt == s.retries:
                    return exc.result, None
                await asyncio.sleep(delay)  # backoff between attempts, outside the semaphores
        raise AssertionError("unreachable")

    async def _attempt(
        self, url: str, current: str, pinned: IPAddress
    ) -> tuple[FetchResult, str | None]:
        assert self._client is not None, "use HttpFetcher as an async context manager"
        async with self._global, self._hosts[host_of(current)]:
            self.requests += 1
            try:
                return await asyncio.wait_for(
                    self._request(url, current, pinned), self.settings.timeout_s
                )
            except (TimeoutError, httpx.TimeoutException) as exc:
                msg = f"no complete response within {self.settings.timeout_s:g} s"
                res = _failed(url, outcomes.TIMEOUT, current, "Timeout", msg)
                raise _Retryable(None, res) from exc
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
                res = _failed(url, outcomes.NETWORK_ERROR, current, type(exc).__name__, str(exc))
                raise _Retryable(None, res) from exc
            except httpx.TransportError as exc:  # connection refused, TLS failure, ...
                res = _failed(url, outcomes.NETWORK_ERROR, current, type(exc).__name__, str(exc))
                return res, None

    async def _request(
        self, url: str, current: str, pinned: IPAddress
    ) -> tuple[FetchResult, str | None]:
        assert self._client is not None
        # Connect to the vetted address; the name travels in Host and TLS SNI (and is verified).
        target = httpx.URL(current)
        ext = {"sni_hostname": target.raw_host.decode("ascii")} if target.scheme == "https" else {}
        request = self._client.build_request(
            "GET",
            target.copy_with(host=str(pinned)),
            headers={"Host": target.netloc.decode()},
            extensions=ext,
        )
        resp = await self._client.send(request, stream=True)
        async with contextlib.aclosing(resp):
            status = resp.status_code
            ctype = resp.headers.get("content-type")
            res = FetchResult(url, outcomes.OK, current, status, ctype)
            if status in REDIRECT_CODES and resp.headers.get("location"):
                return res, resp.headers["location"]
            if status in REDIRECT_CODES and (refused := resp.headers.get("x-refused-location")):
                res.outcome, res.error_class = outcomes.REFUSED, "RefusedRedirect"
                res.error_message = f"redirect to a non-http(s) URL: {refused[:300]}"
                return res, None
            if status in RETRY_CODES:
                res.outcome, res.error_class = outcomes.HTTP_ERROR, f"HTTP{status}"
                res.error_message = f"server answered {status} {resp.reason_phrase}"
                raise _Retryable(_retry_after(resp.headers.get("retry-after")), res)
            if status >= 400:
                res.outcome, res.error_class = outcomes.HTTP_ERROR, f"HTTP{status}"
                res.error_message = f"server answered {status} {resp.reason_phrase}"
                return res, None
            if ctype and not is_html(ctype):
                res.outcome, res.error_class = outcomes.SKIPPED_CONTENT_TYPE, "NotHTML"
                res.error_message = f"content type {ctype.split(';')[0]} is not HTML"
                return res, None
            length = resp.headers.get("content-length", "")
            declared = int(length) if length.isdigit() else 0
            if declared > self.settings.max_bytes:
                return self._too_large(res, declared), None
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body.extend(chunk)
                if len(body) > self.settings.max_bytes:
                    return self._too_large(res, len(body)), None
                if len(body) == len(chunk) and (kind := sniff_non_html(bytes(body[:1024]), ctype)):
                    res.outcome, res.error_class = outcomes.SKIPPED_CONTENT_TYPE, "NotHTML"
                    res.error_message = f"body looks like {kind} despite content type {ctype}"
                    return res, None
            res.html = decode_html(bytes(body), ctype)
            return res, None

    def _too_large(self, res: FetchResult, size: int) -> FetchResult:
        res.outcome, res.error_class = outcomes.TOO_LARGE, "TooLarge"
        res.error_message = f"body exceeds {self.settings.max_bytes} bytes (at least {size})"
        return res

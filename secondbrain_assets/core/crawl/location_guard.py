"""A transport wrapper that keeps a redirect to a non-http(s) target from crashing the crawl."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


class LocationGuard(httpx.AsyncBaseTransport):
    """Hide a redirect's non-http(s) Location (`javascript:`, `mailto:`, `data:`) from httpx.

    httpx builds the next request of every redirect even when it does not follow it, and raises
    InvalidURL inside `send` for such targets; moved to `x-refused-location`, the crawler can
    record the target instead of crashing.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        location = response.headers.get("location")
        if location is not None and response.status_code in REDIRECT_CODES:
            scheme = urlsplit(location.strip()).scheme.lower()
            try:
                usable = scheme in ("", "http", "https") and request.url.join(location) is not None
            except (httpx.InvalidURL, ValueError):
                usable = False
            if not usable:
                response.headers["x-refused-location"] = location
                del response.headers["location"]
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()

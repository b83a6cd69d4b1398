"""The `outcome` vocabulary of `crawled_pages`: what happened to each link, one definition.

Plain strings (they are Parquet values and cache keys), grouped the way the crawler, its cache
and the checks need them.
"""

from __future__ import annotations

OK = "ok"
HTTP_ERROR = "http_error"  # 4xx/5xx after retries
TIMEOUT = "timeout"
NETWORK_ERROR = "network_error"  # DNS, refused connection, TLS, dropped link
REDIRECT_LOOP = "redirect_loop"  # a loop or more hops than allowed
TOO_LARGE = "too_large"  # body over max_bytes
ERROR = "error"  # anything unexpected, recorded rather than raised
REFUSED = "refused"  # private or loopback address, not allowed by the safety settings
INVALID_URL = "invalid_url"
SKIPPED_CONTENT_TYPE = "skipped_content_type"  # PDF, image, ...: not an HTML page
NO_CONTENT = "no_content"  # an HTML page with no visible text at all (never "ok" and empty)

ALL = frozenset(
    {
        OK,
        HTTP_ERROR,
        TIMEOUT,
        NETWORK_ERROR,
        REDIRECT_LOOP,
        TOO_LARGE,
        ERROR,
        REFUSED,
        INVALID_URL,
        SKIPPED_CONTENT_TYPE,
        NO_CONTENT,
    }
)
# "We wanted the page and did not get it". Refused, invalid and non-HTML links are decisions
# about the link, not failures of the crawl.
FAILURES = frozenset({HTTP_ERROR, TIMEOUT, NETWORK_ERROR, REDIRECT_LOOP, TOO_LARGE, ERROR})
# Worth retrying soon: cached only briefly (5xx and 429 HTTP errors too, by status code).
TRANSIENT = frozenset({TIMEOUT, NETWORK_ERROR, ERROR})
# A refusal depends on the safety settings, not on the page: decided afresh on every run.
UNCACHED = frozenset({REFUSED, INVALID_URL})

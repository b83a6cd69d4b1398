"""Default crawler settings, one definition for the core dataclasses and the Dagster resource.

`FetchSettings`, `BrowserSettings`, `CrawlConfig` (core) and `CrawlerResource` (the UI's config)
all read these, so a default changed here changes everywhere. Plain constants: importing this
module costs nothing.
"""

from __future__ import annotations

USER_AGENT = "secondbrain-crawler/0.1 (personal knowledge base; respectful, cached)"

MAX_CONCURRENCY = 32  # requests in flight, all hosts together
PER_HOST_CONCURRENCY = 4
TIMEOUT_S = 20.0  # per request, whole response
MAX_BYTES = 5_000_000
RETRIES = 2
MAX_REDIRECTS = 10

BROWSER_CONCURRENCY = 4  # Chromium tabs at once
BROWSER_TIMEOUT_S = 30.0
USE_BROWSER = True

CACHE_MAX_AGE_HOURS = 24 * 7  # a page, a 404 or a PDF is reused for a week
FAILURE_CACHE_MAX_AGE_HOURS = 1.0  # a transient failure for an hour

"""`crawled_pages`: every distinct web page an export links to, as main-content markdown.

No `from __future__ import annotations`: Dagster reads the context annotation at runtime.
"""

import dagster as dg
import polars as pl

from secondbrain_assets.lib.checks import partitioned_check
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.versions import versioned_output
from secondbrain_assets.resources.crawler import CrawlerResource

# Outcomes that mean "we wanted the page and did not get it"; refused, invalid and non-HTML links
# are decisions about the link, not failures of the crawl.
FAILURE_OUTCOMES = ("http_error", "timeout", "network_error", "redirect_loop", "too_large", "error")

class FailureShareConfig(dg.Config):
    # Personal notes collect dead links over the years; above this share something is off
    # (network down, a blocking proxy) and the check warns.
    max_failure_share: float = 0.3


@dg.asset(
    partitions_def=notion_exports,
    code_version="1",
    group_name="ingest",
    kinds={"python", "polars"},
)
def crawled_pages(
    context: dg.AssetExecutionContext,
    crawler: CrawlerResource,
    notion_docs: pl.DataFrame,
) -> dg.Output[pl.DataFrame]:
    """One row per distinct http(s) URL linked from the export: final URL, status, title, main
    content as markdown, fetch time and, on failure, the outcome and error. Pages fresh in the
    shared crawl cache are not fetched again."""
    from secondbrain_assets.core.crawl.crawler import crawl
    from secondbrain_assets.core.crawl.frame import items_from_docs, to_frame

    items = items_from_docs(notion_docs)
    report = crawl(items, crawler.crawl_config(), progress=context.log.info)
    frame = to_frame(report.rows, context.partition_key)
    outcomes = report.count("outcome")
    fetched = frame.filter(~pl.col("from_cache"))
    metadata = {
        "dagster/row_count": frame.height,
        "links": len(items),
        "distinct_urls": frame.height,
        "by_outcome": dg.MetadataValue.json(outcomes),
        "by_fetcher": dg.MetadataValue.json(report.count("fetcher")),
        "browser_reasons": dg.MetadataValue.json(dict(report.browser_reasons)),
        "browser_failures_kept_static": report.browser_failures,
        "ok": outcomes.get("ok", 0),
        "cache_hits": report.cache_hits,
        "requests_made": report.requests,
        "fetched_pages": fetched.height,
        "elapsed_seconds": round(report.elapsed_s, 3),
        "pages_per_second": round(fetched.height / report.elapsed_s, 1) if report.elapsed_s else 0,
        "slowest_hosts": dg.MetadataValue.md(_slowest_hosts_md(report.host_ms)),
    }
    version_columns = ["doc_id", "content_hash", "outcome", "status_code", "title"]
    return versioned_output(frame, version_columns, metadata)


def _slowest_hosts_md(host_ms: dict[str, list[float]], top: int = 10) -> str:
    if not host_ms:
        return "no pages fetched (all cached or no links)"
    rows = sorted(host_ms.items(), key=lambda kv: max(kv[1]), reverse=True)[:top]
    lines = ["| host | pages | mean ms | max ms |", "|---|---:|---:|---:|"]
    for host, times in rows:
        lines.append(f"| {host or '(none)'} | {len(times)} | {sum(times) / len(times):.0f} | "
                     f"{max(times):.0f} |")
    return "\n".join(lines)


@partitioned_check(crawled_pages, blocking=True)
def crawled_pages_ids_unique(crawled_pages: pl.DataFrame) -> dg.AssetCheckResult:
    """Each normalized URL appears once (doc_id unique)."""
    duplicates = crawled_pages.height - crawled_pages["doc_id"].n_unique()
    return dg.AssetCheckResult(passed=duplicates == 0, metadata={"duplicates": duplicates})


@partitioned_check(crawled_pages)
def crawled_pages_failure_share(
    config: FailureShareConfig, crawled_pages: pl.DataFrame
) -> dg.AssetCheckResult:
    """Share of links that failed (HTTP error, timeout, network error, redirect loop, too large)
    is below the threshold."""
    frame, limit = crawled_pages, config.max_failure_share
    failures = frame.filter(pl.col("outcome").is_in(FAILURE_OUTCOMES)).height
    share = failures / frame.height if frame.height else 0.0
    return dg.AssetCheckResult(
        passed=share <= limit,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"failures": failures, "failure_share": round(share, 4),
                  "max_failure_share": limit},
        description=None if share <= limit else (
            f"{failures} of {frame.height} links failed; see the outcome and error_message "
            "columns (network down? blocked by a proxy?)"),
    )

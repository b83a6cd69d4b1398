"""`crawled_pages`: every distinct web page an export links to, as main-content markdown.

No `from __future__ import annotations`: Dagster reads the context annotation at runtime.
"""

import dagster as dg
import polars as pl
from pydantic import Field

from secondbrain_assets.core.crawl.outcomes import FAILURES, OK
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.automation import follows_upstream
from secondbrain_assets.lib.checks import Share, ids_unique_check, share_below_check
from secondbrain_assets.lib.execution import POOL_CRAWL, QUEUE_IO, on_queue
from secondbrain_assets.lib.versions import versioned_output
from secondbrain_assets.resources.crawler import CrawlerResource


class FailureShareConfig(dg.Config):
    max_failure_share: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="Largest share of links that may fail (HTTP error, timeout, network error, "
        "redirect loop, too large). Personal notes collect dead links over the years; above "
        "this share something is off (network down, a blocking proxy).",
    )


@dg.asset(
    partitions_def=notion_exports,
    code_version="2",
    group_name="ingest",
    op_tags=on_queue(QUEUE_IO),
    pool=POOL_CRAWL,
    automation_condition=follows_upstream(),
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
        "ok": outcomes.get(OK, 0),
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
        lines.append(
            f"| {host or '(none)'} | {len(times)} | {sum(times) / len(times):.0f} | "
            f"{max(times):.0f} |"
        )
    return "\n".join(lines)


crawled_pages_ids_unique = ids_unique_check(
    crawled_pages,
    description="Each normalized URL appears once (doc_id unique): ids key the upserts downstream.",
)


def _failures(crawled_pages: pl.DataFrame) -> Share:
    failed = crawled_pages.filter(pl.col("outcome").is_in(sorted(FAILURES)))
    by_outcome = dict(failed.group_by("outcome").len().iter_rows())
    return Share(
        failed.height, crawled_pages.height, {"by_outcome": dg.MetadataValue.json(by_outcome)}
    )


crawled_pages_failure_share = share_below_check(
    crawled_pages,
    "failure_share",
    config_class=FailureShareConfig,
    limit_field="max_failure_share",
    measure=_failures,
    counted="failures",
    hint="links failed; see the outcome and error_message columns (network down? blocked by a "
    "proxy?)",
    description="Share of links that failed (HTTP error, timeout, network error, redirect loop, "
    "too large) is below the threshold (WARN).",
)

"""`mongo_collection`: the scored documents of one export, synced into MongoDB, with its checks.

The asset joins heuristic_scores and llm_scores (core/store/documents.py); `mongo_io_manager`
writes the rows. The checks query the store itself, so `asset_checks_job` can re-run them later.
"""

import dagster as dg
import polars as pl

from secondbrain_assets.core.store import queries
from secondbrain_assets.core.store.documents import join_scores
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.lib.automation import follows_upstream
from secondbrain_assets.lib.checks import ids_unique_check, partitioned_check
from secondbrain_assets.lib.execution import QUEUE_IO, on_queue
from secondbrain_assets.lib.versions import versioned_output
from secondbrain_assets.resources.mongo import MongoResource


@dg.asset(
    partitions_def=notion_exports,
    io_manager_key="mongo_io_manager",
    code_version="1",
    group_name="store",
    op_tags=on_queue(QUEUE_IO),
    automation_condition=follows_upstream(),
    kinds={"mongodb", "polars"},
    # Store outages (restarts, failovers) are usually brief; re-running a sync is safe.
    retry_policy=dg.RetryPolicy(
        max_retries=3, delay=5, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
    ),
)
def mongo_collection(
    heuristic_scores: pl.DataFrame, llm_scores: pl.DataFrame
) -> dg.Output[pl.DataFrame]:
    """Every scored document of the export, upserted by stable id into the MongoDB collection."""
    rows = join_scores(heuristic_scores, llm_scores)
    statuses = dict(rows.group_by("quality_status").len().iter_rows())
    return versioned_output(
        rows,
        ["doc_id", "content_hash", "quality_score"],
        {f"status_{k}": int(v) for k, v in statuses.items()},
    )


_UPSTREAM = {"heuristic_scores": dg.AssetIn(partition_mapping=dg.IdentityPartitionMapping())}


@partitioned_check(mongo_collection, additional_ins=_UPSTREAM)
def mongo_collection_count_matches_upstream(
    context: dg.AssetCheckExecutionContext, mongo: MongoResource, heuristic_scores: pl.DataFrame
) -> dg.AssetCheckResult:
    """Documents stored for the export == heuristic_scores rows (every scored document)."""
    with mongo.get_collection() as collection:
        stored = collection.count_documents(queries.in_export(context.partition_key))
    upstream = heuristic_scores.height
    return dg.AssetCheckResult(
        passed=stored == upstream, metadata={"stored": stored, "upstream": upstream}
    )


@partitioned_check(mongo_collection)
def mongo_collection_every_document_scored(
    context: dg.AssetCheckExecutionContext, mongo: MongoResource
) -> dg.AssetCheckResult:
    """No stored document of the export without a quality score."""
    with mongo.get_collection() as collection:
        unscored = collection.count_documents(queries.unscored_in_export(context.partition_key))
        llm_errors = collection.count_documents(queries.llm_errors_in_export(context.partition_key))
    # A failed LLM call is recorded (status llm_error) and only warns; a null score with any
    # other status is the silent "unscored" bug of the original project and is an error.
    silent = unscored - llm_errors
    return dg.AssetCheckResult(
        passed=unscored == 0,
        severity=dg.AssetCheckSeverity.ERROR if silent else dg.AssetCheckSeverity.WARN,
        metadata={"without_score": unscored, "llm_error": llm_errors, "unexplained": silent},
    )


# MongoDB keys documents by `_id`, so duplicates collapse on upsert and cannot be seen in the
# store: the ids are checked where the store reads them. A collapse also fails the count check.
mongo_collection_ids_unique = ids_unique_check(
    mongo_collection,
    source="heuristic_scores",
    blocking=False,
    description="The doc ids the store upserts (from heuristic_scores) are unique: a duplicate "
    "would collapse two documents into one.",
)

store_checks = [
    mongo_collection_count_matches_upstream,
    mongo_collection_every_document_scored,
    mongo_collection_ids_unique,
]

"""mongo_collection materialized by Dagster with the embedded store, and its checks."""

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.defs.store import mongo_collection, store_checks
from secondbrain_assets.io.mongo import MongoIOManager
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets.resources.mongo import MongoResource
from secondbrain_assets_tests.core.store.engines import raw_scores

IDS = [f"{i:032x}" for i in range(40)]
UPSTREAM: dict[str, tuple[pl.DataFrame, pl.DataFrame]] = {}


# Test-only stand-ins with the real upstream keys; their frames are set per test.
@dg.asset(partitions_def=notion_exports)
def heuristic_scores(context: dg.AssetExecutionContext) -> pl.DataFrame:
    return UPSTREAM[context.partition_key][0]


@dg.asset(partitions_def=notion_exports, deps=[heuristic_scores])
def llm_scores(context: dg.AssetExecutionContext) -> pl.DataFrame:
    return UPSTREAM[context.partition_key][1]


@pytest.fixture
def resources(data_dir: Path) -> dict[str, object]:
    mongo = MongoResource(uri="")  # embedded nx-27017 under data_dir/store, even if MONGODB_URI set
    return {
        "io_manager": PolarsParquetIOManager(base_dir=str(data_dir / "assets")),
        "mongo": mongo,
        "mongo_io_manager": MongoIOManager(mongo=mongo, write_batch_size=16),
    }


def _run(instance: dg.DagsterInstance, key: str, resources: dict) -> dg.ExecuteInProcessResult:
    if key not in instance.get_dynamic_partitions("notion_exports"):
        instance.add_dynamic_partitions("notion_exports", [key])
    return dg.materialize(
        [
            heuristic_scores,
            llm_scores,
            mongo_collection,
            *store_checks,
        ],
        partition_key=key,
        instance=instance,
        resources=resources,
        raise_on_error=False,
    )


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def _meta(result: dg.ExecuteInProcessResult) -> dict:
    mat = result.asset_materializations_for_node("mongo_collection")[0]
    return {k: v.value for k, v in mat.metadata.items()}


def test_materialize_twice_is_idempotent_and_checks_pass(resources: dict) -> None:
    instance = dg.DagsterInstance.ephemeral()
    UPSTREAM["A"] = raw_scores("A", IDS[:30])
    UPSTREAM["B"] = raw_scores("B", IDS[20:40])

    first = _run(instance, "A", resources)
    assert first.success
    meta = _meta(first)
    assert meta["dagster/row_count"] == 30 and meta["inserted"] == 30 and meta["batches"] == 2
    assert meta["status_rejected_by_heuristics"] == 6 and meta["status_scored"] == 24
    checks = _checks(first)
    assert set(checks) == {
        "mongo_collection_count_matches_upstream",
        "mongo_collection_every_document_scored",
        "mongo_collection_ids_unique",
    }
    assert all(c.passed for c in checks.values())

    second = _run(instance, "A", resources)
    assert second.success
    assert (_meta(second)["inserted"], _meta(second)["updated"], _meta(second)["unchanged"]) == (
        0,
        0,
        30,
    )

    other = _run(instance, "B", resources)
    assert other.success and _meta(other)["export_added"] == 10
    assert _checks(other)["mongo_collection_count_matches_upstream"].metadata["stored"].value == 20
    with resources["mongo"].get_collection() as coll:
        assert coll.count_documents({}) == 40
        assert coll.count_documents({"exports": {"$all": ["A", "B"]}}) == 10


def test_llm_errors_fail_the_score_check_as_a_warning(resources: dict) -> None:
    heuristic, llm = raw_scores("C", IDS[:10])
    llm = llm.with_columns(
        pl.when(pl.col("doc_id") == IDS[1])
        .then(pl.lit("error"))
        .otherwise("llm_status")
        .alias("llm_status")
    )
    UPSTREAM["C"] = (heuristic, llm)
    result = _run(dg.DagsterInstance.ephemeral(), "C", resources)
    assert result.success
    scored = _checks(result)["mongo_collection_every_document_scored"]
    assert not scored.passed and scored.severity == dg.AssetCheckSeverity.WARN
    assert scored.metadata["llm_error"].value == 1 and scored.metadata["unexplained"].value == 0
    assert _checks(result)["mongo_collection_count_matches_upstream"].passed


def test_duplicate_upstream_ids_fail_count_and_unique_checks(resources: dict) -> None:
    heuristic, llm = raw_scores("D", IDS[:10])
    UPSTREAM["D"] = (pl.concat([heuristic, heuristic.head(2)]), llm)
    result = _run(dg.DagsterInstance.ephemeral(), "D", resources)
    checks = _checks(result)
    unique = checks["mongo_collection_ids_unique"]
    assert not unique.passed and unique.metadata["duplicate_ids"].value == 2
    assert unique.metadata["ids_read_from"].value == "heuristic_scores"
    # 12 rows upstream, 10 documents stored
    assert not checks["mongo_collection_count_matches_upstream"].passed


def test_asset_declares_partitions_retries_and_code_version() -> None:
    spec = mongo_collection.specs_by_key[dg.AssetKey("mongo_collection")]
    assert spec.partitions_def == notion_exports and spec.code_version
    policy = mongo_collection.op.retry_policy
    assert policy is not None and policy.max_retries >= 3
    assert policy.backoff == dg.Backoff.EXPONENTIAL
    assert {d.asset_key.path[-1] for d in spec.deps} == {"heuristic_scores", "llm_scores"}

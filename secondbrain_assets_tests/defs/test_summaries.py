"""`summaries` materialized by Dagster: documents read from the embedded store through
`mongo_io_manager` (score floor on the server), the OpenAI-compatible stand-in as summarizer,
metadata (histograms, reasons), checks, and a cached re-materialization with 0 calls."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.defs.store import mongo_collection
from secondbrain_assets.defs.summaries import summaries, summaries_ok_rows_valid
from secondbrain_assets.defs.summaries import summaries_reject_share as reject_share
from secondbrain_assets.io.mongo import MongoIOManager
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets.resources.llm import LLMResource
from secondbrain_assets.resources.mongo import MongoResource
from secondbrain_assets_tests.core.llm.fixtures import GOOD_DOC
from secondbrain_assets_tests.core.summarize.servers import Reply, StandIn, stand_in  # noqa: F401

PARAGRAPH = GOOD_DOC.split("\n\n")[1]
# doc id -> (content, llm score or None = the judge failed)
DOCS: dict[str, tuple[str, float | None]] = {
    "good-tcp": (GOOD_DOC, 0.9),
    "good-bbr": (GOOD_DOC.replace("TCP", "BBR"), 0.8),
    "copycat": (GOOD_DOC.replace("TCP", "QUIC"), 0.7),
    "weak": (GOOD_DOC.replace("TCP", "UDP"), 0.2),
    "unscored": (GOOD_DOC.replace("TCP", "SCTP"), None),
    "tiny": ("TCP notes: cwnd, ssthresh.", 0.95),
}
SUMMARY = "Senders cap in-flight data with a congestion window: fast growth, halving on loss."


@dg.asset(partitions_def=notion_exports)
def heuristic_scores() -> pl.DataFrame:
    n = len(DOCS)
    return pl.DataFrame(
        {
            "doc_id": list(DOCS),
            "export_key": ["e1"] * n,
            "source": ["notion"] * n,
            "title": [d.title() for d in DOCS],
            "url": [None] * n,
            "parent_id": [None] * n,
            "content": [c for c, _ in DOCS.values()],
            "content_hash": [f"h-{d}" for d in DOCS],
            "n_chars": [len(c) for c, _ in DOCS.values()],
            "heuristic_score": [0.9] * n,
            "failed_rules": [[] for _ in DOCS],
            "heuristic_pass": [True] * n,
        },
        schema_overrides={"url": pl.String, "parent_id": pl.String},
    )


@dg.asset(partitions_def=notion_exports, deps=[heuristic_scores])
def llm_scores() -> pl.DataFrame:
    ok = [s is not None for _, s in DOCS.values()]
    return pl.DataFrame(
        {
            "doc_id": list(DOCS),
            "llm_score": [s for _, s in DOCS.values()],
            "llm_confidence": [0.8] * len(DOCS),
            "llm_reason": ["test"] * len(DOCS),
            "llm_backend": ["test"] * len(DOCS),
            "llm_model": ["none"] * len(DOCS),
            "prompt_version": ["p1"] * len(DOCS),
            "llm_status": ["ok" if o else "error" for o in ok],
            "llm_error": [None if o else "judge timed out" for o in ok],
        },
        schema_overrides={"llm_score": pl.Float64, "llm_error": pl.String},
    )


def _reply(request) -> Reply:
    if "QUIC" in request.document:
        return Reply(PARAGRAPH.replace("TCP", "QUIC")[:250])  # a copy, whatever the seed
    if request.seed % 100 == 0 and request.temperature > 0:
        return Reply(SUMMARY * 5)  # first try at each temperature runs long
    return Reply(SUMMARY)


@pytest.fixture
def resources(data_dir: Path, stand_in: StandIn) -> dict:  # noqa: F811
    stand_in.reply = _reply
    mongo = MongoResource(uri="")
    llm = LLMResource(
        summarizer_backend="openai",
        summarizer_model="summarizer-7b",
        openai_base_url=stand_in.url + "/v1",
    )
    return {
        "io_manager": PolarsParquetIOManager(base_dir=str(data_dir / "assets")),
        "mongo": mongo,
        "mongo_io_manager": MongoIOManager(mongo=mongo),
        "llm": llm,
    }


def _materialize(instance: dg.DagsterInstance, resources: dict) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [
            heuristic_scores,
            llm_scores,
            mongo_collection,
            summaries,
            summaries_ok_rows_valid,
            reject_share,
        ],
        partition_key="e1",
        instance=instance,
        resources=resources,
        raise_on_error=False,
    )


def _meta(result: dg.ExecuteInProcessResult) -> dict:
    [mat] = result.asset_materializations_for_node("summaries")
    return {k: v.value for k, v in mat.metadata.items()}


def test_summaries_from_the_store_with_metadata_checks_and_cache(
    resources: dict,
    stand_in: StandIn,  # noqa: F811
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", ["e1"])
    first = _materialize(instance, resources)
    assert first.success
    table = first.output_for_node("summaries")
    # Weak (0.2) and unscored documents never arrive; a 26-character note needs no summary.
    assert set(table["doc_id"]) == {"good-tcp", "good-bbr", "copycat"}
    ok = table.filter(pl.col("status") == "ok")
    assert set(ok["doc_id"]) == {"good-tcp", "good-bbr"}
    assert ok.height == 8 and set(ok["temperature"]) == {0.0, 0.125, 0.25, 0.375}
    assert (ok["answer"] == SUMMARY).all() and (ok["attempt"] == ok["temperature"].gt(0)).all()
    assert set(table.filter(pl.col("doc_id") == "copycat")["reject_reason"]) == {"copy_of_input"}

    meta = _meta(first)
    assert meta["reject_reasons"] == {"copy_of_input": 10, "over_budget": 6}
    assert meta["ok"] == 8 and meta["rejected"] == 16 and meta["reject_share"] == 0.6667
    assert "| copy_of_input | 10 |" in meta["top_reject_reasons"]
    assert meta["generation_calls"] == stand_in.calls == 24 and meta["cache_hits"] == 0
    assert meta["export_documents"] == 6 and meta["documents_with_ok_summary"] == 2
    for plot in ("score_histogram", "length_histogram", "answer_length_histogram"):
        assert "data:image/png;base64," in meta[plot]
    checks = {e.check_name: e for e in first.get_asset_check_evaluations()}
    assert checks["summaries_ok_rows_valid"].passed
    share = checks["summaries_reject_share"]
    assert not share.passed and share.severity == dg.AssetCheckSeverity.WARN
    assert share.metadata["reasons"].value == meta["reject_reasons"]

    # Re-materializing the unchanged export: every answer from the cache, same data version.
    second = _materialize(instance, resources)
    assert second.success
    assert _meta(second)["generation_calls"] == 0 and stand_in.calls == 24
    assert second.output_for_node("summaries").equals(table)
    [a] = first.asset_materializations_for_node("summaries")
    [b] = second.asset_materializations_for_node("summaries")
    assert a.tags["dagster/data_version"] == b.tags["dagster/data_version"]

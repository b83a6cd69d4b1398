"""The whole per-export graph on the shipped sample export, as `make demo` runs it: real parser,
real crawler (the sample's links are unreachable offline and must be recorded, not fatal), real
heuristics, the real embedded SmolLM2 judge and the embedded nx-27017 store. Then the checks job
on the stored results, and a re-run that must hit every cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import pytest

from secondbrain_assets import cli
from secondbrain_assets.defs.jobs import EXPORT_SELECTION
from secondbrain_assets.lib.selection import selected_asset_names
from secondbrain_assets.settings import PROJECT_ROOT
from secondbrain_assets_tests.core.llm.fixtures import smollm2_models_root  # noqa: F401

SAMPLE = next((PROJECT_ROOT / "data" / "notion").glob("*.zip"))

# The whole per-export graph, LLM judging and summarizing included, twice: longer than the
# suite's default 300 s limit on a loaded 2-core machine.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict:
    [materialization] = result.asset_materializations_for_node(asset)
    return {key: value.value for key, value in materialization.metadata.items()}


def _error_checks_failed(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        f"{e.asset_key.to_user_string()}.{e.check_name}"
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]


def test_sample_export_end_to_end_checked_and_cached(
    data_dir: Path,
    smollm2_models_root: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SECONDBRAIN_MODELS_DIR", str(smollm2_models_root))
    monkeypatch.delenv("MONGODB_URI", raising=False)
    shutil.copy(SAMPLE, data_dir / "notion" / SAMPLE.name)
    from secondbrain_assets.definitions import defs as load_defs

    defs = load_defs()
    instance = dg.DagsterInstance.ephemeral()
    [key] = cli._export_keys(instance)
    job = defs.resolve_job_def("notion_export_job")

    # The demo's summaries settings, on shorter documents: the same path in less time.
    demo = {"ops": {"summaries": {"config": {**cli.DEMO_SUMMARIES, "max_document_tokens": 256}}}}
    first = job.execute_in_process(partition_key=key, instance=instance, run_config=demo)
    assert first.success
    materialized = {e.asset_key.to_user_string() for e in first.get_asset_materialization_events()}
    assert materialized == set(selected_asset_names(defs, EXPORT_SELECTION))
    assert _error_checks_failed(first) == []
    docs = _metadata(first, "notion_docs")["dagster/row_count"]
    assert docs >= 20
    assert _metadata(first, "crawled_pages")["dagster/row_count"] > 0
    assert _metadata(first, "llm_scores")["llm_calls"] > 0
    stored = _metadata(first, "mongo_collection")
    assert stored["inserted"] == stored["dagster/row_count"] >= docs
    assert _metadata(first, "summaries")["ok"] > 0

    # Then the unpartitioned tail, as `make demo` runs it: dataset, adapter, merge, evaluation.
    tail = defs.resolve_job_def("dataset_and_model_job").execute_in_process(instance=instance)
    assert tail.success
    assert {e.asset_key.to_user_string() for e in tail.get_asset_materialization_events()} == {
        "hf_dataset",
        "lora_adapter",
        "merged_model",
        "model_evaluation",
    }
    assert _error_checks_failed(tail) == []  # non-empty splits, no leak, logits match, no empties

    # `make checks`: every check again, on stored results, without recomputing any asset.
    assert cli.run_checks(instance, None) == 0

    second = job.execute_in_process(partition_key=key, instance=instance, run_config=demo)
    assert second.success
    assert _metadata(second, "summaries")["generation_calls"] == 0
    assert _metadata(second, "crawled_pages")["requests_made"] == 0
    assert _metadata(second, "llm_scores")["llm_calls"] == 0
    again = _metadata(second, "mongo_collection")
    assert again["inserted"] == again["updated"] == again["removed_from_export"] == 0
    # Same content, same data versions: nothing downstream is shown as stale.
    assert _data_versions(second) == _data_versions(first)


def _data_versions(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    return {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization.tags[
            "dagster/data_version"
        ]
        for e in result.get_asset_materialization_events()
    }

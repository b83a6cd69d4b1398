"""hf_dataset end to end in Dagster: all exports' summaries in, a checked DatasetDict out."""

import json
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.defs import dataset as dataset_defs
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.io.huggingface import LATEST, HuggingFaceIOManager
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets_tests.core.dataset.frames import corpus, frame, paragraphs, summary_rows
from secondbrain_assets_tests.core.llm.fixtures import tiny_llama_dir  # noqa: F401

FRAMES: dict[str, pl.DataFrame] = {}
CHECKS = [
    dataset_defs.no_split_leak,
    dataset_defs.no_empty_answer,
    dataset_defs.splits_non_empty,
    dataset_defs.answers_within_budget,
    dataset_defs.rows_fit_max_length,
    dataset_defs.split_shares,
]


@dg.asset(name="summaries", partitions_def=notion_exports)
def summaries_stand_in(context: dg.AssetExecutionContext) -> pl.DataFrame:
    """Same key and storage as the real `summaries`; rows come from the test."""
    return FRAMES[context.partition_key]


def _defs(tokenizer: Path) -> dg.Definitions:
    checks_job = dg.define_asset_job(
        "hf_dataset_checks", selection=dg.AssetSelection.checks_for_assets(dataset_defs.hf_dataset)
    )
    config = dg.RunConfig(
        {"hf_dataset": dataset_defs.HFDatasetConfig(tokenizer_path=str(tokenizer), max_length=300)}
    )
    build_job = dg.define_asset_job(
        "build", selection=dg.AssetSelection.assets(dataset_defs.hf_dataset), config=config
    )
    return dg.Definitions(
        assets=[summaries_stand_in, dataset_defs.hf_dataset],
        asset_checks=CHECKS,
        jobs=[checks_job, build_job],
        resources={"io_manager": PolarsParquetIOManager(), "hf_io_manager": HuggingFaceIOManager()},
    )


def _add_export(defs: dg.Definitions, instance: dg.DagsterInstance, key: str, rows) -> None:  # noqa: ANN001
    FRAMES[key] = rows
    instance.add_dynamic_partitions(notion_exports.name, [key])
    job = defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=instance, partition_key=key, asset_selection=[dg.AssetKey("summaries")]
    )
    assert result.success


def _build(defs: dg.Definitions, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def("build").execute_in_process(instance=instance, raise_on_error=False)


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    return {e.check_name: e.passed for e in result.get_asset_check_evaluations()}


def _split_of(data_dir: Path) -> dict[str, str]:
    from datasets import load_from_disk

    root = data_dir / "hf" / "hf_dataset"
    stored = load_from_disk(str(root / json.loads((root / LATEST).read_text())["version"]))
    return {doc: name for name, split in stored.items() for doc in split["doc_id"]}


@pytest.fixture
def instance(data_dir: Path):  # noqa: ANN201
    with dg.instance_for_test() as instance:
        yield instance


@pytest.mark.slow  # ~30 s on a loaded 2-core machine (three Dagster runs)
def test_builds_checks_and_never_moves_documents(
    data_dir: Path,
    tiny_llama_dir: Path,  # noqa: F811
    instance: dg.DagsterInstance,
) -> None:
    defs = _defs(tiny_llama_dir)
    # Arrival order (not key order) decides: "z-first" arrived before "a-second".
    _add_export(defs, instance, "z-first", corpus(8, "z-first"))
    second = pl.concat(
        [
            corpus(8, "a-second"),
            frame(
                summary_rows(
                    "f" * 32, "a-second", paragraphs("long", 40), ["Summary of a long note."]
                )
            ),
        ],
        how="diagonal_relaxed",
    )
    _add_export(defs, instance, "a-second", second)
    result = _build(defs, instance)
    assert result.success
    assert _checks(result) == dict.fromkeys(
        [
            "hf_dataset_no_split_leak",
            "hf_dataset_no_empty_answer",
            "hf_dataset_splits_non_empty",
            "hf_dataset_answers_within_budget",
            "hf_dataset_rows_fit_max_length",
            "hf_dataset_split_shares",
        ],
        True,
    )
    metadata = result.asset_materializations_for_node("hf_dataset")[0].metadata
    assert metadata["shortened_instructions"].value >= 1
    assert metadata["merged_copies"].value == 32  # corpus(8) appears in both exports
    card = metadata["dataset_card"].value
    assert "task_categories" in card and "lowest document quality score kept: 0.8" in card
    before = _split_of(data_dir)
    assert set(before.values()) == {"train", "validation", "test"}

    _add_export(defs, instance, "m-third", corpus(30, "m-third"))  # 22 new documents
    assert _build(defs, instance).success
    after = _split_of(data_dir)
    assert len(after) > len(before)
    assert {doc: after[doc] for doc in before} == before


@pytest.mark.slow
def test_leak_check_blocks_a_leaking_dataset(
    data_dir: Path,
    tiny_llama_dir: Path,  # noqa: F811
    instance: dg.DagsterInstance,
) -> None:
    from datasets import load_from_disk

    defs = _defs(tiny_llama_dir)
    _add_export(defs, instance, "only", corpus(10, "only"))
    assert _build(defs, instance).success
    # Corrupt the stored copy: a train document's rows appear in test too.
    root = data_dir / "hf" / "hf_dataset"
    folder = root / json.loads((root / LATEST).read_text())["version"]
    stored = load_from_disk(str(folder))
    from datasets import DatasetDict, concatenate_datasets

    leaky = DatasetDict(
        {**stored, "test": concatenate_datasets([stored["test"], stored["train"].select([0])])}
    )
    leaky_dir = root / "leaky"
    leaky.save_to_disk(str(leaky_dir))
    (root / LATEST).write_text(json.dumps({"version": "leaky", "kind": "dataset"}))
    result = defs.resolve_job_def("hf_dataset_checks").execute_in_process(
        instance=instance, raise_on_error=False
    )
    checks = _checks(result)
    assert checks["hf_dataset_no_split_leak"] is False
    assert checks["hf_dataset_no_empty_answer"] is True

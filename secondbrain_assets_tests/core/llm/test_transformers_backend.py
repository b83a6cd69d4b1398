"""The transformers judge on a tiny random Llama: batching, padding, truncation, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from secondbrain_assets.core.llm.backends import BackendUnavailableError, JudgeInput
from secondbrain_assets.core.llm.transformers_backend import TransformersBackend
from secondbrain_assets_tests.core.llm.fixtures import build_tiny_llama


def _docs(n: int) -> list[JudgeInput]:
    # Very different lengths, so batches need real left padding.
    texts = ["alpha beta gamma " * (1 + 15 * i) for i in range(n)]
    return [JudgeInput(f"d{i}", f"doc {i}", text, f"h{i}") for i, text in enumerate(texts)]


def test_batched_scores_equal_one_at_a_time(tiny_llama_dir: Path) -> None:
    docs = _docs(5)
    batched = TransformersBackend(tiny_llama_dir, batch_size=4).judge(docs)
    single = TransformersBackend(tiny_llama_dir, batch_size=1).judge(docs)
    for b, s in zip(batched, single, strict=True):
        assert b.status == s.status == "ok"
        assert b.score == pytest.approx(s.score, abs=1e-4)
        assert b.confidence == pytest.approx(s.confidence, abs=1e-4)


def test_every_document_gets_a_valid_score_and_confidence(tiny_llama_dir: Path) -> None:
    seen: list[int] = []
    results = TransformersBackend(tiny_llama_dir, batch_size=3).judge(
        _docs(7), on_result=lambda i, _: seen.append(i)
    )
    assert sorted(seen) == list(range(7))  # each result reported once, as it arrives
    for r in results:
        assert r.status == "ok" and r.error is None
        assert 0.0 <= r.score <= 1.0
        assert 0.0 <= r.confidence <= 1.0
        assert r.reason.startswith("expected ")


def test_long_documents_are_cut_by_tokens(tiny_llama_dir: Path) -> None:
    backend = TransformersBackend(tiny_llama_dir, max_document_tokens=40)
    long_doc = JudgeInput("long", "t", "congestion window " * 500, "hl")
    short_doc = JudgeInput("short", "t", "slow start", "hs")
    long_result, short_result = backend.judge([long_doc, short_doc])
    assert long_result.status == "ok" and long_result.truncated
    assert not short_result.truncated
    text, cut = backend.truncate(long_doc.content, 40)
    assert cut and 0 < backend.count_tokens(text) <= 40
    assert backend.truncate("slow start", 40) == ("slow start", False)


def test_document_budget_fits_the_model_context(tmp_path: Path) -> None:
    model_dir = build_tiny_llama(tmp_path / "small-context", max_positions=512)
    backend = TransformersBackend(model_dir, max_document_tokens=100_000)
    backend.check()
    overhead = backend.count_tokens(backend._prompt_text("", ""))
    assert overhead + backend.doc_budget <= 512
    [result] = backend.judge([JudgeInput("x", "t", "congestion window " * 2000, "hx")])
    assert result.status == "ok" and result.truncated


def test_missing_model_folder_says_what_to_do(tmp_path: Path) -> None:
    backend = TransformersBackend(tmp_path / "nowhere")
    with pytest.raises(BackendUnavailableError, match="embedded SmolLM2|backend='ollama'"):
        backend.check()


def test_model_id_changes_when_the_weights_do(tiny_llama_dir: Path, tmp_path: Path) -> None:
    copy = Path(shutil.copytree(tiny_llama_dir, tmp_path / "copy"))
    assert TransformersBackend(copy).model_id == TransformersBackend(copy).model_id
    before = TransformersBackend(copy).model_id
    build_tiny_llama(copy, max_positions=1024)  # "retrained" into the same folder
    assert TransformersBackend(copy).model_id != before


def test_prefix_cache_changes_no_score(tiny_llama_dir: Path) -> None:
    cached = TransformersBackend(tiny_llama_dir, batch_size=3, prefix_cache=True)
    plain = TransformersBackend(tiny_llama_dir, batch_size=3, prefix_cache=False)
    docs = _docs(5)
    with_prefix, without = cached.judge(docs), plain.judge(docs)
    assert cached._prefix_kv is not None and len(cached._prefix_ids) > 50  # the rubric
    assert plain._prefix_kv is None
    for a, b in zip(with_prefix, without, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-4)
        assert a.confidence == pytest.approx(b.confidence, abs=1e-4)

"""Cache + orchestration: re-runs make no LLM call, a crash keeps what was judged, errors retry."""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from pathlib import Path

import pytest

from secondbrain_assets.core.llm.backends import (
    BackendUnavailableError,
    JudgeInput,
    Judgement,
    ResultCallback,
)
from secondbrain_assets.core.llm.cache import JudgementCache
from secondbrain_assets.core.llm.judge import judge_documents
from secondbrain_assets.core.llm.ollama_backend import OllamaBackend
from secondbrain_assets.core.llm.transformers_backend import TransformersBackend
from secondbrain_assets_tests.core.llm.fixtures import FakeOllama


def _docs(n: int) -> list[JudgeInput]:
    texts = [f"note number {i} " * (i + 1) for i in range(n)]
    return [JudgeInput(f"d{i}", f"good {i}", text, f"h{i}") for i, text in enumerate(texts)]


def _ollama(server: FakeOllama) -> OllamaBackend:
    return OllamaBackend(host=server.url, timeout_s=2.0, retries=0, concurrency=2)


def test_second_run_makes_no_llm_call(fake_ollama: FakeOllama, tmp_path: Path) -> None:
    cache = JudgementCache(tmp_path / "cache.sqlite")
    first = judge_documents(_ollama(fake_ollama), _docs(6), cache)
    assert (first.llm_calls, first.cache_hits, fake_ollama.chat_calls) == (6, 0, 6)
    # A new process would open the file afresh; so does this.
    second = judge_documents(_ollama(fake_ollama), _docs(6), JudgementCache(cache.path))
    assert (second.llm_calls, second.cache_hits) == (0, 6)
    assert fake_ollama.chat_calls == 6  # nothing reached the server
    assert [j.score for j in second.judgements] == [j.score for j in first.judgements]
    assert all(second.from_cache) and not any(first.from_cache)


def test_cache_hits_need_no_reachable_backend(fake_ollama: FakeOllama, tmp_path: Path) -> None:
    cache = JudgementCache(tmp_path / "cache.sqlite")
    judge_documents(_ollama(fake_ollama), _docs(2), cache)
    fake_ollama.models = []  # check() would now fail, but nothing needs judging
    assert judge_documents(_ollama(fake_ollama), _docs(2), cache).cache_hits == 2
    with pytest.raises(BackendUnavailableError):
        judge_documents(_ollama(fake_ollama), _docs(3), cache)


def test_key_includes_model_and_prompt_version(fake_ollama: FakeOllama, tmp_path: Path) -> None:
    cache = JudgementCache(tmp_path / "cache.sqlite")
    judge_documents(_ollama(fake_ollama), _docs(2), cache)
    again = judge_documents(_ollama(fake_ollama), _docs(2), cache, prompt_version="kb-additive-v2")
    assert again.llm_calls == 2
    other = OllamaBackend(host=fake_ollama.url, model="qwen2.5:7b-instruct", retries=0)
    assert cache.get_many("ollama", other.model_id, "kb-additive-v2", ["h0"]) == {}


def test_errors_are_not_cached(fake_ollama: FakeOllama, tmp_path: Path) -> None:
    cache = JudgementCache(tmp_path / "cache.sqlite")
    docs = [JudgeInput("a", "malformed", "x", "ha"), JudgeInput("b", "good", "y", "hb")]
    first = judge_documents(_ollama(fake_ollama), docs, cache)
    assert (first.n_ok, first.n_error) == (1, 1)
    second = judge_documents(_ollama(fake_ollama), docs, cache)
    assert (second.cache_hits, second.llm_calls) == (1, 1)  # only the failed one is asked again
    assert cache.count() == 1


def test_identical_contents_are_judged_once(fake_ollama: FakeOllama, tmp_path: Path) -> None:
    docs = [JudgeInput(doc_id, "good", "same text", "same") for doc_id in ("a", "b")]
    run = judge_documents(_ollama(fake_ollama), docs, JudgementCache(tmp_path / "c.sqlite"))
    assert run.llm_calls == 1 and fake_ollama.chat_calls == 1
    assert run.judgements[0] == run.judgements[1]


class _CrashingBackend:
    """Wraps a real backend and dies after `crash_after` results, like a killed process."""

    name = "transformers"

    def __init__(self, inner: TransformersBackend, crash_after: int) -> None:
        self.inner, self.crash_after = inner, crash_after
        self.model_id = inner.model_id
        self.judged = 0

    def check(self) -> None:
        self.inner.check()

    def judge(
        self, documents: Sequence[JudgeInput], on_result: ResultCallback | None = None
    ) -> list[Judgement]:
        def counting(i: int, result: Judgement) -> None:
            if self.judged == self.crash_after:
                raise KeyboardInterrupt("killed mid-run")
            self.judged += 1
            if on_result is not None:
                on_result(i, result)

        self.judged = 0
        return self.inner.judge(documents, on_result=counting)

    def close(self) -> None:
        pass


def test_crash_mid_run_keeps_results_already_written(tiny_llama_dir: Path, tmp_path: Path) -> None:
    inner = TransformersBackend(tiny_llama_dir, batch_size=1)
    path = tmp_path / "cache.sqlite"
    with pytest.raises(KeyboardInterrupt):
        judge_documents(_CrashingBackend(inner, crash_after=3), _docs(8), JudgementCache(path))
    assert JudgementCache(path).count() == 3  # committed as they arrived
    resumed = _CrashingBackend(inner, crash_after=99)
    run = judge_documents(resumed, _docs(8), JudgementCache(path))
    assert (run.cache_hits, run.llm_calls, resumed.judged) == (3, 5, 5)


def _writer(path: str, start: int) -> None:
    cache = JudgementCache(Path(path))
    for i in range(start, start + 50):
        cache.put("b", "m", "v", f"h{i}", Judgement.ok(0.5, 0.5, "r"))


def test_cache_is_shared_by_concurrent_processes(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    JudgementCache(path).close()
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(str(path), k * 50)) for k in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0, 0]
    assert JudgementCache(path).count() == 150

"""Judge documents: cache first, the backend only for misses, results cached as they arrive."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from secondbrain_assets.core.llm import prompts
from secondbrain_assets.core.llm.backends import (
    STATUS_ERROR,
    STATUS_OK,
    JudgeInput,
    Judgement,
    LLMBackend,
)
from secondbrain_assets.core.llm.cache import JudgementCache

# progress(done, total): called after each document that needed the backend.
Progress = Callable[[int, int], None]


@dataclass
class JudgeRun:
    """Judgements in input order plus what it took to get them."""

    judgements: list[Judgement]
    from_cache: list[bool]
    cache_hits: int = 0
    llm_calls: int = 0  # documents sent to the backend (identical contents are sent once)
    elapsed_s: float = 0.0
    backend_s: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def n_ok(self) -> int:
        return sum(j.status == STATUS_OK for j in self.judgements)

    @property
    def n_error(self) -> int:
        return sum(j.status == STATUS_ERROR for j in self.judgements)


def judge_version(backend: LLMBackend, prompt_version: str = prompts.PROMPT_VERSION) -> str:
    """The version that goes with backend and model into the cache key and each row: the
    backend's `method_version` when it has one (a judge without a prompt), else the prompt's."""
    return getattr(backend, "method_version", None) or prompt_version


def judge_versions() -> str:
    """Every judge's version (the content judge's fit, the rubric prompt): `llm_scores` takes it
    into its code version, so a refitted judge or a new prompt marks the scores stale."""
    from secondbrain_assets.core.llm.content_judge import ContentJudgeBackend

    return f"{ContentJudgeBackend.method_version}+{prompts.PROMPT_VERSION}"


def judge_documents(
    backend: LLMBackend,
    documents: Sequence[JudgeInput],
    cache: JudgementCache | None = None,
    progress: Progress | None = None,
    prompt_version: str = prompts.PROMPT_VERSION,
) -> JudgeRun:
    started = time.perf_counter()
    key = (backend.name, backend.model_id, judge_version(backend, prompt_version))
    cached = cache.get_many(*key, (d.content_hash for d in documents)) if cache else {}

    # One backend call per distinct content among the misses.
    misses: dict[str, JudgeInput] = {}
    for doc in documents:
        if doc.content_hash not in cached:
            misses.setdefault(doc.content_hash, doc)
    to_judge = list(misses.values())
    fresh: dict[str, Judgement] = {}
    done = 0

    def on_result(index: int, result: Judgement) -> None:
        nonlocal done
        content_hash = to_judge[index].content_hash
        fresh[content_hash] = result
        if cache is not None:
            cache.put(*key, content_hash, result)
        done += 1
        if progress is not None:
            progress(done, len(to_judge))

    backend_started = time.perf_counter()
    if to_judge:
        backend.check()  # only now: a run served from the cache needs no reachable backend
        results = backend.judge(to_judge, on_result=on_result)
        for doc, result in zip(to_judge, results, strict=True):
            fresh.setdefault(doc.content_hash, result)
    backend_s = time.perf_counter() - backend_started

    judgements: list[Judgement] = []
    from_cache: list[bool] = []
    for doc in documents:
        hit = doc.content_hash in cached
        judgements.append(cached[doc.content_hash] if hit else fresh[doc.content_hash])
        from_cache.append(hit)
    return JudgeRun(
        judgements=judgements,
        from_cache=from_cache,
        cache_hits=sum(from_cache),
        llm_calls=len(to_judge),
        elapsed_s=time.perf_counter() - started,
        backend_s=backend_s,
        stats={"truncated": sum(j.truncated for j in judgements)},
    )

"""Summarize documents: N seeded candidates per document, the length contract, filters, cache.

For each document and temperature ("slot"), attempt 0 uses seed `seed + 100 * temperature index`
and each retry the next seed. A rejected answer is regenerated up to `retries` times; at
temperature 0 decoding is greedy, so a retry would repeat the same answer and is skipped. Every
attempt is a row (status ok or rejected with its reason), so the metadata can show what the
model got wrong. All attempts of one round go to the backend as one batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from secondbrain_assets.core.summarize import filters, prompts
from secondbrain_assets.core.summarize.backends import GenerationRequest, SummarizerBackend
from secondbrain_assets.core.summarize.cache import GenerationCache, request_key
from secondbrain_assets.core.summarize.length import fit_document, max_new_tokens

DEFAULT_TEMPERATURES = (0.0, 0.125, 0.25, 0.375)  # the original course's four
SEED_STRIDE = 100  # seeds of one slot: seed + 100 * temperature index + attempt


@dataclass(frozen=True)
class SummaryDocument:
    doc_id: str
    export_key: str
    source: str
    title: str
    content: str
    content_hash: str
    quality_score: float | None


@dataclass(frozen=True)
class SummarySettings:
    temperatures: tuple[float, ...] = DEFAULT_TEMPERATURES
    budget_chars: int = prompts.DEFAULT_BUDGET_CHARS
    retries: int = 2
    seed: int = 0
    max_document_tokens: int = 1024
    chars_per_token_floor: float = 2.5

    def __post_init__(self) -> None:
        if not 0 <= self.retries < SEED_STRIDE:
            raise ValueError(f"retries must be in 0..{SEED_STRIDE - 1}, got {self.retries}")
        if self.budget_chars < 16:
            raise ValueError(f"budget_chars must be at least 16, got {self.budget_chars}")


@dataclass
class SummaryRun:
    rows: list[dict[str, Any]] = field(default_factory=list)
    generation_calls: int = 0  # generations computed by the backend (0 on a cached re-run)
    cache_hits: int = 0
    generated_tokens: int = 0  # tokens of the generations computed in this run
    backend_s: float = 0.0
    elapsed_s: float = 0.0
    backend_checked: bool = False  # checked (model loaded, server reached) only when needed


Progress = Callable[[int, int], None]


def summarize_documents(
    backend: SummarizerBackend,
    documents: Sequence[SummaryDocument],
    cache: GenerationCache,
    settings: SummarySettings,
    progress: Progress | None = None,
) -> SummaryRun:
    started = time.perf_counter()
    run = SummaryRun()
    cap = max_new_tokens(settings.budget_chars, settings.chars_per_token_floor)
    prepared = [_prepare(backend, doc, settings) for doc in documents]
    # (document index, temperature index) -> next attempt number, for slots still open.
    pending = {(d, t): 0 for d in range(len(documents)) for t in range(len(settings.temperatures))}
    total = len(pending)
    while pending:
        slots = sorted(pending)
        requests = [
            GenerationRequest.from_chat(
                prompts.summary_messages(prepared[d][0], settings.budget_chars),
                settings.temperatures[t],
                settings.seed + SEED_STRIDE * t + pending[(d, t)],
                cap,
                stop_after_chars=settings.budget_chars,
            )
            for d, t in slots
        ]
        generations = _generate_cached(backend, cache, requests, run)
        for (d, t), request, generation in zip(slots, requests, generations, strict=True):
            instruction, language = prepared[d]
            answer = filters.normalize_answer(generation.text)
            reason = filters.reject_reason(
                answer,
                instruction=instruction,
                budget_chars=settings.budget_chars,
                finished=generation.finished,
                doc_language=language,
                error=generation.error,
            )
            attempt = pending.pop((d, t))
            run.rows.append(
                _row(
                    documents[d],
                    instruction,
                    language,
                    answer,
                    request,
                    attempt,
                    reason,
                    generation.n_tokens,
                    generation.error,
                    backend,
                    settings.budget_chars,
                )
            )
            retry = reason not in (None, filters.ERROR) and request.temperature > 0
            if retry and attempt < settings.retries:
                pending[(d, t)] = attempt + 1
        if progress is not None:
            progress(total - len(pending), total)
    run.elapsed_s = time.perf_counter() - started
    return run


def _prepare(
    backend: SummarizerBackend, doc: SummaryDocument, settings: SummarySettings
) -> tuple[str, str | None]:
    """The exact text the model will see (cut by its tokens at a paragraph) and its language."""
    instruction = fit_document(doc.content, settings.max_document_tokens, backend.count_tokens)
    return instruction, filters.detect_language(instruction)


def _generate_cached(
    backend: SummarizerBackend,
    cache: GenerationCache,
    requests: list[GenerationRequest],
    run: SummaryRun,
) -> list:
    keys = [request_key(r) for r in requests]
    found = cache.get_many(keys)
    missing = [i for i, key in enumerate(keys) if key not in found]
    run.cache_hits += len(requests) - len(missing)
    results = {keys[i]: found[keys[i]] for i in range(len(keys)) if keys[i] in found}
    if missing:
        if not run.backend_checked:  # raises BackendUnavailableError with what to do next
            backend.check()
            run.backend_checked = True
        before = time.perf_counter()
        fresh = backend.generate([requests[i] for i in missing])
        run.backend_s += time.perf_counter() - before
        run.generation_calls += len(missing)
        run.generated_tokens += sum(g.n_tokens for g in fresh)
        cache.put_many((keys[i], g) for i, g in zip(missing, fresh, strict=True))
        # Errors are returned for this run but never cached.
        results.update({keys[i]: g for i, g in zip(missing, fresh, strict=True)})
    return [results[key] for key in keys]


def _row(
    doc: SummaryDocument,
    instruction: str,
    language: str | None,
    answer: str,
    request: GenerationRequest,
    attempt: int,
    reason: str | None,
    n_tokens: int,
    error: str | None,
    backend: SummarizerBackend,
    budget_chars: int,
) -> dict[str, Any]:
    return {
        "doc_id": doc.doc_id,
        "export_key": doc.export_key,
        "source": doc.source,
        "title": doc.title,
        "content_hash": doc.content_hash,
        "quality_score": doc.quality_score,
        "instruction": instruction,
        "instruction_truncated": len(instruction) < len(doc.content.strip()),
        "answer": answer,
        "temperature": request.temperature,
        "seed": request.seed,
        "attempt": attempt,
        "budget_chars": budget_chars,
        "max_new_tokens": request.max_new_tokens,
        "summarizer_backend": backend.name,
        "summarizer_model": backend.model_id,
        "prompt_version": prompts.PROMPT_VERSION,
        "status": "ok" if reason is None else "rejected",
        "reject_reason": reason,
        "error": error,
        "n_answer_chars": len(answer),
        "n_answer_tokens": n_tokens,
        "language": language,
    }

"""What every summarizer backend provides, and the records they exchange. No heavy imports here.

A backend turns chat requests into generations; it knows nothing of budgets' meaning, filters or
caching (core/summarize/run.py does that), so the three backends stay small and alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from secondbrain_assets.core.llm.backends import BackendUnavailableError

__all__ = ["BackendUnavailableError", "Generation", "GenerationRequest", "SummarizerBackend"]


@dataclass(frozen=True)
class GenerationRequest:
    """One completion: chat messages, sampling temperature (0 = greedy), seed, token cap."""

    messages: tuple[tuple[str, str], ...]  # (role, content) pairs: hashable, cache-friendly
    temperature: float
    seed: int
    max_new_tokens: int
    # A local model may stop a row as soon as its answer is longer than this (it will be
    # rejected as over budget anyway): no compute spent on the rest. Servers ignore it.
    stop_after_chars: int | None = None

    def chat(self) -> list[dict[str, str]]:
        return [{"role": role, "content": content} for role, content in self.messages]

    @classmethod
    def from_chat(
        cls,
        messages: Sequence[dict[str, str]],
        temperature: float,
        seed: int,
        max_new_tokens: int,
        stop_after_chars: int | None = None,
    ) -> GenerationRequest:
        pairs = tuple((m["role"], m["content"]) for m in messages)
        return cls(pairs, float(temperature), int(seed), int(max_new_tokens), stop_after_chars)


@dataclass(frozen=True)
class Generation:
    """The model's text; `finished` is False when it hit the token cap (the answer is incomplete).

    An error (server down after retries, out of memory) is recorded here, never raised, so one
    bad request does not lose a batch; errors are not cached and are retried on the next run.
    """

    text: str
    n_tokens: int
    finished: bool
    error: str | None = None

    @classmethod
    def failed(cls, error: str) -> Generation:
        return cls("", 0, False, error)


@runtime_checkable
class SummarizerBackend(Protocol):
    """`name` and `model_id` (with a weights fingerprint where known) go into the cache key."""

    name: str
    model_id: str
    calls: int  # generations actually computed (not served from a cache): 0 on a cached re-run

    def check(self) -> None:
        """Raise BackendUnavailableError with what to do next if generation cannot work."""
        ...

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        """One generation per request, same order; per-request failures are failed Generations."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None: ...

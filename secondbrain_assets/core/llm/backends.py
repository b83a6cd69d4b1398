"""What every LLM judge backend provides, and the records they exchange. No heavy imports here."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

# llm_status values of `llm_scores` (like quality_status in core/store/documents.py).
STATUS_OK = "ok"
STATUS_ERROR = "error"
STATUSES = (STATUS_OK, STATUS_ERROR)
Status = Literal["ok", "error"]


class BackendUnavailableError(RuntimeError):
    """The backend cannot judge anything (server down, model missing): the run must fail."""


@dataclass(frozen=True)
class JudgeInput:
    """One document to judge; `content_hash` keys the cache."""

    doc_id: str
    title: str
    content: str
    content_hash: str


@dataclass(frozen=True)
class Judgement:
    """A backend's verdict on one document. Errors carry a message, never a silent None."""

    score: float | None  # in [0, 1] when status == "ok"
    confidence: float | None  # in [0, 1] when known
    reason: str
    status: Status
    error: str | None = None
    truncated: bool = False

    @classmethod
    def ok(
        cls, score: float, confidence: float | None, reason: str, *, truncated: bool = False
    ) -> Judgement:
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"score {score} outside [0, 1]")
        return cls(score, confidence, reason, STATUS_OK, None, truncated)

    @classmethod
    def failed(cls, error: str) -> Judgement:
        return cls(None, None, "", STATUS_ERROR, error)


# Called once per document as soon as its judgement exists (index into the input sequence).
ResultCallback = Callable[[int, Judgement], None]


@runtime_checkable
class LLMBackend(Protocol):
    """A judge: `name` and `model_id` go into the cache key and the output rows."""

    name: str
    model_id: str

    def check(self) -> None:
        """Raise BackendUnavailableError with what to do next if judging cannot work."""
        ...

    def judge(
        self, documents: Sequence[JudgeInput], on_result: ResultCallback | None = None
    ) -> list[Judgement]:
        """One judgement per document, same order; per-document failures are error judgements."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def truncate(self, text: str, max_tokens: int) -> tuple[str, bool]:
        """`text` cut to at most `max_tokens` tokens, and whether it was cut."""
        ...

    def close(self) -> None: ...

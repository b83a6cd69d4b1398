"""Judge with an Ollama server (production): JSON-schema structured output, temperature 0.

Requests run in a bounded thread pool sized to the server's parallel slots (OLLAMA_NUM_PARALLEL),
with a per-call timeout and retries with exponential backoff and full jitter on 5xx, 429,
timeouts and connection errors. A malformed or out-of-range answer is recorded on that document as
an error; a server that cannot be reached at start raises with how to start one.
"""

from __future__ import annotations

import json
import math
import os
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from secondbrain_assets.core.llm import prompts
from secondbrain_assets.core.llm.backends import (
    BackendUnavailableError,
    JudgeInput,
    Judgement,
    ResultCallback,
)

DEFAULT_HOST = "http://127.0.0.1:11434"
DEFAULT_MODEL = "qwen2.5:7b"
# No tokenizer for the server's model here: estimate tokens from characters. Qwen2.5 averages
# ~4 characters per token on English prose; 3 keeps the estimate on the safe side.
CHARS_PER_TOKEN = 3.0


def how_to_start(host: str, model: str) -> str:
    return (
        f"Start Ollama: `docker compose -f docker/compose.yaml up ollama` (or `ollama serve`), "
        f"then `ollama pull {model}`; set OLLAMA_HOST if it is not at {host}. "
        "Or judge with the embedded model: set the `llm` resource's backend to 'transformers'."
    )


class OllamaBackend:
    name = "ollama"

    def __init__(
        self,
        host: str = DEFAULT_HOST,
        model: str = DEFAULT_MODEL,
        *,
        num_ctx: int = 8192,
        max_document_tokens: int = 6000,
        concurrency: int | None = None,
        timeout_s: float = 120.0,
        retries: int = 3,
        keep_alive: str = "10m",
        backoff_s: float = 0.5,
        backoff_max_s: float = 20.0,
    ) -> None:
        import httpx
        import ollama

        self.host, self.model_id = host, model
        self.num_ctx = num_ctx
        self.max_document_tokens = min(max_document_tokens, num_ctx - 1024)
        self.concurrency = max(1, concurrency or int(os.environ.get("OLLAMA_NUM_PARALLEL", "2")))
        self.retries, self.keep_alive = retries, keep_alive
        self.backoff_s, self.backoff_max_s = backoff_s, backoff_max_s
        self.requests_made = 0  # HTTP chat requests, retries included
        self._count_lock = threading.Lock()
        timeout = httpx.Timeout(timeout_s, connect=min(10.0, timeout_s))
        self._client = ollama.Client(host=host, timeout=timeout)

    def check(self) -> None:
        import httpx

        try:
            listed = self._client.list()
        except (ConnectionError, httpx.HTTPError) as exc:
            hint = how_to_start(self.host, self.model_id)
            raise BackendUnavailableError(
                f"Cannot reach Ollama at {self.host} ({exc}). {hint}"
            ) from exc
        names = {m.model for m in listed.models if m.model}
        wanted = {self.model_id, f"{self.model_id}:latest"}
        if not names & wanted:
            raise BackendUnavailableError(
                f"Ollama at {self.host} does not have {self.model_id!r} (it has {sorted(names)}). "
                f"Run `ollama pull {self.model_id}`."
            )

    def count_tokens(self, text: str) -> int:
        return math.ceil(len(text) / CHARS_PER_TOKEN)

    def truncate(self, text: str, max_tokens: int) -> tuple[str, bool]:
        limit = int(max_tokens * CHARS_PER_TOKEN)
        if len(text) <= limit:
            return text, False
        cut = text.rfind(" ", 0, limit)
        return text[: cut if cut > limit // 2 else limit], True

    def judge(
        self, documents: Sequence[JudgeInput], on_result: ResultCallback | None = None
    ) -> list[Judgement]:
        results: list[Judgement | None] = [None] * len(documents)
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            futures = {pool.submit(self._judge_one, doc): i for i, doc in enumerate(documents)}
            for future in as_completed(futures):  # callbacks on this thread, as results arrive
                i = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # a bug, not a server answer: still recorded, not lost
                    result = Judgement.failed(f"{type(exc).__name__}: {exc}")
                results[i] = result
                if on_result is not None:
                    on_result(i, result)
        return [r if r is not None else Judgement.failed("not judged") for r in results]

    def _judge_one(self, doc: JudgeInput) -> Judgement:
        content, truncated = self.truncate(doc.content, self.max_document_tokens)
        messages = prompts.build_messages(doc.title, content, structured=True)
        attempts = self.retries + 1
        last_error = ""
        for attempt in range(attempts):
            try:
                response = self._chat(messages)
            except Exception as exc:
                retryable, last_error = _classify(exc)
                if not retryable:
                    return Judgement.failed(last_error)
                if attempt + 1 < attempts:
                    cap = min(self.backoff_max_s, self.backoff_s * 2**attempt)
                    time.sleep(random.uniform(0, cap))  # full jitter: retries spread out
                continue
            return _parse(response, truncated)
        return Judgement.failed(f"gave up after {attempts} attempts: {last_error}")

    def _chat(self, messages: list[dict[str, str]]) -> Any:
        with self._count_lock:
            self.requests_made += 1
        return self._client.chat(
            model=self.model_id,
            messages=messages,
            format=prompts.JSON_SCHEMA,
            options={"temperature": 0, "num_ctx": self.num_ctx, "seed": 0},
            keep_alive=self.keep_alive,
            logprobs=True,
            top_logprobs=prompts.SCORE_MAX + 1,
        )

    def close(self) -> None:
        self._client._client.close()


def _classify(exc: Exception) -> tuple[bool, str]:
    """(retry?, message) for an exception raised by the ollama client."""
    import httpx
    import ollama

    if isinstance(exc, ollama.ResponseError):
        retry = exc.status_code >= 500 or exc.status_code == 429
        return retry, f"Ollama HTTP {exc.status_code}: {exc.error}"
    if isinstance(exc, httpx.TimeoutException):
        return True, f"timeout ({type(exc).__name__})"
    if isinstance(exc, ConnectionError | httpx.TransportError):
        return True, f"connection error: {exc}"
    return False, f"{type(exc).__name__}: {exc}"


def _parse(response: Any, truncated: bool) -> Judgement:
    """A judgement from the model's JSON, or an error saying what was wrong with it."""
    text = response.message.content or ""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return Judgement.failed(f"malformed JSON from the model ({exc.msg}): {text[:200]!r}")
    if not isinstance(data, dict):
        return Judgement.failed(f"expected a JSON object, got: {text[:200]!r}")
    score = data.get("score")
    if isinstance(score, bool) or not isinstance(score, int | float) or score != int(score):
        return Judgement.failed(f"score must be an integer 0-{prompts.SCORE_MAX}: {text[:200]!r}")
    if not 0 <= score <= prompts.SCORE_MAX:
        return Judgement.failed(f"score {score} outside 0-{prompts.SCORE_MAX}")
    reason = str(data.get("reason", "")).strip()
    confidence = _confidence(getattr(response, "logprobs", None), int(score))
    return Judgement.ok(int(score) / prompts.SCORE_MAX, confidence, reason, truncated=truncated)


def _confidence(logprobs: Sequence[Any] | None, score: int) -> float | None:
    """Probability of the chosen digit among the digit alternatives, when the server sent them."""
    if not logprobs:
        return None
    for entry in reversed(logprobs):
        if entry.token.strip() != str(score):
            continue
        alternatives = {entry.token.strip(): entry.logprob}
        for alt in entry.top_logprobs or []:
            digit = alt.token.strip()
            if digit.isdigit() and int(digit) <= prompts.SCORE_MAX:
                alternatives.setdefault(digit, alt.logprob)
        total = sum(math.exp(v) for v in alternatives.values())
        return math.exp(alternatives[str(score)]) / total if total > 0 else None
    return None

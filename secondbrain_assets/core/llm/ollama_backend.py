"""Judge with an Ollama server (production): JSON-schema structured output, temperature 0.

Requests run in a bounded thread pool sized to the server's parallel slots (OLLAMA_NUM_PARALLEL),
with a total deadline per call (a server trickling one byte a second is cut off, not waited for)
and retries with exponential backoff and full jitter on 5xx, 429, timeouts and connection errors.
Every field of the answer is bounded and validated (body size, JSON only, finite integer score,
reason length); a malformed or out-of-range answer is recorded on that document as an error; a
server that cannot be reached at start raises with how to start one.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from secondbrain_assets import settings
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
# A judgement is a score and a sentence or two (plus logprobs of a few tokens): anything larger
# is not an answer, and is not read into memory.
MAX_RESPONSE_BYTES = 1 << 20
MAX_REASON_CHARS = 2000


class BadAnswerError(Exception):
    """The server's HTTP answer is not a usable chat response (not retried: it is deterministic)."""


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
        self.concurrency = max(1, concurrency or settings.ollama_num_parallel())
        self.retries, self.keep_alive = retries, keep_alive
        self.timeout_s = timeout_s
        self.backoff_s, self.backoff_max_s = backoff_s, backoff_max_s
        self.requests_made = 0  # HTTP chat requests, retries included
        self._count_lock = threading.Lock()
        timeout = httpx.Timeout(timeout_s, connect=min(10.0, timeout_s))
        self._client = ollama.Client(host=host, timeout=timeout)

    def check(self) -> None:
        import httpx
        import ollama

        try:
            listed = ollama.ListResponse.model_validate(self._request("GET", "/api/tags"))
        except (ConnectionError, httpx.HTTPError, ollama.ResponseError, BadAnswerError) as exc:
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
        """POST /api/chat, read under a total deadline and a size cap, as an ollama ChatResponse.

        The ollama client's timeout applies per socket read, so a server sending one byte a
        second never timed out; here the body is streamed and the clock checked per chunk (a
        stalled read still ends at the per-read timeout).
        """
        import ollama

        with self._count_lock:
            self.requests_made += 1
        payload = {
            "model": self.model_id,
            "messages": messages,
            "format": prompts.JSON_SCHEMA,
            "options": {"temperature": 0, "num_ctx": self.num_ctx, "seed": 0},
            "keep_alive": self.keep_alive,
            "logprobs": True,
            "top_logprobs": prompts.SCORE_MAX + 1,
            "stream": False,
        }
        data = self._request("POST", "/api/chat", payload)
        try:
            return ollama.ChatResponse.model_validate(data)
        except ValueError as exc:  # pydantic's ValidationError: JSON, but not a chat response
            raise BadAnswerError(f"not an Ollama chat response: {str(exc)[:300]}") from exc

    def _request(self, method: str, path: str, payload: Any = None) -> Any:
        """The JSON answer of one call, read under a total deadline and a size cap."""
        import httpx
        import ollama

        deadline = time.monotonic() + self.timeout_s
        body = bytearray()
        http = self._client._client  # the ollama client's httpx.Client (host, headers)
        with http.stream(method, path, json=payload) as resp:
            for chunk in resp.iter_bytes():
                body.extend(chunk)
                if len(body) > MAX_RESPONSE_BYTES:
                    raise BadAnswerError(f"answer larger than {MAX_RESPONSE_BYTES} bytes; not read")
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(f"no complete answer within {self.timeout_s:g} s")
            status, ctype = resp.status_code, resp.headers.get("content-type", "")
        text = body.decode("utf-8", errors="replace")
        if status >= 400:
            try:
                error = str(json.loads(text).get("error", text))
            except (ValueError, AttributeError):
                error = text
            raise ollama.ResponseError(error[:500], status)
        try:
            return json.loads(text, parse_constant=_reject_constant)
        except ValueError as exc:
            raise BadAnswerError(
                f"HTTP {status} answer from {self.host} is not an Ollama JSON response "
                f"({ctype or 'no content type'}; {str(exc)[:200]}): {text[:200]!r}. Is OLLAMA_HOST "
                "pointing at Ollama and not at a proxy or web page?"
            ) from exc

    def close(self) -> None:
        self._client._client.close()


def _classify(exc: Exception) -> tuple[bool, str]:
    """(retry?, message) for an exception raised by the ollama client."""
    import httpx
    import ollama

    if isinstance(exc, BadAnswerError):
        return False, str(exc)
    if isinstance(exc, ollama.ResponseError):
        retry = exc.status_code >= 500 or exc.status_code == 429
        return retry, f"Ollama HTTP {exc.status_code}: {exc.error}"
    if isinstance(exc, httpx.TimeoutException):
        return True, f"timeout ({type(exc).__name__}{f': {exc}' if str(exc) else ''})"
    if isinstance(exc, ConnectionError | httpx.TransportError):
        return True, f"connection error: {exc}"
    return False, f"{type(exc).__name__}: {exc}"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _parse(response: Any, truncated: bool) -> Judgement:
    """A judgement from the model's JSON, or an error saying what was wrong with it."""
    text = response.message.content or ""
    try:
        data = json.loads(text, parse_constant=_reject_constant)  # NaN, Infinity
    except json.JSONDecodeError as exc:
        return Judgement.failed(f"malformed JSON from the model ({exc.msg}): {text[:200]!r}")
    except ValueError as exc:
        return Judgement.failed(f"malformed JSON from the model ({exc}): {text[:200]!r}")
    if not isinstance(data, dict):
        return Judgement.failed(f"expected a JSON object, got: {text[:200]!r}")
    score = data.get("score")
    valid = isinstance(score, int | float) and not isinstance(score, bool)
    # 1e999 parses to inf: int() of it raised; finite first, then whole.
    if not valid or not math.isfinite(score) or score != int(score):
        return Judgement.failed(f"score must be an integer 0-{prompts.SCORE_MAX}: {text[:200]!r}")
    if not 0 <= score <= prompts.SCORE_MAX:
        return Judgement.failed(f"score {score} outside 0-{prompts.SCORE_MAX}")
    reason = data.get("reason", "")
    reason = (reason if isinstance(reason, str) else json.dumps(reason)[:MAX_REASON_CHARS]).strip()
    if len(reason) > MAX_REASON_CHARS:
        reason = reason[: MAX_REASON_CHARS - 1] + "…"
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
        if not all(isinstance(v, int | float) and v <= 0 for v in alternatives.values()):
            return None  # NaN, +inf or positive "log probabilities" are not probabilities
        total = sum(math.exp(v) for v in alternatives.values())
        return math.exp(alternatives[str(score)]) / total if total > 0 else None
    return None

"""Summarize through a server: Ollama (`ollama` client) or any OpenAI-compatible chat endpoint
(vLLM, llama.cpp server, TGI, OpenAI) over httpx.

Requests run in a bounded thread pool. Each request has a total deadline covering its retries:
the caller gets a failed Generation when it passes, whatever the server does (a server that
drips bytes slowly cannot hold a run). Retries with exponential backoff and full jitter on 5xx,
429, timeouts and connection errors. No tokenizer for a server's model here: tokens are estimated
from characters, on the safe side.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from secondbrain_assets.core.summarize.backends import (
    BackendUnavailableError,
    Generation,
    GenerationRequest,
)

# Qwen2.5 averages ~4 characters per token on English prose; 3 keeps estimates on the safe side.
CHARS_PER_TOKEN = 3.0


class _Retryable(Exception):
    """A failure worth another attempt (5xx, 429, timeout, connection error)."""


class _HTTPSummarizer:
    name = "http"

    def __init__(
        self, *, concurrency: int, deadline_s: float, retries: int, backoff_s: float
    ) -> None:
        self.concurrency = max(1, concurrency)
        self.deadline_s, self.retries, self.backoff_s = deadline_s, retries, backoff_s
        self.calls = 0  # HTTP requests sent, retries included
        self.generated_tokens = 0
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return math.ceil(len(text) / CHARS_PER_TOKEN)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(self._with_deadline, requests))

    def _with_deadline(self, request: GenerationRequest) -> Generation:
        # The attempt runs on its own thread so the deadline holds even inside a blocking read;
        # the abandoned thread ends by itself at the client's timeout (the deadline + 1 s, so the
        # deadline, not the client, decides).
        runner = ThreadPoolExecutor(max_workers=1)
        future = runner.submit(self._with_retries, request, time.monotonic() + self.deadline_s)
        try:
            return future.result(timeout=self.deadline_s)
        except FutureTimeout:
            return Generation.failed(f"no answer within the {self.deadline_s:.0f} s deadline")
        except Exception as exc:  # a bug or an unexpected answer: recorded, not raised
            return Generation.failed(f"{type(exc).__name__}: {exc}")
        finally:
            runner.shutdown(wait=False)

    def _with_retries(self, request: GenerationRequest, deadline: float) -> Generation:
        last = ""
        for attempt in range(self.retries + 1):
            with self._lock:
                self.calls += 1
            try:
                generation = self._request(request)
            except _Retryable as exc:
                last = str(exc)
                pause = random.uniform(0, min(20.0, self.backoff_s * 2**attempt))
                if time.monotonic() + pause >= deadline:
                    break
                time.sleep(pause)
                continue
            with self._lock:
                self.generated_tokens += generation.n_tokens
            return generation
        return Generation.failed(f"gave up after {attempt + 1} attempts: {last}")

    def _request(self, request: GenerationRequest) -> Generation:
        raise NotImplementedError


class OllamaSummarizer(_HTTPSummarizer):
    """`ollama` client; options temperature, seed, num_ctx and num_predict (the token cap)."""

    name = "ollama"

    def __init__(
        self,
        host: str,
        model: str,
        *,
        num_ctx: int = 8192,
        concurrency: int = 2,
        deadline_s: float = 300.0,
        retries: int = 3,
        keep_alive: str = "10m",
        backoff_s: float = 0.5,
    ) -> None:
        import httpx
        import ollama

        super().__init__(
            concurrency=concurrency, deadline_s=deadline_s, retries=retries, backoff_s=backoff_s
        )
        self.host, self.model_id, self.num_ctx, self.keep_alive = host, model, num_ctx, keep_alive
        timeout = httpx.Timeout(deadline_s + 1.0, connect=min(10.0, deadline_s))
        self._client = ollama.Client(host=host, timeout=timeout)

    def check(self) -> None:
        try:
            listed = _guard(self._client.list, self.deadline_s)
        except Exception as exc:
            raise BackendUnavailableError(
                f"Cannot reach Ollama at {self.host} ({exc}). Start it: `docker compose -f "
                f"docker/compose.yaml up ollama` (or `ollama serve`), then `ollama pull "
                f"{self.model_id}`; set OLLAMA_HOST if it is elsewhere."
            ) from exc
        names = {m.model for m in listed.models if m.model}
        if not names & {self.model_id, f"{self.model_id}:latest"}:
            raise BackendUnavailableError(
                f"Ollama at {self.host} does not have {self.model_id!r} (it has {sorted(names)}). "
                f"Run `ollama pull {self.model_id}`."
            )

    def _request(self, request: GenerationRequest) -> Generation:
        import httpx
        import ollama

        options = {
            "temperature": request.temperature,
            "seed": request.seed,
            "num_ctx": self.num_ctx,
            "num_predict": request.max_new_tokens,
        }
        try:
            response = self._client.chat(
                model=self.model_id,
                messages=request.chat(),
                options=options,
                keep_alive=self.keep_alive,
            )
        except ollama.ResponseError as exc:
            if exc.status_code >= 500 or exc.status_code == 429:
                raise _Retryable(f"Ollama HTTP {exc.status_code}: {exc.error}") from exc
            return Generation.failed(f"Ollama HTTP {exc.status_code}: {exc.error}")
        except (httpx.TransportError, ConnectionError) as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        text = response.message.content or ""
        tokens = response.eval_count or self.count_tokens(text)
        return Generation(text, int(tokens), finished=response.done_reason != "length")

    def close(self) -> None:
        self._client._client.close()


class OpenAISummarizer(_HTTPSummarizer):
    """POST {base_url}/chat/completions with temperature, seed and max_tokens (the token cap)."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        concurrency: int = 4,
        deadline_s: float = 300.0,
        retries: int = 3,
        backoff_s: float = 0.5,
    ) -> None:
        import httpx

        super().__init__(
            concurrency=concurrency, deadline_s=deadline_s, retries=retries, backoff_s=backoff_s
        )
        self.base_url, self.model_id = base_url.rstrip("/"), model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        timeout = httpx.Timeout(deadline_s + 1.0, connect=min(10.0, deadline_s))
        self._client = httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def check(self) -> None:
        try:
            response = _guard(lambda: self._client.get("/models"), self.deadline_s)
            response.raise_for_status()
            names = {m.get("id") for m in response.json().get("data", [])}
        except Exception as exc:
            raise BackendUnavailableError(
                f"Cannot list models at {self.base_url}/models ({exc}). Start the server "
                "(e.g. `vllm serve MODEL` or `llama-server -m MODEL.gguf`), check the base URL "
                "(it ends in /v1) and the API key."
            ) from exc
        if names and self.model_id not in names:
            raise BackendUnavailableError(
                f"{self.base_url} does not serve {self.model_id!r} (it has {sorted(names)}); "
                "set the `llm` resource's `summarizer_model` to one of these."
            )

    def _request(self, request: GenerationRequest) -> Generation:
        import httpx

        body = {
            "model": self.model_id,
            "messages": request.chat(),
            "temperature": request.temperature,
            "seed": request.seed,
            "max_tokens": request.max_new_tokens,
        }
        try:
            response = self._client.post("/chat/completions", json=body)
        except httpx.TransportError as exc:
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise _Retryable(f"HTTP {response.status_code}: {response.text[:200]}")
        if response.status_code != 200:
            return Generation.failed(f"HTTP {response.status_code}: {response.text[:200]}")
        choice = response.json()["choices"][0]
        text = (choice.get("message") or {}).get("content") or ""
        usage = response.json().get("usage") or {}
        tokens = usage.get("completion_tokens") or self.count_tokens(text)
        return Generation(text, int(tokens), finished=choice.get("finish_reason") != "length")

    def close(self) -> None:
        self._client.close()


def _guard(call: Callable[[], Any], deadline_s: float) -> Any:
    """`call()` within a total deadline (a set-up request, e.g. listing models)."""
    runner = ThreadPoolExecutor(max_workers=1)
    try:
        return runner.submit(call).result(timeout=deadline_s)
    except FutureTimeout as exc:
        raise TimeoutError(f"no answer within {deadline_s:.0f} s") from exc
    finally:
        runner.shutdown(wait=False)

"""Local stand-ins on 127.0.0.1 for the summarizer's servers: Ollama's /api/chat and /api/tags,
and an OpenAI-compatible /v1/chat/completions and /v1/models. Each records what arrived.

`reply(request) -> Reply` decides every answer, so a test scripts the server per seed or per
document (the request holds the options the client sent).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from secondbrain_assets_tests.http_stand_in import JsonHandler, serving


@dataclass
class Reply:
    text: str = "A short summary."
    finished: bool = True
    status: int = 200
    delay_s: float = 0.0


@dataclass
class ChatRequest:
    """What the client sent, in one shape for both APIs."""

    api: str  # "ollama" or "openai"
    model: str
    messages: list[dict[str, str]]
    temperature: float
    seed: int
    max_tokens: int
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def document(self) -> str:
        user = self.messages[-1]["content"]
        return user.split("Text:\n", 1)[-1].rsplit("\n\nSummarize the text", 1)[0]


Behaviour = Callable[[ChatRequest], Reply]


@dataclass
class StandIn:
    url: str
    models: list[str]
    reply: Behaviour
    requests: list[ChatRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def calls(self) -> int:
        return len(self.requests)


def _parse(path: str, payload: dict, headers: dict[str, str]) -> ChatRequest:
    if path == "/api/chat":
        options = payload.get("options") or {}
        return ChatRequest(
            "ollama",
            payload["model"],
            payload["messages"],
            options.get("temperature"),
            options.get("seed"),
            options.get("num_predict"),
            payload,
            headers,
        )
    return ChatRequest(
        "openai",
        payload["model"],
        payload["messages"],
        payload.get("temperature"),
        payload.get("seed"),
        payload.get("max_tokens"),
        payload,
        headers,
    )


def _body(request: ChatRequest, reply: Reply) -> dict[str, Any]:
    tokens = max(1, len(reply.text) // 4)
    if request.api == "ollama":
        return {
            "model": request.model,
            "created_at": "2026-01-01T00:00:00Z",
            "message": {"role": "assistant", "content": reply.text},
            "done": True,
            "done_reason": "stop" if reply.finished else "length",
            "eval_count": tokens,
        }
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": request.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.text},
                "finish_reason": "stop" if reply.finished else "length",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": tokens, "total_tokens": 10 + tokens},
    }


def _handler(state: StandIn) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def do_GET(self) -> None:
            if self.path == "/api/tags":
                models = [{"name": m, "model": m, "size": 1} for m in state.models]
                self.send_json(200, {"models": models})
            elif self.path == "/v1/models":
                self.send_json(200, {"object": "list", "data": [{"id": m} for m in state.models]})
            else:
                self.send_json(404, {"error": "not found"})

        def do_POST(self) -> None:
            payload = self.read_json()
            if self.path not in ("/api/chat", "/v1/chat/completions"):
                self.send_json(404, {"error": "not found"})
                return
            request = _parse(self.path, payload, dict(self.headers))
            with state.lock:
                state.requests.append(request)
            reply = state.reply(request)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.status != 200:
                self.send_json(reply.status, {"error": f"scripted {reply.status}"})
            else:
                self.send_json(200, _body(request, reply))

    return Handler


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    """One server speaking both APIs; Ollama at `url`, OpenAI at `url + "/v1"`."""
    state = StandIn(url="", models=["qwen2.5:7b", "summarizer-7b"], reply=lambda request: Reply())
    with serving(_handler(state)) as url:
        state.url = url
        yield state

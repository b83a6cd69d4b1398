"""Local stand-ins on 127.0.0.1 for the summarizer's servers: Ollama's /api/chat and /api/tags,
and an OpenAI-compatible /v1/chat/completions and /v1/models. Each records what arrived.

`reply(request) -> Reply` decides every answer, so a test scripts the server per seed or per
document (the request holds the options the client sent).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


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


def _handler(state: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/api/tags":
                models = [{"name": m, "model": m, "size": 1} for m in state.models]
                self._send(200, {"models": models})
            elif self.path == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": m} for m in state.models]})
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            payload = json.loads(self.rfile.read(length) or b"{}")
            if self.path not in ("/api/chat", "/v1/chat/completions"):
                self._send(404, {"error": "not found"})
                return
            request = _parse(self.path, payload, dict(self.headers))
            with state.lock:
                state.requests.append(request)
            reply = state.reply(request)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.status != 200:
                self._send(reply.status, {"error": f"scripted {reply.status}"})
            else:
                self._send(200, _body(request, reply))

    return Handler


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    """One server speaking both APIs; Ollama at `url`, OpenAI at `url + "/v1"`."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = StandIn(
        url=f"http://127.0.0.1:{server.server_address[1]}",
        models=["qwen2.5:7b", "summarizer-7b"],
        reply=lambda request: Reply(),
    )
    server.RequestHandlerClass = _handler(state)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()

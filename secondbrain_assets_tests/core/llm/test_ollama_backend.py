"""The Ollama judge against a local HTTP server that speaks Ollama's /api/chat and /api/tags."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from secondbrain_assets.core.llm import prompts
from secondbrain_assets.core.llm.backends import BackendUnavailableError, JudgeInput
from secondbrain_assets.core.llm.ollama_backend import OllamaBackend
from secondbrain_assets_tests.core.llm.fixtures import FakeOllama


def _doc(title: str, content: str = "Some notes about TCP.") -> JudgeInput:
    return JudgeInput(f"id-{title}", title, content, f"hash-{title}")


def _backend(server: FakeOllama, **kwargs: object) -> OllamaBackend:
    options = {"timeout_s": 1.0, "retries": 2, "backoff_s": 0.01, "concurrency": 4} | kwargs
    return OllamaBackend(host=server.url, **options)  # type: ignore[arg-type]


def test_structured_answers_become_scores(fake_ollama: FakeOllama) -> None:
    backend = _backend(fake_ollama)
    backend.check()
    good, poor = backend.judge([_doc("good article"), _doc("poor page")])
    assert (good.status, good.score, good.reason) == ("ok", 1.0, "about good article")
    assert (poor.status, poor.score) == ("ok", 0.2)
    assert good.confidence is None  # this answer carried no logprobs
    request = fake_ollama.chat_requests[0]
    assert request["format"] == prompts.JSON_SCHEMA
    assert request["options"]["temperature"] == 0
    assert request["options"]["num_ctx"] == 8192
    assert request["keep_alive"] == "10m"
    assert request["stream"] is False


def test_confidence_from_logprobs_of_the_score_digit(fake_ollama: FakeOllama) -> None:
    [result] = _backend(fake_ollama).judge([_doc("logprobs")])
    assert result.status == "ok" and result.score == pytest.approx(0.8)
    # p(4) = 0.8, p(3) = 0.2 among the digits offered.
    assert result.confidence == pytest.approx(0.8, abs=1e-3)


def test_malformed_and_out_of_range_answers_are_recorded_errors(fake_ollama: FakeOllama) -> None:
    malformed, out_of_range, fine = _backend(fake_ollama).judge(
        [_doc("malformed"), _doc("range"), _doc("good")]
    )
    assert malformed.status == "error" and malformed.score is None
    assert "malformed JSON" in malformed.error
    assert out_of_range.status == "error" and "outside 0-5" in out_of_range.error
    assert fine.status == "ok"
    # Deterministic answers (temperature 0) are not retried.
    assert fake_ollama.attempts["malformed"] == 1


def test_server_errors_are_retried_then_succeed(fake_ollama: FakeOllama) -> None:
    backend = _backend(fake_ollama, retries=3)
    [result] = backend.judge([_doc("flaky good")])
    assert result.status == "ok" and result.score == 1.0
    assert fake_ollama.attempts["flaky good"] == 3  # two 500s, then the answer
    assert backend.requests_made == 3


def test_persistent_server_errors_give_up_with_the_reason(fake_ollama: FakeOllama) -> None:
    [result] = _backend(fake_ollama, retries=2).judge([_doc("down")])
    assert result.status == "error"
    assert "gave up after 3 attempts" in result.error and "503" in result.error
    assert fake_ollama.attempts["down"] == 3


def test_client_errors_are_not_retried(fake_ollama: FakeOllama) -> None:
    [result] = _backend(fake_ollama).judge([_doc("missing")])
    assert result.status == "error" and "404" in result.error
    assert fake_ollama.attempts["missing"] == 1


def test_slow_answers_time_out_per_call(fake_ollama: FakeOllama) -> None:
    backend = _backend(fake_ollama, timeout_s=0.3, retries=1)
    started = time.perf_counter()
    slow, fast = backend.judge([_doc("slow"), _doc("good")])
    assert slow.status == "error" and "timeout" in slow.error
    assert fast.status == "ok"
    assert fake_ollama.attempts["slow"] == 2
    assert time.perf_counter() - started < 2.5  # two 0.3 s timeouts, not the 3 s answers


def test_requests_run_concurrently_up_to_the_limit(fake_ollama: FakeOllama) -> None:
    fake_ollama.behaviour = lambda title, attempt: (200, _answer(), 0.3)
    docs = [_doc(f"doc{i}") for i in range(8)]
    started = time.perf_counter()
    results = _backend(fake_ollama, concurrency=4).judge(docs)
    elapsed = time.perf_counter() - started
    assert all(r.status == "ok" for r in results)
    assert 0.55 < elapsed < 1.5  # 8 x 0.3 s in 2 waves of 4, not 2.4 s in a row


def _answer() -> str:
    from secondbrain_assets_tests.core.llm.fixtures import chat_body

    return chat_body('{"reason": "ok", "score": 3}')


def test_unreachable_server_fails_with_how_to_start_it() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    backend = OllamaBackend(host=f"http://127.0.0.1:{port}", timeout_s=1.0)
    with pytest.raises(BackendUnavailableError) as error:
        backend.check()
    message = str(error.value)
    assert "docker compose -f docker/compose.yaml up ollama" in message
    assert "ollama pull qwen2.5:7b" in message and "transformers" in message


def test_missing_model_fails_with_pull_hint(fake_ollama: FakeOllama) -> None:
    fake_ollama.models = ["llama3.2:1b"]
    with pytest.raises(BackendUnavailableError, match="ollama pull qwen2.5:7b"):
        _backend(fake_ollama).check()


def test_long_documents_are_truncated(fake_ollama: FakeOllama) -> None:
    backend = _backend(fake_ollama, num_ctx=2048, max_document_tokens=100)
    [result] = backend.judge([_doc("good long", "word " * 5000)])
    assert result.status == "ok" and result.truncated
    sent = fake_ollama.chat_requests[0]["messages"][-1]["content"]
    assert len(sent) < 1000


# -- hostile servers and answers (issue 9) ---------------------------------------------------


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_non_finite_scores_are_recorded_errors(fake_ollama: FakeOllama, raw: str) -> None:
    from secondbrain_assets_tests.core.llm.fixtures import chat_body

    content = '{"reason": "x", "score": ' + raw + "}"
    fake_ollama.behaviour = lambda title, attempt: (200, chat_body(content), 0.0)
    [result] = _backend(fake_ollama).judge([_doc("nan")])
    assert result.status == "error" and result.score is None
    assert "score must be an integer" in result.error or "not a number" in result.error


def test_html_page_answered_with_200_says_what_it_got(fake_ollama: FakeOllama) -> None:
    html = "<html><body><h1>Welcome to nginx!</h1></body></html>"
    fake_ollama.behaviour = lambda title, attempt: (200, html, 0.0)
    [result] = _backend(fake_ollama).judge([_doc("proxy")])
    assert result.status == "error" and "JSONDecodeError" not in result.error
    assert "not an Ollama JSON response" in result.error and "Welcome to nginx" in result.error
    assert fake_ollama.attempts["proxy"] == 1  # deterministic: not retried


def test_reason_is_bounded_and_giant_answers_are_not_read(fake_ollama: FakeOllama) -> None:
    from secondbrain_assets.core.llm.ollama_backend import MAX_REASON_CHARS, MAX_RESPONSE_BYTES
    from secondbrain_assets_tests.core.llm.fixtures import chat_body

    long_reason = json.dumps({"reason": "why " * 5000, "score": 4})
    giant = json.dumps({"reason": "x" * (MAX_RESPONSE_BYTES + 10), "score": 4})
    fake_ollama.behaviour = lambda title, attempt: (
        200,
        chat_body(long_reason if title == "long" else giant),
        0.0,
    )
    long, big = _backend(fake_ollama).judge([_doc("long"), _doc("giant")])
    assert long.status == "ok" and len(long.reason) == MAX_REASON_CHARS
    assert big.status == "error" and "larger than" in big.error


def test_a_server_trickling_one_byte_at_a_time_hits_the_total_deadline() -> None:
    from secondbrain_assets_tests.core.llm.fixtures import chat_body

    body = chat_body('{"reason": "slowly", "score": 3}').encode()

    class Trickle(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(OSError):
                for i in range(len(body)):
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(0.05)  # 0.05 s per byte: every read is quick, the whole is not

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        backend = OllamaBackend(
            host=f"http://127.0.0.1:{server.server_port}", timeout_s=0.5, retries=0
        )
        started = time.perf_counter()
        [result] = backend.judge([_doc("trickle")])
        elapsed = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    assert result.status == "error" and "within 0.5 s" in result.error
    assert elapsed < 2.0  # the body takes ~9 s to trickle in


def test_check_has_a_total_deadline_too() -> None:
    class Stalls(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(100):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.05)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Stalls)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        backend = OllamaBackend(host=f"http://127.0.0.1:{server.server_port}", timeout_s=0.5)
        started = time.perf_counter()
        with pytest.raises(BackendUnavailableError, match="within 0.5 s"):
            backend.check()
        assert time.perf_counter() - started < 2.0
    finally:
        server.shutdown()
        server.server_close()

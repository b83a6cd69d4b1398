"""Ollama and OpenAI-compatible summarizers against a local stand-in server: what they send,
how they read answers, retries, deadlines, and the messages when a server is not there."""

from __future__ import annotations

import time

import pytest

from secondbrain_assets.core.summarize.backends import BackendUnavailableError, GenerationRequest
from secondbrain_assets.core.summarize.http_backends import OllamaSummarizer, OpenAISummarizer
from secondbrain_assets.core.summarize.prompts import summary_messages
from secondbrain_assets_tests.core.summarize.servers import Reply, StandIn


def _requests(n: int = 3, temperature: float = 0.25) -> list[GenerationRequest]:
    return [
        GenerationRequest.from_chat(summary_messages(f"Doc {i} text.", 200), temperature, i, 84)
        for i in range(n)
    ]


def _backends(server: StandIn, **kwargs) -> list:
    return [
        OllamaSummarizer(server.url, "qwen2.5:7b", num_ctx=4096, backoff_s=0.01, **kwargs),
        OpenAISummarizer(
            server.url + "/v1", "summarizer-7b", api_key="sk-test", backoff_s=0.01, **kwargs
        ),
    ]


def test_requests_carry_temperature_seed_and_token_cap(stand_in: StandIn) -> None:
    stand_in.reply = lambda r: Reply(f"Summary of {r.document}", finished=r.seed != 2)
    for backend in _backends(stand_in):
        backend.check()
        before = stand_in.calls
        out = backend.generate(_requests())
        assert [g.text for g in out] == [f"Summary of Doc {i} text." for i in range(3)]
        assert [g.finished for g in out] == [True, True, False]  # "length" = hit the cap
        sent = stand_in.requests[before:]
        assert sorted(r.seed for r in sent) == [0, 1, 2]
        assert {(r.temperature, r.max_tokens) for r in sent} == {(0.25, 84)}
        assert {r.seed: r.messages for r in sent} == {
            i: q.chat() for i, q in enumerate(_requests())
        }
        assert backend.calls == 3
        backend.close()
    ollama, openai = stand_in.requests[:3], stand_in.requests[3:]
    assert all(r.body["options"]["num_ctx"] == 4096 for r in ollama)
    assert all(r.headers.get("Authorization") == "Bearer sk-test" for r in openai)


def test_server_errors_are_retried_then_recorded(stand_in: StandIn) -> None:
    seen: dict[tuple[str, int], int] = {}

    def flaky(request):
        key = (request.api, request.seed)
        seen[key] = seen.get(key, 0) + 1
        if request.seed == 0 and seen[key] <= 2:
            return Reply(status=500)
        if request.seed == 1:
            return Reply(status=503)
        if request.seed == 2:
            return Reply(status=400)
        return Reply("fine")

    stand_in.reply = flaky
    for backend in _backends(stand_in, retries=2):
        out = backend.generate(_requests(4))
        assert out[0].text == "fine" and out[0].error is None  # third attempt answered
        assert out[1].error and "gave up after 3 attempts" in out[1].error
        assert out[2].error and "400" in out[2].error  # not retried: the request is wrong
        assert out[3].text == "fine"
        backend.close()
    assert seen[("ollama", 2)] == seen[("openai", 2)] == 1


def test_every_request_has_a_total_deadline(stand_in: StandIn) -> None:
    stand_in.reply = lambda r: Reply("late", delay_s=3.0)
    for backend in _backends(stand_in, deadline_s=0.5, retries=0):
        started = time.monotonic()
        [out] = backend.generate(_requests(1))
        assert time.monotonic() - started < 2.0
        assert out.error and "deadline" in out.error
        backend.close()


def test_missing_model_and_unreachable_server_say_what_to_do(stand_in: StandIn) -> None:
    with pytest.raises(BackendUnavailableError, match="ollama pull llama9"):
        OllamaSummarizer(stand_in.url, "llama9").check()
    with pytest.raises(BackendUnavailableError, match="summarizer_model"):
        OpenAISummarizer(stand_in.url + "/v1", "other-model").check()
    with pytest.raises(BackendUnavailableError, match="Start it"):
        OllamaSummarizer("http://127.0.0.1:9", "qwen2.5:7b", deadline_s=2).check()
    with pytest.raises(BackendUnavailableError, match="Start the server"):
        OpenAISummarizer("http://127.0.0.1:9/v1", "m", deadline_s=2).check()

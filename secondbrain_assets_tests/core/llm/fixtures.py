"""Real parts for the LLM tests: a tiny random Llama, the embedded SmolLM2, a fake Ollama server.

Import the fixtures into a test module (or conftest) to use them.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from secondbrain_assets.core.llm import prompts
from secondbrain_assets_tests.http_stand_in import JsonHandler, serving

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)

GOOD_DOC = """# How TCP congestion control works

TCP congestion control keeps senders from overwhelming the network. A sender keeps a congestion
window (cwnd) that limits how many unacknowledged bytes may be in flight.

## Slow start
At the start of a connection cwnd is small, typically 10 segments. Each acknowledgement grows cwnd
by one segment, so the window doubles every round trip until it reaches the slow-start threshold
or a loss happens.

## Congestion avoidance
Above the threshold cwnd grows by about one segment per round trip (additive increase). When a
loss is detected through three duplicate acknowledgements, cwnd is halved (multiplicative
decrease). This AIMD behaviour lets competing flows converge to a fair share of the bottleneck.

## Modern algorithms
CUBIC, the Linux default, grows the window as a cubic function of the time since the last loss,
which suits long fat networks. BBR instead estimates bottleneck bandwidth and round-trip time and
paces packets accordingly, keeping queues short."""

GIBBERISH_DOC = "asdf qwer zxcv jkl; poiu lkjh mnbv asdf qwer zxcv uiop hjkl " * 8


def build_tiny_llama(target: Path, max_positions: int = 2048) -> Path:
    """A 2-layer random Llama with a BPE tokenizer trained here (digits split, like SmolLM2)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    specials = ["<pad>", "<|im_start|>", "<|im_end|>"]
    tok = Tokenizer(models.BPE(unk_token=None))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(False)]
    )
    tok.decoder = decoders.ByteLevel()
    corpus = [prompts.SYSTEM_PROMPT, prompts.DIGIT_INSTRUCTION, GOOD_DOC, GIBBERISH_DOC] * 20
    trainer = trainers.BpeTrainer(
        vocab_size=1200,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(corpus, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="<pad>", eos_token="<|im_end|>", bos_token="<|im_start|>"
    )
    fast.chat_template = CHAT_TEMPLATE
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(fast),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        initializer_range=0.5,  # large random weights: outputs depend visibly on the input
        pad_token_id=fast.pad_token_id,
        eos_token_id=fast.eos_token_id,
        bos_token_id=fast.bos_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(target)
    fast.save_pretrained(target)
    return target


# Both fixtures use fixed folders under the session's base temp dir: modules that import them
# register them again, and a fixed folder lets the second registration reuse the first's work.
@pytest.fixture(scope="session")
def tiny_llama_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.getbasetemp() / "tiny-llama"
    return target if (target / "config.json").exists() else build_tiny_llama(target)


@pytest.fixture(scope="session")
def smollm2_models_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the embedded model is converted (once per session, ~20-40 s).

    Set SECONDBRAIN_TEST_MODEL_CACHE to a folder kept between sessions to convert only once.
    """
    shared = os.environ.get("SECONDBRAIN_TEST_MODEL_CACHE")
    return Path(shared) if shared else tmp_path_factory.getbasetemp() / "smollm2-models"


# -- fake Ollama -------------------------------------------------------------------------------
Reply = tuple[int, str, float]  # status, body, delay in seconds before answering


def chat_body(content: str, logprobs: list[dict] | None = None) -> str:
    body = {
        "model": "qwen2.5:7b",
        "created_at": "2026-01-01T00:00:00Z",
        "message": {"role": "assistant", "content": content},
        "done": True,
        "done_reason": "stop",
    }
    if logprobs is not None:
        body["logprobs"] = logprobs
    return json.dumps(body)


def default_behaviour(title: str, attempt: int) -> Reply:
    """Answer by document title, so one judge() call can mix outcomes."""
    if title.startswith("malformed"):
        return 200, chat_body('{"reason": "cut off", "score": '), 0.0
    if title.startswith("range"):
        return 200, chat_body('{"reason": "too generous", "score": 9}'), 0.0
    if title.startswith("flaky") and attempt <= 2:
        return 500, '{"error": "model runner crashed"}', 0.0
    if title.startswith("down"):
        return 503, '{"error": "server busy"}', 0.0
    if title.startswith("missing"):
        return 404, '{"error": "model \\"qwen2.5:7b\\" not found"}', 0.0
    if title.startswith("slow"):
        return 200, chat_body('{"reason": "late", "score": 3}'), 3.0
    if title.startswith("logprobs"):
        digit = [
            {
                "token": "4",
                "logprob": -0.2231,
                "top_logprobs": [
                    {"token": "4", "logprob": -0.2231},
                    {"token": "3", "logprob": -1.6094},
                    {"token": '"', "logprob": -5.0},
                ],
            }
        ]
        return 200, chat_body('{"reason": "solid", "score": 4}', digit), 0.0
    score = 5 if "good" in title else 1
    return 200, chat_body(json.dumps({"reason": f"about {title}", "score": score})), 0.0


@dataclass
class FakeOllama:
    url: str
    models: list[str]
    behaviour: Callable[[str, int], Reply]
    chat_requests: list[dict] = field(default_factory=list)
    attempts: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def chat_calls(self) -> int:
        return len(self.chat_requests)


def _make_handler(state: FakeOllama) -> type[JsonHandler]:
    class Handler(JsonHandler):
        def do_GET(self) -> None:
            if self.path == "/api/tags":
                models = [{"name": m, "model": m, "size": 1} for m in state.models]
                self.send_json(200, {"models": models})
            else:
                self.send_json(404, {"error": "not found"})

        def do_POST(self) -> None:
            payload = self.read_json()
            if self.path != "/api/chat":
                self.send_json(404, {"error": "not found"})
                return
            user = payload["messages"][-1]["content"]
            match = re.match(r"Title: (.*)", user)
            title = match.group(1) if match else ""
            with state.lock:
                state.chat_requests.append(payload)
                state.attempts[title] = state.attempts.get(title, 0) + 1
                attempt = state.attempts[title]
            status, body, delay = state.behaviour(title, attempt)
            if delay:
                time.sleep(delay)
            self.send_json(status, body)

    return Handler


@pytest.fixture
def fake_ollama() -> Iterator[FakeOllama]:
    state = FakeOllama(url="", models=["qwen2.5:7b"], behaviour=default_behaviour)
    with serving(_make_handler(state)) as url:
        state.url = url
        yield state

"""Batched generation on a tiny random Llama: the same answers as a one-at-a-time loop, per-row
seeded sampling that does not depend on the batch, token caps, and the prompt's chat layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondbrain_assets.core.summarize.backends import GenerationRequest
from secondbrain_assets.core.summarize.prompts import summary_messages
from secondbrain_assets.core.summarize.transformers_summarizer import TransformersSummarizer
from secondbrain_assets_tests.core.llm.fixtures import GOOD_DOC

DOCS = [GOOD_DOC, GOOD_DOC[:400], "Short note about BBR pacing."]


def _requests(temperatures=(0.0, 0.5, 1.0), seed: int = 7, cap: int = 12):
    return [
        GenerationRequest.from_chat(summary_messages(doc, 256), t, seed, cap)
        for doc in DOCS
        for t in temperatures
    ]


def test_batched_shared_prefill_matches_one_at_a_time(tiny_llama_dir: Path) -> None:
    requests = _requests()
    batched = TransformersSummarizer(tiny_llama_dir, batch_size=9)
    single = TransformersSummarizer(tiny_llama_dir, batch_size=1, share_prefill=False)
    together = batched.generate(requests)
    alone = single.generate(requests)
    assert [g.text for g in together] == [g.text for g in alone]
    assert all(g.error is None and 0 < g.n_tokens <= 12 for g in together)
    assert batched.calls == single.calls == len(requests)
    # A random model rarely says end-of-turn within 12 tokens: unfinished = hit the cap.
    assert all(g.finished == (g.n_tokens < 12) for g in together)
    # Batch composition does not change a row: the same request alone gives the same text.
    [again] = batched.generate([requests[4]])
    assert again.text == together[4].text


def test_sampling_is_seeded_per_row_and_greedy_at_zero(tiny_llama_dir: Path) -> None:
    model = TransformersSummarizer(tiny_llama_dir, batch_size=16)
    seven = model.generate(_requests(seed=7))
    eight = model.generate(_requests(seed=8))
    for i, (a, b) in enumerate(zip(seven, eight, strict=True)):
        if i % 3 == 0:  # temperature 0: the seed does not matter
            assert a.text == b.text
    sampled = [(a.text, b.text) for i, (a, b) in enumerate(zip(seven, eight, strict=True)) if i % 3]
    assert sum(a != b for a, b in sampled) >= len(sampled) - 1
    # Hotter sampling drifts further from the greedy answer than none at all.
    assert any(seven[i].text != seven[i - 1].text for i in (1, 4, 7))


def test_prompt_uses_the_chat_template_and_counts_tokens_without_weights(
    tiny_llama_dir: Path,
) -> None:
    model = TransformersSummarizer(tiny_llama_dir)
    assert model.count_tokens(GOOD_DOC) > 100
    assert model._model is None  # cutting documents needs the tokenizer only
    ids = model.encode_chat(summary_messages("Doc.", 256))
    text = model._tokenizer.decode(ids)
    assert text.startswith("<|im_start|>system\n") and text.endswith("<|im_start|>assistant\n")
    assert model.model_id.startswith("tiny-llama@") and len(model.model_id) > len("tiny-llama@")


def test_any_saved_model_folder_is_a_summarizer_through_the_llm_resource(
    tiny_llama_dir: Path,
) -> None:
    """What a `merged_model` folder is: a saved HF folder; its fingerprint keys the cache."""
    from secondbrain_assets.resources.llm import LLMResource

    llm = LLMResource(summarizer_model=str(tiny_llama_dir), summarizer_batch_size=4)
    backend = llm.build_summarizer()
    assert isinstance(backend, TransformersSummarizer)
    assert backend.model_id == TransformersSummarizer(tiny_llama_dir).model_id
    backend.check()
    [out] = backend.generate(_requests(temperatures=(0.0,))[:1])
    assert out.error is None and out.n_tokens > 0
    missing = LLMResource(summarizer_model=str(tiny_llama_dir / "nope")).build_summarizer()
    with pytest.raises(Exception, match="merged_model"):
        missing.check()

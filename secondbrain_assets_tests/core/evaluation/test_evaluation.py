"""Evaluation: prompts fit the context, metrics behave, base and tuned get identical settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondbrain_assets.core.evaluation.evaluate import EvalSettings, evaluate_models
from secondbrain_assets.core.evaluation.generate import Summarizer, shorten_to_tokens
from secondbrain_assets.core.evaluation.metrics import RougeScorer, SemanticScorer, within_budget
from secondbrain_assets_tests.core.finetune.fixtures import summary_rows
from secondbrain_assets_tests.core.llm.fixtures import GOOD_DOC, build_tiny_llama


@pytest.fixture(scope="module")
def short_context_llama(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_llama(tmp_path_factory.mktemp("ctx") / "llama", max_positions=320)


def test_long_documents_are_cut_to_fit_the_context(short_context_llama: Path) -> None:
    summarizer = Summarizer(short_context_llama, max_new_tokens=48, max_prompt_tokens=4096)
    long_doc = "\n\n".join([GOOD_DOC] * 10)
    ids, shortened = summarizer.prompt_ids(long_doc, 200)
    assert shortened and len(ids) + 48 <= 320
    assert len(ids) > (320 - 48) * 2 // 3  # cut at a boundary near the limit, not far below
    short_ids, short_cut = summarizer.prompt_ids("A short note.", 200)
    assert not short_cut and len(short_ids) < len(ids)
    [generation] = summarizer.generate([(long_doc, 200)])
    assert generation.n_prompt_tokens == len(ids) and generation.n_new_tokens <= 48


def test_shorten_prefers_a_paragraph_end(short_context_llama: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(short_context_llama)
    text, cut = shorten_to_tokens(GOOD_DOC, tokenizer, 120)
    assert cut and GOOD_DOC.startswith(text)
    assert len(tokenizer.encode(text, add_special_tokens=False)) <= 120
    assert text.endswith((".", ")"))  # ends where a sentence or paragraph ended


def test_rouge_keeps_non_ascii_words() -> None:
    scorer = RougeScorer()
    assert scorer.score("Über Bäume im Wald", "Über Bäume im Wald")["rougeL"] == 1.0
    assert scorer.score("Über Bäume", "Éléphants à Paris")["rouge1"] == 0.0
    partial = scorer.score("The window doubles.", "The congestion window doubles each trip.")
    assert 0.0 < partial["rougeL"] < 1.0 and partial["rouge2"] < partial["rouge1"]


def test_length_budget_and_semantic_similarity() -> None:
    assert within_budget("short", 10) and not within_budget("x" * 11, 10)
    assert not within_budget("   ", 10)  # empty never complies
    scorer = SemanticScorer()
    close, far, empty = scorer.similarity(
        ["TCP halves its window after a loss.", "Bake bread in a hot oven.", ""],
        ["After packet loss TCP cuts the congestion window in half."] * 3,
    )
    assert close > far + 0.3 and empty == 0.0


def test_two_copies_of_a_model_score_identically(tiny_llama_dir: Path) -> None:
    """Same weights + identical greedy settings => identical outputs; one generation per
    distinct prompt, scored against every reference of that document."""
    rows = summary_rows()["train"][:4]  # two documents, two references each
    logs: list[str] = []
    table = evaluate_models(
        rows,
        {"base": tiny_llama_dir, "tuned": tiny_llama_dir},
        EvalSettings(max_new_tokens=12, semantic_similarity=False),
        logs.append,
    )
    assert table.height == 8 and any("2 summaries" in line for line in logs)
    base = table.filter(table["model"] == "base").sort("example")
    tuned = table.filter(table["model"] == "tuned").sort("example")
    assert base["output"].to_list() == tuned["output"].to_list()
    assert base["rougeL"].to_list() == tuned["rougeL"].to_list()
    assert base["output"][0] == base["output"][1]  # same document, same prompt

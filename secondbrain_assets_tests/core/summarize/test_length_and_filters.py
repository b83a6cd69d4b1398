"""The length contract (paragraph cuts by tokens, token caps) and every filter's verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from secondbrain_assets.core.summarize import filters, prompts
from secondbrain_assets.core.summarize.length import fit_document, max_new_tokens
from secondbrain_assets_tests.core.llm.fixtures import GOOD_DOC

FRENCH = (
    "Le contrôle de congestion de TCP empêche les émetteurs de saturer le réseau. L'émetteur "
    "garde une fenêtre de congestion qui limite les octets en vol, et la réduit de moitié "
    "quand une perte est détectée."
)


@pytest.fixture
def count_tokens(tiny_llama_dir: Path):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_llama_dir)
    return lambda text: len(tok.encode(text, add_special_tokens=False))


def test_fit_document_keeps_whole_paragraphs_within_the_token_budget(count_tokens) -> None:
    total = count_tokens(GOOD_DOC)
    assert fit_document(GOOD_DOC, total + 5, count_tokens) == GOOD_DOC.strip()
    paragraphs = GOOD_DOC.split("\n\n")
    for budget in (total // 4, total // 2, total - 10):
        cut = fit_document(GOOD_DOC, budget, count_tokens)
        assert count_tokens(cut) <= budget
        kept = cut.split("\n\n")
        assert kept == paragraphs[: len(kept)]  # a prefix of whole paragraphs
        # ...and the longest one: one more paragraph would not fit.
        assert count_tokens("\n\n".join(paragraphs[: len(kept) + 1])) > budget


def test_one_long_paragraph_falls_back_to_sentences_never_a_broken_word(count_tokens) -> None:
    text = " ".join(f"Sentence number {i} talks about congestion windows." for i in range(60))
    cut = fit_document(text, 40, count_tokens)
    assert 0 < count_tokens(cut) <= 40
    assert text.startswith(cut) and cut.endswith("windows.")


def test_token_cap_leaves_room_for_any_answer_within_budget() -> None:
    assert max_new_tokens(256, 2.5) == 107
    assert max_new_tokens(100, 2.0) == 54


def _reason(answer: str, *, finished: bool = True, budget: int = 256, language="en") -> str | None:
    return filters.reject_reason(
        filters.normalize_answer(answer),
        instruction=GOOD_DOC,
        budget_chars=budget,
        finished=finished,
        doc_language=language,
    )


def test_a_real_summary_is_kept() -> None:
    summary = (
        "TCP senders cap unacknowledged data with a congestion window: it doubles per round "
        "trip in slow start, then grows slowly and halves on loss; CUBIC and BBR refine this."
    )
    assert _reason(summary) is None
    assert _reason("TL;DR: " + summary) is None  # the label is normalized away, not counted


@pytest.mark.parametrize(
    ("answer", "kwargs", "reason"),
    [
        ("", {}, filters.EMPTY),
        ("  **  ", {}, filters.EMPTY),
        ("Congestion control limits senders. " * 10, {}, filters.OVER_BUDGET),
        ("TCP limits senders with a window", {"finished": False}, filters.OVER_BUDGET),
        ("I'm sorry, but I cannot summarize this document.", {}, filters.ECHO_OR_REFUSAL),
        (prompts.user_prompt("", 256), {"budget": 400}, filters.ECHO_OR_REFUSAL),
        (GOOD_DOC.split("\n\n")[1][:250], {}, filters.COPY),
        (
            "window grows window grows window grows window grows window grows window grows",
            {},
            filters.REPETITION,
        ),
        ("Slow start.\nSlow start.\nSlow start.", {}, filters.REPETITION),
        (FRENCH[:250], {}, filters.LANGUAGE),
    ],
)
def test_each_filter_rejects_its_case(answer: str, kwargs: dict, reason: str) -> None:
    assert _reason(answer, **kwargs) == reason


def test_language_is_only_judged_when_confident() -> None:
    assert filters.detect_language(GOOD_DOC) == "en"
    assert filters.detect_language(FRENCH) == "fr"
    assert filters.detect_language("ok") is None  # too short to tell
    # Same language, or unknown document language: never a mismatch.
    assert not filters.language_mismatch(FRENCH, "fr")
    assert not filters.language_mismatch(FRENCH, None)


def test_links_and_notion_paths_are_not_a_language() -> None:
    """The sample export's index pages: mostly links to URL-encoded Notion paths with hex ids,
    which py3langid alone calls "zxx" (no language), so every English answer mismatched."""
    note = "Active projects, one page each, with a goal and a next action.\n\n" + "\n".join(
        f"- [Project {i}](Projects%20{i:032x}/Project%20{i}%20{i + 7:032x}.md)" for i in range(8)
    )
    assert filters.detect_language(note) == "en"
    answer = "The page lists active projects, each with a goal and a next action."
    assert (
        filters.reject_reason(
            answer,
            instruction=note,
            budget_chars=256,
            finished=True,
            doc_language=filters.detect_language(note),
        )
        is None
    )


def test_generation_errors_are_their_own_reason() -> None:
    verdict = filters.reject_reason(
        "",
        instruction=GOOD_DOC,
        budget_chars=256,
        finished=False,
        doc_language="en",
        error="timeout",
    )
    assert verdict == filters.ERROR

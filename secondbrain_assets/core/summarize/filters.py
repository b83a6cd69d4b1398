"""Filters on generated summaries: each a small function with one job and a named threshold.

`reject_reason` runs them in order and returns the first reason an answer fails (None = keep).
Answers are only normalized (whitespace, a leading "TL;DR:" label, wrapping quotes), never cut.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from secondbrain_assets.core.summarize import prompts

# Reasons, in the order they are tested (the metadata counts rows per reason).
ERROR = "generation_error"
EMPTY = "empty"
OVER_BUDGET = "over_budget"
ECHO_OR_REFUSAL = "echo_or_refusal"
COPY = "copy_of_input"
REPETITION = "degenerate_repetition"
LANGUAGE = "language_mismatch"
REASONS = (ERROR, EMPTY, OVER_BUDGET, ECHO_OR_REFUSAL, COPY, REPETITION, LANGUAGE)

# ROUGE-L precision against the document: share of the answer's words that form a common
# subsequence with it. >= 0.9 is a copied passage, not a summary (issue 11's threshold).
COPY_MIN_ROUGE_L_PRECISION = 0.9
# Same measure against the prompt's own wording: an answer made mostly of the instructions.
ECHO_MIN_ROUGE_L_PRECISION = 0.6
# Degenerate loops: share of repeated word 3-grams (Gopher's duplicate n-gram idea, Rae et al.
# 2021, tightened for text this short), or one line written 3 times or more.
REPETITION_MAX_DUP_3GRAM_SHARE = 0.3
REPETITION_MIN_WORDS = 12
REPEATED_LINE_MAX = 3
# Language: py3langid's probability. A mismatch needs a confident answer (short texts are noisy)
# that gives the document's language almost no chance.
LANGUAGE_MIN_ANSWER_CHARS = 40
LANGUAGE_MIN_CONFIDENCE = 0.9
LANGUAGE_MAX_DOC_LANGUAGE_PROB = 0.05
LANGUAGE_MIN_DOC_CONFIDENCE = 0.5

_LABEL = re.compile(r"^\s*(?:\*\*)?(?:tl;?dr|summary)(?:\s*\([^)]*\))?\s*[:\-]*(?:\*\*)?\s*", re.I)
_QUOTES = ('"', "'", "`", "\u201c", "\u201d")
_REFUSAL = re.compile(
    r"\b(i'?m sorry|i am sorry|i cannot|i can'?t|i am unable|i'?m unable|as an ai\b|"
    r"as a language model|i do not have access|please provide)",
    re.I,
)
_WORD = re.compile(r"\w+")


def normalize_answer(text: str) -> str:
    """Whitespace trimmed, a leading "TL;DR:"/"Summary:" label and wrapping quotes removed."""
    text = _LABEL.sub("", text.strip(), count=1).strip()
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    return text


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def rouge_l_precision(answer: str, reference: str) -> float:
    """ROUGE-L precision (rouge-score's LCS) with a Unicode word tokenizer, so any script works."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], tokenizer=_Tokenizer())
    return float(scorer.score(reference, answer)["rougeL"].precision)


class _Tokenizer:
    def tokenize(self, text: str) -> list[str]:
        return words(text)


def is_repetitive(answer: str) -> bool:
    lines = [line.strip() for line in answer.splitlines() if line.strip()]
    if lines and max(lines.count(line) for line in set(lines)) >= REPEATED_LINE_MAX:
        return True
    tokens = words(answer)
    if len(tokens) < REPETITION_MIN_WORDS:
        return False
    grams = list(zip(tokens, tokens[1:], tokens[2:], strict=False))
    return 1 - len(set(grams)) / len(grams) >= REPETITION_MAX_DUP_3GRAM_SHARE


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


# Link targets, URLs, percent-escapes, long hex ids (Notion paths) and code are not language:
# a note made mostly of links was detected as "zxx" (no linguistic content) on the sample export.
_NOT_PROSE = re.compile(
    r"```.*?```|`[^`]*`|\]\([^)]*\)|https?://\S+|%[0-9A-Fa-f]{2}|\b[0-9a-f]{16,}\b", re.S
)
_NO_LANGUAGE = {"zxx", "und"}


def _prose(text: str) -> str:
    return _NOT_PROSE.sub(" ", text)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of `text`'s prose, or None when the detector is not confident."""
    prose = _prose(text)
    if len(prose.strip()) < LANGUAGE_MIN_ANSWER_CHARS:
        return None
    language, prob = _identifier().classify(prose)
    confident = prob >= LANGUAGE_MIN_DOC_CONFIDENCE and language not in _NO_LANGUAGE
    return str(language) if confident else None


def language_mismatch(answer: str, doc_language: str | None) -> bool:
    answer = _prose(answer)
    if doc_language is None or len(answer.strip()) < LANGUAGE_MIN_ANSWER_CHARS:
        return False
    ranked = dict(_identifier().rank(answer))
    top, confidence = max(ranked.items(), key=lambda item: item[1])
    return (
        top != doc_language
        and top not in _NO_LANGUAGE
        and confidence >= LANGUAGE_MIN_CONFIDENCE
        and ranked.get(doc_language, 0.0) <= LANGUAGE_MAX_DOC_LANGUAGE_PROB
    )


def _is_echo_or_refusal(answer: str, budget_chars: int) -> bool:
    if _REFUSAL.search(answer[:120]):
        return True
    instructions = prompts.SYSTEM_PROMPT + "\n" + prompts.user_prompt("", budget_chars)
    return rouge_l_precision(answer, instructions) >= ECHO_MIN_ROUGE_L_PRECISION


def reject_reason(
    answer: str,
    *,
    instruction: str,
    budget_chars: int,
    finished: bool,
    doc_language: str | None,
    error: str | None = None,
) -> str | None:
    """The first filter `answer` (already normalized) fails, or None when it is a keeper."""
    if error:
        return ERROR
    if not _WORD.search(answer):
        return EMPTY
    if not finished or len(answer) > budget_chars:
        return OVER_BUDGET
    if _is_echo_or_refusal(answer, budget_chars):
        return ECHO_OR_REFUSAL
    if rouge_l_precision(answer, instruction) >= COPY_MIN_ROUGE_L_PRECISION:
        return COPY
    if is_repetitive(answer):
        return REPETITION
    if language_mismatch(answer, doc_language):
        return LANGUAGE
    return None

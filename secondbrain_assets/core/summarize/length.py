"""The length contract: what the model sees is cut by its tokens at a paragraph boundary, and
what it writes is capped in tokens derived from the character budget.

Nothing is ever cut from an answer: one over budget is regenerated or rejected (run.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

# A token of English prose averages ~4 characters for SmolLM2's and Qwen2.5's tokenizers; 2.5
# leaves room for numbers, code and non-English text. An answer that needs more tokens than
# budget / 2.5 is almost surely over budget anyway, so capping there saves generation time.
DEFAULT_CHARS_PER_TOKEN_FLOOR = 2.5

_PARAGRAPHS = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def max_new_tokens(budget_chars: int, chars_per_token_floor: float) -> int:
    """Token cap for an answer of at most `budget_chars` characters (+4 for the end token)."""
    return math.ceil(budget_chars / chars_per_token_floor) + 4


def fit_document(text: str, max_tokens: int, count_tokens: Callable[[str], int]) -> str:
    """`text` whole if it fits `max_tokens`, else its longest prefix of whole paragraphs that
    fits. A first paragraph too long on its own falls back to lines, then sentences, then words,
    so a long single-paragraph page still yields its beginning, never a broken word."""
    text = text.strip()
    if count_tokens(text) <= max_tokens:
        return text
    for splitter, joiner in (
        (_PARAGRAPHS, "\n\n"),
        (re.compile(r"\n"), "\n"),
        (_SENTENCE_END, " "),
        (re.compile(r"\s+"), " "),
    ):
        kept = _longest_prefix(
            [p for p in splitter.split(text) if p.strip()], joiner, max_tokens, count_tokens
        )
        if kept:
            return kept
    return ""


def _longest_prefix(
    parts: list[str], joiner: str, max_tokens: int, count_tokens: Callable[[str], int]
) -> str:
    # Sum of part counts approximates the joined count (merges across a joiner are rare); the
    # joined text is re-counted and the last part dropped until it truly fits.
    kept: list[str] = []
    total = 0
    for part in parts:
        cost = count_tokens(part) + 1
        if total + cost > max_tokens:
            break
        kept.append(part.strip())
        total += cost
    while kept and count_tokens(joiner.join(kept)) > max_tokens:
        kept.pop()
    return joiner.join(kept)

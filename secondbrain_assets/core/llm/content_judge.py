"""The default embedded judge: is this document substantive content or page boilerplate?

Score = calibrated probability that the document is substantive content (prose a person wrote to
be read: an article, a tutorial, notes), not site chrome (menus, footers, cookie, share and
"related" links), computed by a logistic model over `signals.FEATURES`. Calibrated on balanced
pairs (one article body, one boilerplate page text per web page), so 0.5 means "as likely either
way"; held-out ECE ~0.01 on the development corpus (benchmarks/results/judge_fit.json).
Confidence = |2 * score - 1|: 0 at the boundary, 1 when the model is certain either way.

No model weights to load and no server: ~1 ms per document on one core. The method and version
go into the cache key and each output row; refitting (benchmarks/fit_judge.py --write) must bump
MODEL_VERSION. The SmolLM2 rubric judge (TransformersBackend) and Ollama remain available.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from secondbrain_assets.core.llm import content_weights as fitted
from secondbrain_assets.core.llm.backends import JudgeInput, Judgement, ResultCallback
from secondbrain_assets.core.llm.signals import FEATURES, MAX_CHARS, compute_signals

METHOD = "content-signals-logreg"
MODEL_VERSION = "v1"
# Signals that pull the score most (weight x standardized value), named in the reason.
_REASON_TOP = 3


def content_probability(text: str) -> tuple[float, dict[str, float]]:
    """P(substantive content) and each signal's contribution to the log-odds."""
    values = compute_signals(text)
    contributions: dict[str, float] = {}
    for name in FEATURES:
        value = values[name]
        z = 0.0 if math.isnan(value) else (value - fitted.MEANS[name]) / fitted.SCALES[name]
        contributions[name] = fitted.WEIGHTS[name] * z
    logit = fitted.BIAS + sum(contributions.values())
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, logit)))), contributions


def judge_text(text: str) -> Judgement:
    if not text.strip():
        return Judgement.ok(0.0, 1.0, "empty document")
    score, contributions = content_probability(text)
    top = sorted(contributions.items(), key=lambda kv: -abs(kv[1]))[:_REASON_TOP]
    pulls = ", ".join(f"{name} {value:+.1f}" for name, value in top)
    reason = f"P(content)={score:.2f}; strongest signals (log-odds): {pulls}"
    return Judgement.ok(score, abs(2.0 * score - 1.0), reason, truncated=len(text) > MAX_CHARS)


class ContentJudgeBackend:
    """LLMBackend-compatible: `judge_documents`, the cache and `llm_scores` use it unchanged."""

    name = "embedded-content"
    model_id = f"{METHOD}-{MODEL_VERSION}"
    # Replaces the prompt version in the cache key and rows: this judge has no prompt.
    method_version = f"{METHOD}-{MODEL_VERSION}"

    def check(self) -> None:
        """Nothing to load or reach."""

    def judge(
        self, documents: Sequence[JudgeInput], on_result: ResultCallback | None = None
    ) -> list[Judgement]:
        results = []
        for i, doc in enumerate(documents):
            try:
                result = judge_text(doc.content)
            except Exception as exc:  # one odd document must not fail the partition
                result = Judgement.failed(f"{type(exc).__name__}: {exc}")
            results.append(result)
            if on_result is not None:
                on_result(i, result)
        return results

    def count_tokens(self, text: str) -> int:
        return len(text.split())  # words: this judge has no tokenizer

    def truncate(self, text: str, max_tokens: int) -> tuple[str, bool]:
        words = text.split()
        return (text, False) if len(words) <= max_tokens else (" ".join(words[:max_tokens]), True)

    def close(self) -> None:
        """Nothing held."""

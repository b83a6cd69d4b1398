"""Prefix log-likelihood (the measured alternative signal in benchmarks/bench_judge.py)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from secondbrain_assets.core.llm.likelihood import PrefixLikelihood
from secondbrain_assets_tests.core.llm.fixtures import GIBBERISH_DOC, GOOD_DOC


def test_scores_are_per_token_means_independent_of_batching(tiny_llama_dir: Path) -> None:
    texts = [GOOD_DOC, GIBBERISH_DOC, "x", GOOD_DOC[:200]]
    batched = PrefixLikelihood(tiny_llama_dir, max_tokens=32, batch_size=4).score(texts)
    single = PrefixLikelihood(tiny_llama_dir, max_tokens=32, batch_size=1).score(texts)
    assert batched[2] is None  # one token: nothing to predict
    for b, s in zip(batched, single, strict=True):
        if b is None:
            assert s is None
            continue
        assert math.isfinite(b) and b < 0.0
        assert b == pytest.approx(s, abs=1e-4)  # right padding is masked out


def test_reads_only_the_prefix(tiny_llama_dir: Path) -> None:
    lm = PrefixLikelihood(tiny_llama_dir, max_tokens=16)
    assert len(lm.token_ids(GOOD_DOC * 50)) == 16
    assert lm.score([GOOD_DOC])[0] == pytest.approx(lm.score([GOOD_DOC + GIBBERISH_DOC])[0])

"""The embedded content judge: signals, calibrated score, cache keying, and AUC on real pages."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import pytest

from secondbrain_assets.core.llm import content_weights
from secondbrain_assets.core.llm.backends import JudgeInput
from secondbrain_assets.core.llm.cache import JudgementCache
from secondbrain_assets.core.llm.content_judge import ContentJudgeBackend, judge_text
from secondbrain_assets.core.llm.judge import judge_documents
from secondbrain_assets.core.llm.signals import (
    FEATURES,
    LINE_FEATURES,
    compute_signals,
    flatten_markdown,
)
from secondbrain_assets_tests.core.llm.fixtures import GIBBERISH_DOC, GOOD_DOC

CORPUS = Path(__file__).resolve().parents[4] / "shared/corpora/article-extraction-benchmark"

NAV_DOC = """Home
News
Sports
Business
Subscribe
Sign In
Privacy Policy
Terms of Use
Contact Us
Follow us on Facebook
Share this article
Related Stories
Copyright 2026 Example Media. All rights reserved.
Cookie Settings
Advertise With Us"""


def test_markdown_is_flattened_to_what_a_reader_sees() -> None:
    text = "## Title\n\n- see [the docs](https://x.org/a) ![logo](l.png) and **this**\n1. step"
    assert flatten_markdown(text) == "Title\n\nsee the docs  and this\nstep"


def test_signals_separate_prose_from_navigation() -> None:
    prose, nav = compute_signals(GOOD_DOC), compute_signals(NAV_DOC)
    assert set(prose) == set(FEATURES)
    assert prose["stopword_ratio"] > 0.25 > nav["stopword_ratio"]
    assert nav["capitalized_ratio"] > 0.5 > prose["capitalized_ratio"]
    assert nav["boilerplate_ratio"] > 0.2 > prose["boilerplate_ratio"]
    assert compute_signals("") == dict.fromkeys(FEATURES, 0.0)


def test_a_long_text_without_line_breaks_has_no_line_signals() -> None:
    flat = compute_signals(" ".join(GOOD_DOC.split()))
    assert all(math.isnan(flat[name]) for name in LINE_FEATURES)
    assert not math.isnan(flat["stopword_ratio"])
    # ... and is still judged as content: unknown line signals count as average.
    assert judge_text(" ".join(GOOD_DOC.split())).score > 0.8


def test_scores_are_calibrated_probabilities_with_a_confidence() -> None:
    good, nav, noise = judge_text(GOOD_DOC), judge_text(NAV_DOC), judge_text(GIBBERISH_DOC)
    assert good.score is not None and nav.score is not None and noise.score is not None
    assert good.score > 0.9 and nav.score < 0.1 and noise.score < 0.5
    for j in (good, nav, noise):
        assert j.status == "ok" and 0.0 <= j.score <= 1.0
        assert j.confidence == pytest.approx(abs(2 * j.score - 1))
        assert j.reason.startswith("P(content)=")
    assert judge_text("   ").score == 0.0


def test_fitted_constants_cover_every_feature() -> None:
    for table in (content_weights.MEANS, content_weights.SCALES, content_weights.WEIGHTS):
        assert list(table) == list(FEATURES)
    assert all(scale > 0 for scale in content_weights.SCALES.values())


def test_cache_is_keyed_by_method_version(tmp_path: Path) -> None:
    docs = [JudgeInput("a", "", GOOD_DOC, "h-a"), JudgeInput("b", "", NAV_DOC, "h-b")]
    cache = JudgementCache(tmp_path / "j.sqlite")
    backend = ContentJudgeBackend()
    first = judge_documents(backend, docs, cache)
    assert (first.llm_calls, first.cache_hits) == (2, 0)
    again = judge_documents(backend, docs, cache)
    assert (again.llm_calls, again.cache_hits) == (0, 2)
    assert [j.score for j in again.judgements] == [j.score for j in first.judgements]
    refitted = ContentJudgeBackend()
    refitted.method_version = "content-signals-logreg-v999"  # a new fit must re-judge
    assert judge_documents(refitted, docs, cache).llm_calls == 2
    cache.close()


def _auc(good: list[float], junk: list[float]) -> float:
    wins = sum((g > j) + 0.5 * (g == j) for g in good for j in junk)
    return wins / (len(good) * len(junk))


@pytest.mark.skipif(not CORPUS.exists(), reason="development corpus not available")
def test_separates_article_bodies_from_the_pages_boilerplate() -> None:
    """Real pages: article body vs the page's visible text without it (a cheap junk proxy here:
    the page's short lines). benchmarks/bench_judge.py measures the full corpus."""
    from lxml import html

    truth = json.loads((CORPUS / "ground-truth.json").read_text())
    good, junk = [], []
    for page in sorted(truth)[:30]:
        body = truth[page]["articleBody"]
        root = html.document_fromstring(
            gzip.decompress((CORPUS / f"html/{page}.html.gz").read_bytes())
        )
        for bad in root.xpath("//script|//style|//noscript"):
            bad.drop_tree()
        lines = [" ".join(t.split()) for t in root.itertext()]
        chrome = [t for t in lines if t and t not in body]
        if len("\n".join(chrome)) < 200:
            continue
        good.append(judge_text(body).score or 0.0)
        junk.append(judge_text("\n".join(chrome)).score or 0.0)
    assert len(good) >= 20
    assert _auc(good, junk) >= 0.9

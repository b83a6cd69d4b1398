"""Same decisions as datatrove's Gopher quality + repetition + C4 filters on the shared rules."""

from __future__ import annotations

import dataclasses
import random
import sys
from pathlib import Path

import polars as pl
import pytest

from secondbrain_assets.core.quality.rules import C4_QUALITY, GOPHER_QUALITY, GOPHER_REPETITION, WEB
from secondbrain_assets.core.quality.scorer import score_batch
from secondbrain_assets_tests.core.quality.texts import ARTICLE, HASHTAGS, LOREM_PAGE, SPAM

pytest.importorskip("spacy", reason="datatrove's English word tokenizer needs `pip install spacy`")
filters = pytest.importorskip("datatrove.pipeline.filters")

SHARED = {r.name for r in GOPHER_QUALITY + GOPHER_REPETITION + C4_QUALITY}


def _variants() -> list[str]:
    """Real paragraphs shuffled, repeated, truncated, bulleted and padded: both sides of rules."""
    rng = random.Random(3)
    paras = [p for p in ARTICLE.split("\n\n") if p.strip()]
    docs = [ARTICLE, SPAM, LOREM_PAGE, HASHTAGS]
    for _ in range(36):
        chosen = rng.sample(paras, rng.randint(1, len(paras)))
        chosen += [rng.choice(paras)] * rng.randint(0, 3)  # repeated paragraphs
        if rng.random() < 0.3:
            chosen = [f"- {s}" for p in chosen for s in p.split(". ")]
        if rng.random() < 0.2:
            chosen.append("Wait for it...\n" * rng.randint(1, 12))
        if rng.random() < 0.2:
            chosen = [" ".join(p.split()[: rng.randint(5, 40)]) for p in chosen[:1]]
        docs.append("\n\n".join(chosen))
    return docs


def test_pass_decisions_equal_datatrove_chain() -> None:
    from datatrove.data import Document

    chain = [
        filters.GopherQualityFilter(),
        filters.GopherRepetitionFilter(),
        filters.C4QualityFilter(),
    ]
    shared = dataclasses.replace(
        WEB, rules=tuple(r for r in WEB.rules if r.name in SHARED), strip_markdown=False
    )
    docs = _variants()
    ours = score_batch(pl.Series(docs), shared)["heuristic_pass"].to_list()
    theirs = []
    for text in docs:
        results = (f.filter(Document(text=text, id="t")) for f in chain)
        theirs.append(all(r is True or (not isinstance(r, tuple) and r) for r in results))
    assert sum(theirs) >= 5 and sum(not t for t in theirs) >= 5  # both outcomes exercised
    mismatches = [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]
    assert not mismatches, [docs[i][:200] for i in mismatches]


REAL_PAGES = Path(__file__).resolve().parents[4] / "shared/corpora/article-extraction-benchmark"


@pytest.mark.slow
@pytest.mark.skipif(not REAL_PAGES.is_dir(), reason="needs ../shared/corpora (real pages)")
def test_keep_decisions_agree_with_datatrove_on_real_pages() -> None:
    """181 real pages: article bodies and whole visible texts (the issue's real-text test)."""
    from datatrove.data import Document

    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    from heuristics_corpus import real_pages

    docs = [text for _, text in real_pages(REAL_PAGES)]
    chain = [
        filters.GopherQualityFilter(),
        filters.GopherRepetitionFilter(),
        filters.C4QualityFilter(),
    ]
    shared = dataclasses.replace(
        WEB, rules=tuple(r for r in WEB.rules if r.name in SHARED), strip_markdown=False
    )
    ours = score_batch(pl.Series(docs), shared)["heuristic_pass"].to_list()
    theirs = [all(f.filter(Document(text=text, id="t")) is True for f in chain) for text in docs]
    assert 50 < sum(theirs) < len(docs) - 50  # both outcomes common on real pages
    agree = sum(a == b for a, b in zip(ours, theirs, strict=True)) / len(docs)
    assert agree >= 0.995, agree

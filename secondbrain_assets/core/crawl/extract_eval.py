"""The article-extraction-benchmark metric, for the extraction benchmark and its tests.

scrapinghub/article-extraction-benchmark's evaluate.py, as its README in
../shared/corpora/article-extraction-benchmark/ defines it: per page, 4-token shingle multisets
(`\\w+` tokens, case kept; fewer than 4 tokens give one shorter shingle), tp/fp/fn normalised to sum
to 1; precision and recall are means over pages, F1 the harmonic mean of the two means.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
from collections import Counter
from pathlib import Path

_TOKEN = re.compile(r"\w+", re.U)
Triple = tuple[float, float, float]


def _shingles(text: str, n: int) -> Counter:
    tokens = _TOKEN.findall(text or "")
    grams = Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    grams.pop((), None)  # empty text has no shingle at all
    return grams


def shingle_match(true: str, pred: str, n: int = 4) -> Triple:
    """Per-page (tp, fp, fn) over shingle multisets, normalised so every page weighs the same."""
    a, b = _shingles(true, n), _shingles(pred, n)
    tp = sum((a & b).values())
    fp, fn = sum((b - a).values()), sum((a - b).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _ratio(tp: float, other: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == other == 0 else tp / (tp + other)


def scores(triples: list[Triple]) -> dict[str, float]:
    """{"f1", "precision", "recall"} over pages, as the benchmark computes them."""
    p = statistics.mean(_ratio(tp, fp, fp, fn) for tp, fp, fn in triples if tp + fp > 0)
    r = statistics.mean(_ratio(tp, fn, fp, fn) for tp, fp, fn in triples if tp + fn > 0)
    return {"f1": 2 * p * r / (p + r), "precision": p, "recall": r}


def load_corpus(folder: Path) -> list[tuple[str, str, str, str]]:
    """(sha256 key, url, html, annotated article body) per page, sorted by key."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items()):
        raw = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        pages.append((key, item["url"], raw.decode("utf-8"), item["articleBody"]))
    return pages

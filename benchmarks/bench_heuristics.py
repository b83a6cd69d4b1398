"""heuristic_scores vs datatrove: throughput and per-rule agreement on the same generated docs.

    python benchmarks/bench_heuristics.py [--docs 5000] [--baseline-docs 300] [--agree-docs 1000]
        [--repeats 3]

Baseline: datatrove 0.10.1 GopherQualityFilter -> GopherRepetitionFilter -> C4QualityFilter with
their defaults, chained as in a datatrove pipeline (a document stops at its first failure), on
the first `--baseline-docs` documents (it runs at tens of docs/s). Ours: every rule of the web
profile on all documents, in the same process (polars and the numba kernels may use both
cores; datatrove is single-threaded). Each side's best of `--repeats` runs is reported.
English word splitting in datatrove is spaCy's blank English tokenizer (`pip install spacy`, no
model download needed).

Agreement: each datatrove rule run alone (all other thresholds of its filter switched off) on the
first `--agree-docs` documents, against our rule of the same definition, on the same raw text.
Writes benchmarks/results/heuristics.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl  # noqa: E402
from heuristics_corpus import make_corpus  # noqa: E402

from secondbrain_assets.core.quality.rules import WEB  # noqa: E402
from secondbrain_assets.core.quality.scorer import score_batch, score_text  # noqa: E402

_Q_OFF = dict.fromkeys(
    [
        "min_doc_words",
        "max_doc_words",
        "min_avg_word_length",
        "max_avg_word_length",
        "max_symbol_word_ratio",
        "max_bullet_lines_ratio",
        "max_ellipsis_lines_ratio",
        "max_non_alpha_words_ratio",
        "min_stop_words",
    ]
)
_R_OFF = dict(
    dup_line_frac=None,
    dup_para_frac=None,
    dup_line_char_frac=None,
    dup_para_char_frac=None,
    top_n_grams=(),
    dup_n_grams=(),
)
_C4_OFF = dict(min_num_sentences=-1, filter_lorem_ipsum=False, filter_curly_bracket=False)


def datatrove_single_rules() -> dict[str, object]:
    """Our rule name -> a datatrove filter that checks only that rule."""
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    def q(**kw: object) -> GopherQualityFilter:
        return GopherQualityFilter(**{**_Q_OFF, **kw})

    def r(**kw: object) -> GopherRepetitionFilter:
        return GopherRepetitionFilter(**{**_R_OFF, **kw})

    def c4(**kw: object) -> C4QualityFilter:
        return C4QualityFilter(**{**_C4_OFF, **kw})

    rules = {
        "gopher_min_words": q(min_doc_words=50),
        "gopher_max_words": q(max_doc_words=100_000),
        "gopher_min_mean_word_length": q(min_avg_word_length=3),
        "gopher_max_mean_word_length": q(max_avg_word_length=10),
        # One datatrove parameter drives both symbol rules: the hash check runs first, the
        # ellipsis rule is evaluated separately below with datatrove's own tokenizer.
        "gopher_hash_ratio": q(max_symbol_word_ratio=0.1),
        "gopher_bullet_lines": q(max_bullet_lines_ratio=0.9),
        "gopher_ellipsis_lines": q(max_ellipsis_lines_ratio=0.3),
        "gopher_alpha_words": q(max_non_alpha_words_ratio=0.8),
        "gopher_stop_words": q(min_stop_words=2),
        "gopher_dup_para_frac": r(dup_para_frac=0.3),
        "gopher_dup_para_char_frac": r(dup_para_char_frac=0.2),
        "gopher_dup_line_frac": r(dup_line_frac=0.3),
        "gopher_dup_line_char_frac": r(dup_line_char_frac=0.2),
        "gopher_top_2_gram": r(top_n_grams=((2, 0.2),)),
        "gopher_top_3_gram": r(top_n_grams=((3, 0.18),)),
        "gopher_top_4_gram": r(top_n_grams=((4, 0.16),)),
        **{
            f"gopher_dup_{n}_gram": r(dup_n_grams=((n, round(0.15 - 0.01 * (n - 5), 2)),))
            for n in range(5, 11)
        },
        "c4_lorem_ipsum": c4(filter_lorem_ipsum=True),
        "c4_curly_bracket": c4(filter_curly_bracket=True),
        "c4_min_sentences": c4(min_num_sentences=5),
    }
    return rules


def _dt_pass(flt: object, text: str) -> tuple[bool, str]:
    from datatrove.data import Document

    result = flt.filter(Document(text=text, id="x"))
    return (result, "") if isinstance(result, bool) else (bool(result[0]), str(result[1]))


def run_datatrove_chain(texts: list[str], repeats: int) -> tuple[float, list[bool]]:
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    chain = [GopherQualityFilter(), GopherRepetitionFilter(), C4QualityFilter()]
    _dt_pass(chain[0], "warm up the spaCy tokenizer once. " * 20)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        kept = [all(_dt_pass(f, t)[0] for f in chain) for t in texts]  # stops at first failure
        best = min(best, time.perf_counter() - start)
    return best, kept


def best_rate(texts: pl.Series, profile: object, repeats: int) -> tuple[float, pl.DataFrame]:
    """Best docs/s of `repeats` runs of our scorer over the whole batch."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        scored = score_batch(texts, profile)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best, scored


def agreement(texts: list[str]) -> dict[str, dict[str, float]]:
    from datatrove.utils.text import split_into_words

    profile = dataclasses.replace(WEB, strip_markdown=False)  # same raw text as datatrove
    single = datatrove_single_rules()
    names = [*single, "gopher_ellipsis_ratio"]
    counts = {n: {"docs": 0, "agree": 0, "dt_fail": 0, "ours_fail": 0} for n in names}
    failed_lists = score_batch(pl.Series(texts, dtype=pl.String), profile)["failed_rules"]
    for text, failed in zip(texts, failed_lists.to_list(), strict=True):
        ours = set(failed)
        dt_fail: dict[str, bool] = {}
        for name, flt in single.items():
            ok, reason = _dt_pass(flt, text)
            if name == "gopher_hash_ratio":
                ok = reason != "gopher_too_many_hashes"
            dt_fail[name] = not ok
        words = split_into_words(text, "en")
        dt_fail["gopher_ellipsis_ratio"] = bool(words) and (
            (text.count("...") + text.count("…")) / len(words) > 0.1
        )
        for name in names:
            c = counts[name]
            c["docs"] += 1
            c["dt_fail"] += dt_fail[name]
            c["ours_fail"] += name in ours
            c["agree"] += dt_fail[name] == (name in ours)
    for c in counts.values():
        c["agreement"] = c["agree"] / c["docs"] if c["docs"] else None
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--baseline-docs", type=int, default=300)
    parser.add_argument("--agree-docs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3, help="best of N, for both sides")
    args = parser.parse_args()
    load_before = os.getloadavg()
    corpus = make_corpus(args.docs)
    texts = [t for _, t in corpus]
    mean_kb = sum(map(len, texts)) / len(texts) / 1000

    dt_seconds, dt_kept = run_datatrove_chain(texts[: args.baseline_docs], args.repeats)
    dt_rate = args.baseline_docs / dt_seconds

    score_text("warm up: compiles or loads the numba kernel once.", WEB)
    series = pl.Series(texts, dtype=pl.String)
    ours_rate, scored = best_rate(series, WEB, args.repeats)
    mirror_rate, _ = best_rate(series, dataclasses.replace(WEB, strip_markdown=False), 1)

    agree = agreement(texts[: args.agree_docs])
    result = {
        "docs": len(texts),
        "mean_doc_kb": round(mean_kb, 2),
        "datatrove_docs": args.baseline_docs,
        "datatrove_docs_per_s": round(dt_rate, 1),
        "datatrove_kept_frac": round(sum(dt_kept) / len(dt_kept), 3),
        "ours_docs_per_s": round(ours_rate, 1),
        "ours_mirror_docs_per_s": round(mirror_rate, 1),
        "speedup": round(ours_rate / dt_rate, 1),
        "ours_pass_frac": round(float(scored["heuristic_pass"].mean()), 3),
        "agreement_docs": args.agree_docs,
        "agreement": agree,
        "min_agreement": min(
            (round(c["agreement"], 4) for c in agree.values() if c["docs"]), default=None
        ),
        "loadavg_before": load_before,
        "loadavg_after": os.getloadavg(),
        "repeats_best_of": args.repeats,
        "polars_threads": pl.thread_pool_size(),
        "python": sys.version.split()[0],
    }
    load_now = os.getloadavg()[0]
    print(f"docs {len(texts)} (~{mean_kb:.1f} KB), load {load_before[0]:.2f}->{load_now:.2f}")
    print(f"{'':<28}{'docs/s':>10}")
    print(f"{'datatrove chain (defaults)':<28}{dt_rate:>10.1f}  ({args.baseline_docs} docs)")
    print(f"{'ours, web profile':<28}{ours_rate:>10.1f}  speedup x{ours_rate / dt_rate:.0f}")
    print(f"{'ours, raw text (mirror)':<28}{mirror_rate:>10.1f}")
    print(f"\n{'rule':<30}{'agree':>8}{'dt fail':>9}{'ours fail':>10}  ({args.agree_docs} docs)")
    for name, c in agree.items():
        if c["docs"]:
            print(f"{name:<30}{c['agreement']:>8.3f}{c['dt_fail']:>9}{c['ours_fail']:>10}")
    out = Path(__file__).resolve().parent / "results" / "heuristics.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()

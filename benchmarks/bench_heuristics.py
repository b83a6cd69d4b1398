"""heuristic_scores vs datatrove: throughput, peak memory and per-rule agreement, side by side.

    python benchmarks/bench_heuristics.py [--docs 5000] [--corpus real generated] [--repeats 3]

Two corpora, each run through both sides in the same process:
- real: the development corpus's 181 real pages (../shared/corpora/article-extraction-benchmark/):
  each page's annotated article body and its whole visible text (362 documents, ~6.4 KB mean),
  repeated in order to `--docs`;
- generated: Zipf-ish documents built from stdlib docstrings (`heuristics_corpus.make_corpus`).
Baseline: datatrove 0.10.1 GopherQualityFilter -> GopherRepetitionFilter -> C4QualityFilter with
their defaults, chained as in a datatrove pipeline (a document stops at its first failure), on
the first `--baseline-docs` documents (it runs at tens of docs/s; for the real corpus the default
is every distinct document once). Ours: every rule of the web profile (markdown stripping
included) on all documents. One thread for both by default (POLARS_MAX_THREADS=1,
NUMBA_NUM_THREADS=1, set before polars is imported; datatrove is single-threaded). Each side's
best of `--repeats` runs is reported. Peak memory: the maximum RSS of a fresh process (spawned)
that imports the side and scores the same documents once, and its growth over the RSS after
imports. English word splitting in datatrove is spaCy's blank English tokenizer
(`pip install spacy`, no model download needed).

Agreement: each datatrove rule run alone (all other thresholds of its filter switched off) on the
distinct documents (`--agree-docs`), against our rule of the same definition, on the same raw
text. Writes benchmarks/results/heuristics.json.
"""

from __future__ import annotations

import os

for _var in ("POLARS_MAX_THREADS", "NUMBA_NUM_THREADS"):  # before polars / numba load
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import functools  # noqa: E402
import multiprocessing  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import polars as pl  # noqa: E402
from _common import write_result  # noqa: E402
from heuristics_corpus import make_corpus, make_real_corpus  # noqa: E402

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


def _timed(run: Callable[[], object], repeats: int) -> tuple[float, float, object]:
    """(best wall seconds, best CPU seconds of this process, last result) of `repeats` runs.
    CPU time is the steadier figure on a shared machine: both sides run on one thread."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu, result


def run_datatrove_chain(texts: list[str], repeats: int) -> tuple[float, float, list[bool]]:
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )

    chain = [GopherQualityFilter(), GopherRepetitionFilter(), C4QualityFilter()]
    _dt_pass(chain[0], "warm up the spaCy tokenizer once. " * 20)
    # all() stops at the first failure, as a datatrove pipeline does
    wall, cpu, kept = _timed(
        lambda: [all(_dt_pass(f, t)[0] for f in chain) for t in texts], repeats
    )
    return wall, cpu, kept


def best_rate(texts: pl.Series, profile: object, repeats: int) -> tuple[float, float, pl.DataFrame]:
    """Best docs/s (wall, CPU) of `repeats` runs of our scorer over the whole batch."""
    wall, cpu, scored = _timed(lambda: score_batch(texts, profile), repeats)
    return len(texts) / wall, len(texts) / cpu, scored


@contextlib.contextmanager
def _datatrove_splitting_cached() -> Iterator[None]:
    """Agreement runs 26 single-rule filters per document: split each text once, not 26 times
    (the filters only read the lists). Only around agreement, never around timing."""
    from datatrove.pipeline.filters import c4_filters as c4
    from datatrove.pipeline.filters import gopher_quality_filter as gq
    from datatrove.pipeline.filters import gopher_repetition_filter as gr

    saved = (gq.split_into_words, gr.split_into_words, c4.split_into_sentences)
    words = functools.lru_cache(maxsize=256)(saved[0])
    gq.split_into_words = gr.split_into_words = words
    c4.split_into_sentences = functools.lru_cache(maxsize=65536)(saved[2])
    try:
        yield
    finally:
        gq.split_into_words, gr.split_into_words, c4.split_into_sentences = saved


def agreement(texts: list[str]) -> dict[str, dict[str, float]]:
    profile = dataclasses.replace(WEB, strip_markdown=False)  # same raw text as datatrove
    single = datatrove_single_rules()
    names = [*single, "gopher_ellipsis_ratio"]
    counts = {n: {"docs": 0, "agree": 0, "dt_fail": 0, "ours_fail": 0} for n in names}
    failed_lists = score_batch(pl.Series(texts, dtype=pl.String), profile)["failed_rules"]
    with _datatrove_splitting_cached():
        _count_agreement(texts, failed_lists.to_list(), single, counts)
    for c in counts.values():
        c["agreement"] = c["agree"] / c["docs"] if c["docs"] else None
    return counts


def _count_agreement(
    texts: list[str], failed_lists: list[list[str]], single: dict, counts: dict
) -> None:
    from datatrove.pipeline.filters import gopher_quality_filter as gq

    names = list(counts)
    for text, failed in zip(texts, failed_lists, strict=True):
        ours = set(failed)
        dt_fail: dict[str, bool] = {}
        for name, flt in single.items():
            ok, reason = _dt_pass(flt, text)
            if name == "gopher_hash_ratio":
                ok = reason != "gopher_too_many_hashes"
            dt_fail[name] = not ok
        words = gq.split_into_words(text, "en")
        dt_fail["gopher_ellipsis_ratio"] = bool(words) and (
            (text.count("...") + text.count("…")) / len(words) > 0.1
        )
        for name in names:
            c = counts[name]
            c["docs"] += 1
            c["dt_fail"] += dt_fail[name]
            c["ours_fail"] += name in ours
            c["agree"] += dt_fail[name] == (name in ours)


def _max_rss_mb() -> float:
    """Peak RSS of this process (VmHWM; ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: KiB


def _memory_child(side: str, texts: list[str]) -> tuple[float, float]:
    """(peak RSS MB, growth over RSS after imports MB) of scoring `texts` once in this process."""
    if side == "datatrove":
        from datatrove.pipeline.filters import GopherQualityFilter  # noqa: F401

        _dt_pass(GopherQualityFilter(), "warm up the spaCy tokenizer once. " * 20)
        start = _max_rss_mb()
        run_datatrove_chain(texts, 1)
    else:
        score_text("warm up: loads the numba kernels once.", WEB)
        series = pl.Series(texts, dtype=pl.String)
        start = _max_rss_mb()
        score_batch(series, WEB)
    return _max_rss_mb(), _max_rss_mb() - start


def peak_memory(side: str, texts: list[str]) -> dict[str, float]:
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        peak, growth = pool.apply(_memory_child, (side, texts))
    return {"peak_rss_mb": round(peak, 1), "growth_mb": round(growth, 1)}


def bench_corpus(
    name: str, texts: list[str], baseline_docs: int, agree_docs: int, repeats: int
) -> dict:
    """Both sides on one corpus; prints a table and returns the figures."""
    load_before = os.getloadavg()
    mean_kb = sum(map(len, texts)) / len(texts) / 1000
    baseline = texts[:baseline_docs]
    dt_wall, dt_cpu, dt_kept = run_datatrove_chain(baseline, repeats)
    dt_rate, dt_rate_cpu = len(baseline) / dt_wall, len(baseline) / dt_cpu
    series = pl.Series(texts, dtype=pl.String)
    ours_rate, ours_rate_cpu, scored = best_rate(series, WEB, repeats)
    mirror_rate, _, _ = best_rate(series, dataclasses.replace(WEB, strip_markdown=False), 1)
    load_after = os.getloadavg()
    memory = {"datatrove": peak_memory("datatrove", baseline), "ours": peak_memory("ours", texts)}
    agree = agreement(texts[:agree_docs])
    min_agree = min((c["agreement"] for c in agree.values() if c["docs"]), default=None)
    print(f"\n== {name}: {len(texts)} docs (~{mean_kb:.1f} KB), load {load_before[0]:.2f}")
    print(f"{'':<28}{'docs/s':>10}{'docs/cpu-s':>12}{'peak RSS MB':>13}{'growth MB':>11}")
    for label, wall, cpu, mem in (
        ("datatrove chain (defaults)", dt_rate, dt_rate_cpu, memory["datatrove"]),
        ("ours, web profile", ours_rate, ours_rate_cpu, memory["ours"]),
    ):
        print(
            f"{label:<28}{wall:>10.1f}{cpu:>12.1f}{mem['peak_rss_mb']:>13.0f}{mem['growth_mb']:>11.0f}"
        )
    print(f"{'ours, raw text (mirror)':<28}{mirror_rate:>10.1f}")
    print(f"speedup x{ours_rate / dt_rate:.1f} (wall), x{ours_rate_cpu / dt_rate_cpu:.1f} (CPU)")
    print(
        f"{'rule':<30}{'agree':>8}{'dt fail':>9}{'ours fail':>10}  ({len(texts[:agree_docs])} docs)"
    )
    for rule, c in agree.items():
        if c["docs"]:
            print(f"{rule:<30}{c['agreement']:>8.4f}{c['dt_fail']:>9}{c['ours_fail']:>10}")
    return {
        "docs": len(texts),
        "mean_doc_kb": round(mean_kb, 2),
        "datatrove_docs": len(baseline),
        "datatrove_docs_per_s": round(dt_rate, 1),
        "datatrove_kept_frac": round(sum(dt_kept) / len(dt_kept), 3),
        "ours_docs_per_s": round(ours_rate, 1),
        "datatrove_docs_per_cpu_s": round(dt_rate_cpu, 1),
        "ours_docs_per_cpu_s": round(ours_rate_cpu, 1),
        "speedup_cpu": round(ours_rate_cpu / dt_rate_cpu, 1),
        "ours_mirror_docs_per_s": round(mirror_rate, 1),
        "speedup": round(ours_rate / dt_rate, 1),
        "ours_pass_frac": round(float(scored["heuristic_pass"].mean()), 3),
        "memory": memory,
        "agreement_docs": len(texts[:agree_docs]),
        "min_agreement": None if min_agree is None else round(min_agree, 4),
        "agreement": agree,
        "loadavg_before": load_before,
        "loadavg_after": load_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument(
        "--corpus", nargs="+", choices=["real", "generated"], default=["real", "generated"]
    )
    parser.add_argument("--baseline-docs", type=int, help="default: 362 real, 300 generated")
    parser.add_argument("--agree-docs", type=int, help="default: 362 real, 1000 generated")
    parser.add_argument("--repeats", type=int, default=3, help="best of N, for both sides")
    args = parser.parse_args()
    score_text("warm up: compiles or loads the numba kernels once.", WEB)
    results: dict[str, object] = {}
    for name in args.corpus:
        if name == "real":
            texts = [t for _, t in make_real_corpus(args.docs)]
            base, agree = 362, 362
        else:
            texts = [t for _, t in make_corpus(args.docs)]
            base, agree = 300, 1000
        results[name] = bench_corpus(
            name, texts, args.baseline_docs or base, args.agree_docs or agree, args.repeats
        )
    results["threads"] = {v: os.environ[v] for v in ("POLARS_MAX_THREADS", "NUMBA_NUM_THREADS")}
    results["repeats_best_of"] = args.repeats
    print(f"\nwrote {write_result('heuristics', results)}")


if __name__ == "__main__":
    main()

"""Main-content extraction: ours vs plain trafilatura on the article-extraction-benchmark corpus.

    python benchmarks/bench_extraction.py [--corpus ../shared/corpora/article-extraction-benchmark]

181 real pages with a person's annotation of the article body (MIT, scrapinghub). The metric is the
benchmark's own (its README and evaluate.py): 4-token shingle multisets per page, tp/fp/fn
normalised per page, precision and recall averaged over pages, F1 of the two means; markdown is
flattened to text first (link targets, inline HTML and escapes dropped). Three extractors run side
by side, page by page in rotating order so machine load hits them alike:
  trafilatura   trafilatura.extract(html, include_comments=False), exactly as the benchmark runs it
  markdown      our previous extractor: trafilatura markdown with links, tables and formatting
  ours          core.crawl.extract.extract (precision cascade, markdown clean-up)
Per-page CPU time (time.process_time, robust to other processes) and wall time; 95% bootstrap
intervals for F1 and for F1(ours) - F1(trafilatura) on the same resampled pages. Then F1 with each
markdown clean-up rule turned off, and a held-out check of the cascade's three constants
(RECALL_CHECK_CHARS, FAST_MIN_SHARE, PRECISION_MIN_SHARE): chosen on one half of the pages (split
by page hash) from a grid, scored on the other half, both ways.
Writes benchmarks/results/extraction.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_result  # noqa: E402

from secondbrain_assets.core.crawl import extract as ex  # noqa: E402
from secondbrain_assets.core.crawl.extract_clean import (  # noqa: E402
    RULES,
    clean_markdown,
    markdown_to_text,
)
from secondbrain_assets.core.crawl.extract_eval import (  # noqa: E402
    Triple,
    load_corpus,
    scores,
    shingle_match,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/article-extraction-benchmark"


def bootstrap(runs: dict[str, list[Triple]], n: int = 1000) -> dict[str, list[float]]:
    rng = random.Random(0)
    size = len(next(iter(runs.values())))
    samples: dict[str, list[float]] = {name: [] for name in runs}
    samples["ours_minus_trafilatura"] = []
    for _ in range(n):
        idx = [rng.randrange(size) for _ in range(size)]
        f1 = {name: scores([t[i] for i in idx])["f1"] for name, t in runs.items()}
        for name, value in f1.items():
            samples[name].append(value)
        samples["ours_minus_trafilatura"].append(f1["ours"] - f1["trafilatura"])
    return {k: [round(q, 4) for q in _ci(v)] for k, v in samples.items()}


def _ci(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return values[int(0.025 * len(values))], values[int(0.975 * len(values)) - 1]


def _plain(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def _markdown(html: str, url: str) -> str:
    import trafilatura

    return markdown_to_text(trafilatura.extract(html, url=url, **ex._MARKDOWN) or "")


def _ours(html: str, url: str) -> str:
    return markdown_to_text(ex.extract(html, url).markdown)


SYSTEMS = {"trafilatura": _plain, "markdown": _markdown, "ours": _ours}


def held_out(pages: list, truth: list[str]) -> dict:
    """Clean-up rules off one at a time; the cascade's three constants chosen on one half of the
    pages (by page hash) from a grid and scored on the other half."""
    import trafilatura

    modes, visible, titles = [], [], []
    for _, url, html, _ in pages:
        tree = trafilatura.load_html(html)
        modes.append(
            {
                m: trafilatura.extract(tree, url=url, **kw, **ex._MARKDOWN) or ""
                for m, kw in ex._MODES.items()
            }
        )
        visible.append(ex.visible_chars(tree))
        titles.append(ex._title(html))
    shipped = (ex.RECALL_CHECK_CHARS, ex.FAST_MIN_SHARE, ex.PRECISION_MIN_SHARE)

    def run(idx: list[int], consts: tuple, rules: frozenset[str] = RULES) -> list[Triple]:
        out = []
        for i in idx:
            md, _ = ex.cascade(modes[i].__getitem__, lambda i=i: visible[i], *consts)
            out.append(
                shingle_match(truth[i], markdown_to_text(clean_markdown(md, titles[i], rules)))
            )
        return out

    every = list(range(len(pages)))
    result: dict = {"ablation_f1": {}}
    for label, rules in [("all rules", RULES), ("no clean-up", frozenset())] + [
        (f"without {r}", RULES - {r}) for r in sorted(RULES)
    ]:
        result["ablation_f1"][label] = round(scores(run(every, shipped, rules))["f1"], 4)
    grid = [
        (c, f, p) for c in (500, 1000, 2000) for f in (0.1, 0.2, 0.3, 0.5) for p in (0.1, 0.3, 0.5)
    ]
    halves = [[i for i, p in enumerate(pages) if int(p[0], 16) % 2 == h] for h in (0, 1)]
    for tune, test in ((0, 1), (1, 0)):
        best = max(grid, key=lambda g: scores(run(halves[tune], g))["f1"])
        result[f"tuned_on_half_{tune}"] = {
            "chosen": best,
            "f1_other_half": round(scores(run(halves[test], best))["f1"], 4),
            "f1_other_half_with_shipped": round(scores(run(halves[test], shipped))["f1"], 4),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    if not (args.corpus / "ground-truth.json").exists():
        sys.exit(
            f"corpus not found at {args.corpus}; pass --corpus <folder with ground-truth.json>"
        )
    pages = load_corpus(args.corpus)
    for fn in SYSTEMS.values():  # warm-up: imports and lazy tables outside the timing
        fn(pages[0][2], pages[0][1])
    names = list(SYSTEMS)
    cpu: dict[str, list[float]] = {n: [] for n in names}
    wall = {n: 0.0 for n in names}
    runs: dict[str, list[Triple]] = {n: [] for n in names}
    for i, (_, url, html, truth) in enumerate(pages):
        for name in names[i % 3 :] + names[: i % 3]:
            c0, w0 = time.process_time(), time.perf_counter()
            text = SYSTEMS[name](html, url)
            cpu[name].append(time.process_time() - c0)
            wall[name] += time.perf_counter() - w0
            runs[name].append(shingle_match(truth, text))
    n = len(pages)
    table = {
        name: {
            **{k: round(v, 4) for k, v in scores(runs[name]).items()},
            "cpu_ms_per_page": round(sum(cpu[name]) / n * 1000, 1),
            "cpu_ms_p50": round(statistics.median(cpu[name]) * 1000, 1),
            "cpu_ms_p95": round(statistics.quantiles(cpu[name], n=20)[-1] * 1000, 1),
            "wall_ms_per_page": round(wall[name] / n * 1000, 1),
        }
        for name in names
    }
    ci = bootstrap(runs)
    split = held_out(pages, [p[3] for p in pages])
    header = f"{'extractor':<12} {'F1':>6} {'P':>6} {'R':>6} {'95% CI F1':>15}"
    print(f"{header} {'cpu ms':>7} {'wall ms':>8}")
    for name, row in table.items():
        lo, hi = ci[name]
        print(
            f"{name:<12} {row['f1']:.4f} {row['precision']:.4f} {row['recall']:.4f} "
            f"[{lo:.3f},{hi:.3f}] {row['cpu_ms_per_page']:>7} {row['wall_ms_per_page']:>8}"
        )
    print("F1 ours - trafilatura, 95% CI:", ci["ours_minus_trafilatura"])
    print("held-out constants:", json.dumps(split))
    path = write_result(
        "extraction",
        {
            "corpus": "scrapinghub/article-extraction-benchmark (181 pages)",
            "pages": n,
            "results": table,
            "bootstrap_95ci_f1": ci,
            "held_out_constants": split,
            "extract_version": ex.EXTRACT_VERSION,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

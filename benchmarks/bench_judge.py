"""Judge quality (ROC AUC, good vs junk) and speed (docs/s), previous judge and ours side by side.

    python benchmarks/bench_judge.py [--baseline-pages 10] [--likelihood-tokens 64]

Corpus: `judge_corpus.py` (article-extraction benchmark: good = article body, junk = the same
page's visible text without it), documents cut to 1,024 SmolLM2 tokens (the issue's size).
- previous: the rubric prompt scored by the embedded SmolLM2-135M (`TransformersBackend`,
  digit probabilities, batch 8), on the first `--baseline-pages` pages (it is slow);
- likelihood: SmolLM2's mean token log-likelihood over the first `--likelihood-tokens` tokens
  (CCNet-style, no prompt), same pages; 0 skips it;
- ours: the embedded content judge (`ContentJudgeBackend`) through `judge_documents` with a cold
  SQLite cache, on every page, and on the baseline's pages for a like-for-like AUC.
Our AUC on all pages uses weights fitted on these pages; the held-out (leave-pages-out) AUC from
`fit_judge.py` is reported next to it and is the figure to quote. Writes results/judge.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import RESULTS, write_result  # noqa: E402
from judge_corpus import flatten, load_pairs  # noqa: E402

from secondbrain_assets.core.llm import embedded_model  # noqa: E402
from secondbrain_assets.core.llm.backends import JudgeInput  # noqa: E402
from secondbrain_assets.core.llm.cache import JudgementCache  # noqa: E402
from secondbrain_assets.core.llm.content_judge import ContentJudgeBackend  # noqa: E402
from secondbrain_assets.core.llm.judge import judge_documents  # noqa: E402

MAX_TOKENS = 1024


def auc(labels: list[int], scores: list[float]) -> float:
    """ROC AUC as the probability a random good document outscores a random junk one."""
    good = [s for s, y in zip(scores, labels, strict=True) if y]
    junk = [s for s, y in zip(scores, labels, strict=True) if not y]
    wins = sum((g > j) + 0.5 * (g == j) for g in good for j in junk)
    return wins / (len(good) * len(junk))


def documents(texts: list[str], tag: str) -> list[JudgeInput]:
    return [JudgeInput(f"{tag}{i}", "", t, f"{tag}-{i}-{hash(t)}") for i, t in enumerate(texts)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline-pages", type=int, default=10)
    parser.add_argument("--likelihood-tokens", type=int, default=64)
    args = parser.parse_args()
    load_start = os.getloadavg()[0]

    from transformers import AutoTokenizer

    model_dir = embedded_model.ensure_embedded_model()
    tok = AutoTokenizer.from_pretrained(model_dir)

    def cut(text: str) -> str:  # at most MAX_TOKENS tokens, as the documents
        ids = tok.encode(text[: MAX_TOKENS * 8], add_special_tokens=False)
        return text if len(ids) <= MAX_TOKENS else tok.decode(ids[:MAX_TOKENS])

    pairs = load_pairs()
    texts = [cut(p.good) for p in pairs] + [cut(p.junk) for p in pairs]
    labels = [1] * len(pairs) + [0] * len(pairs)
    k = min(args.baseline_pages, len(pairs))
    sub = list(range(k)) + list(range(len(pairs), len(pairs) + k))
    sub_texts, sub_labels = [texts[i] for i in sub], [labels[i] for i in sub]
    result: dict = {"pages": len(pairs), "documents": len(texts), "baseline_pages": k}
    result["mean_doc_chars"] = round(sum(map(len, texts)) / len(texts))
    result["mean_doc_tokens"] = round(sum(len(tok.encode(t)) for t in texts) / len(texts))

    # Ours, every page, through judge_documents with a cold cache (what llm_scores runs).
    ours = ContentJudgeBackend()
    with tempfile.TemporaryDirectory() as tmp:
        cache = JudgementCache(Path(tmp) / "judgements.sqlite")
        run = judge_documents(ours, documents(texts, "o"), cache)
        rerun = judge_documents(ours, documents(texts, "o"), cache)
        cache.close()
    scores = [j.score for j in run.judgements]
    started = time.perf_counter()
    flat_run = ours.judge(documents([flatten(t) for t in texts], "f"))
    flat_s = time.perf_counter() - started
    fit_path = RESULTS / "judge_fit.json"
    fit = __import__("json").loads(fit_path.read_text()) if fit_path.exists() else {}
    result["ours"] = {
        "method": ours.model_id,
        "auc_all_pages_in_sample": round(auc(labels, scores), 4),
        "auc_all_pages_flat_in_sample": round(auc(labels, [j.score for j in flat_run]), 4),
        "auc_heldout_lines": fit.get("heldout_auc_lines"),
        "auc_heldout_flat": fit.get("heldout_auc_flat"),
        "auc_baseline_pages": round(auc(sub_labels, [scores[i] for i in sub]), 4),
        "docs_per_s_with_cold_cache": round(len(texts) / run.elapsed_s, 1),
        "docs_per_s_judge_only": round(len(texts) / flat_s, 1),
        "rerun_cache_hits": rerun.cache_hits,
        "mean_score_good": round(sum(scores[: len(pairs)]) / len(pairs), 3),
        "mean_score_junk": round(sum(scores[len(pairs) :]) / len(pairs), 3),
    }
    print("ours", result["ours"], f"load {os.getloadavg()[0]:.1f}", flush=True)

    if args.likelihood_tokens:
        from secondbrain_assets.core.llm.likelihood import PrefixLikelihood

        lm = PrefixLikelihood(model_dir, max_tokens=args.likelihood_tokens)
        lm.score(sub_texts[:2])  # load and warm up
        started = time.perf_counter()
        values = lm.score(sub_texts)
        elapsed = time.perf_counter() - started
        result["likelihood"] = {
            "tokens": args.likelihood_tokens,
            "auc_baseline_pages": round(auc(sub_labels, [v or -99.0 for v in values]), 4),
            "docs_per_s": round(len(sub_texts) / elapsed, 3),
        }
        lm.close()
        print("likelihood", result["likelihood"], f"load {os.getloadavg()[0]:.1f}", flush=True)

    if k:
        from secondbrain_assets.core.llm.transformers_backend import TransformersBackend

        previous = TransformersBackend(model_dir, model_id=embedded_model.embedded_model_id())
        previous.check()
        previous.judge(documents(sub_texts[:2], "w"))  # warm-up
        started = time.perf_counter()
        judged = previous.judge(documents(sub_texts, "b"))
        elapsed = time.perf_counter() - started
        base = [j.score if j.score is not None else 0.0 for j in judged]
        result["previous"] = {
            "method": "rubric prompt, SmolLM2-135M digit probabilities (kb-additive-v1)",
            "auc_baseline_pages": round(auc(sub_labels, base), 4),
            "docs_per_s": round(len(sub_texts) / elapsed, 3),
            "mean_score_good": round(sum(base[:k]) / k, 3),
            "mean_score_junk": round(sum(base[k:]) / k, 3),
        }
        print("previous", result["previous"], f"load {os.getloadavg()[0]:.1f}", flush=True)
        ratio = result["ours"]["docs_per_s_with_cold_cache"] / result["previous"]["docs_per_s"]
        result["speedup_vs_previous"] = round(ratio, 1)
    result["loadavg_1m_at_start"] = round(load_start, 2)
    print(f"wrote {write_result('judge', result)}")


if __name__ == "__main__":
    main()

"""LLM judging throughput with the embedded SmolLM2-135M on CPU, and calls made on a re-run.

    python benchmarks/bench_llm_scores.py [--docs 50] [--baseline-docs 12] [--batch 8]

Same generated documents (~1.5 KB: articles, notes, gibberish), same prompt and model, one run:
- baseline: the naive port of the original project: one document at a time, `generate()` a short
  free-text answer and parse the first digit (no score when it finds none);
- ours, batch 1: next-token probabilities of the score digits, one document per forward pass;
- ours, batched: `judge_documents` (cold SQLite cache): `--batch` documents per forward pass,
  sorted by length, the rubric's KV cache computed once;
- re-run: the same call again over the same documents (goal: 0 LLM calls).
The baseline runs on the first `--baseline-docs` documents only (it is slow); rates are docs/s.
Writes benchmarks/results/llm_scores.json.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, write_result  # noqa: E402

from secondbrain_assets.core.llm import embedded_model, prompts  # noqa: E402
from secondbrain_assets.core.llm.backends import JudgeInput  # noqa: E402
from secondbrain_assets.core.llm.cache import JudgementCache  # noqa: E402
from secondbrain_assets.core.llm.judge import judge_documents  # noqa: E402
from secondbrain_assets.core.llm.transformers_backend import TransformersBackend  # noqa: E402

SENTENCES = [
    "A sender keeps a congestion window that limits the bytes in flight.",
    "Slow start doubles the window every round trip until a loss happens.",
    "Rust's borrow checker proves at compile time that references never dangle.",
    "An index on the partition key turns a full scan into a range lookup.",
    "Gradient descent moves the weights against the gradient of the loss.",
    "Write-ahead logging lets readers proceed while a single writer appends.",
    "LoRA trains two low-rank matrices instead of the full weight update.",
    "The cache is keyed by content, so unchanged documents are never recomputed.",
]


def make_documents(n: int, seed: int = 7) -> list[JudgeInput]:
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        kind = i % 3
        if kind == 0:  # article
            paragraphs = [" ".join(rng.choices(SENTENCES, k=4)) for _ in range(5)]
            text = "# Notes\n\n" + "\n\n".join(paragraphs)
        elif kind == 1:  # bulleted note
            text = "\n".join(f"- {s}" for s in rng.choices(SENTENCES, k=18))
        else:  # gibberish
            words = ["".join(rng.choices("qwertyuiopasdfghjklzxcvbnm", k=5)) for _ in range(250)]
            text = " ".join(words)
        docs.append(JudgeInput(f"d{i}", f"Document {i}", text[:1500], f"bench-{seed}-{i}"))
    return docs


def baseline_generate(backend: TransformersBackend, docs: list[JudgeInput]) -> tuple[float, int]:
    """Seconds for generate-and-parse, one document at a time; how many got no parsable score."""
    import torch

    backend.check()
    tok, model = backend._tokenizer, backend._model
    unparsed = 0
    started = time.perf_counter()
    for doc in docs:
        content, _ = backend.truncate(doc.content, backend.doc_budget)
        messages = prompts.build_messages(doc.title, content, structured=False)
        text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        inputs = tok(text, return_tensors="pt", add_special_tokens=False)
        with torch.inference_mode():
            out = model.generate(**inputs, max_new_tokens=12, do_sample=False)
        answer = tok.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        if not re.search(r"[0-5]", answer):
            unparsed += 1
    return time.perf_counter() - started, unparsed


def timed_judge(backend: TransformersBackend, docs: list[JudgeInput]) -> float:
    started = time.perf_counter()
    results = backend.judge(docs)
    assert all(r.status == "ok" for r in results)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--baseline-docs", type=int, default=6)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args()

    t0 = time.perf_counter()
    model_dir = embedded_model.ensure_embedded_model()
    prepare_s = time.perf_counter() - t0
    model_id = embedded_model.embedded_model_id()
    docs = make_documents(args.docs)
    one = TransformersBackend(model_dir, model_id=model_id, batch_size=1)
    batched = TransformersBackend(model_dir, model_id=model_id, batch_size=args.batch)
    t0 = time.perf_counter()
    batched.check()
    one.check()
    load_s = time.perf_counter() - t0
    timed_judge(batched, docs[:2])  # warm-up (first forward allocates)

    base_docs = docs[: args.baseline_docs]
    base_s, unparsed = baseline_generate(one, base_docs)
    one_s = timed_judge(one, base_docs)
    with tempfile.TemporaryDirectory() as tmp:
        cache = JudgementCache(Path(tmp) / "judgements.sqlite")
        first = judge_documents(batched, docs, cache)  # the batched measurement, cold cache
        second = judge_documents(batched, docs, cache)
    assert first.n_ok == len(docs)
    batch_s = first.backend_s

    rates = {
        "baseline_generate_parse": len(base_docs) / base_s,
        "ours_batch_1": len(base_docs) / one_s,
        f"ours_batch_{args.batch}": len(docs) / batch_s,
    }
    base = rates["baseline_generate_parse"]
    print(f"{'method':28} {'docs':>5} {'docs/s':>8} {'vs baseline':>12}")
    counts = [len(base_docs), len(base_docs), len(docs)]
    for (name, rate), n in zip(rates.items(), counts, strict=True):
        print(f"{name:28} {n:5d} {rate:8.2f} {rate / base:11.1f}x")
    print(f"baseline answers without a parsable digit: {unparsed}/{len(base_docs)}")
    print(
        f"first cached run: {first.llm_calls} calls; re-run: {second.llm_calls} calls, "
        f"{second.cache_hits} cache hits in {second.elapsed_s * 1000:.1f} ms"
    )
    print(f"model prepare {prepare_s:.1f} s, load {load_s:.1f} s, {machine()}")
    path = write_result(
        "llm_scores",
        {
            "model": model_id,
            "prompt_version": prompts.PROMPT_VERSION,
            "docs": len(docs),
            "baseline_docs": len(base_docs),
            "docs_per_s": {k: round(v, 3) for k, v in rates.items()},
            "ratio_vs_baseline": {k: round(v / base, 2) for k, v in rates.items()},
            "baseline_unparsed": unparsed,
            "first_run_llm_calls": first.llm_calls,
            "rerun_llm_calls": second.llm_calls,
            "rerun_cache_hits": second.cache_hits,
            "rerun_seconds": round(second.elapsed_s, 4),
            "model_prepare_s": round(prepare_s, 2),
            "model_load_s": round(load_s, 2),
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

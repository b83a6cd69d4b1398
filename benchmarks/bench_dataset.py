"""hf_dataset from 10,000 summaries: wall time and peak memory, ours next to a per-row baseline.

    python benchmarks/bench_dataset.py [--rows 10000] [--baseline-rows 1000] [--max-length 1024]

Input: `summaries`-shaped rows built from the article-extraction benchmark's 181 article bodies
(each document a different head of an article plus its own first line, so texts are distinct),
4 summaries per document, 10% rejected, 2 exports that share a fifth of their documents (copies
to merge), tokens of the embedded SmolLM2-135M-Instruct. Document lengths vary up to ~2,000
tokens, so a share of them must be shortened to fit `--max-length`.
- ours: `build_rows` (batched counting, one cut per document) + `to_dataset_dict` +
  `save_to_disk`, the work the asset does, in a fresh process for a clean peak-RSS figure;
- baseline: the obvious per-row way, `apply_chat_template(tokenize=True)` for prompt and
  conversation of every row, on `--baseline-rows` rows (extrapolated per row; it is slow).
Writes results/dataset.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import write_result  # noqa: E402

CORPUS = Path("/work/shared/corpora/article-extraction-benchmark/ground-truth.json")


def summaries_frame(n_rows: int, seed: int = 0):  # noqa: ANN201
    import polars as pl

    from secondbrain_assets.core.summarize.prompts import PROMPT_VERSION

    bodies = [v["articleBody"] for v in json.loads(CORPUS.read_text()).values() if v["articleBody"]]
    rng = random.Random(seed)
    n_docs = n_rows // 4
    shared = n_docs // 5  # documents present in both exports
    rows = []
    for d in range(n_docs):
        body = bodies[d % len(bodies)]
        paragraphs = [p for p in body.split("\n") if p.strip()]
        head = "\n\n".join(paragraphs[: rng.randint(1, max(1, len(paragraphs)))])[:9000]
        text = f"Note {d}: {paragraphs[0][:80]}\n\n{head}"
        exports = ["export-1", "export-2"] if d < shared else [f"export-{1 + d % 2}"]
        answers = [
            f"Summary {k} of note {d}: " + " ".join(head.split()[k : k + 25]) for k in range(4)
        ]
        for export in exports:
            for k, answer in enumerate(answers):
                rows.append(
                    {
                        "doc_id": f"{d:032x}",
                        "export_key": export,
                        "source": "web",
                        "title": f"note {d}",
                        "content_hash": f"{hash(text) & 0xFFFFFFFF:08x}",
                        "quality_score": 0.8,
                        "instruction": text,
                        "answer": answer[:256],
                        "temperature": k * 0.125,
                        "seed": k,
                        "attempt": 0,
                        "budget_chars": 256,
                        "summarizer_backend": "transformers",
                        "summarizer_model": "bench",
                        "prompt_version": PROMPT_VERSION,
                        "status": "rejected" if rng.random() < 0.1 else "ok",
                        "reject_reason": None,
                        "n_answer_chars": len(answer),
                        "language": "en",
                    }
                )
    return pl.DataFrame(rows[:n_rows], infer_schema_length=None)


def _ours(tokenizer_dir: str, n_rows: int, max_length: int, queue: mp.Queue) -> None:
    import psutil

    from secondbrain_assets.core.dataset.build import BuildSettings, build_rows
    from secondbrain_assets.core.dataset.hf import to_dataset_dict
    from secondbrain_assets.core.dataset.tokens import ChatTokenCounter, load_tokenizer

    summaries = summaries_frame(n_rows)
    started = time.perf_counter()
    counter = ChatTokenCounter(load_tokenizer(tokenizer_dir))
    loaded = time.perf_counter()
    rss_before = psutil.Process().memory_info().rss
    cpu_start = time.process_time()  # all threads: the tokenizer encodes on every core
    exports = ["export-1", "export-2"]
    rows, report = build_rows(summaries, counter, exports, BuildSettings(max_length))
    built = time.perf_counter()
    dataset = to_dataset_dict(rows)
    converted = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        dataset.save_to_disk(tmp)
    saved = time.perf_counter()
    cpu = time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    queue.put(
        {
            "input_rows": summaries.height,
            "output_rows": rows.height,
            "counts": report.counts,
            "tokenizer_load_s": round(loaded - started, 3),
            "build_rows_s": round(built - loaded, 3),
            "to_dataset_dict_s": round(converted - built, 3),
            "save_to_disk_s": round(saved - converted, 3),
            "total_s": round(saved - started, 3),
            "cpu_s_build_to_saved": round(cpu, 3),
            "rss_before_build_mb": round(rss_before / 1e6, 1),
            "peak_rss_mb": round(peak / 1e6, 1),
            "longest_row_tokens": int((rows["n_prompt_tokens"] + rows["n_answer_tokens"]).max()),
        }
    )


def _baseline(tokenizer_dir: str, n_rows: int) -> dict:
    from transformers import PreTrainedTokenizerFast

    from secondbrain_assets.core.summarize.prompts import summary_messages

    tokenizer = PreTrainedTokenizerFast.from_pretrained(tokenizer_dir)
    frame = summaries_frame(n_rows)
    started = time.perf_counter()
    for text, answer, budget in frame.select("instruction", "answer", "budget_chars").iter_rows():
        messages = summary_messages(text, budget, answer)
        tokenizer.apply_chat_template(messages[:2], tokenize=True, add_generation_prompt=True)
        tokenizer.apply_chat_template(messages, tokenize=True)
    elapsed = time.perf_counter() - started
    return {
        "rows": frame.height,
        "counting_only_s": round(elapsed, 3),
        "per_row_ms": round(1000 * elapsed / frame.height, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000)
    parser.add_argument("--max-length", type=int, default=1024)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from secondbrain_assets.core.llm.embedded_model import ensure_embedded_model

    tokenizer_dir = str(ensure_embedded_model())
    load_start = os.getloadavg()[0]
    queue: mp.Queue = mp.get_context("spawn").Queue()
    child = mp.get_context("spawn").Process(
        target=_ours, args=(tokenizer_dir, args.rows, args.max_length, queue)
    )
    child.start()
    ours = queue.get()
    child.join()
    baseline = _baseline(tokenizer_dir, args.baseline_rows)
    per_row_ours = 1000 * ours["build_rows_s"] / ours["input_rows"]
    result = {
        "goal": "hf_dataset from 10,000 summaries in <= 10 s",
        "max_length": args.max_length,
        "ours": ours,
        "baseline_per_row_apply_chat_template": baseline,
        "counting_speedup_per_row": round(baseline["per_row_ms"] / per_row_ours, 1),
        "loadavg_1m_at_start": round(load_start, 2),
    }
    path = write_result("dataset", result)
    print(json.dumps(result, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

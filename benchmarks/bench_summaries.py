"""Summaries with the embedded SmolLM2-135M on CPU: batched vs one at a time, and a cached re-run.

    python benchmarks/bench_summaries.py [--docs 8] [--batch 16] [--threads 1]

Same documents (the sample export's Notion pages of at least 256 characters), same prompt, same
model, same token cap, one run, side by side:
- baseline: a one-at-a-time loop, one `model.generate()` per (document, temperature) request,
  sampling with `do_sample=True` and a torch seed per call (what a straightforward port does);
- ours: `summarize_documents` with TransformersSummarizer (cold cache, no retries, so both make
  exactly one generation per request): batches of `--batch` rows, one prefill per document
  shared by its temperatures, per-row seeded sampling, rows stopped once over budget;
- re-run: the same call again on the unchanged documents (goal: 0 generation calls).
Rates: summaries/s and generated tokens/s. Writes benchmarks/results/summaries.json.
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

from _common import machine, write_result  # noqa: E402

from secondbrain_assets.core.llm import embedded_model  # noqa: E402
from secondbrain_assets.core.notion.parser import parse_export  # noqa: E402
from secondbrain_assets.core.notion.records import to_records  # noqa: E402
from secondbrain_assets.core.summarize import prompts  # noqa: E402
from secondbrain_assets.core.summarize.cache import GenerationCache  # noqa: E402
from secondbrain_assets.core.summarize.length import max_new_tokens  # noqa: E402
from secondbrain_assets.core.summarize.run import (  # noqa: E402
    SummaryDocument,
    SummarySettings,
    summarize_documents,
)
from secondbrain_assets.core.summarize.transformers_summarizer import (  # noqa: E402
    TransformersSummarizer,
)

TEMPERATURES = (0.0, 0.125, 0.25, 0.375)


def sample_documents(n: int, min_chars: int) -> list[SummaryDocument]:
    export = next((ROOT / "data" / "notion").glob("*.zip"))
    records = to_records(parse_export(export), "sample")
    docs = [
        SummaryDocument(
            r["doc_id"], "sample", "notion", r["title"], r["content"], r["content_hash"], 1.0
        )
        for r in records
        if len((r["content"] or "").strip()) >= min_chars
    ]
    return sorted(docs, key=lambda d: d.doc_id)[:n]


def baseline(summarizer: TransformersSummarizer, instructions: list[str], cap: int) -> dict:
    """One `generate()` per request, sampling by the model's own sampler."""
    import torch

    model, tok = summarizer._model, summarizer._tokenizer
    started, cpu, tokens, n = time.perf_counter(), time.process_time(), 0, 0
    for instruction in instructions:
        ids = summarizer.encode_chat(
            prompts.summary_messages(instruction, prompts.DEFAULT_BUDGET_CHARS)
        )
        for k, temperature in enumerate(TEMPERATURES):
            torch.manual_seed(k)
            sampling = {"do_sample": True, "temperature": temperature}
            with torch.inference_mode():
                out = model.generate(
                    torch.tensor([ids]),
                    attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                    max_new_tokens=cap,
                    pad_token_id=tok.pad_token_id,
                    **(sampling if temperature > 0 else {"do_sample": False}),
                )
            tokens += out.shape[1] - len(ids)
            n += 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "summaries": n,
        "seconds": round(seconds, 2),
        "summaries_per_s": round(n / seconds, 3),
        "tokens": tokens,
        "tokens_per_s": round(tokens / seconds, 2),
        "cpu_seconds": round(cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=8)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("BENCH_THREADS", 1)))
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    docs = sample_documents(args.docs, prompts.DEFAULT_BUDGET_CHARS)
    settings = SummarySettings(temperatures=TEMPERATURES, retries=0)
    cap = max_new_tokens(settings.budget_chars, settings.chars_per_token_floor)
    ours_model = TransformersSummarizer(
        embedded_model.ensure_embedded_model(),
        model_id=embedded_model.embedded_model_id(),
        batch_size=args.batch,
        num_threads=args.threads,
    )
    ours_model.check()
    with tempfile.TemporaryDirectory() as tmp:
        cache = GenerationCache(
            "transformers", ours_model.model_id, prompts.PROMPT_VERSION, Path(tmp) / "bench.sqlite"
        )
        cpu = time.process_time()
        run = summarize_documents(ours_model, docs, cache, settings)
        cpu = time.process_time() - cpu
        ours = {
            "summaries": len(run.rows),
            "seconds": round(run.backend_s, 2),
            "summaries_per_s": round(len(run.rows) / run.backend_s, 3),
            "tokens": run.generated_tokens,
            "tokens_per_s": round(run.generated_tokens / run.backend_s, 2),
            "ok": sum(r["status"] == "ok" for r in run.rows),
            "cpu_seconds": round(cpu, 2),
        }
        instructions = list(dict.fromkeys(r["instruction"] for r in run.rows))
        base = baseline(ours_model, instructions, cap)
        again = summarize_documents(ours_model, docs, cache, settings)
        rerun = {
            "generation_calls": again.generation_calls,
            "cache_hits": again.cache_hits,
            "seconds": round(again.elapsed_s, 3),
        }
        cache.close()
    result = {
        "model": ours_model.model_id,
        "documents": len(docs),
        "temperatures": TEMPERATURES,
        "budget_chars": settings.budget_chars,
        "max_new_tokens": cap,
        "batch": args.batch,
        "torch_threads": args.threads,
        "baseline_one_at_a_time": base,
        "ours_batched": ours,
        "speedup_summaries_per_s": round(ours["summaries_per_s"] / base["summaries_per_s"], 2),
        # CPU time per summary: steadier than wall time on a machine shared with other work.
        "speedup_cpu_per_summary": round(base["cpu_seconds"] / ours["cpu_seconds"], 2),
        "rerun_unchanged": rerun,
        "loadavg_1m_before": round(load_before, 2),
        "loadavg_1m_after": round(os.getloadavg()[0], 2),
        "machine": machine(),
    }
    path = write_result("summaries", result)
    print(
        f"baseline {base['summaries_per_s']} summaries/s, {base['tokens_per_s']} tok/s; "
        f"ours {ours['summaries_per_s']} summaries/s, {ours['tokens_per_s']} tok/s "
        f"(x{result['speedup_summaries_per_s']} wall, x{result['speedup_cpu_per_summary']} CPU); "
        f"re-run calls {rerun['generation_calls']} "
        f"-> {path}"
    )


if __name__ == "__main__":
    main()

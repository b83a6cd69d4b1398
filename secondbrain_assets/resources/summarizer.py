"""Builds the summarizer backend from the `llm` resource's summarizer fields (kept out of
resources/llm.py so the judge's and the summarizer's settings stay readable apart)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from secondbrain_assets import settings
from secondbrain_assets.core.summarize.backends import SummarizerBackend

if TYPE_CHECKING:
    from secondbrain_assets.resources.llm import LLMResource

OLLAMA_DEFAULT_HOST = "http://127.0.0.1:11434"
OLLAMA_DEFAULT_MODEL = "qwen2.5:7b"


def build_summarizer(llm: LLMResource) -> SummarizerBackend:
    backend = llm.summarizer_backend
    if backend == "ollama":
        from secondbrain_assets.core.summarize.http_backends import OllamaSummarizer

        return OllamaSummarizer(
            (llm.ollama_host or "").strip() or OLLAMA_DEFAULT_HOST,
            llm.summarizer_model or OLLAMA_DEFAULT_MODEL,
            num_ctx=llm.num_ctx,
            concurrency=llm.summarizer_concurrency or settings.ollama_num_parallel(),
            deadline_s=llm.summarizer_deadline_s,
            retries=llm.retries,
            keep_alive=llm.keep_alive,
        )
    if backend == "openai":
        from secondbrain_assets.core.summarize.http_backends import OpenAISummarizer

        if not llm.summarizer_model:
            raise ValueError(
                "summarizer_backend='openai' needs `summarizer_model`: the model name the "
                f"endpoint serves (see {llm.openai_base_url}/models), "
                "e.g. Qwen/Qwen2.5-7B-Instruct."
            )
        return OpenAISummarizer(
            llm.openai_base_url,
            llm.summarizer_model,
            api_key=settings.openai_api_key(),
            concurrency=llm.summarizer_concurrency or 4,
            deadline_s=llm.summarizer_deadline_s,
            retries=llm.retries,
        )
    from secondbrain_assets.core.summarize.transformers_summarizer import TransformersSummarizer

    model_dir: Path | Callable[[], Path]
    model_id: str | None = None
    if llm.summarizer_model:
        model_dir = Path(llm.summarizer_model).expanduser()
    else:
        from secondbrain_assets.core.llm import embedded_model

        # Converted on first use only: a run served from the cache never loads a model.
        model_dir, model_id = (
            embedded_model.ensure_embedded_model,
            embedded_model.embedded_model_id(),
        )
    return TransformersSummarizer(
        model_dir,
        model_id=model_id,
        batch_size=llm.summarizer_batch_size,
        device=_pick_device(llm.device),
        num_threads=llm.summarizer_threads,
    )


def _pick_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"

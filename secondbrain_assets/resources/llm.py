"""`llm` resource: which LLM judges documents, and how. Builds the core backend lazily."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import dagster as dg
from pydantic import Field

from secondbrain_assets.core.llm.backends import LLMBackend
from secondbrain_assets.core.llm.cache import JudgementCache
from secondbrain_assets.core.summarize.backends import SummarizerBackend

if TYPE_CHECKING:
    from secondbrain_assets.core.summarize.cache import GenerationCache

OLLAMA_DEFAULT_HOST = "http://127.0.0.1:11434"
OLLAMA_DEFAULT_MODEL = "qwen2.5:7b"


class LLMResource(dg.ConfigurableResource):
    """The judge. Default ('embedded'): the content judge of `core/llm/content_judge.py`, a
    calibrated model over text signals (~1 ms/doc on CPU, no weights, no server); its score is the
    probability that a document is substantive content rather than page boilerplate.
    'transformers': the rubric prompt scored by a local HF model (empty `model` = SmolLM2-135M).

    Production: `LLMResource(backend="ollama", ollama_host=dg.EnvVar("OLLAMA_HOST"))` with
    `docker compose -f docker/compose.yaml up ollama` and `ollama pull qwen2.5:7b`.
    """

    backend: Literal["embedded", "transformers", "ollama"] = Field(
        default="embedded",
        description="'embedded' (content judge, no model), 'transformers' (rubric prompt on a "
        "local HF folder) or 'ollama' (rubric prompt on an Ollama model)",
    )
    model: str = Field(
        default="",
        description="transformers: HF model folder (empty = embedded SmolLM2); "
        "ollama: model tag (empty = qwen2.5:7b); embedded: leave empty",
    )
    ollama_host: str | None = Field(default=None, description="Ollama URL; empty = local default")
    num_ctx: int = Field(default=8192, description="Ollama context window (options.num_ctx)")
    max_document_tokens: int | None = Field(
        default=None, description="Document token budget; default 1024 local, 6000 Ollama"
    )
    concurrency: int | None = Field(
        default=None, description="Parallel Ollama requests; default $OLLAMA_NUM_PARALLEL or 2"
    )
    timeout_s: float = Field(default=120.0, description="Per-request timeout (Ollama)")
    retries: int = Field(default=3, description="Retries on 5xx, timeouts, connection errors")
    keep_alive: str = Field(default="10m", description="How long Ollama keeps the model loaded")
    batch_size: int = Field(default=8, description="Documents per forward pass (transformers)")
    device: str = Field(default="auto", description="torch device; auto = cuda when available")
    cache_path: str | None = Field(
        default=None, description="SQLite judgement cache (default <cache dir>/llm/...)"
    )
    # -- summarizer (the `summaries` asset); ollama_host, num_ctx, retries, keep_alive and device
    # above apply to it too.
    summarizer_backend: Literal["transformers", "ollama", "openai"] = Field(
        default="transformers",
        description="'transformers' (local HF folder, default the embedded SmolLM2), 'ollama', "
        "or 'openai' (any OpenAI-compatible /v1/chat/completions: vLLM, llama.cpp, TGI, OpenAI)",
    )
    summarizer_model: str = Field(
        default="",
        description="transformers: HF folder, e.g. a `merged_model` folder (empty = embedded "
        "SmolLM2); ollama: tag (empty = qwen2.5:7b); openai: served model name (required)",
    )
    openai_base_url: str = Field(
        default="http://127.0.0.1:8000/v1",
        description="OpenAI-compatible API root ending in /v1; the key is read from "
        "$OPENAI_API_KEY when the summarizer starts, never stored in config",
    )
    summarizer_batch_size: int = Field(
        default=16, description="Generations per batch (transformers); rows share prefill"
    )
    summarizer_concurrency: int | None = Field(
        default=None, description="Parallel requests (ollama/openai); default 2 / 4"
    )
    summarizer_deadline_s: float = Field(
        default=300.0, description="Total deadline per summary request, retries included (HTTP)"
    )
    summarizer_threads: int | None = Field(
        default=None,
        description="torch CPU threads for the transformers summarizer (empty = torch's "
        "default); 1 is fastest on a machine shared with other busy processes",
    )
    summarizer_cache_path: str | None = Field(
        default=None, description="SQLite generation cache (default <cache dir>/summaries/...)"
    )

    def build_backend(self) -> LLMBackend:
        """A ready-to-check backend; heavy libraries load here, not at import time."""
        if self.backend == "embedded":
            if self.model:
                raise ValueError(
                    f"The `llm` resource names a model ({self.model!r}) but backend='embedded' "
                    "uses none. Set backend='transformers' (a local HF folder) or "
                    "backend='ollama' (SECONDBRAIN_LLM_BACKEND), or leave `model` empty."
                )
            from secondbrain_assets.core.llm.content_judge import ContentJudgeBackend

            return ContentJudgeBackend()
        if self.backend == "ollama":
            from secondbrain_assets.core.llm.ollama_backend import OllamaBackend

            return OllamaBackend(
                host=(self.ollama_host or "").strip() or OLLAMA_DEFAULT_HOST,
                model=self.model or OLLAMA_DEFAULT_MODEL,
                num_ctx=self.num_ctx,
                max_document_tokens=self.max_document_tokens or 6000,
                concurrency=self.concurrency,
                timeout_s=self.timeout_s,
                retries=self.retries,
                keep_alive=self.keep_alive,
            )
        from secondbrain_assets.core.llm.transformers_backend import TransformersBackend

        model_id = None
        model_dir: Path | Callable[[], Path]
        if self.model:
            model_dir = Path(self.model).expanduser()
        else:
            from secondbrain_assets.core.llm import embedded_model

            # Converted on first use only: a run served from the cache never loads a model.
            model_dir = embedded_model.ensure_embedded_model
            model_id = embedded_model.embedded_model_id()
        return TransformersBackend(
            model_dir,
            model_id=model_id,
            max_document_tokens=self.max_document_tokens or 1024,
            batch_size=self.batch_size,
            device=_pick_device(self.device),
        )

    def open_cache(self) -> JudgementCache:
        return JudgementCache(Path(self.cache_path) if self.cache_path else None)

    def build_summarizer(self) -> SummarizerBackend:
        """The summarizer backend (core/summarize); heavy libraries load on first use."""
        from secondbrain_assets.resources.summarizer import build_summarizer

        return build_summarizer(self)

    def open_summary_cache(self, backend: SummarizerBackend) -> GenerationCache:
        from secondbrain_assets.core.summarize.cache import GenerationCache
        from secondbrain_assets.core.summarize.prompts import PROMPT_VERSION

        path = Path(self.summarizer_cache_path) if self.summarizer_cache_path else None
        return GenerationCache(backend.name, backend.model_id, PROMPT_VERSION, path)


def _pick_device(device: str) -> str:
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"

"""Summarize with a local Hugging Face causal LM: batched generation on CPU or GPU.

- Left padding and the KV cache; rows of similar length share a batch (less padding).
- Several requests on the same document (one per temperature) share one prefill: the prompt is
  run once and its KV cache copied to each row, which on CPU is most of the cost.
- Sampling is per row and reproducible: each row has its own torch.Generator seeded with the
  request's seed, and samples by the Gumbel-max trick (argmax of logits / T + Gumbel noise is a
  draw from softmax(logits / T)). Temperature 0 rows add no noise: greedy. So a row's answer
  does not depend on which other rows share its batch.
torch and transformers are imported lazily (the Dagster code location must load fast).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from secondbrain_assets.core.llm.transformers_backend import FALLBACK_TEMPLATE, model_fingerprint
from secondbrain_assets.core.summarize.backends import (
    BackendUnavailableError,
    Generation,
    GenerationRequest,
)


class TransformersSummarizer:
    """Any local HF folder: the embedded SmolLM2, a `merged_model` folder, a tiny test model."""

    name = "transformers"

    def __init__(
        self,
        model_dir: str | Path | Callable[[], Path],
        *,
        model_id: str | None = None,
        batch_size: int = 16,
        device: str = "cpu",
        share_prefill: bool = True,
        num_threads: int | None = None,
    ) -> None:
        # A callable defers converting the embedded model to first use: a run answered from the
        # cache never loads a model.
        self._source = model_dir
        self._model_dir: Path | None = None if callable(model_dir) else Path(model_dir)
        if model_id is None:
            if self._model_dir is None:
                raise ValueError("model_id is required when model_dir is a callable")
            found = (self._model_dir / "config.json").exists()
            model_id = (
                f"{self._model_dir.name}@{model_fingerprint(self._model_dir) if found else '-'}"
            )
        self.model_id = model_id
        self.batch_size = max(1, batch_size)
        self.device = device
        self.share_prefill = share_prefill
        self.num_threads = num_threads
        self.calls = 0
        self.generated_tokens = 0
        self._model: Any = None
        self._tokenizer: Any = None
        self._eos_ids: list[int] = []

    @property
    def model_dir(self) -> Path:
        if self._model_dir is None:
            source = self._source
            self._model_dir = Path(source()) if callable(source) else Path(source)
        return self._model_dir

    def check(self) -> None:
        if not (self.model_dir / "config.json").exists():
            raise BackendUnavailableError(
                f"No Hugging Face model folder at {self.model_dir} (config.json missing). Point "
                "the `llm` resource's `summarizer_model` at a saved model folder (e.g. the "
                "`merged_model` asset's folder), leave it empty for the embedded SmolLM2, or use "
                "summarizer_backend='ollama' or 'openai'."
            )
        self._load()

    def _load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM

        if self.num_threads:
            # Process-wide: the step process runs this one model. On a CPU shared with other
            # busy processes, fewer threads avoid spin-waiting (seen here: 10x faster with 1).
            torch.set_num_threads(self.num_threads)
        tok = self._load_tokenizer()
        model = AutoModelForCausalLM.from_pretrained(self.model_dir, dtype=torch.float32)
        model.to(self.device).eval()
        eos = model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])
        eos_ids.add(tok.eos_token_id)
        self._eos_ids = sorted(i for i in eos_ids if i is not None)
        self._model = model

    def _load_tokenizer(self) -> Any:
        # Alone, so cutting documents (needed to look the cache up) never loads the weights.
        if self._tokenizer is None:
            from transformers import AutoTokenizer

            tok = AutoTokenizer.from_pretrained(self.model_dir)
            tok.padding_side = "left"
            if tok.pad_token_id is None:
                tok.pad_token = tok.eos_token
            self._tokenizer = tok
        return self._tokenizer

    def count_tokens(self, text: str) -> int:
        return len(self._load_tokenizer().encode(text, add_special_tokens=False))

    def encode_chat(self, messages: list[dict[str, str]]) -> list[int]:
        """Prompt ids as the model's chat template lays them out, ready for the answer."""
        tok = self._load_tokenizer()
        if getattr(tok, "chat_template", None):
            text = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
        else:  # a base model without a template: a plain transcript
            text = FALLBACK_TEMPLATE.format(
                system=messages[0]["content"], user=messages[-1]["content"]
            )
        return tok.encode(text, add_special_tokens=False)

    def generate(self, requests: Sequence[GenerationRequest]) -> list[Generation]:
        self._load()
        encoded = {}
        for request in requests:  # a document's temperatures share one encoding
            if request.messages not in encoded:
                encoded[request.messages] = self.encode_chat(request.chat())
        # Same cap and similar length share a batch; requests on one document stay together.
        order = sorted(
            range(len(requests)),
            key=lambda i: (
                requests[i].max_new_tokens,
                len(encoded[requests[i].messages]),
                requests[i].messages,
            ),
        )
        results: list[Generation | None] = [None] * len(requests)
        for start in range(0, len(order), self.batch_size):
            batch = order[start : start + self.batch_size]
            rows = [requests[i] for i in batch]
            try:
                generations = self._generate_batch(rows, [encoded[r.messages] for r in rows])
            except Exception as exc:  # e.g. out of memory: recorded on these requests only
                generations = [Generation.failed(f"{type(exc).__name__}: {exc}")] * len(rows)
            for i, generation in zip(batch, generations, strict=True):
                results[i] = generation
        return [r if r is not None else Generation.failed("not generated") for r in results]

    def _generate_batch(
        self, rows: list[GenerationRequest], ids: list[list[int]]
    ) -> list[Generation]:
        import torch
        from transformers import LogitsProcessorList, StoppingCriteriaList

        pad = self._tokenizer.pad_token_id
        width = max(len(x) for x in ids)
        input_ids = torch.tensor([[pad] * (width - len(x)) + x for x in ids], device=self.device)
        mask = torch.tensor(
            [[0] * (width - len(x)) + [1] * len(x) for x in ids], device=self.device
        )
        kwargs: dict[str, Any] = {}
        if self.share_prefill and width > 1:
            kwargs["cache"] = self._shared_prefill(input_ids, mask)
        sampler = _GumbelSampler([r.temperature for r in rows], [r.seed for r in rows])
        stops = _RowStops(self._tokenizer, width, rows)
        cap = max(r.max_new_tokens for r in rows)
        with torch.inference_mode():
            out = self._model.generate(
                input_ids=input_ids,
                attention_mask=mask,
                max_new_tokens=cap,
                do_sample=False,  # sampling is done by _GumbelSampler, per row
                temperature=None,
                top_p=None,
                top_k=None,
                logits_processor=LogitsProcessorList([sampler]),
                stopping_criteria=StoppingCriteriaList([stops]),
                eos_token_id=self._eos_ids,
                pad_token_id=pad,
                **kwargs,
            )
        self.calls += len(rows)
        return [
            self._decode(row[width:].tolist(), r.max_new_tokens, stopped)
            for row, r, stopped in zip(out, rows, stops.stopped, strict=True)
        ]

    def _shared_prefill(self, input_ids: Any, mask: Any) -> Any:
        """KV cache of every row's prompt but its last token, computed once per distinct prompt."""
        import torch

        unique, inverse = torch.unique(input_ids, dim=0, return_inverse=True)
        first = [int((inverse == u).nonzero()[0]) for u in range(unique.shape[0])]
        u_mask = mask[first]
        positions = (u_mask.cumsum(-1) - 1).clamp(min=0)
        with torch.inference_mode():
            out = self._model(
                input_ids=unique[:, :-1],
                attention_mask=u_mask[:, :-1],
                position_ids=positions[:, :-1],
                use_cache=True,
                logits_to_keep=1,
            )
        cache = out.cache
        cache.batch_select_indices(inverse)
        return cache

    def _decode(self, new_ids: list[int], cap: int, stopped: int | None) -> Generation:
        # A row cut by _RowStops is unfinished even if padding (often the EOS id) follows.
        limit = min(cap, stopped) if stopped is not None else cap
        end = next((k for k, t in enumerate(new_ids[:limit]) if t in self._eos_ids), None)
        kept = new_ids[: end if end is not None else limit]
        self.generated_tokens += len(kept)
        text = self._tokenizer.decode(kept, skip_special_tokens=True)
        return Generation(text=text, n_tokens=len(kept), finished=end is not None)

    def close(self) -> None:
        self._model = None
        self._tokenizer = None


class _GumbelSampler:
    """Logits processor: per-row temperature and seed; the greedy argmax after it samples."""

    def __init__(self, temperatures: list[float], seeds: list[int]) -> None:
        import torch

        self.temperatures = temperatures
        self.generators = [
            torch.Generator().manual_seed(seed) if t > 0 else None
            for t, seed in zip(temperatures, seeds, strict=True)
        ]

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        scores = scores.clone()
        for row, (temperature, gen) in enumerate(
            zip(self.temperatures, self.generators, strict=True)
        ):
            if gen is None:
                continue
            uniform = torch.rand(scores.shape[-1], generator=gen).clamp_(1e-20, 1.0)
            gumbel = -torch.log(-torch.log(uniform))
            scores[row] = scores[row] / temperature + gumbel.to(scores.device)
        return scores


class _RowStops:
    """Stopping criterion: a row is done at its own token cap, or as soon as its answer is over
    `stop_after_chars`; `stopped[i]` is how many tokens row i had then (None = not cut)."""

    def __init__(self, tokenizer: Any, width: int, rows: list[GenerationRequest]) -> None:
        from secondbrain_assets.core.summarize.filters import normalize_answer

        self.tokenizer, self.width, self.normalize = tokenizer, width, normalize_answer
        self.caps = [r.max_new_tokens for r in rows]
        self.limits = [r.stop_after_chars for r in rows]
        self.stopped: list[int | None] = [None] * len(rows)

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        new = input_ids[:, self.width :]
        done = []
        for i, row in enumerate(new):
            if self.stopped[i] is None:
                limit = self.limits[i]
                over = limit is not None and len(self._text(row)) > limit
                if over or len(row) >= self.caps[i]:
                    self.stopped[i] = len(row)
            done.append(self.stopped[i] is not None)
        return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

    def _text(self, ids: Any) -> str:
        return self.normalize(self.tokenizer.decode(ids, skip_special_tokens=True))

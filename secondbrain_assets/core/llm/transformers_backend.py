"""Judge with a local Hugging Face causal LM, scoring from next-token probabilities.

No text is generated: the prompt ends where the assistant would write the score digit, and the
logits of the tokens "0".."5" give a distribution over the scale. The expected value (normalized
to [0, 1]) is the score and 1 - normalized entropy the confidence, so every document gets a valid
score. torch and transformers are imported lazily (the Dagster code location must load fast).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from secondbrain_assets.core.llm import prompts
from secondbrain_assets.core.llm.backends import (
    STATUS_OK,
    BackendUnavailableError,
    JudgeInput,
    Judgement,
    ResultCallback,
)

# Used when a tokenizer has no chat template (e.g. a base model): a plain transcript.
FALLBACK_TEMPLATE = "{system}\n\n{user}\n\n"


def model_fingerprint(model_dir: Path) -> str:
    """Short hash of a model folder's config and weights (sizes + first MiB), for the cache key.

    Retraining into the same folder changes it, so stale judgements are not reused.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in model_dir.iterdir() if p.is_file()):
        if path.suffix in {".json", ".safetensors", ".bin", ".jinja", ".model"}:
            digest.update(f"{path.name}:{path.stat().st_size}".encode())
            with open(path, "rb") as handle:
                digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:12]


class TransformersBackend:
    """Any local HF folder (our merged model, the embedded SmolLM2, a tiny test model)."""

    name = "transformers"

    def __init__(
        self,
        model_dir: str | Path | Callable[[], Path],
        *,
        model_id: str | None = None,
        max_document_tokens: int = 1024,
        batch_size: int = 8,
        device: str = "cpu",
        prefix_cache: bool = True,
    ) -> None:
        # A callable defers expensive preparation (converting the embedded model) to first use,
        # so a run answered entirely from the cache never pays for it.
        self._model_dir_source = model_dir
        self._model_dir: Path | None = None if callable(model_dir) else Path(model_dir)
        if model_id is None:
            if self._model_dir is None:
                raise ValueError("model_id is required when model_dir is a callable")
            found = self._model_dir.is_dir()
            fingerprint = model_fingerprint(self._model_dir) if found else "-"
            model_id = f"{self._model_dir.name}@{fingerprint}"
        self.model_id = model_id
        self.max_document_tokens = max_document_tokens
        self.batch_size = max(1, batch_size)
        self.device = device
        self.prefix_cache = prefix_cache
        self._prefix_ids: list[int] = []
        self._prefix_kv: Any = None
        self._model: Any = None
        self._tokenizer: Any = None
        self._score_ids: list[int] = []
        self._doc_budget = max_document_tokens

    # -- loading -------------------------------------------------------------------------
    @property
    def model_dir(self) -> Path:
        if self._model_dir is None:
            source = self._model_dir_source
            self._model_dir = Path(source()) if callable(source) else Path(source)
        return self._model_dir

    def check(self) -> None:
        if not (self.model_dir / "config.json").exists():
            raise BackendUnavailableError(
                f"No Hugging Face model folder at {self.model_dir} (config.json missing). "
                "Point the `llm` resource's `model` at a saved model folder, leave it empty for "
                "the embedded SmolLM2, or use backend='ollama'."
            )
        self._load()

    def _load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tok = AutoTokenizer.from_pretrained(self.model_dir)
        tok.padding_side = "left"  # the last position must be the real last token
        if tok.pad_token_id is None:
            tok.pad_token = tok.eos_token
        model = AutoModelForCausalLM.from_pretrained(self.model_dir, dtype=torch.float32)
        model.to(self.device).eval()
        self._tokenizer, self._model = tok, model
        self._score_ids = [self._digit_token_id(str(i)) for i in range(prompts.SCORE_MAX + 1)]
        # Fit the document into the context: max_document_tokens, minus what the prompt needs.
        overhead = len(self._encode_prompt("", ""))
        context = int(getattr(model.config, "max_position_embeddings", 2048) or 2048)
        self._doc_budget = max(16, min(self.max_document_tokens, context - overhead - 8))
        if self.prefix_cache:
            self._build_prefix_cache()

    def _build_prefix_cache(self) -> None:
        """Run the prompt's fixed start (system rubric, ~40% of a prompt) once, keep its KV cache.

        The prefix is what two prompts with different titles and documents share, in tokens;
        each batch starts from a copy of its keys and values instead of recomputing them.
        """
        import copy

        import torch

        first = self._encode_prompt("A", "x")
        second = self._encode_prompt("B", "y")
        size = 0
        while size < min(len(first), len(second)) and first[size] == second[size]:
            size += 1
        if size < 8:
            return
        prefix = first[:size]
        try:
            with torch.inference_mode():
                out = self._model(
                    input_ids=torch.tensor([prefix], device=self.device), use_cache=True
                )
            past = out.cache
            copy.deepcopy(past).batch_repeat_interleave(2)
        except (AttributeError, TypeError, ValueError):  # an architecture without this cache API
            return
        self._prefix_ids, self._prefix_kv = prefix, past

    def _digit_token_id(self, digit: str) -> int:
        # The token the tokenizer would emit for the digit right after the answer prefix.
        encode = self._tokenizer.encode
        before = encode(prompts.ANSWER_PREFIX, add_special_tokens=False)
        after = encode(prompts.ANSWER_PREFIX + digit, add_special_tokens=False)
        if after[: len(before)] != before or len(after) != len(before) + 1:
            raise BackendUnavailableError(
                f"The tokenizer of {self.model_id} does not encode {digit!r} as one token after "
                f"{prompts.ANSWER_PREFIX!r}; scoring from digit probabilities needs that."
            )
        return int(after[-1])

    @property
    def doc_budget(self) -> int:
        """Tokens of document that fit the prompt (after loading the model)."""
        self._load()
        return self._doc_budget

    # -- tokens --------------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        self._load()
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    def truncate(self, text: str, max_tokens: int) -> tuple[str, bool]:
        self._load()
        ids = self._tokenizer.encode(text, add_special_tokens=False)
        if len(ids) <= max_tokens:
            return text, False
        return self._tokenizer.decode(ids[:max_tokens], skip_special_tokens=True), True

    def _prompt_text(self, title: str, content: str) -> str:
        messages = prompts.build_messages(title, content, structured=False)
        if getattr(self._tokenizer, "chat_template", None):
            try:
                text = self._tokenizer.apply_chat_template(
                    messages, tokenize=False, add_generation_prompt=True
                )
            except Exception:  # some templates (e.g. Gemma's) refuse a system turn
                merged = [{"role": "user", "content": "\n\n".join(m["content"] for m in messages)}]
                text = self._tokenizer.apply_chat_template(
                    merged, tokenize=False, add_generation_prompt=True
                )
        else:
            text = FALLBACK_TEMPLATE.format(
                system=messages[0]["content"], user=messages[1]["content"]
            )
        return text + prompts.ANSWER_PREFIX

    def _encode_prompt(self, title: str, content: str) -> list[int]:
        # The template already holds any BOS/role tokens: do not add special tokens twice.
        return self._tokenizer.encode(self._prompt_text(title, content), add_special_tokens=False)

    # -- judging -------------------------------------------------------------------------
    def judge(
        self, documents: Sequence[JudgeInput], on_result: ResultCallback | None = None
    ) -> list[Judgement]:
        self._load()
        prepared: list[tuple[int, list[int], bool]] = []
        for i, doc in enumerate(documents):
            content, cut = self.truncate(doc.content, self._doc_budget)
            prepared.append((i, self._encode_prompt(doc.title, content), cut))
        # Similar lengths share a batch: far less padding to compute on CPU.
        prepared.sort(key=lambda item: len(item[1]))
        results: list[Judgement | None] = [None] * len(documents)
        for start in range(0, len(prepared), self.batch_size):
            batch = prepared[start : start + self.batch_size]
            try:
                judgements = self._judge_batch([ids for _, ids, _ in batch])
            except Exception as exc:  # e.g. out of memory: record it on these documents only
                judgements = [Judgement.failed(f"{type(exc).__name__}: {exc}")] * len(batch)
            for (i, _, cut), judgement in zip(batch, judgements, strict=True):
                if judgement.status == STATUS_OK and cut:
                    judgement = Judgement.ok(
                        judgement.score or 0.0,
                        judgement.confidence,
                        judgement.reason,
                        truncated=True,
                    )
                results[i] = judgement
                if on_result is not None:
                    on_result(i, judgement)
        return [r if r is not None else Judgement.failed("not judged") for r in results]

    def _judge_batch(self, batch_ids: list[list[int]]) -> list[Judgement]:
        import copy

        import torch

        size = len(self._prefix_ids)
        cached = self._prefix_kv is not None and all(
            len(ids) > size and ids[:size] == self._prefix_ids for ids in batch_ids
        )
        rows = [ids[size:] for ids in batch_ids] if cached else batch_ids
        width = max(len(ids) for ids in rows)
        pad = self._tokenizer.pad_token_id
        input_ids = torch.tensor([[pad] * (width - len(ids)) + ids for ids in rows])
        # Layout per row: [shared prefix][padding][own tokens]; the mask hides the padding.
        shared = [1] * (size if cached else 0)
        mask = torch.tensor([shared + [0] * (width - len(ids)) + [1] * len(ids) for ids in rows])
        # Positions count real tokens only (as generate() does), so padding changes nothing.
        positions = (mask.cumsum(-1) - 1).clamp(min=0)[:, -width:]
        past = None
        if cached:
            past = copy.deepcopy(self._prefix_kv)
            past.batch_repeat_interleave(len(rows))
        with torch.inference_mode():
            out = self._model(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device),
                position_ids=positions.to(self.device),
                cache=past,
                use_cache=cached,
                logits_to_keep=1,
            )
        logits = out.logits[:, -1, :].float()
        full = torch.log_softmax(logits, dim=-1).cpu()  # scoring math runs on CPU
        return [self._from_logprobs(row) for row in full]

    def _from_logprobs(self, logprobs: Any) -> Judgement:
        import torch

        scores = logprobs[self._score_ids]
        mass = float(torch.exp(scores).sum())  # how much the model wanted to answer a digit
        probs = torch.softmax(scores, dim=-1)
        values = torch.arange(len(self._score_ids), dtype=probs.dtype)
        expected = float((probs * values).sum()) / prompts.SCORE_MAX
        entropy = float(-(probs * torch.log(probs.clamp_min(1e-12))).sum())
        confidence = 1.0 - entropy / math.log(len(self._score_ids))
        top = int(probs.argmax())
        reason = (
            f"expected {expected * prompts.SCORE_MAX:.2f}/{prompts.SCORE_MAX}; "
            f"most likely {top} (p={float(probs[top]):.2f}); digit mass {mass:.2f}"
        )
        return Judgement.ok(min(1.0, max(0.0, expected)), min(1.0, max(0.0, confidence)), reason)

    def close(self) -> None:
        self._model = None
        self._tokenizer = None

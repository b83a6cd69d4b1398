"""Mean token log-likelihood of a document's first tokens under a small causal LM (CCNet-style).

One batched forward pass per batch of documents, no prompt, no generation: fluent prose is more
predictable to a language model than menus and link lists. Only a short prefix is read, so the
cost is bounded whatever the document's length. torch/transformers are imported on first use.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Characters read per token budget before tokenizing (English BPE: ~4 chars/token; margin 2x).
_CHARS_PER_TOKEN = 8


class PrefixLikelihood:
    """`score(texts)`: mean log-probability per token over each text's first `max_tokens`."""

    def __init__(
        self, model_dir: Path, *, max_tokens: int = 64, batch_size: int = 16, device: str = "cpu"
    ) -> None:
        self.model_dir = Path(model_dir)
        self.max_tokens = max(2, max_tokens)
        self.batch_size = max(1, batch_size)
        self.device = device
        self._model: Any = None
        self._tokenizer: Any = None

    def load(self) -> None:
        if self._model is not None:
            return
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        tok = AutoTokenizer.from_pretrained(self.model_dir)
        if tok.pad_token_id is None:
            tok.pad_token = tok.eos_token
        model = AutoModelForCausalLM.from_pretrained(self.model_dir, dtype=torch.float32)
        self._tokenizer, self._model = tok, model.to(self.device).eval()

    def token_ids(self, text: str) -> list[int]:
        self.load()
        head = text[: self.max_tokens * _CHARS_PER_TOKEN]
        return self._tokenizer.encode(head, add_special_tokens=False)[: self.max_tokens]

    def score(self, texts: Sequence[str]) -> list[float | None]:
        """Mean log-prob per predicted token; None for a text of fewer than 2 tokens."""
        encoded = [self.token_ids(t) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))  # less padding
        out: list[float | None] = [None] * len(texts)
        for start in range(0, len(order), self.batch_size):
            batch = [i for i in order[start : start + self.batch_size] if len(encoded[i]) >= 2]
            if batch:
                for i, value in zip(batch, self._batch([encoded[i] for i in batch]), strict=True):
                    out[i] = value
        return out

    def _batch(self, rows: list[list[int]]) -> list[float]:
        import torch

        width = max(len(r) for r in rows)
        pad = self._tokenizer.pad_token_id
        ids = torch.tensor([r + [pad] * (width - len(r)) for r in rows], device=self.device)
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
        with torch.inference_mode():
            logits = self._model(input_ids=ids, attention_mask=mask.to(self.device)).logits
        logprobs = torch.log_softmax(logits[:, :-1].float(), dim=-1)
        picked = logprobs.gather(-1, ids[:, 1:].unsqueeze(-1)).squeeze(-1).cpu()
        valid = mask[:, 1:].float()
        return ((picked * valid).sum(-1) / valid.sum(-1)).tolist()

    def close(self) -> None:
        self._model = None
        self._tokenizer = None

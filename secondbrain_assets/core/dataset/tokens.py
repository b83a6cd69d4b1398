"""Token counts in the base model's chat format, and shortening an instruction until a row fits.

A training row is the chat template applied to system + user (prompt) + assistant (completion),
exactly as TRL's SFTTrainer builds it: it tokenizes the prompt with the generation prompt and the
whole conversation, and truncates the whole from the right to `max_length`, which cuts the answer.
So a row fits when `n_prompt_tokens + n_answer_tokens <= max_length`, and when it does not, the
instruction (the document) is shortened, never the answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from secondbrain_assets.core.summarize.prompts import summary_messages

# Where a cut may fall, best first: paragraph, line, sentence end, word. A boundary is used only if
# it keeps at least this share of the text the token budget allows (else the next kind is tried).
_BOUNDARIES = tuple(re.compile(p) for p in (r"\n\s*\n", r"\n", r"[.!?。]\s", r"\s"))
_MIN_KEEP_SHARE = 0.5


def load_tokenizer(path: str | Path) -> Any:
    """The fast tokenizer of a Hugging Face model folder (it must carry a chat template).

    PreTrainedTokenizerFast loads without importing torch (seconds saved in every step process);
    folders without a `tokenizer.json` go through AutoTokenizer.
    """
    if (Path(path) / "tokenizer.json").exists():
        from transformers import PreTrainedTokenizerFast as loader
    else:
        from transformers import AutoTokenizer as loader

    tokenizer = loader.from_pretrained(str(path))
    if not getattr(tokenizer, "chat_template", None):
        raise ValueError(
            f"The tokenizer in {path} has no chat template; point `tokenizer_path` at an "
            "instruct model folder (the default is the embedded SmolLM2-135M-Instruct)."
        )
    return tokenizer


class ChatTokenCounter:
    """Counts prompt and completion tokens of summary rows for one tokenizer."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        # The Rust tokenizer underneath: same ids as tokenizer(..., add_special_tokens=False),
        # without the Python wrapper's per-call cost (shortening encodes documents one by one).
        self._fast = getattr(tokenizer, "backend_tokenizer", None)

    def _render(self, messages: list[dict[str, str]], generation_prompt: bool) -> str:
        return self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=generation_prompt
        )

    def _lengths(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        if self._fast is not None:
            if len(texts) == 1:
                return [len(self._fast.encode(texts[0], add_special_tokens=False).ids)]
            encoded = self._fast.encode_batch(list(texts), add_special_tokens=False)
            return [len(item.ids) for item in encoded]
        encoded = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def _offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        if self._fast is not None:
            encoded = self._fast.encode_batch(list(texts), add_special_tokens=False)
            return [item.offsets for item in encoded]
        encoded = self.tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True)
        return encoded["offset_mapping"]

    def prompt_tokens(self, instructions: Sequence[str], budgets: Sequence[int]) -> list[int]:
        """Tokens of system + user with the generation prompt, one per (instruction, budget)."""
        texts = [
            self._render(summary_messages(text, budget), True)
            for text, budget in zip(instructions, budgets, strict=True)
        ]
        return self._lengths(texts)

    def answer_tokens(self, answers: Sequence[str], budgets: Sequence[int]) -> list[int]:
        """Tokens the assistant turn adds after the prompt (answer plus end-of-turn markup).

        Rendered with a one-word document: special tokens close the user turn and open the
        assistant turn, so the completion's tokens do not depend on the document's text.
        """
        suffixes = []
        prompts: dict[int, str] = {}
        for answer, budget in zip(answers, budgets, strict=True):
            if budget not in prompts:
                prompts[budget] = self._render(summary_messages("x", budget), True)
            prompt = prompts[budget]
            full = self._render(summary_messages("x", budget, answer), False)
            if not full.startswith(prompt):
                raise ValueError(
                    "This chat template does not render the prompt as a prefix of the whole "
                    "conversation; TRL's completion-only loss needs that. Use another tokenizer."
                )
            suffixes.append(full[len(prompt) :])
        return self._lengths(suffixes)

    def shorten(
        self,
        instructions: Sequence[str],
        budgets: Sequence[int],
        limits: Sequence[int],
        n_prompt: Sequence[int],
    ) -> tuple[list[str], list[int]]:
        """For each instruction, the longest head cut at a boundary whose prompt fits its limit.

        Batched: each round encodes every still-too-long document once, cuts it by its measured
        overshoot and re-counts. A document that cannot fit becomes "".
        """
        texts, counts = list(instructions), list(n_prompt)
        for _ in range(8):
            pending = [i for i, n in enumerate(counts) if n > limits[i] and texts[i]]
            if not pending:
                break
            for i, offsets in zip(pending, self._offsets([texts[i] for i in pending]), strict=True):
                keep = len(offsets) - (counts[i] - limits[i]) - 1  # a spare token for merges
                texts[i] = cut_at_boundary(texts[i], offsets[keep - 1][1]) if keep > 0 else ""
            recount = self.prompt_tokens([texts[i] for i in pending], [budgets[i] for i in pending])
            for i, n in zip(pending, recount, strict=True):
                counts[i] = n
        for i, n in enumerate(counts):
            if n > limits[i]:
                texts[i] = ""
        return texts, counts


def cut_at_boundary(text: str, limit: int) -> str:
    """`text[:limit]`, pulled back to the best paragraph, line, sentence or word boundary."""
    head = text[:limit]
    floor = int(limit * _MIN_KEEP_SHARE)
    for pattern in _BOUNDARIES:
        ends = [m.start() if pattern.pattern.startswith(r"\n") else m.start() + 1
                for m in pattern.finditer(head)]  # fmt: skip
        ends = [end for end in ends if end >= floor]
        if ends:
            return head[: ends[-1]].rstrip()
    return head.rstrip()

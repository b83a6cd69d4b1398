"""Greedy summaries from a local HF folder, with prompts shortened by tokens to fit the context.

Base and tuned models go through this one function with one GenerationConfig (greedy, same token
cap, same stop tokens), so the comparison measures the weights, not the settings. The document is
cut (at a paragraph or sentence end when one is near) until prompt + answer cap fit the context,
so no answer comes back empty for lack of room, the original project's failure.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secondbrain_assets.core.summarize.prompts import summary_messages

STOP_TOKENS = ("<|im_end|>", "<|eot_id|>", "<end_of_turn>")


@dataclass(frozen=True)
class Generation:
    text: str
    n_prompt_tokens: int
    n_new_tokens: int
    prompt_shortened: bool
    latency_s: float  # batch time / batch size


def shorten_to_tokens(text: str, tokenizer: Any, max_tokens: int) -> tuple[str, bool]:
    """`text` cut to at most `max_tokens` tokens, at a paragraph or sentence end if one lies in
    the last third of what fits."""
    ids = tokenizer.encode(text, add_special_tokens=False)
    if len(ids) <= max_tokens:
        return text, False
    cut = tokenizer.decode(ids[: max(0, max_tokens)], skip_special_tokens=True)
    for mark in ("\n\n", ". ", "\n"):
        end = cut.rfind(mark)
        if end >= len(cut) * 2 // 3:
            return cut[: end + len(mark)].rstrip(), True
    return cut, True


class Summarizer:
    """One model folder loaded once; `generate` runs batches of prompts greedily."""

    def __init__(self, model_dir: Path, *, max_new_tokens: int, max_prompt_tokens: int) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
        context = int(getattr(self.model.config, "max_position_embeddings", 2048) or 2048)
        self.max_new_tokens = max_new_tokens
        self.prompt_budget = min(max_prompt_tokens, context - max_new_tokens)
        vocab = self.tokenizer.get_vocab()
        stops = {self.tokenizer.eos_token_id, *(vocab[t] for t in STOP_TOKENS if t in vocab)}
        self.generation_config = GenerationConfig(
            do_sample=False,
            num_beams=1,
            max_new_tokens=max_new_tokens,
            eos_token_id=sorted(i for i in stops if i is not None),
            pad_token_id=self.tokenizer.pad_token_id,
        )

    def prompt_ids(self, instruction: str, budget_chars: int) -> tuple[list[int], bool]:
        overhead = len(self._encode("", budget_chars))
        room = self.prompt_budget - overhead
        if room < 16:
            raise ValueError(
                f"The prompt template alone takes {overhead} tokens, leaving {room} of "
                f"{self.prompt_budget} for the document; raise max_prompt_tokens."
            )
        text, shortened = shorten_to_tokens(instruction, self.tokenizer, room)
        ids = self._encode(text, budget_chars)
        while len(ids) > self.prompt_budget:  # re-tokenizing at the seam can add a token or two
            room -= len(ids) - self.prompt_budget
            text, shortened = shorten_to_tokens(instruction, self.tokenizer, room)
            ids = self._encode(text, budget_chars)
        return ids, shortened

    def _encode(self, instruction: str, budget_chars: int) -> list[int]:
        messages = summary_messages(instruction, budget_chars)
        text = self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=True
        )
        return self.tokenizer.encode(text, add_special_tokens=False)

    def generate(self, items: Sequence[tuple[str, int]], batch_size: int = 4) -> list[Generation]:
        """One greedy summary per (instruction, budget_chars), in input order."""
        import torch

        prepared = [self.prompt_ids(instruction, budget) for instruction, budget in items]
        order = sorted(range(len(prepared)), key=lambda i: len(prepared[i][0]))
        results: dict[int, Generation] = {}
        for start in range(0, len(order), max(1, batch_size)):
            batch = order[start : start + batch_size]
            padded = self.tokenizer.pad(
                {"input_ids": [prepared[i][0] for i in batch]}, return_tensors="pt"
            )
            began = time.perf_counter()
            with torch.inference_mode():
                out = self.model.generate(**padded, generation_config=self.generation_config)
            latency = (time.perf_counter() - began) / len(batch)
            new = out[:, padded["input_ids"].shape[1] :]
            for row, index in enumerate(batch):
                tokens = [t for t in new[row].tolist() if t not in self._stop_and_pad]
                text = self.tokenizer.decode(tokens, skip_special_tokens=True).strip()
                ids, shortened = prepared[index]
                results[index] = Generation(text, len(ids), len(tokens), shortened, latency)
        return [results[i] for i in range(len(prepared))]

    @property
    def _stop_and_pad(self) -> set[int]:
        return {*self.generation_config.eos_token_id, self.tokenizer.pad_token_id}

"""Token counts in the base model's chat format, and shortening an instruction until a row fits.

A training row is the chat template applied to system + user (prompt) + assistant (completion),
exactly as TRL's SFTTrainer builds it: it tokenizes the prompt with the generation prompt and the
whole conversation, and truncates the whole from the right to `max_length`, which cuts the answer.
So a row fits when `n_prompt_tokens + n_answer_tokens <= max_length`, and when it does not, the
instruction (the document) is shortened, never the answer.

Speed: the template is rendered once per budget with placeholders and filled by string
concatenation (checked against a real rendering first; templates that transform the text fall
back to rendering every row), and each prompt is encoded once: its token offsets give both the
count and where to cut.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from secondbrain_assets.core.summarize.prompts import summary_messages

# Where a cut may fall, best first: paragraph, line, sentence end, word. A boundary is used only if
# it keeps at least this share of the text the token budget allows (else the next kind is tried).
_BOUNDARIES = tuple(re.compile(p) for p in (r"\n\s*\n", r"\n", r"[.!?。]\s", r"\s"))
_MIN_KEEP_SHARE = 0.5
_SLOT = "\ue000SLOT\ue001"  # private-use characters: never in real text
_CHUNK = 256  # texts encoded per batch: parallel enough, bounded memory
_PROBE = "Probe text:\n\n  two paragraphs, {braces} & <tags>.  "


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
        # without the Python wrapper's per-call cost.
        self._fast = getattr(tokenizer, "backend_tokenizer", None)
        self._prompt_frames: dict[int, tuple[str, str] | None] = {}
        self._answer_frames: dict[int, tuple[str, str] | None] = {}

    def _render(self, messages: list[dict[str, str]], generation_prompt: bool) -> str:
        return self.tokenizer.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=generation_prompt
        )

    def _prompt_frame(self, budget: int) -> tuple[str, str] | None:
        """Text before and after the instruction in a rendered prompt, or None if not a frame."""
        if budget not in self._prompt_frames:
            head, tail = self._render(summary_messages(_SLOT, budget), True).split(_SLOT)
            probe = self._render(summary_messages(_PROBE, budget), True)
            ok = probe == head + _PROBE.strip() + tail
            self._prompt_frames[budget] = (head, tail) if ok else None
        return self._prompt_frames[budget]

    def _answer_frame(self, budget: int) -> tuple[str, str] | None:
        """Text before and after the answer in the completion part, or None if not a frame."""
        if budget not in self._answer_frames:
            prompt = self._render(summary_messages("x", budget), True)
            frames = []
            for answer in (_SLOT, _PROBE):
                full = self._render(summary_messages("x", budget, answer), False)
                if not full.startswith(prompt):
                    raise ValueError(
                        "This chat template does not render the prompt as a prefix of the whole "
                        "conversation; TRL's completion-only loss needs that. Use another model."
                    )
                frames.append(full[len(prompt) :])
            head, tail = frames[0].split(_SLOT)
            ok = frames[1] == head + _PROBE + tail
            self._answer_frames[budget] = (head, tail) if ok else None
        return self._answer_frames[budget]

    def prompt_texts(self, instructions: Sequence[str], budgets: Sequence[int]) -> list[str]:
        """Rendered prompts (system + user + generation prompt)."""
        texts = []
        for text, budget in zip(instructions, budgets, strict=True):
            frame = self._prompt_frame(budget)
            texts.append(
                frame[0] + text.strip() + frame[1]
                if frame
                else self._render(summary_messages(text, budget), True)
            )
        return texts

    def _encode(self, texts: Sequence[str]) -> list[Any]:
        if not texts:
            return []
        if self._fast is not None:
            return self._fast.encode_batch(list(texts), add_special_tokens=False)
        encoded = self.tokenizer(list(texts), add_special_tokens=False, return_offsets_mapping=True)
        return [
            _Encoding(ids, offsets)
            for ids, offsets in zip(encoded["input_ids"], encoded["offset_mapping"], strict=True)
        ]

    def _encoded_prompts(
        self, texts: Sequence[str], budgets: Sequence[int], indices: Sequence[int]
    ) -> Iterator[tuple[int, str, Any]]:
        # In chunks: an Encoding keeps ids, offsets, masks and token strings, ~10x the text.
        for at in range(0, len(indices), _CHUNK):
            chunk = indices[at : at + _CHUNK]
            prompts = self.prompt_texts([texts[i] for i in chunk], [budgets[i] for i in chunk])
            yield from zip(chunk, prompts, self._encode(prompts), strict=True)

    def prompt_tokens(self, instructions: Sequence[str], budgets: Sequence[int]) -> list[int]:
        """Tokens of system + user with the generation prompt, one per (instruction, budget)."""
        indices = range(len(instructions))
        return [len(e.ids) for _, _, e in self._encoded_prompts(instructions, budgets, indices)]

    def answer_tokens(self, answers: Sequence[str], budgets: Sequence[int]) -> list[int]:
        """Tokens the assistant turn adds after the prompt (answer plus end-of-turn markup).

        Special tokens close the user turn and open the assistant turn, so the completion's
        tokens do not depend on the document (checked against whole conversations in tests).
        """
        suffixes = []
        for answer, budget in zip(answers, budgets, strict=True):
            frame = self._answer_frame(budget)
            if frame is None:
                prompt = self._render(summary_messages("x", budget), True)
                full = self._render(summary_messages("x", budget, answer), False)
                suffixes.append(full[len(prompt) :])
            else:
                suffixes.append(frame[0] + answer + frame[1])
        return [
            len(e.ids)
            for at in range(0, len(suffixes), _CHUNK)
            for e in self._encode(suffixes[at : at + _CHUNK])
        ]

    def fit(
        self, instructions: Sequence[str], budgets: Sequence[int], limits: Sequence[int]
    ) -> tuple[list[str], list[int]]:
        """Each instruction, shortened at a boundary until its prompt has at most `limit` tokens.

        Returns the instructions (unchanged where they fit; "" where nothing fits) and their
        exact prompt token counts. Each round encodes only the documents still too long.
        """
        texts = [text.strip() for text in instructions]
        counts = [0] * len(texts)
        pending = list(range(len(texts)))
        for _ in range(8):
            still = []
            for i, prompt, encoding in self._encoded_prompts(texts, budgets, pending):
                counts[i] = len(encoding.ids)
                excess = counts[i] - limits[i]
                if excess <= 0 or not texts[i]:
                    continue
                start = max(prompt.rfind(texts[i]), 0)
                inside = [
                    end - start
                    for s, end in encoding.offsets
                    if s >= start and end <= start + len(texts[i])
                ]
                keep = len(inside) - excess - 1  # a spare token for merges at the cut
                texts[i] = cut_at_boundary(texts[i], inside[keep - 1]) if keep > 0 else ""
                still.append(i)
            if not still:
                break
            pending = still
        for i in pending:
            if counts[i] > limits[i]:
                texts[i] = ""
        return texts, counts


class _Encoding:
    def __init__(self, ids: list[int], offsets: list[tuple[int, int]]) -> None:
        self.ids, self.offsets = ids, offsets


def cut_at_boundary(text: str, limit: int) -> str:
    """`text[:limit]`, pulled back to the best paragraph, line, sentence or word boundary."""
    head = text[:limit]
    floor = int(limit * _MIN_KEEP_SHARE)
    for pattern in _BOUNDARIES:
        ends = [
            m.start() if pattern.pattern.startswith(r"\n") else m.start() + 1
            for m in pattern.finditer(head)
        ]
        ends = [end for end in ends if end >= floor]
        if ends:
            return head[: ends[-1]].rstrip()
    return head.rstrip()

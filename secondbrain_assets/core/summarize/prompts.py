"""The summarization prompt, versioned: PROMPT_VERSION is part of every cache key and every row.

The same messages are used to generate summaries (`summaries`), to build the fine-tuning
dataset (`hf_dataset`: prompt = system + user, completion = assistant) and to evaluate models,
so a fine-tuned model sees exactly the prompt it was trained on. Change any text here => bump
PROMPT_VERSION, or cached summaries made with the old wording would be reused.
"""

from __future__ import annotations

PROMPT_VERSION = "one-sentence-v2"

# The original course's budget: a TL;DR of at most 256 characters.
DEFAULT_BUDGET_CHARS = 256

# Short and plain on purpose. Measured with the embedded SmolLM2-135M on the sample export's
# pages (greedy + one sampled answer each): asking for "one sentence" after the text kept 9 of 12
# answers within 256 characters, against 3 of 12 for a longer "TL;DR, no preamble, same
# language" wording (v1), which the small model answered with preambles and copied headings.
SYSTEM_PROMPT = "You are a helpful assistant that writes one-sentence summaries."


def user_prompt(instruction: str, budget_chars: int) -> str:
    """The user turn: the text first, then the request with its budget (a small model follows
    an instruction it read last)."""
    return (
        f"Text:\n{instruction.strip()}\n\n"
        f"Summarize the text in one sentence of at most {budget_chars} characters."
    )


def summary_messages(
    instruction: str, budget_chars: int, answer: str | None = None
) -> list[dict[str, str]]:
    """Chat messages: system, user and, when `answer` is given, the assistant's summary."""
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_prompt(instruction, budget_chars)},
    ]
    if answer is not None:
        messages.append({"role": "assistant", "content": answer})
    return messages

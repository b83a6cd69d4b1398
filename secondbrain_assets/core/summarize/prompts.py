"""The summarization prompt, versioned: PROMPT_VERSION is part of every cache key and every row.

The same messages are used to generate summaries (`summaries`), to build the fine-tuning
dataset (`hf_dataset`: prompt = system + user, completion = assistant) and to evaluate models,
so a fine-tuned model sees exactly the prompt it was trained on. Change any text here => bump
PROMPT_VERSION, or cached summaries made with the old wording would be reused.
"""

from __future__ import annotations

PROMPT_VERSION = "tldr-budget-v1"

# The original course's budget: a TL;DR of at most 256 characters.
DEFAULT_BUDGET_CHARS = 256

SYSTEM_PROMPT = (
    "You summarize notes and web pages from a personal knowledge base. "
    "Write a TL;DR: the main point of the document in plain sentences, "
    "in the same language as the document. "
    "Do not copy the document, do not repeat these instructions, "
    "do not add a title or a preamble such as 'Here is a summary'."
)


def user_prompt(instruction: str, budget_chars: int) -> str:
    """The user turn: the budget stated up front and again after the document (small models
    forget a constraint that precedes a long text)."""
    return (
        f"Summarize this document in at most {budget_chars} characters.\n\n"
        f"Document:\n{instruction.strip()}\n\n"
        f"TL;DR (at most {budget_chars} characters):"
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

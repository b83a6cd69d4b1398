"""A DatasetDict in the `hf_dataset` contract's shape, built here (no upstream assets needed)."""

from __future__ import annotations

from typing import Any

from secondbrain_assets.core.summarize.prompts import summary_messages

TOPICS = [
    ("TCP congestion control", "Senders keep a congestion window that grows until loss."),
    ("Sourdough starters", "A starter is flour and water kept alive by regular feeding."),
    ("Git rebase", "Rebase replays your commits on top of another branch."),
    ("Composting at home", "Brown and green material decompose with air and moisture."),
    ("Python generators", "A generator yields values lazily instead of building a list."),
    ("Bicycle chain care", "Clean and oil the chain so it shifts smoothly and lasts."),
    ("Tea brewing", "Water temperature and steeping time decide how tea tastes."),
    ("Password managers", "One strong master password protects many unique passwords."),
]


def document(title: str, gist: str, paragraphs: int = 3) -> str:
    body = "\n\n".join(
        f"{gist} Paragraph {i} adds details about {title.lower()} for the reader."
        for i in range(paragraphs)
    )
    return f"# {title}\n\n{body}"


def summary_rows(budget_chars: int = 120) -> dict[str, list[dict[str, Any]]]:
    """Two answers per document (like temperature augmentation); documents split 6/1/1."""
    splits: dict[str, list[dict[str, Any]]] = {"train": [], "validation": [], "test": []}
    for i, (title, gist) in enumerate(TOPICS):
        split = "train" if i < 6 else ("validation" if i == 6 else "test")
        instruction = document(title, gist)
        for temperature, answer in ((0.3, gist), (0.7, f"{title}: {gist.lower()}")):
            messages = summary_messages(instruction, budget_chars, answer)
            splits[split].append(
                {
                    "instruction": instruction,
                    "answer": answer,
                    "messages": messages,
                    "prompt": messages[:2],
                    "completion": messages[2:],
                    "doc_id": f"doc{i}",
                    "source": "notion",
                    "temperature": temperature,
                    "export_keys": ["sample"],
                    "n_prompt_tokens": 0,
                    "n_answer_tokens": 0,
                    "budget_chars": budget_chars,
                }
            )
    return splits


def summary_dataset(budget_chars: int = 120) -> Any:
    from datasets import Dataset, DatasetDict

    return DatasetDict(
        {name: Dataset.from_list(rows) for name, rows in summary_rows(budget_chars).items()}
    )

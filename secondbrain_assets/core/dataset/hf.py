"""The dataset rows as a `datasets.DatasetDict` in the column layout the trainers read.

`prompt` / `completion` are TRL's conversational prompt-completion form: SFTTrainer applies the
model's chat template and computes the loss on the completion only. `messages` is the same
conversation in one list, for trainers that want the whole chat.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from secondbrain_assets.core.dataset.build import COLUMNS
from secondbrain_assets.core.dataset.split import SPLITS
from secondbrain_assets.core.summarize.prompts import summary_messages


def features() -> Any:
    """Explicit schema, so every split (and every version) has the same column types."""
    from datasets import Features, List, Value

    turn = {"role": Value("string"), "content": Value("string")}
    return Features(
        {
            "instruction": Value("string"),
            "answer": Value("string"),
            "messages": List(turn),
            "prompt": List(turn),
            "completion": List(turn),
            "doc_id": Value("string"),
            "source": Value("string"),
            "temperature": Value("float64"),
            "export_keys": List(Value("string")),
            "n_prompt_tokens": Value("int32"),
            "n_answer_tokens": Value("int32"),
            "budget_chars": Value("int32"),
        }
    )


def split_columns(rows: pl.DataFrame) -> dict[str, list]:
    """Column lists for one split, chat columns built from the shared prompt module."""
    data: dict[str, list] = {name: rows.get_column(name).to_list() for name in COLUMNS
                             if name in rows.columns}  # fmt: skip
    messages = [
        summary_messages(text, budget, answer)
        for text, budget, answer in zip(data["instruction"], data["budget_chars"], data["answer"],
                                        strict=True)
    ]  # fmt: skip
    data["messages"] = messages
    data["prompt"] = [m[:2] for m in messages]
    data["completion"] = [m[2:] for m in messages]
    return {name: data[name] for name in COLUMNS}


def to_dataset_dict(rows: pl.DataFrame) -> Any:
    """A DatasetDict with train, validation and test (a split with no rows is kept, empty).

    Arrow tables are built directly from the column lists with the explicit schema: the same
    result as `Dataset.from_dict(..., features=...)` without its per-value Python encoding.
    """
    import pyarrow as pa
    from datasets import Dataset, DatasetDict, DatasetInfo
    from datasets.table import InMemoryTable

    schema = features()
    splits = {}
    for split in SPLITS:
        table = pa.Table.from_pydict(
            split_columns(rows.filter(pl.col("split") == split)), schema=schema.arrow_schema
        )
        splits[split] = Dataset(InMemoryTable(table), info=DatasetInfo(features=schema.copy()))
    return DatasetDict(splits)

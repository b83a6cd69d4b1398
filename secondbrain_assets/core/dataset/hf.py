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

_SLOT = "\ue000ANSWER\ue001"  # private-use characters: never in a real answer


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
    data: dict[str, list] = {
        name: rows.get_column(name).to_list() for name in COLUMNS if name in rows.columns
    }
    messages = [
        summary_messages(text, budget, answer)
        for text, budget, answer in zip(
            data["instruction"], data["budget_chars"], data["answer"], strict=True
        )
    ]
    data["messages"] = messages
    data["prompt"] = [m[:2] for m in messages]
    data["completion"] = [m[2:] for m in messages]
    return {name: data[name] for name in COLUMNS}


def chat_frame(rows: pl.DataFrame) -> pl.DataFrame | None:
    """The contract columns with the chat columns built in polars (no per-row Python objects).

    Message texts come from `summary_messages`, called once per distinct document with a
    placeholder answer; None when its shape is not system, user, assistant(answer), in which
    case the caller builds rows one by one.
    """
    docs = rows.select("instruction", "budget_chars").unique(maintain_order=True)
    systems, users = [], []
    for text, budget in docs.iter_rows():
        messages = summary_messages(text, budget, _SLOT)
        roles = [m["role"] for m in messages]
        if roles != ["system", "user", "assistant"] or messages[2]["content"] != _SLOT:
            return None
        systems.append(messages[0]["content"])
        users.append(messages[1]["content"])
    docs = docs.with_columns(
        pl.Series("_system", systems, dtype=pl.String), pl.Series("_user", users, dtype=pl.String)
    )
    joined = rows.join(docs, on=["instruction", "budget_chars"], how="left", maintain_order="left")

    def turn(role: str, column: str) -> pl.Expr:
        return pl.struct(pl.lit(role).alias("role"), pl.col(column).alias("content"))

    joined = joined.with_columns(
        pl.concat_list(turn("system", "_system"), turn("user", "_user")).alias("prompt"),
        pl.concat_list(turn("assistant", "answer")).alias("completion"),
    ).with_columns(pl.concat_list("prompt", "completion").alias("messages"))
    return joined.select(COLUMNS)


def to_dataset_dict(rows: pl.DataFrame) -> Any:
    """A DatasetDict with train, validation and test (a split with no rows is kept, empty).

    Arrow tables are built directly with the explicit schema: the same result as
    `Dataset.from_dict(..., features=...)` without its per-value Python encoding.
    """
    import pyarrow as pa
    from datasets import Dataset, DatasetDict, DatasetInfo
    from datasets.table import InMemoryTable

    schema = features()
    chat = chat_frame(rows)
    splits = {}
    for split in SPLITS:
        if chat is not None:
            part = chat.filter(rows.get_column("split") == split)
            table = part.to_arrow(compat_level=pl.CompatLevel.oldest()).cast(schema.arrow_schema)
        else:
            columns = split_columns(rows.filter(pl.col("split") == split))
            table = pa.Table.from_pydict(columns, schema=schema.arrow_schema)
        splits[split] = Dataset(InMemoryTable(table), info=DatasetInfo(features=schema.copy()))
    return DatasetDict(splits)

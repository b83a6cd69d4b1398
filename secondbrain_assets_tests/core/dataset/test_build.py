"""Rows: merged across exports, split by document, counted in the chat template, made to fit."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml

from secondbrain_assets.core.dataset.build import COLUMNS, BuildSettings, build_rows
from secondbrain_assets.core.dataset.card import dataset_card
from secondbrain_assets.core.dataset.checks import no_split_leak, rows_fit
from secondbrain_assets.core.dataset.split import hash_split, stable_position
from secondbrain_assets.core.dataset.tokens import ChatTokenCounter, load_tokenizer
from secondbrain_assets_tests.core.dataset.frames import corpus, frame, paragraphs, summary_rows


@pytest.fixture(scope="module")
def counter(tiny_llama_dir: Path) -> ChatTokenCounter:
    return ChatTokenCounter(load_tokenizer(tiny_llama_dir))


def _chat_len(tokenizer, messages: list[dict], generation_prompt: bool = False) -> int:  # noqa: ANN001
    ids = tokenizer.apply_chat_template(
        messages, tokenize=True, add_generation_prompt=generation_prompt
    )
    return len(ids["input_ids"] if hasattr(ids, "keys") else ids)


def assert_exact_and_fitting(rows: pl.DataFrame, counter: ChatTokenCounter, limit: int) -> None:
    """Counts equal what TRL tokenizes (prompt with generation prompt; whole conversation)."""
    from secondbrain_assets.core.dataset.hf import split_columns

    data = split_columns(rows)
    for i in range(rows.height):
        whole = _chat_len(counter.tokenizer, data["messages"][i])
        prompt = _chat_len(counter.tokenizer, data["prompt"][i], generation_prompt=True)
        assert prompt == data["n_prompt_tokens"][i]
        assert whole == data["n_prompt_tokens"][i] + data["n_answer_tokens"][i]
        assert whole <= limit


def test_long_documents_are_shortened_never_answers(counter: ChatTokenCounter) -> None:
    long_text = paragraphs("long", 40)
    answers = ["A short summary of the long document.", "Another summary, a bit longer than that."]
    short = summary_rows("b" * 32, "e1", paragraphs("short", 2), ["Short one."])
    summaries = frame(summary_rows("a" * 32, "e1", long_text, answers) + short)
    rows, report = build_rows(summaries, counter, ["e1"], BuildSettings(max_length=400))
    assert report.counts["shortened_instructions"] == 1
    long_rows = rows.filter(pl.col("doc_id") == "a" * 32)
    assert sorted(long_rows["answer"]) == sorted(answers)  # answers whole
    shortened = long_rows["instruction"][0]
    assert len(shortened) < len(long_text) and long_text.startswith(shortened)
    assert long_text[len(shortened) :].startswith("\n\n")  # cut at a paragraph boundary
    assert (
        long_rows["instruction"].n_unique() == 1
    )  # one cut per document, fitting its longest answer
    assert_exact_and_fitting(rows, counter, 400)
    assert rows_fit(rows, 400)[0]


def test_copies_across_exports_merge_with_their_export_keys(counter: ChatTokenCounter) -> None:
    text = paragraphs("doc", 2)
    summaries = frame(
        summary_rows("c" * 32, "e1", text, ["Same summary."])
        + summary_rows("c" * 32, "e2", text, ["Same summary."])
    )
    rows, report = build_rows(summaries, counter, ["e1", "e2"])
    assert rows.height == 1 and rows["export_keys"].to_list() == [["e1", "e2"]]
    assert report.counts["merged_copies"] == 1


def test_rejected_empty_and_too_long_rows_are_left_out(counter: ChatTokenCounter) -> None:
    text = paragraphs("doc", 2)
    summaries = frame(
        summary_rows("d" * 32, "e1", text, ["Good summary."])
        + summary_rows("d" * 32, "e1", text, ["Rejected summary."], status="rejected")
        + summary_rows("d" * 32, "e1", text, ["   "])
        + summary_rows("d" * 32, "e1", text, ["word " * 400])
    )
    rows, report = build_rows(summaries, counter, ["e1"], BuildSettings(max_length=300))
    assert rows["answer"].to_list() == ["Good summary."]
    counts = report.counts
    assert (counts["rejected_rows"], counts["dropped_empty_answer"]) == (1, 1)
    assert counts["dropped_answer_too_long"] == 1


def _ids_in(split: str, n: int) -> list[str]:
    found, i = [], 0
    while len(found) < n:
        doc = f"{i:032x}"
        if hash_split(stable_position(doc)) == split:
            found.append(doc)
        i += 1
    return found


def test_identical_text_under_two_ids_never_straddles_splits(counter: ChatTokenCounter) -> None:
    base = corpus(30)
    train_doc, test_doc = _ids_in("train", 1)[0], _ids_in("test", 1)[0]
    text = paragraphs("shared", 2)  # same text, different content hashes (e.g. other metadata)
    extra = frame(
        summary_rows(train_doc + "-x", "e1", text, ["S1."], content_hash="h1")
        + summary_rows(test_doc, "e1", text, ["S2."], content_hash="h2")
    )
    rows, report = build_rows(pl.concat([base, extra], how="diagonal_relaxed"), counter, ["e1"])
    assert no_split_leak(rows)[0]
    assert report.counts["dropped_cross_split_copies"] in (0, 1)
    assert rows.filter(pl.col("instruction") == text).get_column("split").n_unique() == 1


def test_every_split_gets_documents_and_card_is_valid(counter: ChatTokenCounter) -> None:
    rows, report = build_rows(corpus(12), counter, ["e1"])
    assert set(rows["split"]) == {"train", "validation", "test"}
    assert no_split_leak(rows)[0]
    card = dataset_card(report, BuildSettings(), "tiny-llama")
    front = yaml.safe_load(card.split("---")[1])
    assert front["task_categories"] == ["summarization"] and front["language"] == ["en"]
    assert front["size_categories"] == ["n<1K"] and front["license"] == "other"
    assert "| test |" in card and "first export that contains it" in card


def test_dataset_dict_has_the_contract_columns(counter: ChatTokenCounter) -> None:
    from secondbrain_assets.core.dataset.hf import to_dataset_dict

    rows, _ = build_rows(corpus(12), counter, ["e1"])
    dataset = to_dataset_dict(rows)
    assert list(dataset) == ["train", "validation", "test"]
    example = dataset["train"][0]
    assert list(dataset["train"].column_names) == list(COLUMNS)
    assert [m["role"] for m in example["messages"]] == ["system", "user", "assistant"]
    assert example["prompt"] == example["messages"][:2]
    assert example["completion"] == [{"role": "assistant", "content": example["answer"]}]
    assert example["instruction"] in example["prompt"][1]["content"]
    # The polars-built chat columns equal the row-by-row ones from summary_messages.
    from secondbrain_assets.core.dataset.hf import split_columns

    expected = split_columns(rows.filter(pl.col("split") == "train"))
    assert dataset["train"].to_dict() == expected


@pytest.mark.slow
def test_counts_are_exact_with_the_embedded_smollm2(smollm2_models_root: Path) -> None:
    from secondbrain_assets.core.llm.embedded_model import ensure_embedded_model

    counter = ChatTokenCounter(load_tokenizer(ensure_embedded_model(smollm2_models_root)))
    summaries = pl.concat(
        [
            corpus(10, n_paragraphs=30),
            frame(
                summary_rows(
                    "e" * 32,
                    "e1",
                    paragraphs("x", 3),
                    ["Ends with spaces and a newline \n", "Ünïcödé — ok."],
                )
            ),
        ],
        how="diagonal_relaxed",
    )
    rows, report = build_rows(summaries, counter, ["e1"], BuildSettings(max_length=512))
    assert report.counts["shortened_instructions"] == 10
    assert_exact_and_fitting(rows, counter, 512)


def test_documents_without_rows_do_not_take_a_split(counter: ChatTokenCounter) -> None:
    # Four documents, one of which loses all its rows (answer too long): the other three still
    # fill train, validation and test, whichever the dropped one would have taken.
    for dropped in range(4):
        rows: list[dict] = []
        for i in range(4):
            doc = f"{i:032x}"
            answer = "word " * 400 if i == dropped else f"Summary of {i}."
            rows += summary_rows(doc, "e1", paragraphs(doc, 2), [answer])
        out, _ = build_rows(frame(rows), counter, ["e1"], BuildSettings(max_length=300))
        assert out["doc_id"].n_unique() == 3
        assert set(out["split"]) == {"train", "validation", "test"}

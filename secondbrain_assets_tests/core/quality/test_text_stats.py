"""Signals: tokenizer, markdown stripping and the n-gram kernel against datatrove's definitions."""

from __future__ import annotations

import random

import numpy as np
import pytest

from secondbrain_assets.core.quality.kernels import ngram_stats
from secondbrain_assets.core.quality.text_stats import compute_signals
from secondbrain_assets.core.quality.tokenize import split_words, strip_markdown
from secondbrain_assets_tests.core.quality.texts import ARTICLE, NOTE, SPAM


def test_tokens_follow_spacy_english_conventions() -> None:
    text = (
        "Mr. Smith's car isn't red... It's (really) blue!? e.g. 3.14 x--y #tag http://x.com/a?b=c."
    )
    assert split_words(text) == [
        "Mr.",
        "Smith",
        "'s",
        "car",
        "is",
        "n't",
        "red",
        "...",
        "It",
        "'s",
        "(",
        "really",
        ")",
        "blue",
        "!",
        "?",
        "e.g.",
        "3.14",
        "x",
        "--",
        "y",
        "#",
        "tag",
        "http://x.com/a?b=c",
        ".",
    ]


def test_tokens_of_cjk_text_and_initials_follow_spacy() -> None:
    # spaCy cuts no infix inside Japanese text: only edge punctuation comes off.
    assert split_words("先日、不正に改造した。") == ["先日、不正に改造した", "。"]
    # ... but it does cut [:<>=/] between letters, Korean ones included, and dot runs.
    korean = ["공연", "/", "전시", "숨바꼭질", ">", "로", ".."]
    assert split_words("공연/전시 숨바꼭질>로..") == korean
    # A single capital keeps its period ("W. D. Smith"); ".." is one token as in spaCy.
    assert split_words("W. D. Smith said so.. Then") == [
        "W.",
        "D.",
        "Smith",
        "said",
        "so",
        "..",
        "Then",
    ]


def test_signals_of_non_ascii_text_match_python_definitions() -> None:
    text = "Ünïcode wörds—and ﬁne ligatures… “quoted” 3.14 ١٢٣ i'd say\r\nsecond line"
    sig = compute_signals(text)
    assert sig["n_chars"] == len(text)
    assert sig["ellipsis_ratio"] > 0  # "…" counts as an ellipsis
    words = split_words(text)
    alpha = sum(any(c.isalpha() for c in w) for w in words) / len(words)
    assert sig["alpha_words_frac"] == pytest.approx(alpha)  # str.isalpha, as datatrove
    assert sig["n_tokens"] == len(words)
    assert compute_signals("a\r\nb\x0bc\u2028d\n")["bullet_lines_frac"] == 0.0


def test_markdown_stripping_keeps_prose_and_bullets() -> None:
    plain = strip_markdown(
        "## Title\n\nSee [the docs](https://example.com/x) and **bold** _it_ `code`.\n"
        "![logo](logo.png)\n> quoted\n- [ ] task\n\n```python\nx = {1: 2}\n```\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\nRaw https://example.org/page here.\n"
    )
    assert "Title" in plain and "#" not in plain
    assert "See the docs and bold it code." in plain
    assert "logo" in plain and "png" not in plain
    assert "quoted" in plain and ">" not in plain
    assert "- task" in plain and "[ ]" not in plain
    assert "{" not in plain and "python" not in plain  # code block removed
    assert "|" not in plain and "1 2" in plain  # table cells kept as text
    assert "https" not in plain and "Raw here." in plain


def test_signals_of_article_and_spam() -> None:
    good = compute_signals(ARTICLE)
    assert 300 < good["n_words"] < 600
    assert 3 < good["mean_word_length"] < 6
    assert good["stop_words"] >= 6
    assert good["dup_line_frac"] == 0.0 and good["dup_5_gram_frac"] == 0.0
    assert good["c4_sentences"] >= 15
    spam = compute_signals(SPAM)
    assert spam["dup_line_frac"] > 0.9
    assert spam["dup_10_gram_frac"] > 0.7


def test_link_density_counts_link_markup_of_the_raw_text() -> None:
    links = "\n".join(f"- [Page {i}](https://example.com/page/{i})" for i in range(20))
    assert compute_signals(links)["link_density"] > 0.8
    assert compute_signals(ARTICLE)["link_density"] == 0.0


def test_note_code_lines_are_removed_before_judging() -> None:
    plain = strip_markdown(NOTE)
    assert "pg_upgrade" not in plain and "Postgres upgrade checklist" in plain


def _datatrove_ngrams(words: list[str], n_chars: int) -> list[float]:
    """datatrove's own n-gram functions, applied to the same tokens."""
    dt = pytest.importorskip("datatrove.pipeline.filters.gopher_repetition_filter")
    out = []
    for n in (2, 3, 4):
        grams = dt.get_n_grams(words, n)
        out.append(dt.find_top_duplicate(grams) / n_chars if grams else 0.0)
    out += [dt.find_all_duplicate(words, n) / n_chars for n in range(5, 11)]
    return out


def test_ngram_kernel_equals_datatrove_definitions_exactly() -> None:
    rng = random.Random(7)
    vocab = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", ".", ","]
    docs = [[rng.choice(vocab[:k]) for _ in range(rng.randint(0, 300))] for k in range(2, 12)]
    docs += [["spam", "eggs", "ham", "spam", "eggs"] * 40, ["one"], []]
    for words in docs:
        n_chars = max(sum(map(len, words)) + len(words), 1)
        tokens = np.array(words, dtype=object)
        hashes = np.array([hash(w) & (2**63 - 1) for w in tokens], np.uint64)
        lengths = np.array([len(w) for w in tokens], np.int64)
        got = ngram_stats(hashes, lengths, np.array([0, len(words)]), np.array([n_chars]))[0]
        assert got.tolist() == pytest.approx(_datatrove_ngrams(words, n_chars)), words[:12]


def test_ngram_kernel_keeps_documents_apart() -> None:
    words = ["a", "b", "c", "d", "e"]
    hashes = np.array([hash(w) & (2**63 - 1) for w in words * 2], np.uint64)
    stats = ngram_stats(hashes, np.ones(10), np.array([0, 5, 10]), np.array([10.0, 10.0]))
    assert (stats[:, 3] == 0).all()  # the same 5-gram in two documents is no repeat


def test_signals_without_pyarrow_equal_the_arrow_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import polars as pl

    from secondbrain_assets.core.quality.text_stats import compute_signals_frame

    texts = pl.Series([ARTICLE, SPAM, "", "Ünïcode… 日本語、テスト。", None])
    arrow = compute_signals_frame(texts)

    def no_pyarrow(*args: object, **kwargs: object) -> None:
        raise ImportError("pyarrow")

    monkeypatch.setattr(pl.Series, "to_arrow", no_pyarrow)
    assert compute_signals_frame(texts).equals(arrow)
    assert arrow["n_chars"].to_list()[2:] == [0.0, 17.0, 0.0]

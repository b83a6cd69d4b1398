"""Every quality signal of a batch of documents, vectorized: polars (Rust) plus one numba kernel.

Definitions mirror datatrove 0.10.1 (`GopherQualityFilter`, `GopherRepetitionFilter`,
`C4QualityFilter`, `FineWebQualityFilter`) so thresholds published for them mean the same here;
where we differ it is said next to the code. No NLP tokenizer: one regex (`tokenize.py`).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl

from secondbrain_assets.core.quality.tokenize import (
    ABBREVIATION_END,
    LINK_SPAN,
    SENTENCE_END,
    words_expr,
)

# datatrove.utils.text.PUNCTUATION: a "word" made only of these is a symbol, not a word.
PUNCTUATION = (
    "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"
    + "".join(chr(x) for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b))
)
_PUNCT_ASCII = np.array([chr(i) in PUNCTUATION for i in range(128)], np.bool_)
_PUNCT_OTHER = np.array(sorted(ord(c) for c in PUNCTUATION if ord(c) >= 128), np.int64)
STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"]  # Gopher
POLICY_SUBSTRINGS = (  # C4 / datatrove
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
C4_END_PUNCTUATION = (".", "?", "!", '"', "'")
CITATION = r"\[\d*]|\[edit]|\[citation needed]"
_SEP = "\uffff"  # a noncharacter: splits on regex matches (polars splits on literals only)
NGRAM_COLUMNS = tuple(f"top_{n}_gram_frac" for n in (2, 3, 4)) + tuple(
    f"dup_{n}_gram_frac" for n in range(5, 11)
)
_LINE_BREAKS = "\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]"  # what str.splitlines() splits on

SIGNAL_NAMES: tuple[str, ...] = (
    "n_chars",
    "n_words",
    "n_tokens",
    "mean_word_length",
    "hash_ratio",
    "ellipsis_ratio",
    "bullet_lines_frac",
    "ellipsis_lines_frac",
    "alpha_words_frac",
    "stop_words",
    "dup_para_frac",
    "dup_para_char_frac",
    "dup_line_frac",
    "dup_line_char_frac",
    "line_punct_frac",
    "short_lines_frac",
    "lorem_ipsum",
    "curly_brackets",
    "link_density",
    *NGRAM_COLUMNS,
    "c4_sentences",
    "c4_lorem_ipsum",
    "c4_curly_bracket",
    "javascript_lines_frac",
    "policy_lines_frac",
)


def _ratio(num: pl.Expr, den: pl.Expr) -> pl.Expr:
    return pl.when(den > 0).then(num.cast(pl.Float64) / den).otherwise(0.0)


def _dup_counts(parts: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """(repeated items, characters in repeats) of a list column: datatrove `find_duplicates`."""
    n_dup = parts.list.len() - parts.list.n_unique()
    chars = (
        parts.list.eval(pl.element().str.len_chars()).list.sum()
        - parts.list.unique().list.eval(pl.element().str.len_chars()).list.sum()
    )
    return n_dup, chars


def _c4_frame(df: pl.DataFrame) -> pl.DataFrame:
    """C4 line pass as datatrove's C4QualityFilter (split on newlines, lines judged in order).

    Cheap filters first (terminal punctuation, three words) so the rest only sees candidates.
    """
    lines = (
        df.select("doc", pl.col("lines").alias("line"))
        .explode("line")
        .with_columns(pl.col("line").fill_null("").str.strip_chars())
        .with_row_index("row")
    )
    line = pl.col("line")
    # datatrove counts words before removing citations, then tests punctuation after.
    cand = lines.with_columns(clean=line.str.replace_all(CITATION, "")).filter(
        pl.any_horizontal([pl.col("clean").str.ends_with(p) for p in C4_END_PUNCTUATION])
        & ~pl.col("clean").str.ends_with("...")
    )
    cand = cand.filter(line.str.count_matches(r"\S+") >= 3)
    long = cand.filter(line.str.len_chars() > 1000)
    if long.height:  # a word over 1000 characters drops the line; only long lines can have one
        too_long = long.filter(line.str.contains(r"\S{1001}"))["row"]
        cand = cand.filter(~pl.col("row").is_in(too_long.implode()))
    clean = pl.col("clean")
    low = pl.col("low")
    cand = cand.with_columns(low=clean.str.to_lowercase()).with_columns(
        js=low.str.contains("javascript", literal=True)
    )
    policy = pl.any_horizontal([low.str.contains(p, literal=True) for p in POLICY_SUBSTRINGS])
    cand = cand.with_columns(
        lorem=low.str.contains("lorem ipsum", literal=True),
        curly=~pl.col("js") & clean.str.contains("{", literal=True),
        policy_line=~pl.col("js") & policy,
    )
    sentences_text = clean.str.replace_all(r"\.{2,}", "…")
    sentences = (
        1
        + sentences_text.str.count_matches(SENTENCE_END)
        - sentences_text.str.count_matches(ABBREVIATION_END)
    )
    kept = ~pl.col("js") & ~pl.col("policy_line")
    per_doc = cand.group_by("doc").agg(
        c4_sentences=pl.when(kept).then(sentences).otherwise(0).sum().cast(pl.Float64),
        c4_lorem_ipsum=pl.col("lorem").any().cast(pl.Float64),
        c4_curly_bracket=pl.col("curly").any().cast(pl.Float64),
        js_lines=pl.col("js").sum(),
        policy_lines=pl.col("policy_line").sum(),
    )
    return df.select("doc").join(per_doc, on="doc", how="left").fill_null(0)


def compute_signals_frame(texts: pl.Series, raw: pl.Series | None = None) -> pl.DataFrame:
    """One row per text, one Float64 column per name in SIGNAL_NAMES.

    `texts` is what is judged; `raw` (same length) is the unstripped source, used for link
    density only (defaults to `texts`).
    """
    raw = texts if raw is None else raw
    df = pl.DataFrame({"text": texts.fill_null(""), "raw": raw.fill_null("")}).with_row_index("doc")
    text = pl.col("text")
    df = df.with_columns(
        words=words_expr(text),
        lines=text.str.replace_all(_LINE_BREAKS, "\n").str.strip_suffix("\n").str.split("\n"),
        paras=text.str.strip_chars().str.replace_all(r"\n{2,}", _SEP).str.split(_SEP),
        rep_lines=text.str.replace_all(r"\n+", _SEP).str.split(_SEP),
        nonblank=text.str.split("\n").list.filter(pl.element().str.strip_chars() != ""),
        n_chars=text.str.len_chars(),
    )
    lines = pl.col("lines")
    n_lines = pl.max_horizontal(lines.list.len(), pl.lit(1))
    n_dup_para, para_chars = _dup_counts(pl.col("paras"))
    n_dup_line, line_chars = _dup_counts(pl.col("rep_lines"))
    nonblank = pl.col("nonblank")
    # The numba kernels release the GIL: tokens are counted in a thread while polars computes
    # the line-level signals and the C4 pass here.
    with ThreadPoolExecutor(max_workers=1) as pool:
        tokens_future = pool.submit(_token_frame, df)
        sig = df.select(
            "doc",
            n_chars=pl.col("n_chars").cast(pl.Float64),
            hashes=text.str.count_matches("#", literal=True),
            ellipses=text.str.count_matches(r"\.\.\.|…"),
            bullet_lines_frac=lines.list.eval(pl.element().str.contains(r"^\s*[•-]")).list.sum()
            / n_lines,
            ellipsis_lines_frac=lines.list.eval(
                pl.element().str.contains(r"(?:\.\.\.|…)\s*$")
            ).list.sum()
            / n_lines,
            dup_para_frac=n_dup_para / pl.col("paras").list.len(),
            dup_para_char_frac=_ratio(para_chars, pl.col("n_chars")),
            dup_line_frac=n_dup_line / pl.col("rep_lines").list.len(),
            dup_line_char_frac=_ratio(line_chars, pl.col("n_chars")),
            # FineWeb: share of non-blank lines ending in terminal punctuation / short lines.
            line_punct_frac=_ratio(
                nonblank.list.eval(pl.element().str.contains(r"[.!?\"'…]$")).list.sum(),
                nonblank.list.len(),
            ),
            short_lines_frac=_ratio(
                nonblank.list.eval(pl.element().str.len_chars() <= 30).list.sum(),
                nonblank.list.len(),
            ),
            lorem_ipsum=text.str.to_lowercase()
            .str.contains("lorem ipsum", literal=True)
            .cast(pl.Float64),
            curly_brackets=text.str.count_matches("{", literal=True).cast(pl.Float64),
            link_density=_ratio(
                pl.col("raw")
                .str.extract_all(LINK_SPAN)
                .list.eval(pl.element().str.len_chars())
                .list.sum(),
                pl.col("raw").str.len_chars(),
            ),
            n_lines=n_lines,
        )
        c4 = _c4_frame(df)
        tokens = tokens_future.result()
    sig = pl.concat([sig, tokens], how="horizontal").join(c4, on="doc", how="left")
    n_tokens = pl.col("n_tokens")
    sig = sig.sort("doc").with_columns(
        n_words=pl.col("real_words"),
        mean_word_length=_ratio(pl.col("real_chars"), pl.col("real_words")),
        hash_ratio=_ratio(pl.col("hashes"), n_tokens),
        ellipsis_ratio=_ratio(pl.col("ellipses"), n_tokens),
        alpha_words_frac=_ratio(pl.col("alpha_words"), n_tokens),
        javascript_lines_frac=pl.col("js_lines") / pl.col("n_lines"),
        policy_lines_frac=pl.col("policy_lines") / pl.col("n_lines"),
    )
    return sig.select(SIGNAL_NAMES)


def _token_frame(df: pl.DataFrame) -> pl.DataFrame:
    """Per-document token counts and n-gram statistics from the numba kernels."""
    from secondbrain_assets.core.quality import kernels  # imports numba: only when scoring

    counts = df["words"].list.len().cast(pl.Int64)
    joined = df["words"].list.join("\n").filter(counts > 0).str.join("\n")
    data = np.frombuffer((joined.item() or "").encode("utf-8"), np.uint8)
    stop = np.array([kernels.fnv1a(w) for w in STOP_WORDS], np.uint64)
    counts_np = counts.to_numpy()
    hashes, lengths, per_doc = kernels.token_stats(
        data, counts_np, _PUNCT_ASCII, _PUNCT_OTHER, stop
    )
    offsets = np.zeros(len(counts_np) + 1, np.int64)
    np.cumsum(counts_np, out=offsets[1:])
    n_chars = df["n_chars"].cast(pl.Float64).to_numpy()
    grams = kernels.ngram_stats(hashes, lengths, offsets, n_chars)
    columns = {"n_tokens": counts_np.astype(np.float64)}
    names = ["real_words", "real_chars", "alpha_words", "stop_words"]
    columns.update({name: per_doc[:, i] for i, name in enumerate(names)})
    columns.update({name: grams[:, i] for i, name in enumerate(NGRAM_COLUMNS)})
    return pl.DataFrame(columns)


def compute_signals(text: str, raw: str | None = None) -> dict[str, float]:
    """Signals of one text (tests, debugging); batches use `compute_signals_frame`."""
    frame = compute_signals_frame(
        pl.Series([text], dtype=pl.String), pl.Series([text if raw is None else raw])
    )
    return frame.row(0, named=True)

"""Every quality signal of a batch of documents: numba kernels over code points, one pass each.

Definitions mirror datatrove 0.10.1 (`GopherQualityFilter`, `GopherRepetitionFilter`,
`C4QualityFilter`, `FineWebQualityFilter`) so thresholds published for them mean the same here;
where we differ it is said next to the code. No NLP tokenizer: `scan_tokens.py` and
`scan_words.py` follow spaCy's English conventions, `scan_lines.py` and `scan_c4.py` the line,
paragraph and C4 rules, `kernels.py` the n-grams. Only link density (on the raw markdown) is a
polars regex.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from secondbrain_assets.core.quality.tokenize import LINK_SPAN

STOP_WORDS = ["the", "be", "to", "of", "and", "that", "have", "with"]  # Gopher
NGRAM_COLUMNS = tuple(f"top_{n}_gram_frac" for n in (2, 3, 4)) + tuple(
    f"dup_{n}_gram_frac" for n in range(5, 11)
)
# Documents are scored in chunks of about this many UTF-8 bytes: the kernels read UTF-32
# code points (4 bytes each), so this bounds the extra memory to ~32 MB per chunk.
CHUNK_BYTES = 8_000_000

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


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.zeros(len(num), np.float64)
    np.divide(num, den, out=out, where=den > 0)
    return out


def _chunk_signals(data: np.ndarray, byte_off: np.ndarray) -> dict[str, np.ndarray]:
    """Signals of one chunk (UTF-8 bytes, per-document byte offsets) from the numba kernels,
    all but link density."""
    from secondbrain_assets.core.quality import kernels, scan_lines, scan_words
    from secondbrain_assets.core.quality.charclass import decode_utf8, flag_table, fnv1a

    cps, doc_off = decode_utf8(data, byte_off)
    lengths = np.diff(doc_off)
    flags = flag_table()
    stop = np.array([fnv1a(w) for w in STOP_WORDS], np.uint64)
    hashes, tok_lengths, tok_off, per_doc = scan_words.token_stats(cps, doc_off, flags, stop)
    n_chars = lengths.astype(np.float64)
    grams = kernels.ngram_stats(hashes, tok_lengths, tok_off, n_chars)
    lines = scan_lines.line_stats(cps, doc_off, flags)
    c = dict(zip(scan_lines.LINE_COLUMNS, lines.T, strict=True))
    n_tokens, real_words, real_chars, alpha_words, stop_words = per_doc.T
    sig = {
        "n_chars": n_chars,
        "n_words": real_words,
        "n_tokens": n_tokens,
        "mean_word_length": _ratio(real_chars, real_words),
        "hash_ratio": _ratio(c["hashes"], n_tokens),
        "ellipsis_ratio": _ratio(c["ellipses"], n_tokens),
        "bullet_lines_frac": c["bullet_lines"] / c["n_lines"],
        "ellipsis_lines_frac": c["ellipsis_lines"] / c["n_lines"],
        "alpha_words_frac": _ratio(alpha_words, n_tokens),
        "stop_words": stop_words,
        "dup_para_frac": c["dup_paras"] / c["n_paras"],
        "dup_para_char_frac": _ratio(c["dup_para_chars"], n_chars),
        "dup_line_frac": c["dup_rep_lines"] / c["n_rep_lines"],
        "dup_line_char_frac": _ratio(c["dup_rep_line_chars"], n_chars),
        # FineWeb: share of non-blank lines ending in terminal punctuation / short lines.
        "line_punct_frac": _ratio(c["punct_lines"], c["nonblank"]),
        "short_lines_frac": _ratio(c["short_lines"], c["nonblank"]),
        "lorem_ipsum": c["lorem_ipsum"],
        "curly_brackets": c["curly_brackets"],
        **{name: grams[:, i] for i, name in enumerate(NGRAM_COLUMNS)},
        "c4_sentences": c["c4_sentences"],
        "c4_lorem_ipsum": c["c4_lorem_ipsum"],
        "c4_curly_bracket": c["c4_curly_bracket"],
        "javascript_lines_frac": c["js_lines"] / c["n_lines"],
        "policy_lines_frac": c["policy_lines"] / c["n_lines"],
    }
    return sig


def _utf8_buffers(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """(UTF-8 bytes, per-text byte offsets): the Arrow buffers when pyarrow is installed (no
    Python strings), else encoded text by text."""
    try:
        array = texts.rechunk().to_arrow(compat_level=pl.CompatLevel.oldest())
    except ImportError:  # pyarrow comes with the llm extra; the core install may lack it
        encoded = [t.encode() for t in texts.to_list()]
        byte_off = np.zeros(len(encoded) + 1, np.int64)
        np.cumsum([len(b) for b in encoded], out=byte_off[1:])
        return np.frombuffer(b"".join(encoded), np.uint8), byte_off
    _, offsets, data = array.buffers()
    byte_off = np.frombuffer(offsets, np.int64)[array.offset : array.offset + len(array) + 1]
    return (np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)), byte_off


def compute_signals_frame(texts: pl.Series, raw: pl.Series | None = None) -> pl.DataFrame:
    """One row per text, one Float64 column per name in SIGNAL_NAMES.

    `texts` is what is judged; `raw` (same length) is the unstripped source, used for link
    density only (defaults to `texts`).
    """
    raw = texts if raw is None else raw
    data, byte_off = _utf8_buffers(texts.cast(pl.String).fill_null(""))
    chunks: list[dict[str, np.ndarray]] = []
    lo = 0
    n_docs = len(byte_off) - 1
    while lo < n_docs or not chunks:
        hi = lo + 1  # at least one document, then as many as fit in CHUNK_BYTES
        while hi < n_docs and byte_off[hi + 1] - byte_off[lo] <= CHUNK_BYTES:
            hi += 1
        hi = min(hi, n_docs)
        chunks.append(_chunk_signals(data, byte_off[lo : hi + 1]))
        lo = hi
    sig = pl.DataFrame({k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]})
    raw_text = pl.col("raw")
    link = pl.DataFrame({"raw": raw.cast(pl.String).fill_null("")}).select(
        link_density=pl.when(raw_text.str.len_chars() > 0)
        .then(
            raw_text.str.extract_all(LINK_SPAN).list.eval(pl.element().str.len_chars()).list.sum()
            / raw_text.str.len_chars()
        )
        .otherwise(0.0)
        .cast(pl.Float64)
    )
    return pl.concat([sig, link], how="horizontal").select(SIGNAL_NAMES)


def compute_signals(text: str, raw: str | None = None) -> dict[str, float]:
    """Signals of one text (tests, debugging); batches use `compute_signals_frame`."""
    frame = compute_signals_frame(
        pl.Series([text], dtype=pl.String), pl.Series([text if raw is None else raw])
    )
    return frame.row(0, named=True)

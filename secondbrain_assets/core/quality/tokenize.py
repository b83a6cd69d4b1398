"""Markdown stripping as polars expressions (Rust regex), and word splitting for one text.

Batches are split into words by the numba tokenizer in `scan_words.py` (spaCy's English
conventions); `split_words` runs it on one text for tests and debugging.
"""

from __future__ import annotations

import polars as pl

# A markdown link or image, or a bare URL: what link density measures.
LINK_SPAN = r"!?\[[^\]\n]*\]\([^)\n]*\)|(?:https?://|www\.)[^\s<>)\]]+"
FENCED_CODE = r"(?ms)^[ \t]*```.*?(?:^[ \t]*```[^\n]*$|\z)|^[ \t]*~~~.*?(?:^[ \t]*~~~[^\n]*$|\z)"


# Markup removed outright, one alternation so the text is scanned once: code blocks, table
# separator rows, bare URLs, HTML tags, heading and quote markers, horizontal rules.
_DROP = "|".join(
    [
        f"(?:{FENCED_CODE})",
        r"(?m:^[ \t]*\|?[ \t]*:?-{2,}:?[ \t]*(?:\|[ \t]*:?-{2,}:?[ \t]*)*\|?[ \t]*$)",
        r"<?(?:https?://|www\.)[^\s>)]+>?",
        r"</?[A-Za-z][^>\n]*>",
        r"(?m:^[ \t]*#{1,6}[ \t]+)",
        r"(?m:^[ \t]*>[ \t]?)",
        r"(?m:^[ \t]*(?:[-*_][ \t]*){3,}$)",
    ]
)
# Markup reduced to its text, one alternation with named groups (unmatched groups are empty):
# links and images, task boxes, bold, italic, strike-through, inline code.
_UNWRAP = "|".join(
    [
        r"!?\[(?P<link>[^\]\n]*)\]\([^)\n]*\)",
        r"(?m:^(?P<box>[ \t]*[-*+][ \t]+)\[[ xX]\][ \t]*)",
        r"(?P<t1>^|[^\w*])\*\*\*(?P<t2>[^\s*](?:[^\n]*?[^\s*])?)\*\*\*",
        r"(?P<b1>^|[^\w*])\*\*(?P<b2>[^\s*](?:[^\n]*?[^\s*])?)\*\*",
        r"(?P<u1>^|[^\w_])__(?P<u2>[^\s_](?:[^\n]*?[^\s_])?)__",
        r"(?P<i1>^|[^\w*])\*(?P<i2>[^\s*](?:[^\n*]*?[^\s*])?)\*",
        r"(?P<e1>^|[^\w_])_(?P<e2>[^\s_](?:[^\n_]*?[^\s_])?)_",
        r"~~(?P<strike>[^\n]+?)~~",
        r"`(?P<code>[^`\n]+)`",
    ]
)
_UNWRAP_TO = "${link}${box}${t1}${t2}${b1}${b2}${u1}${u2}${i1}${i2}${e1}${e2}${strike}${code}"
# Only texts with one of these characters can contain markup worth stripping.
MARKDOWN_HINT = r"[`|\[#>*_~<]|https?://|www\."


def strip_markdown_expr(text: pl.Expr) -> pl.Expr:
    """Plain text of markdown: code blocks removed, tables turned into their cell text, links and
    images reduced to their visible text, emphasis, heading, quote and checkbox markers removed.
    List markers stay so bullet statistics still mean something.
    """
    text = text.str.replace_all(_DROP, "")
    text = text.str.replace_all(r"(?m)^([ \t]*)\|(.*)\|[ \t]*$", "$1$2")  # table row: cells
    text = text.str.replace_all(r"[ \t]*\|[ \t]*", " ")
    # Twice: nested markup such as ***bold italic*** or [**link**](url).
    text = text.str.replace_all(_UNWRAP, _UNWRAP_TO).str.replace_all(_UNWRAP, _UNWRAP_TO)
    text = text.str.replace_all(r"([^\s])[ \t]{2,}", "$1 ")  # gaps left by removed markup
    return text.str.strip_chars()


def code_lines_expr(text: pl.Expr) -> pl.Expr:
    """Number of lines inside fenced code blocks (removed by `strip_markdown_expr`)."""
    return (
        text.str.extract_all(FENCED_CODE)
        .list.eval(pl.element().str.count_matches("\n") + 1)
        .list.sum()
        .cast(pl.Float64)
    )


def split_words(text: str) -> list[str]:
    """Tokens of one text, as the batch scorer counts them (see `scan_words.py`)."""
    import numpy as np

    from secondbrain_assets.core.quality.charclass import flag_table
    from secondbrain_assets.core.quality.scan_words import token_spans

    cps = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    scratch = np.zeros(len(cps) * 3 // 2 + 2, np.uint32)
    starts = np.empty(len(scratch), np.int64)
    ends = np.empty(len(scratch), np.int64)
    count = token_spans(cps, len(cps), flag_table(), scratch, starts, ends)
    chars = "".join(map(chr, scratch))
    return [chars[a:e] for a, e in zip(starts[:count], ends[:count], strict=True)]


def strip_markdown(text: str) -> str:
    """`strip_markdown_expr` for one text."""
    return pl.select(strip_markdown_expr(pl.lit(text, pl.String))).item()

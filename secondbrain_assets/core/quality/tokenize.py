"""Regex word splitting and markdown stripping, as polars expressions (Rust regex, no NLP library).

The token pattern approximates spaCy's blank English tokenizer, which datatrove uses for English:
punctuation split off one character at a time ("..." and "--" kept whole), "n't" and "'s" split
off, URLs, e-mail addresses and some abbreviations ("Mr.", "e.g.") kept whole. Rust's regex has
no look-around, so "isn't" is first rewritten to "is n't" (see CONTRACTIONS). Remaining
differences ("a*b", rare abbreviations) only matter for documents sitting exactly on a threshold.
"""

from __future__ import annotations

import polars as pl

_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Dr|St|Mt|Jr|Prof|Inc|Ltd|Co|Corp|Bros|Gen|Gov|Rep|Rev|Sen|Adm|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|vs|co"
)
# Rewrites spaCy's exceptions need before the split (Rust regex has no look-around):
# "isn't" -> "is n't", "cannot" -> "can not", "id" -> "i d".
CONTRACTIONS = (
    r"(?i:(?P<a>\w)(?P<b>n['’]t)\b|\b(?P<c>can)(?P<d>not)\b)|\b(?P<e>i)(?P<f>d)\b",
    "${a}${c}${e} ${b}${d}${f}",
)
TOKEN = (
    r"(?i)(?:https?://|www\.)[^\s<>\"'()\[\]{}]*[^\s<>\"'()\[\]{}.,;:!?]"  # URL, whole
    r"|[\w.+-]+@\w[\w-]*(?:\.[\w-]+)+"  # e-mail, whole
    rf"|\b(?:{_ABBREVIATIONS})\."  # Mr. Dr. Jan.
    r"|\b(?:[^\W\d_]\.){2,}"  # e.g. i.e. U.S. a.m.
    r"|(?-i:\b[a-z]\.)"  # spaCy keeps "x." whole for single lowercase letters
    r"|\d+(?:[.,:]\d+)+|\band/or\b"  # 3.14 5,000 10:30, and one spaCy exception
    r"|n['’]t\b"  # is n't (after CONTRACTIONS)
    r"|['’](?:s|m|d|ll|re|ve)\b"  # 's 'm 'll ...
    # spaCy splits infixes only in some places: "os.path", "f(x", "utf-8", "10/2" stay whole;
    # "well-known", "1999-2003", "I/O", "os.PathLike" split.
    r"|\w*[^\W\d_]-\d\w*(?:\.(?-i:[^\W\p{Lu}])\w*|[/:<>=]\d\w*|[()@&+]\w+)*"
    r"|\w+(?:\.(?-i:[^\W\p{Lu}])\w*|[/:<>=]\d\w*|[()@&+]\w+)*"
    r"|\.{3,}|-{2,}|''"  # kept whole by spaCy
    r"|[^\w\s]"  # any other punctuation: one token per character
)
# Sentence ends as spaCy's sentencizer sees them: ".", "!" or "?" followed later by a word.
# Abbreviations are counted too and subtracted; dot runs ("...") are no sentence end.
# spaCy also splits "threading.Event" at the period (lower-case, period, upper-case).
SENTENCE_END = r"[.!?]+[\"'”’)\]]*\s\W*\w|(?-i:\p{Ll}\.\p{Lu})"
ABBREVIATION_END = rf"\b(?:(?:{_ABBREVIATIONS})|(?:[^\W\d_]\.){{1,}}[^\W\d_])\.[\"'”’)\]]*\s\W*\w"

# A markdown link or image, or a bare URL: what link density measures.
LINK_SPAN = r"!?\[[^\]\n]*\]\([^)\n]*\)|(?:https?://|www\.)[^\s<>)\]]+"
FENCED_CODE = r"(?ms)^[ \t]*```.*?(?:^[ \t]*```[^\n]*$|\z)|^[ \t]*~~~.*?(?:^[ \t]*~~~[^\n]*$|\z)"


def words_expr(text: pl.Expr) -> pl.Expr:
    """list[str] of tokens of each text."""
    return text.str.replace_all(*CONTRACTIONS).str.extract_all(TOKEN)


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
    """Tokens of one text (for tests and debugging; batches use `words_expr`)."""
    return pl.select(words_expr(pl.lit(text, pl.String))).item().to_list()


def strip_markdown(text: str) -> str:
    """`strip_markdown_expr` for one text."""
    return pl.select(strip_markdown_expr(pl.lit(text, pl.String))).item()

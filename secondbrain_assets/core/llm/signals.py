"""Cheap text signals that tell substantive prose from page boilerplate (plain Python, ~1 ms/doc).

Each signal is a number per document; `signals.FEATURES` fixes their order for the calibrated
model in `quality_model.py`. They work on markdown (links, bullets and headings are flattened
first) and do not need line breaks (a whitespace-collapsed page still has sentences and case).
Ideas from Gopher (stopwords, lines ending in an ellipsis or bullets), C4 (terminal punctuation,
boilerplate vocabulary) and boilerplate detection (jusText: stopword density and short blocks).
"""

from __future__ import annotations

import math
import re

# Function words (English): prose is ~40-50% of them, navigation and link lists under ~15%.
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself
    de la le les des et en un une du est que qui pour dans der die das und ist nicht mit von den
    el los las y por con para es al"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Words of site chrome: menus, account, sharing, consent, legal, ads.
_BOILERPLATE_TEXT = """
    home menu search login log sign signin subscribe subscription newsletter newsletters share
    shares tweet facebook twitter instagram linkedin pinterest youtube whatsapp email reddit
    cookie cookies privacy policy terms conditions copyright rights reserved contact advertise
    advertisement advertising sponsored ad ads careers faq sitemap navigation skip toggle
    account register password cart checkout follow comments comment reply related trending
    popular latest video videos podcast podcasts photos gallery read more next previous prev
    back top print edition download app apps feedback help support"""
BOILERPLATE = frozenset(_BOILERPLATE_TEXT.split())

FEATURES: tuple[str, ...] = (
    "stopword_ratio",
    "boilerplate_ratio",
    "capitalized_ratio",
    "terminal_punct_per_word",
    "line_end_punct_share",
    "short_line_word_share",
    "mean_line_words_log",
    "duplicate_line_share",
    "digit_ratio",
    "mean_word_len",
)
# Unknown (NaN) for a long text without line breaks; the model then uses the feature's mean.
LINE_FEATURES = (
    "line_end_punct_share",
    "short_line_word_share",
    "mean_line_words_log",
    "duplicate_line_share",
)
FLAT_MIN_WORDS = 60
# Length is left out on purpose: a short, well-written note is content, a long menu is not.

# Signals read at most this many characters (~1,500-2,500 tokens): bounded cost per document.
MAX_CHARS = 12_000

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_MD_PREFIX = re.compile(r"^[ \t]*(?:#{1,6}[ \t]+|[-*+][ \t]+|\d+[.)][ \t]+|>[ \t]*)+", re.M)
_MD_MARKS = re.compile(r"[*_`|]+")
_URL = re.compile(r"https?://\S+")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)  # letters only
_DIGIT = re.compile(r"\d")
_TERMINAL = re.compile(r"[.!?。！？](?=[\s\"'”’)\]]|$)")
_LINE_END = (".", "!", "?", ":", ";", '"', "”", "’", "'", ")", "。", "！", "？")


def flatten_markdown(text: str) -> str:
    """Markdown to the text a reader sees: link texts kept, URLs, images and markers dropped."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _MD_PREFIX.sub("", text)
    return _MD_MARKS.sub("", text)


def compute_signals(text: str) -> dict[str, float]:
    """The FEATURES of one document (an empty one gives zeros; LINE_FEATURES may be NaN)."""
    plain = flatten_markdown(text[:MAX_CHARS])
    words = _WORD.findall(plain)
    n_words = len(words)
    lines = [" ".join(line.split()) for line in plain.splitlines()]
    lines = [line for line in lines if _WORD.search(line)]
    if n_words == 0 or not lines:
        return dict.fromkeys(FEATURES, 0.0)
    lower = [w.lower() for w in words]
    line_words = [len(_WORD.findall(line)) for line in lines]
    short_words = sum(n for n in line_words if n <= 3)
    distinct = len(set(lines))
    signals = {
        "stopword_ratio": sum(w in STOPWORDS for w in lower) / n_words,
        "boilerplate_ratio": sum(w in BOILERPLATE for w in lower) / n_words,
        "capitalized_ratio": sum(w[0].isupper() for w in words) / n_words,
        "terminal_punct_per_word": min(1.0, len(_TERMINAL.findall(plain)) / n_words),
        "line_end_punct_share": sum(line.endswith(_LINE_END) for line in lines) / len(lines),
        "short_line_word_share": short_words / n_words,
        "mean_line_words_log": math.log1p(n_words / len(lines)),
        "duplicate_line_share": 1.0 - distinct / len(lines),
        "digit_ratio": len(_DIGIT.findall(plain)) / max(1, len(plain)),
        "mean_word_len": min(20.0, sum(map(len, words)) / n_words),
    }
    if len(lines) == 1 and n_words > FLAT_MIN_WORDS:
        # One long line: the extractor dropped the line breaks, so line signals say nothing.
        signals.update(dict.fromkeys(LINE_FEATURES, math.nan))
    return signals

"""Unicode character classes as one flag byte per BMP code point, and the numba primitives over
them that every kernel shares (import lazily: numba).

The numba kernels cannot call `unicodedata`; they look classes up in this table instead. The
classes are those of the regex definitions the kernels replace (Rust regex `\\w`, `\\d`, `\\s`,
`\\p{Lu}`, `\\p{Ll}`) plus Python's `str.isalpha` (datatrove's alphabetic-word test) and
datatrove's PUNCTUATION set. Code points above the BMP are classed by a rule in `scan_tokens`.
"""

from __future__ import annotations

import functools
import unicodedata

import numba
import numpy as np

WORD, LETTER, DIGIT, UPPER, SPACE, PUNCT, ALPHA, LOWER = 1, 2, 4, 8, 16, 32, 64, 128

# datatrove.utils.text.PUNCTUATION: a "word" made only of these is a symbol, not a word.
PUNCTUATION = (
    "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"
    + "".join(chr(x) for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b))
)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
# Join controls count as word characters for the Rust regex `\w`.
_WORD_CATEGORIES = {"Mn", "Mc", "Me", "Nd", "Nl", "Pc"}


@functools.cache
def flag_table() -> np.ndarray:
    """uint8[65536]: the class flags of every BMP code point (built once, ~50 ms)."""
    flags = np.zeros(0x10000, np.uint8)
    punct = set(PUNCTUATION)
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue  # surrogates never occur in decoded text
        c = chr(cp)
        cat = unicodedata.category(c)
        f = 0
        alpha = c.isalpha()
        if alpha or cat in _WORD_CATEGORIES or cp in (0x200C, 0x200D):
            f |= WORD
            if cat != "Nd" and c != "_" and cat != "Pc":
                f |= LETTER
        if cat == "Nd":
            f |= DIGIT
        if cat == "Lu":
            f |= UPPER
        if cat == "Ll":
            f |= LOWER
        # Rust's White_Space: Python's isspace without the information separators 0x1C-0x1F.
        if c.isspace() and not 0x1C <= cp <= 0x1F:
            f |= SPACE
        if c in punct:
            f |= PUNCT
        if alpha:
            f |= ALPHA
        flags[cp] = f
    return flags


def char_set(chars: str) -> np.ndarray:
    """Membership table for `member` (numba's `x in tuple` is ten times slower)."""
    table = np.zeros(0x10000, np.bool_)  # the BMP
    table[[ord(c) for c in chars]] = True
    return table


@numba.njit(cache=True, nogil=True, inline="always")
def cls(flags, c):
    """Flags of code point `c` (flags = `flag_table()`); above the BMP: emoji and symbols 0,
    historic scripts and CJK extensions letters."""
    if c < 0x10000:
        return flags[c]
    if 0x1F000 <= c < 0x20000 or c >= 0x40000:
        return 0
    return WORD | LETTER | ALPHA


@numba.njit(cache=True, nogil=True, inline="always")
def member(table, c):
    if c >= table.shape[0]:
        return False
    return table[c]


@numba.njit(cache=True, nogil=True, inline="always")
def lower(c):
    # if-forms, not `x and y` values: numba compiles mixed and/or results to slow unions
    if c >= 65 and c <= 90:
        return c | np.uint32(32)
    return c


@numba.njit(cache=True, nogil=True, inline="always")
def is_word(b, n, flags, j):
    if j < 0 or j >= n:
        return False
    return (cls(flags, b[j]) & WORD) != 0


@numba.njit(cache=True, nogil=True, inline="always")
def boundary(b, n, flags, j):
    """Regex `\\b` before position j."""
    return is_word(b, n, flags, j - 1) != is_word(b, n, flags, j)


@numba.njit(cache=True, nogil=True, inline="always")
def imatch(b, n, j, lit, lo, hi):
    """b[j:] starts with lit[lo:hi], ASCII case-insensitively (lit is lower case)."""
    if j + hi - lo > n:
        return False
    for k in range(hi - lo):  # noqa: SIM110 (numba compiles no generators)
        if lower(b[j + k]) != lit[lo + k]:
            return False
    return True


@numba.njit(cache=True, nogil=True, inline="always")
def token_hash(b, lo, hi):
    h = _FNV_OFFSET
    for k in range(lo, hi):
        h = (h ^ np.uint64(b[k])) * _FNV_PRIME
    return h


def fnv1a(token: str) -> int:
    """`token_hash` of a Python string, for building the stop-word hashes."""
    h = int(_FNV_OFFSET)
    for ch in token:
        h = ((h ^ ord(ch)) * int(_FNV_PRIME)) & 0xFFFFFFFFFFFFFFFF
    return h


@numba.njit(cache=True, nogil=True)
def decode_utf8(data, byte_off):
    """Code points of the documents data[byte_off[d]:byte_off[d + 1]] (valid UTF-8, as polars
    stores it) and their offsets in the code point array."""
    n_docs = byte_off.shape[0] - 1
    cps = np.empty(max(byte_off[n_docs] - byte_off[0], 0), np.uint32)
    doc_off = np.zeros(n_docs + 1, np.int64)
    j = 0
    for d in range(n_docs):
        i, end = byte_off[d], byte_off[d + 1]
        while i < end:
            b = np.uint32(data[i])
            if b < 0x80:
                cp = b
                i += 1
            elif b < 0xE0:
                cp = ((b & 0x1F) << 6) | (np.uint32(data[i + 1]) & 0x3F)
                i += 2
            elif b < 0xF0:
                cp = ((b & 0x0F) << 12) | ((np.uint32(data[i + 1]) & 0x3F) << 6)
                cp |= np.uint32(data[i + 2]) & 0x3F
                i += 3
            else:
                cp = ((b & 0x07) << 18) | ((np.uint32(data[i + 1]) & 0x3F) << 12)
                cp |= ((np.uint32(data[i + 2]) & 0x3F) << 6) | (np.uint32(data[i + 3]) & 0x3F)
                i += 4
            cps[j] = cp
            j += 1
        doc_off[d + 1] = j
    return cps[:j], doc_off

"""Unicode character classes as one flag byte per Basic Multilingual Plane code point.

The numba kernels cannot call `unicodedata`; they look classes up in this table instead. The
classes are those of the regex definitions the kernels replace (Rust regex `\\w`, `\\d`, `\\s`,
`\\p{Lu}`, `\\p{Ll}`) plus Python's `str.isalpha` (datatrove's alphabetic-word test) and
datatrove's PUNCTUATION set. Code points above the BMP are classed by a rule in `scan_tokens`.
"""

from __future__ import annotations

import functools
import unicodedata

import numpy as np

WORD, LETTER, DIGIT, UPPER, SPACE, PUNCT, ALPHA, LOWER = 1, 2, 4, 8, 16, 32, 64, 128

# datatrove.utils.text.PUNCTUATION: a "word" made only of these is a symbol, not a word.
PUNCTUATION = (
    "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"
    + "".join(chr(x) for a, b in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(a, b))
)
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

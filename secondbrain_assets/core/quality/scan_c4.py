"""The C4 line pass of one line (C4QualityFilter in datatrove 0.10.1), in numba (import lazily).

Each stripped line with citations removed must end in terminal punctuation (not "..."), have
three words and no word over 1000 characters; then "lorem ipsum" or a "{" outside javascript
lines drops the document, javascript and policy lines are dropped, and the rest count sentences
as spaCy's sentencizer would: one plus every ".", "!" or "?" run followed by space and later a
word, or a "a.B" joint, minus abbreviation periods ("Mr.", "e.g."); dot runs are no sentence end.
"""

from __future__ import annotations

import numba
import numpy as np

from secondbrain_assets.core.quality.charclass import (
    DIGIT,
    LETTER,
    LOWER,
    SPACE,
    UPPER,
    WORD,
    char_set,
    cls,
    lower,
    member,
)
from secondbrain_assets.core.quality.scan_tokens import ABBREVIATIONS

# Bits of `c4_line`'s first result.
LOREM, JAVASCRIPT, CURLY, POLICY = 1, 2, 4, 8
LOREM_IPSUM = 1  # index of "lorem ipsum" in _PHRASES, for `phrase_at`
_PHRASES = (
    "javascript",
    "lorem ipsum",
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
_PH = np.array([ord(c) for p in _PHRASES for c in p], np.uint32)
_PH_OFF = np.cumsum([0] + [len(p) for p in _PHRASES]).astype(np.int64)
_PHRASE_START = char_set("".join({p[0] for p in _PHRASES}))
_AB = np.array([ord(c) for w in ABBREVIATIONS for c in w], np.uint32)  # case kept
_AB_OFF = np.cumsum([0] + [len(w) for w in ABBREVIATIONS]).astype(np.int64)
_CITATIONS = ("[edit]", "[citation needed]")
_CIT = np.array([ord(c) for w in _CITATIONS for c in w], np.uint32)
_CIT_OFF = np.cumsum([0] + [len(w) for w in _CITATIONS]).astype(np.int64)
_CLOSERS = char_set("\"'”’)]")
_TERMINAL = char_set(".?!\"'")
_ELLIPSIS = 0x2026


@numba.njit(cache=True, nogil=True, inline="always")
def _space(flags, c):
    return (cls(flags, c) & SPACE) != 0


@numba.njit(cache=True, nogil=True, inline="always")
def phrase_at(b, i, hi, p):
    """Phrase p of _PHRASES at b[i:hi], ASCII case-insensitively."""
    a, z = _PH_OFF[p], _PH_OFF[p + 1]
    if i + z - a > hi:
        return False
    for k in range(z - a):  # noqa: SIM110 (numba compiles no generators)
        if lower(b[i + k]) != _PH[a + k]:
            return False
    return True


@numba.njit(cache=True, nogil=True, inline="always")
def _is_at(b, i, hi, k):
    """b[i:hi] starts with citation k of _CITATIONS (case kept)."""
    lo, z = _CIT_OFF[k], _CIT_OFF[k + 1]
    if i + z - lo > hi:
        return False
    for j in range(z - lo):  # noqa: SIM110 (numba compiles no generators)
        if b[i + j] != _CIT[lo + j]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _sentence_tail(s, n, k, flags):
    """After a period run at k: closers, one space, non-word characters, then a word char.
    Returns the match end or -1."""
    while k < n and member(_CLOSERS, s[k]):
        k += 1
    if k >= n or not _space(flags, s[k]):
        return -1
    k += 1
    while k < n and not cls(flags, s[k]) & WORD:
        k += 1
    return k + 1 if k < n else -1


@numba.njit(cache=True, nogil=True)
def _abbreviation_end(s, n, i, flags):
    """End of an abbreviation period match at i (`ABBREVIATION_END` of tokenize.py), or -1."""
    if i > 0 and cls(flags, s[i - 1]) & WORD:
        return -1
    for a in range(_AB_OFF.shape[0] - 1):
        m = _AB_OFF[a + 1] - _AB_OFF[a]
        if i + m < n and s[i + m] == 46:
            k = 0
            while k < m and s[i + k] == _AB[_AB_OFF[a] + k]:
                k += 1
            if k == m:
                e = _sentence_tail(s, n, i + m + 1, flags)
                if e > 0:
                    return e
    k = i
    while k + 1 < n and cls(flags, s[k]) & LETTER and s[k + 1] == 46:
        k += 2
    if k - i >= 4:  # letter-period pairs, then the last pair's period ends the abbreviation
        return _sentence_tail(s, n, k, flags)
    return -1


@numba.njit(cache=True, nogil=True)
def _sentences(s, n, flags):
    """Sentences of s[:n] (dot runs already folded into "…"): 1 + ends - abbreviation ends."""
    ends = 0
    i = 0
    while i < n:
        c = s[i]
        if c == 46 or c == 33 or c == 63:
            k = i
            while k < n and (s[k] == 46 or s[k] == 33 or s[k] == 63):
                k += 1
            e = _sentence_tail(s, n, k, flags)
            if e > 0:
                ends += 1
                i = e
                continue
        elif (
            i + 2 < n and s[i + 1] == 46 and cls(flags, c) & LOWER and cls(flags, s[i + 2]) & UPPER
        ):
            ends += 1
            i += 3
            continue
        i += 1
    abbr = 0
    i = 0
    while i < n:
        if cls(flags, s[i]) & LETTER and (i == 0 or not cls(flags, s[i - 1]) & WORD):
            k = i  # an abbreviation is a word followed by "."; mid-word starts never match
            while k < n and cls(flags, s[k]) & WORD:
                k += 1
            if k < n and s[k] == 46:
                e = _abbreviation_end(s, n, i, flags)
                if e > 0:
                    abbr += 1
                    i = e
                    continue
            i = k
            continue
        i += 1
    return 1 + ends - abbr


@numba.njit(cache=True, nogil=True)
def c4_line(b, lo, hi, flags, clean, folded):
    """(LOREM|JAVASCRIPT|CURLY|POLICY bits, sentences kept) of line b[lo:hi]; clean and folded
    are scratch buffers as long as the line."""
    while lo < hi and _space(flags, b[lo]):
        lo += 1
    while hi > lo and _space(flags, b[hi - 1]):
        hi -= 1
    if hi == lo or not (member(_TERMINAL, b[hi - 1]) or b[hi - 1] == 93):
        return 0, 0  # no terminal punctuation, and no citation "[...]" that could hide one
    # One pass: count words of the line as it is, copy it without citations ([12], [],
    # [edit], [citation needed]) as datatrove removes them after counting.
    words = 0
    run = 0
    n = 0
    i = lo
    while i < hi:
        nxt = i + 1
        if b[i] == 91:
            k = i + 1
            while k < hi and cls(flags, b[k]) & DIGIT:
                k += 1
            if k < hi and b[k] == 93:
                nxt = k + 1
            elif _is_at(b, i, hi, 0):
                nxt = i + 6
            elif _is_at(b, i, hi, 1):
                nxt = i + 17
        if nxt == i + 1:
            clean[n] = b[i]
            n += 1
        for j in range(i, nxt):
            if _space(flags, b[j]):
                run = 0
            else:
                if run == 0:
                    words += 1
                run += 1
                if run > 1000:
                    return 0, 0  # a word over 1000 characters drops the line
        i = nxt
    if words < 3:
        return 0, 0
    if n == 0 or not member(_TERMINAL, clean[n - 1]):
        return 0, 0
    if n >= 3 and clean[n - 1] == 46 and clean[n - 2] == 46 and clean[n - 3] == 46:
        return 0, 0
    js = lorem = curly = policy = False
    for i in range(n):  # one pass for every phrase: only their first letters start a check
        c = lower(clean[i])
        if c == 123:
            curly = True
        elif member(_PHRASE_START, c):
            for p in range(_PH_OFF.shape[0] - 1):
                if _PH[_PH_OFF[p]] == c and phrase_at(clean, i, n, p):
                    if p == 0:
                        js = True
                    elif p == 1:
                        lorem = True
                    else:
                        policy = True
    bits = LOREM if lorem else 0
    if js:
        return bits | JAVASCRIPT, 0
    if curly:
        bits |= CURLY
    if policy:
        return bits | POLICY, 0
    m = 0  # fold dot runs into one "…": no sentence end
    i = 0
    while i < n:
        if clean[i] == 46 and i + 1 < n and clean[i + 1] == 46:
            while i < n and clean[i] == 46:
                i += 1
            folded[m] = _ELLIPSIS
        else:
            folded[m] = clean[i]
            i += 1
        m += 1
    return bits, _sentences(folded, m, flags)

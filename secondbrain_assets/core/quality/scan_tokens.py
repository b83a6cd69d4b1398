"""Word tokens of every document in one numba pass over code points (import lazily: numba).

The tokenizer approximates spaCy's blank English tokenizer, which datatrove uses for English:
punctuation split off one character at a time ("..." and "--" kept whole), "n't" and "'s" split
off ("isn't" -> "is n't", "cannot" -> "can not"), URLs, e-mail addresses and some abbreviations
("Mr.", "e.g.") kept whole, infixes split only where spaCy splits them ("utf-8", "os.path",
"f(x", "10/2" stay whole; "well-known", "I/O" split). At each position the first matching rule
wins, as in the alternation of a regular expression:
  1 URL (http://, https://, www.; trailing .,;:!? left out)   2 e-mail address
  3 listed abbreviation + "."   4 initials "e.g." "U.S."   5 "x." for one lower-case letter
  6 number with . , : groups, or "and/or"   7 "n't"   8 "'s" "'m" "'d" "'ll" "'re" "'ve"
  9 word ending in letter-digit ("utf-8")   10 word with infixes   11 "..." "--" "''"
  12 any other non-space character.
Remaining differences from spaCy ("a*b", rare abbreviations) only matter for documents sitting
exactly on a threshold; test_datatrove_agreement.py measures them.
"""

from __future__ import annotations

import numba
import numpy as np

from secondbrain_assets.core.quality.charclass import (
    DIGIT,
    LETTER,
    SPACE,
    UPPER,
    WORD,
    boundary,
    char_set,
    cls,
    imatch,
    is_word,
    lower,
    member,
)

ABBREVIATIONS = (
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "St",
    "Mt",
    "Jr",
    "Prof",
    "Inc",
    "Ltd",
    "Co",
    "Corp",
    "Bros",
    "Gen",
    "Gov",
    "Rep",
    "Rev",
    "Sen",
    "Adm",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Sept",
    "Oct",
    "Nov",
    "Dec",
    "vs",
    "co",
)
_ABBR = np.array([ord(c) for w in ABBREVIATIONS for c in w.lower()], np.uint32)
_ABBR_OFF = np.cumsum([0] + [len(w) for w in ABBREVIATIONS]).astype(np.int64)
_LITERALS = ("https://", "http://", "www.", "and/or", "cannot")
_HTTPS, _HTTP, _WWW, _AND_OR, _CANNOT = range(len(_LITERALS))
_LIT = np.array([ord(c) for w in _LITERALS for c in w], np.uint32)
_LIT_OFF = np.cumsum([0] + [len(w) for w in _LITERALS]).astype(np.int64)
_SUFFIXES = ("s", "m", "d", "ll", "re", "ve")  # after an apostrophe
_SUF = np.array([ord(c) for w in _SUFFIXES for c in w], np.uint32)
_SUF_OFF = np.cumsum([0] + [len(w) for w in _SUFFIXES]).astype(np.int64)


_URL_STOP = char_set("<>\"'()[]{}")  # the URL rule stops at these
_URL_TRAIL = char_set(".,;:!?")  # and leaves these out at its end
_EMAIL_EXTRA = char_set(".+-")
_NUMBER_SEP = char_set(".,:")
_APOSTROPHE = char_set("'’")


@numba.njit(cache=True, nogil=True, inline="always")
def _lit(b, n, j, k):
    """b[j:] starts with literal k of _LITERALS, ASCII case-insensitively."""
    return imatch(b, n, j, _LIT, _LIT_OFF[k], _LIT_OFF[k + 1])


@numba.njit(cache=True, nogil=True, inline="always")
def _word_run(b, n, flags, k):
    while k < n and cls(flags, b[k]) & WORD:
        k += 1
    return k


@numba.njit(cache=True, nogil=True)
def _tail(b, n, flags, k):
    """Infixes spaCy keeps inside a word: ".lower", "/2", ":30", "=1", "(x", "@host", "&b"."""
    while k + 1 < n:
        c, f = b[k], cls(flags, b[k + 1])
        if c == 46:
            ok = (f & WORD) != 0 and (f & UPPER) == 0
        elif c == 47 or c == 58 or c == 60 or c == 62 or c == 61:  # / : < > =
            ok = (f & DIGIT) != 0
        elif c == 40 or c == 41 or c == 64 or c == 38 or c == 43:  # ( ) @ & +
            ok = (f & WORD) != 0
        else:
            ok = False
        if ok:
            k = _word_run(b, n, flags, k + 2)
        else:
            break
    return k


@numba.njit(cache=True, nogil=True)
def _url(b, n, flags, i):
    if _lit(b, n, i, _HTTPS):
        k = i + 8
    elif _lit(b, n, i, _HTTP):
        k = i + 7
    elif _lit(b, n, i, _WWW):
        k = i + 4
    else:
        return -1
    end = -1
    while k < n and not cls(flags, b[k]) & SPACE and not member(_URL_STOP, b[k]):
        if not member(_URL_TRAIL, b[k]):
            end = k + 1
        k += 1
    return end


@numba.njit(cache=True, nogil=True)
def _email(b, n, flags, i):
    k = i
    while k < n and (cls(flags, b[k]) & WORD or member(_EMAIL_EXTRA, b[k])):
        k += 1
    if k == i or k + 1 >= n or b[k] != 64 or not cls(flags, b[k + 1]) & WORD:
        return -1
    k += 2
    while k < n and (cls(flags, b[k]) & WORD or b[k] == 45):
        k += 1
    end = -1
    while k + 1 < n and b[k] == 46 and (cls(flags, b[k + 1]) & WORD or b[k + 1] == 45):
        k += 2
        while k < n and (cls(flags, b[k]) & WORD or b[k] == 45):
            k += 1
        end = k
    return end


@numba.njit(cache=True, nogil=True)
def next_token(b, n, flags, i):
    """End of the token starting at non-space position i (rules 1-12 of the module doc)."""
    c = b[i]
    f = cls(flags, c)
    lc = lower(c)
    e = _word_run(b, n, flags, i) if f & WORD else i  # rules 3-6 and 9-10 start with it
    after = b[e] if e < n else 0
    if lc == 104 or lc == 119:  # h, w
        u = _url(b, n, flags, i)
        if u > 0:
            return u
    # An e-mail address needs "@" right after its [\w.+-] run: skip the scan otherwise.
    if (f & WORD and (after == 64 or member(_EMAIL_EXTRA, after))) or member(_EMAIL_EXTRA, c):
        u = _email(b, n, flags, i)
        if u > 0:
            return u
    at_word_start = False
    if f & WORD:
        at_word_start = boundary(b, n, flags, i)
    if at_word_start and f & LETTER and after == 46:  # abbreviations end their word with "."
        m = e - i
        for a in range(_ABBR_OFF.shape[0] - 1):
            lo, hi = _ABBR_OFF[a], _ABBR_OFF[a + 1]
            if hi - lo == m and imatch(b, n, i, _ABBR, lo, hi):
                return e + 1
        k = i
        while k + 1 < n and cls(flags, b[k]) & LETTER and b[k + 1] == 46:
            k += 2
        if k - i >= 4:
            return k
        if m == 1 and (97 <= c <= 122 or f & UPPER):  # spaCy splits "." after [a-z]{2}, not "A."
            return i + 2
    if f & DIGIT:
        k = _word_run_digits(b, n, flags, i)
        end = -1
        while k + 1 < n and member(_NUMBER_SEP, b[k]) and cls(flags, b[k + 1]) & DIGIT:
            k = _word_run_digits(b, n, flags, k + 1)
            end = k
        if end > 0:
            return end
    if at_word_start and after == 47 and e - i == 3 and _lit(b, n, i, _AND_OR):  # noqa: SIM102
        if not is_word(b, n, flags, i + 6):
            return i + 6
    if lc == 110 and i + 2 < n and member(_APOSTROPHE, b[i + 1]) and lower(b[i + 2]) == 116:  # noqa: SIM102
        if boundary(b, n, flags, i + 3):
            return i + 3
    if c == 39 or c == 0x2019:
        for s in range(_SUF_OFF.shape[0] - 1):
            lo, hi = _SUF_OFF[s], _SUF_OFF[s + 1]
            if imatch(b, n, i + 1, _SUF, lo, hi) and boundary(b, n, flags, i + 1 + hi - lo):
                return i + 1 + hi - lo
    if f & WORD:
        if e + 1 < n and b[e] == 45 and cls(flags, b[e - 1]) & LETTER:  # noqa: SIM102
            if cls(flags, b[e + 1]) & DIGIT:
                return _tail(b, n, flags, _word_run(b, n, flags, e + 1))
        return _tail(b, n, flags, e)
    if c == 46 or c == 45:
        k = i
        while k < n and b[k] == c:
            k += 1
        if k - i >= 2:  # ".." and "--" and longer runs
            return k
    if c == 39 and i + 1 < n and b[i + 1] == 39:
        return i + 2
    return i + 1


@numba.njit(cache=True, nogil=True, inline="always")
def _word_run_digits(b, n, flags, k):
    while k < n and cls(flags, b[k]) & DIGIT:
        k += 1
    return k

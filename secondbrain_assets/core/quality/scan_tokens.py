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
    ALPHA,
    DIGIT,
    LETTER,
    PUNCT,
    SPACE,
    UPPER,
    WORD,
)

ABBREVIATIONS = (
    "Mr", "Mrs", "Ms", "Dr", "St", "Mt", "Jr", "Prof", "Inc", "Ltd", "Co", "Corp", "Bros", "Gen",
    "Gov", "Rep", "Rev", "Sen", "Adm", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep",
    "Sept", "Oct", "Nov", "Dec", "vs", "co",
)  # fmt: skip
_ABBR = np.array([ord(c) for w in ABBREVIATIONS for c in w.lower()], np.uint32)
_ABBR_OFF = np.cumsum([0] + [len(w) for w in ABBREVIATIONS]).astype(np.int64)
_LITERALS = ("https://", "http://", "www.", "and/or", "cannot")
_HTTPS, _HTTP, _WWW, _AND_OR, _CANNOT = range(len(_LITERALS))
_LIT = np.array([ord(c) for w in _LITERALS for c in w], np.uint32)
_LIT_OFF = np.cumsum([0] + [len(w) for w in _LITERALS]).astype(np.int64)
_SUFFIXES = ("s", "m", "d", "ll", "re", "ve")  # after an apostrophe
_SUF = np.array([ord(c) for w in _SUFFIXES for c in w], np.uint32)
_SUF_OFF = np.cumsum([0] + [len(w) for w in _SUFFIXES]).astype(np.int64)
_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


def char_set(chars: str) -> np.ndarray:
    """Membership table for `member` (numba's `x in tuple` is ten times slower)."""
    table = np.zeros(0x10000, np.bool_)  # the BMP
    table[[ord(c) for c in chars]] = True
    return table


_URL_STOP = char_set("<>\"'()[]{}")  # the URL rule stops at these
_URL_TRAIL = char_set(".,;:!?")  # and leaves these out at its end
_EMAIL_EXTRA = char_set(".+-")
_NUMBER_SEP = char_set(".,:")
_APOSTROPHE = char_set("'’")
_CJK_INFIX = char_set(":<>=/,-–—")
# spaCy's prefix and suffix punctuation, as far as it cuts CJK chunks (LIST_PUNCT, LIST_QUOTES).
_CJK_EDGE = char_set(
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…。？！，、；：～·「」『』（）〔〕【】《》〈〉“”‘’—–«»"
)


@numba.njit(cache=True, nogil=True, inline="always")
def cls(flags, c):
    """Flags of code point `c`; above the BMP: emoji and symbols 0, historic scripts and CJK
    extensions letters."""
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


@numba.njit(cache=True, nogil=True)
def split_contractions(t, m, flags, out):
    """Copy t[:m] into out with a space where spaCy splits: "is n't", "can not", "i d".
    Returns the copied length (out needs room for m * 3 // 2 + 2)."""
    j = 0
    p = 0
    while p < m:
        c = t[p]
        if (
            p + 3 < m
            and lower(t[p + 1]) == 110
            and cls(flags, c) & WORD
            and member(_APOSTROPHE, t[p + 2])
            and lower(t[p + 3]) == 116
            and not is_word(t, m, flags, p + 4)
        ):
            out[j], out[j + 1] = t[p], 32
            out[j + 2 : j + 5] = t[p + 1 : p + 4]
            j, p = j + 5, p + 4
            continue
        cannot = (c == 99 or c == 67) and _lit(t, m, p, _CANNOT)  # cheap tests first
        if cannot and boundary(t, m, flags, p) and not is_word(t, m, flags, p + 6):
            out[j : j + 3] = t[p : p + 3]
            out[j + 3] = 32
            out[j + 4 : j + 7] = t[p + 3 : p + 6]
            j, p = j + 7, p + 6
            continue
        if c == 105 and p + 1 < m and t[p + 1] == 100 and boundary(t, m, flags, p):  # noqa: SIM102
            if not is_word(t, m, flags, p + 2):
                out[j], out[j + 1], out[j + 2] = 105, 32, 100
                j, p = j + 3, p + 2
                continue
        out[j] = c
        j += 1
        p += 1
    return j


@numba.njit(cache=True, nogil=True, inline="always")
def _is_cjk(c):
    """Hangul, CJK ideographs, kana and their punctuation and full-width forms."""
    if c < 0x1100:
        return False
    if c <= 0x11FF or 0x3000 <= c <= 0x9FFF or 0xAC00 <= c <= 0xD7AF:
        return True
    return 0xFF00 <= c <= 0xFFEF


@numba.njit(cache=True, nogil=True)
def _cjk_chunk(b, lo, hi, flags, starts, ends, count):
    """A space-free chunk with CJK text, as spaCy's English tokenizer cuts it: punctuation and
    quotes peeled off both ends one by one ("..." whole), the middle cut only at spaCy's infixes."""
    while lo < hi and member(_CJK_EDGE, b[lo]):
        e = lo + 1
        while b[lo] == 46 and e < hi and b[e] == 46:
            e += 1
        starts[count], ends[count] = lo, e
        count += 1
        lo = e
    z = hi
    while z > lo and member(_CJK_EDGE, b[z - 1]):
        z -= 1
    start = lo
    k = lo
    while k < z:  # spaCy's infixes: dot runs and "…" anywhere, [:<>=/] , and dashes in words
        c = b[k]
        e = k + 1
        while c == 46 and e < z and b[e] == 46:
            e += 1
        cut = e - k >= 2 or c == 0x2026
        if not cut and k > lo and e < z and member(_CJK_INFIX, c):
            cut = (cls(flags, b[k - 1]) & WORD) != 0 and (cls(flags, b[e]) & LETTER) != 0
        if cut:
            if k > start:
                starts[count], ends[count] = start, k
                count += 1
            starts[count], ends[count] = k, e
            count += 1
            start = e
        k = e
    if z > start:
        starts[count], ends[count] = start, z
        count += 1
    while z < hi:
        e = z + 1
        while b[z] == 46 and e < hi and b[e] == 46:
            e += 1
        starts[count], ends[count] = z, e
        count += 1
        z = e
    return count


@numba.njit(cache=True, nogil=True)
def token_spans(t, m, flags, scratch, starts, ends):
    """Tokens of t[:m]: text rewritten into `scratch`, spans into starts/ends; returns count."""
    n = split_contractions(t, m, flags, scratch)
    count = 0
    i = 0
    while i < n:
        if cls(flags, scratch[i]) & SPACE:
            i += 1
            continue
        e = i
        cjk = False
        while e < n and not cls(flags, scratch[e]) & SPACE:
            if _is_cjk(scratch[e]):
                cjk = True
            e += 1
        if cjk:  # spaCy splits no infix inside Chinese, Japanese or Korean text
            count = _cjk_chunk(scratch, i, e, flags, starts, ends, count)
            i = e
            continue
        e = next_token(scratch, n, flags, i)
        starts[count] = i
        ends[count] = e
        count += 1
        i = e
    return count


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
def token_stats(cps, doc_off, flags, stop_hashes):
    """Per-token hashes and lengths of all documents plus per-document token counts.

    Returns (hashes, lengths, tok_off, per_doc) with per_doc columns: tokens, real words (not
    only punctuation), their characters, tokens with a letter, distinct stop words.
    """
    n_docs = doc_off.shape[0] - 1
    longest = 1
    for d in range(n_docs):
        longest = max(longest, doc_off[d + 1] - doc_off[d])
    scratch = np.empty(longest * 3 // 2 + 2, np.uint32)
    starts = np.empty(scratch.shape[0], np.int64)
    ends = np.empty(scratch.shape[0], np.int64)
    cap = max(16, (doc_off[n_docs] - doc_off[0]) // 2)
    hashes = np.empty(cap, np.uint64)
    lengths = np.empty(cap, np.int64)
    tok_off = np.zeros(n_docs + 1, np.int64)
    per_doc = np.zeros((n_docs, 5), np.float64)
    t = 0
    for d in range(n_docs):
        lo = doc_off[d]
        count = token_spans(cps[lo:], doc_off[d + 1] - lo, flags, scratch, starts, ends)
        if t + count > hashes.shape[0]:  # grow: documents of one-character tokens
            cap = max(2 * hashes.shape[0], t + count)
            hashes = np.concatenate((hashes, np.empty(cap - hashes.shape[0], np.uint64)))
            lengths = np.concatenate((lengths, np.empty(cap - lengths.shape[0], np.int64)))
        stop_seen = 0
        for k in range(count):
            a, e = starts[k], ends[k]
            h = _FNV_OFFSET
            real = False
            alpha = False
            for j in range(a, e):
                h = (h ^ np.uint64(scratch[j])) * _FNV_PRIME  # token_hash, inlined
                f = cls(flags, scratch[j])
                if not f & PUNCT:
                    real = True
                if f & ALPHA:
                    alpha = True
            hashes[t] = h
            lengths[t] = e - a
            t += 1
            if real:
                per_doc[d, 1] += 1
                per_doc[d, 2] += e - a
            if alpha:
                per_doc[d, 3] += 1
            for s in range(stop_hashes.shape[0]):
                if stop_hashes[s] == h:
                    stop_seen |= 1 << s
        per_doc[d, 0] = count
        tok_off[d + 1] = t
        while stop_seen:
            per_doc[d, 4] += stop_seen & 1
            stop_seen >>= 1
    return hashes[:t], lengths[:t], tok_off, per_doc

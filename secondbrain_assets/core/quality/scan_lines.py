"""Line, paragraph and C4 signals of every document in one numba pass (import lazily: numba).

Definitions follow datatrove 0.10.1 (see `text_stats.py`):
- lines are `str.splitlines()`; bullet lines start with "•" or "-" after spaces, ellipsis lines
  end with "..." or "…" before spaces (GopherQualityFilter);
- paragraphs split on two or more newlines of the stripped text, repetition lines on one or more
  newlines; a repeat counts once per extra copy with its characters (GopherRepetitionFilter);
- non-blank lines of `text.split("\\n")` ending in .!?"'… and of at most 30 characters
  (FineWebQualityFilter);
- the C4 line pass (C4QualityFilter): each stripped line with citations removed must end in
  terminal punctuation (not "..."), have three words and no word over 1000 characters; then
  "lorem ipsum" or a "{" outside javascript lines drops the document, javascript and policy
  lines are dropped, and the rest count sentences as spaCy's sentencizer would: one plus every
  ".", "!" or "?" run followed by space and later a word, or a "a.B" joint, minus abbreviation
  periods ("Mr.", "e.g."); dot runs are no sentence end.
Repeated lines and paragraphs are compared by 64-bit hash: a collision would merge two of them.
"""

from __future__ import annotations

import numba
import numpy as np

from secondbrain_assets.core.quality.charclass import DIGIT, LETTER, LOWER, SPACE, UPPER, WORD
from secondbrain_assets.core.quality.scan_tokens import (
    ABBREVIATIONS,
    char_set,
    cls,
    lower,
    member,
    token_hash,
)

LINE_COLUMNS = (
    "hashes", "ellipses", "n_lines", "bullet_lines", "ellipsis_lines", "n_paras", "dup_paras",
    "dup_para_chars", "n_rep_lines", "dup_rep_lines", "dup_rep_line_chars", "nonblank",
    "punct_lines", "short_lines", "lorem_ipsum", "curly_brackets", "c4_sentences",
    "c4_lorem_ipsum", "c4_curly_bracket", "js_lines", "policy_lines",
)  # fmt: skip
# Column indexes as plain ints: numba reads module-level ints as constants.
(
    _HASHES,
    _ELLIPSES,
    _N_LINES,
    _BULLET_LINES,
    _ELLIPSIS_LINES,
    _N_PARAS,
    _DUP_PARAS,
    _DUP_PARA_CHARS,
    _N_REP_LINES,
    _DUP_REP_LINES,
    _DUP_REP_LINE_CHARS,
    _NONBLANK,
    _PUNCT_LINES,
    _SHORT_LINES,
    _LOREM_IPSUM,
    _CURLY_BRACKETS,
    _C4_SENTENCES,
    _C4_LOREM_IPSUM,
    _C4_CURLY_BRACKET,
    _JS_LINES,
    _POLICY_LINES,
) = range(len(LINE_COLUMNS))
_PHRASES = ("javascript", "lorem ipsum", "terms of use", "privacy policy", "cookie policy",
            "uses cookies", "use of cookies", "use cookies")  # fmt: skip
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
_FW_TERMINAL = char_set(".!?\"'…")
_ELLIPSIS = 0x2026


@numba.njit(cache=True, nogil=True, inline="always")
def _at(b, i, hi, p):
    """Phrase p of _PHRASES at b[i:hi], ASCII case-insensitively."""
    a, z = _PH_OFF[p], _PH_OFF[p + 1]
    if i + z - a > hi:
        return False
    for k in range(z - a):  # noqa: SIM110 (numba compiles no generators)
        if lower(b[i + k]) != _PH[a + k]:
            return False
    return True


@numba.njit(cache=True, nogil=True, inline="always")
def _space(flags, c):
    return (cls(flags, c) & SPACE) != 0


@numba.njit(cache=True, nogil=True)
def _dups(hashes, lengths, k, out, d, c_dup, c_chars):
    """Repeated items of hashes[:k] and their characters into out[d, c_dup], out[d, c_chars]."""
    order = np.argsort(hashes[:k])
    for j in range(1, k):
        if hashes[order[j]] == hashes[order[j - 1]]:
            out[d, c_dup] += 1
            out[d, c_chars] += lengths[order[j]]


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
def _c4_line(b, lo, hi, flags, clean, folded, out, d):
    """Judge one line b[lo:hi] as C4QualityFilter does; adds to out[d]."""
    while lo < hi and _space(flags, b[lo]):
        lo += 1
    while hi > lo and _space(flags, b[hi - 1]):
        hi -= 1
    words = 0
    run = 0
    for i in range(lo, hi):
        if _space(flags, b[i]):
            run = 0
        else:
            if run == 0:
                words += 1
            run += 1
            if run > 1000:
                return  # a word over 1000 characters drops the line
    if words < 3:
        return
    n = 0  # citations removed: [12], [], [edit], [citation needed]
    i = lo
    while i < hi:
        if b[i] == 91:
            k = i + 1
            while k < hi and cls(flags, b[k]) & DIGIT:
                k += 1
            if k < hi and b[k] == 93:
                i = k + 1
                continue
            if _is_at(b, i, hi, 0):
                i += 6
                continue
            if _is_at(b, i, hi, 1):
                i += 17
                continue
        clean[n] = b[i]
        n += 1
        i += 1
    if n == 0 or not member(_TERMINAL, clean[n - 1]):
        return
    if n >= 3 and clean[n - 1] == 46 and clean[n - 2] == 46 and clean[n - 3] == 46:
        return
    js = lorem = curly = policy = False
    for i in range(n):  # one pass for every phrase: only their first letters start a check
        c = lower(clean[i])
        if c == 123:
            curly = True
        elif member(_PHRASE_START, c):
            for p in range(_PH_OFF.shape[0] - 1):
                if _PH[_PH_OFF[p]] == c and _at(clean, i, n, p):
                    if p == 0:
                        js = True
                    elif p == 1:
                        lorem = True
                    else:
                        policy = True
    if lorem:
        out[d, _C4_LOREM_IPSUM] = 1.0
    if js:
        out[d, _JS_LINES] += 1
        return
    if curly:
        out[d, _C4_CURLY_BRACKET] = 1.0
    if policy:
        out[d, _POLICY_LINES] += 1
        return
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
    out[d, _C4_SENTENCES] += _sentences(folded, m, flags)


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


@numba.njit(cache=True, nogil=True, inline="always")
def _is_break(c):
    """What str.splitlines() splits on (\r\n is handled by the caller)."""
    if c < 32:
        if c >= 10 and c <= 13:
            return True
        return c >= 0x1C and c <= 0x1E
    if c == 0x85 or c == 0x2028:
        return True
    return c == 0x2029


@numba.njit(cache=True, nogil=True)
def line_stats(cps, doc_off, flags):
    """(n_docs, len(LINE_COLUMNS)) counts; see the module doc for each definition."""
    n_docs = doc_off.shape[0] - 1
    out = np.zeros((n_docs, len(LINE_COLUMNS)), np.float64)
    longest = 1
    for d in range(n_docs):
        longest = max(longest, doc_off[d + 1] - doc_off[d])
    clean = np.empty(longest, np.uint32)
    folded = np.empty(longest, np.uint32)
    seg_hash = np.empty(longest + 1, np.uint64)
    seg_len = np.empty(longest + 1, np.int64)
    for d in range(n_docs):
        lo, hi = doc_off[d], doc_off[d + 1]
        _whole_text(cps, lo, hi, flags, out, d)
        # str.splitlines(): \r\n is one break; one trailing break adds no line.
        n_lines = 0
        start = lo
        i = lo
        while i <= hi:
            if i == hi or _is_break(cps[i]):
                if i == hi and start == hi and n_lines > 0:
                    break
                n_lines += 1
                _line(cps, start, i, flags, out, d)
                _c4_line(cps, start, i, flags, clean, folded, out, d)
                if i < hi and cps[i] == 13 and i + 1 < hi and cps[i + 1] == 10:
                    i += 1
                start = i + 1
            i += 1
        out[d, _N_LINES] = max(n_lines, 1)
        _segments(cps, lo, hi, flags, seg_hash, seg_len, out, d)
    return out


@numba.njit(cache=True, nogil=True)
def _whole_text(cps, lo, hi, flags, out, d):
    i = lo
    while i < hi:
        c = cps[i]
        if c == 35:
            out[d, _HASHES] += 1
        elif c == 123:
            out[d, _CURLY_BRACKETS] += 1
        elif c == _ELLIPSIS:
            out[d, _ELLIPSES] += 1
        elif c == 46 and i + 2 < hi and cps[i + 1] == 46 and cps[i + 2] == 46:
            out[d, _ELLIPSES] += 1
            i += 3
            continue
        elif (c == 108 or c == 76) and _at(cps, i, hi, 1):  # "lorem ipsum"
            out[d, _LOREM_IPSUM] = 1.0
        i += 1


@numba.njit(cache=True, nogil=True)
def _line(cps, lo, hi, flags, out, d):
    """Gopher bullet and ellipsis lines."""
    a, z = lo, hi
    while a < z and _space(flags, cps[a]):
        a += 1
    while z > a and _space(flags, cps[z - 1]):
        z -= 1
    if a < z and (cps[a] == 0x2022 or cps[a] == 45):
        out[d, _BULLET_LINES] += 1
    dots = z - a >= 3 and cps[z - 1] == 46 and cps[z - 2] == 46 and cps[z - 3] == 46
    if dots or (z > a and cps[z - 1] == _ELLIPSIS):
        out[d, _ELLIPSIS_LINES] += 1


@numba.njit(cache=True, nogil=True)
def _segments(cps, lo, hi, flags, seg_hash, seg_len, out, d):
    """Paragraphs (2+ newlines, stripped text), repetition lines (1+ newlines), FineWeb lines."""
    a, z = lo, hi
    while a < z and _space(flags, cps[a]):
        a += 1
    while z > a and _space(flags, cps[z - 1]):
        z -= 1
    for mode in range(2):  # 0: paragraphs of the stripped text, 1: repetition lines
        s, e = (a, z) if mode == 0 else (lo, hi)
        k = 0
        start = s
        i = s
        while i < e:
            if cps[i] != 10:
                i += 1
                continue
            j = i
            while j < e and cps[j] == 10:
                j += 1
            if mode == 1 or j - i >= 2:
                seg_hash[k] = token_hash(cps, start, i) ^ np.uint64(i - start)
                seg_len[k] = i - start
                k += 1
                start = j
            i = j
        seg_hash[k] = token_hash(cps, start, e) ^ np.uint64(e - start)
        seg_len[k] = e - start
        k += 1
        if mode == 0:
            out[d, _N_PARAS] = k
            _dups(seg_hash, seg_len, k, out, d, _DUP_PARAS, _DUP_PARA_CHARS)
        else:
            out[d, _N_REP_LINES] = k
            _dups(seg_hash, seg_len, k, out, d, _DUP_REP_LINES, _DUP_REP_LINE_CHARS)
    start = lo  # FineWeb: text.split("\n"), blank lines left out
    for i in range(lo, hi + 1):
        if i == hi or cps[i] == 10:
            blank = True
            for j in range(start, i):
                if not _space(flags, cps[j]):
                    blank = False
                    break
            if not blank:
                out[d, _NONBLANK] += 1
                out[d, _PUNCT_LINES] += member(_FW_TERMINAL, cps[i - 1])
                out[d, _SHORT_LINES] += i - start <= 30
            start = i + 1

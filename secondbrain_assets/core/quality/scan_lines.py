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

from secondbrain_assets.core.quality.charclass import SPACE, char_set, cls, member, token_hash
from secondbrain_assets.core.quality.scan_c4 import (
    CURLY,
    JAVASCRIPT,
    LOREM,
    LOREM_IPSUM,
    POLICY,
    c4_line,
    phrase_at,
)

LINE_COLUMNS = (
    "hashes",
    "ellipses",
    "n_lines",
    "bullet_lines",
    "ellipsis_lines",
    "n_paras",
    "dup_paras",
    "dup_para_chars",
    "n_rep_lines",
    "dup_rep_lines",
    "dup_rep_line_chars",
    "nonblank",
    "punct_lines",
    "short_lines",
    "lorem_ipsum",
    "curly_brackets",
    "c4_sentences",
    "c4_lorem_ipsum",
    "c4_curly_bracket",
    "js_lines",
    "policy_lines",
)
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
_FW_TERMINAL = char_set(".!?\"'…")
_ELLIPSIS = 0x2026


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
        # str.splitlines(): \r\n is one break; one trailing break adds no line. The same pass
        # counts "#", "{", ellipses ("..." without overlap, "…") and "lorem ipsum".
        n_lines = 0
        start = lo
        dots = 0
        i = lo
        while i <= hi:
            brk = i == hi
            if not brk:
                c = cps[i]
                if c == 46:
                    dots += 1
                    if dots == 3:
                        out[d, _ELLIPSES] += 1
                        dots = 0
                else:
                    dots = 0
                    if c == 35:
                        out[d, _HASHES] += 1
                    elif c == 123:
                        out[d, _CURLY_BRACKETS] += 1
                    elif c == _ELLIPSIS:
                        out[d, _ELLIPSES] += 1
                    elif (c == 108 or c == 76) and phrase_at(cps, i, hi, LOREM_IPSUM):
                        out[d, _LOREM_IPSUM] = 1.0
                    brk = _is_break(c)
            if brk:
                if i == hi and start == hi and n_lines > 0:
                    break
                n_lines += 1
                _line(cps, start, i, flags, out, d)
                bits, sentences = c4_line(cps, start, i, flags, clean, folded)
                if bits & LOREM:
                    out[d, _C4_LOREM_IPSUM] = 1.0
                if bits & CURLY:
                    out[d, _C4_CURLY_BRACKET] = 1.0
                out[d, _JS_LINES] += (bits & JAVASCRIPT) != 0
                out[d, _POLICY_LINES] += (bits & POLICY) != 0
                out[d, _C4_SENTENCES] += sentences
                if i < hi and cps[i] == 13 and i + 1 < hi and cps[i + 1] == 10:
                    i += 1
                start = i + 1
            i += 1
        out[d, _N_LINES] = max(n_lines, 1)
        _segments(cps, lo, hi, flags, seg_hash, seg_len, out, d)
    return out


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

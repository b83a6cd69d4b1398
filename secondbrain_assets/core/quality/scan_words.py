"""Tokens of every document and their per-document counts (import lazily: numba).

`token_spans` splits one text into tokens: first the contractions spaCy splits ("is n't",
"can not", "i d") get a space, then rules 1-12 of `scan_tokens.next_token` cut the text, except
space-free chunks with Chinese, Japanese or Korean text, which spaCy's English tokenizer cuts only
at its prefix, suffix and infix punctuation. `token_stats` runs it over a whole batch and hashes
each token (FNV-1a over code points) for the n-gram kernel.
"""

from __future__ import annotations

import numba
import numpy as np

from secondbrain_assets.core.quality.charclass import (
    _FNV_OFFSET,
    _FNV_PRIME,
    ALPHA,
    LETTER,
    PUNCT,
    SPACE,
    WORD,
    boundary,
    char_set,
    cls,
    is_word,
    lower,
    member,
)
from secondbrain_assets.core.quality.scan_tokens import _CANNOT, _lit, next_token

_APOSTROPHE = char_set("'’")
_CJK_INFIX = char_set(":<>=/,-–—")
# spaCy's prefix and suffix punctuation, as far as it cuts CJK chunks (LIST_PUNCT, LIST_QUOTES).
_CJK_EDGE = char_set(
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~…。？！，、；：～·「」『』（）〔〕【】《》〈〉“”‘’—–«»"
)


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
    chunk_end = 0
    while i < n:
        if cls(flags, scratch[i]) & SPACE:
            i += 1
            continue
        if i >= chunk_end:  # a new space-free chunk: does it hold CJK text?
            e = i
            cjk = False
            while e < n and not cls(flags, scratch[e]) & SPACE:
                if _is_cjk(scratch[e]):
                    cjk = True
                e += 1
            chunk_end = e
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

"""Token-level statistics for a whole batch, compiled with numba: one pass over the tokens.

Import this module lazily (it imports numba). `token_stats` reads every document's tokens as one
UTF-8 buffer, tokens separated by newlines (no token contains one), and returns per-token FNV-1a
hashes and character counts plus per-document counts: real words (not only punctuation), their
characters, tokens with a letter, distinct Gopher stop words. `ngram_stats` computes Gopher's
n-gram repetition statistics from the hashes, exactly as datatrove's GopherRepetitionFilter:
- top n-gram (n = 2, 3, 4): characters of the most frequent n-gram joined with spaces, times its
  count, over the document's characters; ties go to the n-gram seen first (Counter.most_common);
- duplicated n-grams (n = 5..10): scan left to right, and on an n-gram already seen count its
  characters (joined without spaces) and jump n tokens (`find_all_duplicate`).
Tokens and n-grams are compared by 64-bit hash: a collision would merge two of them.
"""

from __future__ import annotations

import numba
import numpy as np

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_MUL = np.uint64(0x9E3779B97F4A7C15)


@numba.njit(cache=True, nogil=True)
def _is_alpha(cp: int) -> bool:
    """str.isalpha for ASCII; outside ASCII, everything but known symbol/punctuation blocks."""
    if cp < 128:
        return (65 <= cp <= 90) or (97 <= cp <= 122)
    if cp < 0xC0:
        return cp in (0xAA, 0xB5, 0xBA)  # Latin-1 symbols, except ª µ º
    if cp == 0xD7 or cp == 0xF7:  # × ÷
        return False
    if 0x2000 <= cp <= 0x2BFF or 0x3000 <= cp <= 0x303F or 0xFF00 <= cp <= 0xFF20:
        return False  # general punctuation, symbols, arrows, CJK and full-width punctuation
    return cp < 0x1F000  # emoji and pictographs are not letters


@numba.njit(cache=True, nogil=True)
def token_stats(data, token_counts, punct_ascii, punct_other, stop_hashes):
    n_docs = token_counts.shape[0]
    n_tokens = token_counts.sum()
    hashes = np.empty(n_tokens, np.uint64)
    lengths = np.empty(n_tokens, np.int64)
    per_doc = np.zeros((n_docs, 4), np.float64)  # real, real chars, alpha, stop words
    pos = 0
    t = 0
    for d in range(n_docs):
        stop_seen = 0
        for _ in range(token_counts[d]):
            h = _FNV_OFFSET
            chars = 0
            real = False
            alpha = False
            while pos < data.shape[0] and data[pos] != 10:
                b = data[pos]
                h = (h ^ np.uint64(b)) * _FNV_PRIME
                if b < 128:
                    chars += 1
                    real = real or not punct_ascii[b]
                    alpha = alpha or _is_alpha(b)
                    pos += 1
                    continue
                # decode one UTF-8 code point
                if b >= 0xF0:
                    width, cp = 4, b & 0x07
                elif b >= 0xE0:
                    width, cp = 3, b & 0x0F
                else:
                    width, cp = 2, b & 0x1F
                for k in range(1, width):
                    if pos + k < data.shape[0]:
                        cont = data[pos + k]
                        h = (h ^ np.uint64(cont)) * _FNV_PRIME
                        cp = (cp << 6) | (cont & 0x3F)
                pos += width
                chars += 1
                in_punct = False
                for p in punct_other:
                    if p == cp:
                        in_punct = True
                        break
                real = real or not in_punct
                alpha = alpha or (not in_punct and _is_alpha(cp))
            pos += 1  # the newline
            hashes[t] = h
            lengths[t] = chars
            t += 1
            if real:
                per_doc[d, 0] += 1
                per_doc[d, 1] += chars
            if alpha:
                per_doc[d, 2] += 1
            for s in range(stop_hashes.shape[0]):
                if stop_hashes[s] == h:
                    stop_seen |= 1 << s
        count = 0
        while stop_seen:
            count += stop_seen & 1
            stop_seen >>= 1
        per_doc[d, 3] = count
    return hashes, lengths, per_doc


def fnv1a(token: str) -> int:
    """The kernel's token hash, for building `stop_hashes`."""
    h = int(_FNV_OFFSET)
    for b in token.encode("utf-8"):
        h = ((h ^ b) * int(_FNV_PRIME)) & 0xFFFFFFFFFFFFFFFF
    return h


@numba.njit(cache=True, nogil=True)
def _find(keys, used, key, shift, mask):
    # Multiplicative hashing: the high bits of key * odd constant are well mixed.
    slot = np.int64((key * _MUL) >> shift)
    while used[slot] and keys[slot] != key:
        slot = (slot + 1) & mask
    return slot


@numba.njit(cache=True, nogil=True)
def ngram_stats(hashes, lengths, offsets, n_chars):
    """(n_docs, 9): top 2/3/4-gram then duplicated 5..10-gram character fractions."""
    n_docs = offsets.shape[0] - 1
    out = np.zeros((n_docs, 9), np.float64)
    longest = 2
    for d in range(n_docs):
        longest = max(longest, offsets[d + 1] - offsets[d])
    capacity = 1
    while capacity < 2 * longest:
        capacity *= 2
    # One set of buffers for the batch; each document uses the first `size` slots.
    keys = np.empty(capacity, np.uint64)
    used = np.zeros(capacity, np.bool_)
    counts = np.zeros(capacity, np.int64)
    first = np.zeros(capacity, np.int64)
    cum = np.zeros(longest + 1, np.int64)
    grams = np.empty(longest, np.uint64)
    for d in range(n_docs):
        start, stop = offsets[d], offsets[d + 1]
        m = stop - start
        if m < 2 or n_chars[d] == 0:
            continue
        size, bits = 1, 0
        while size < 2 * m:
            size *= 2
            bits += 1
        mask = size - 1
        shift = np.uint64(64 - bits)
        for i in range(m):
            cum[i + 1] = cum[i] + lengths[start + i]
        for i in range(m):
            grams[i] = hashes[start + i] + np.uint64(1)
        for n in range(2, 11):
            k = m - n + 1
            if k <= 0:
                break
            for i in range(k):
                grams[i] = grams[i] * _MUL + hashes[start + i + n - 1] + np.uint64(1)
            used[:size] = False
            if n <= 4:
                top, top_first = 0, 0
                for i in range(k):
                    s = _find(keys, used, grams[i], shift, mask)
                    if not used[s]:
                        used[s] = True
                        keys[s] = grams[i]
                        counts[s] = 0
                        first[s] = i
                    counts[s] += 1
                    c = counts[s]
                    if c > top or (c == top and first[s] < top_first):
                        top, top_first = c, first[s]
                chars = cum[top_first + n] - cum[top_first] + n - 1
                out[d, n - 2] = chars * top / n_chars[d]
            else:
                repeated = 0
                i = 0
                while i < k:
                    s = _find(keys, used, grams[i], shift, mask)
                    if used[s]:
                        repeated += cum[i + n] - cum[i]
                        i += n
                    else:
                        used[s] = True
                        keys[s] = grams[i]
                        i += 1
                out[d, n - 2] = repeated / n_chars[d]
                if repeated == 0:
                    break  # no repeated n-gram, so no longer one repeats either
    return out

"""Gopher n-gram repetition statistics of a whole batch, compiled with numba.

Import this module lazily (it imports numba). `ngram_stats` reads the per-token hashes and
character counts from `scan_tokens.token_stats`, exactly as datatrove's GopherRepetitionFilter:
- top n-gram (n = 2, 3, 4): characters of the most frequent n-gram joined with spaces, times its
  count, over the document's characters; ties go to the n-gram seen first (Counter.most_common);
- duplicated n-grams (n = 5..10): scan left to right, and on an n-gram already seen count its
  characters (joined without spaces) and jump n tokens (`find_all_duplicate`).
Tokens and n-grams are compared by 64-bit hash: a collision would merge two of them.
"""

from __future__ import annotations

import numba
import numpy as np

_MUL = np.uint64(0x9E3779B97F4A7C15)


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

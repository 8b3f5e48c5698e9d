"""Blocking: which pairs of records are worth scoring, without ever scoring all pairs.

Records share a block when they share an identifier, or the pair of their two rarest name
tokens (romanisation skeletons, so scripts and spellings meet; one-word names use the word), also
with either token cut to three letters so that one typo does not hide a match. Tokens shorter than
three letters, digits and generic business words never key a block; ties in rarity go to the
token that sorts first. Blocks over ``cap`` records are too common to say anything and are
skipped; identifier blocks are exempt, since a shared identifier always counts.

All of it runs on the arrays of :mod:`ownergraph.resolve.arrays`: each record's block keys are
64-bit codes (compiled), records are sorted by code, and each block's pairs are written as
``i * n + j`` codes, sorted, repeats dropped.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
from numba import njit

from ownergraph.resolve.arrays import Records
from ownergraph.resolve.normalise import GENERIC_WORDS

Array = Any
BLOCK_CAP = 200
"""Name blocks with more records than this are skipped (identifier blocks never are)."""
_PAIR, _IDENTIFIER, _WORD = 1, 2, 3
"""Kinds of block key, in the top bits of a code: a pair of words, an identifier, one word."""


def token_counts(records: Records) -> Array:
    """In how many records each token id occurs (document frequency), as an int64 array."""
    e = records.encoded
    return _document_frequency(e.name_ptr, e.names, e.form_ptr, e.form_tokens, len(records.tokens))


def counter(records: Records, counts: Array) -> Counter[str]:
    """The token counts by token text, as ``scoring.TokenWeights`` takes them."""
    return Counter(dict(zip(records.tokens, counts.tolist(), strict=True)))


@njit(cache=True)
def _document_frequency(
    name_ptr: Array, names: Array, form_ptr: Array, form_tokens: Array, tokens: int
) -> Array:
    counts = np.zeros(tokens, dtype=np.int64)
    last = np.full(tokens, -1, dtype=np.int64)
    for record in range(name_ptr.shape[0] - 1):
        for p in range(name_ptr[record], name_ptr[record + 1]):
            form = names[p]
            for q in range(form_ptr[form], form_ptr[form + 1]):
                token = form_tokens[q]
                if last[token] != record:
                    last[token] = record
                    counts[token] += 1
    return counts


def _token_keys(tokens: list[str]) -> tuple[Array, Array, Array, Array]:
    """Per token: may it key a block, its rank in text order, and the ids of its text and of
    its first three letters among all key words (numbered in text order, so that the smaller id
    of a pair is the word that sorts first)."""
    eligible = np.array(
        [len(t) >= 3 and t not in GENERIC_WORDS and not t.isdigit() for t in tokens],
        dtype=np.bool_,
    )
    rank = np.empty(len(tokens), dtype=np.int64)
    rank[sorted(range(len(tokens)), key=tokens.__getitem__)] = np.arange(len(tokens))
    words = sorted({w for t, ok in zip(tokens, eligible, strict=True) if ok for w in (t, t[:3])})
    number = {word: index for index, word in enumerate(words)}
    full = np.array([number.get(t, -1) for t in tokens], dtype=np.int64)
    prefix = np.array([number.get(t[:3], -1) for t in tokens], dtype=np.int64)
    return eligible, rank, full, prefix


@njit(cache=True)
def _block_keys(
    key_ptr: Array,
    keys: Array,
    name_ptr: Array,
    names: Array,
    form_ptr: Array,
    form_tokens: Array,
    informative: Array,
    counts: Array,
    eligible: Array,
    rank: Array,
    full: Array,
    prefix: Array,
    bound: int,
) -> tuple[Array, Array]:
    """(code, record) of every distinct block key of every record."""
    records = key_ptr.shape[0] - 1
    codes = np.empty(bound, dtype=np.int64)
    members = np.empty(bound, dtype=np.int64)
    out = 0
    for record in range(records):
        start = out
        for p in range(key_ptr[record], key_ptr[record + 1]):
            codes[out] = (_IDENTIFIER << 60) | keys[p]
            out += 1
        for p in range(name_ptr[record], name_ptr[record + 1]):
            form = names[p]
            if not informative[form]:
                continue
            first = -1
            second = -1
            for q in range(form_ptr[form], form_ptr[form + 1]):
                token = form_tokens[q]
                if not eligible[token] or token in (first, second):
                    continue
                if first < 0 or (counts[token], rank[token]) < (counts[first], rank[first]):
                    first, second = token, first
                elif second < 0 or (counts[token], rank[token]) < (counts[second], rank[second]):
                    second = token
            if second >= 0:
                for a, b in ((full[first], full[second]), (prefix[first], full[second]),
                             (full[first], prefix[second])):  # fmt: skip
                    codes[out] = (_PAIR << 60) | (min(a, b) << 30) | max(a, b)
                    out += 1
            elif first >= 0:
                codes[out] = (_WORD << 60) | full[first]
                out += 1
        if out - start > 1:
            codes[start:out] = np.sort(codes[start:out])
            kept = start + 1
            for p in range(start + 1, out):
                if codes[p] != codes[kept - 1]:
                    codes[kept] = codes[p]
                    kept += 1
            out = kept
        members[start:out] = record
    return codes[:out], members[:out]


def candidate_pairs(records: Records, counts: Array, *, cap: int = BLOCK_CAP) -> tuple[Array, Array]:
    """Index pairs (i < j) of records sharing a block, each pair once, in (i, j) order: two
    int64 arrays ``left`` and ``right``."""
    e = records.encoded
    size = len(records.ids)
    bound = len(e.keys) + 3 * len(e.names)
    codes, members = _block_keys(
        e.key_ptr, e.keys, e.name_ptr, e.names, e.form_ptr, e.form_tokens, e.form_informative,
        counts, *_token_keys(records.tokens), bound,
    )  # fmt: skip
    if not len(codes):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    order = np.lexsort((members, codes))
    codes, members = codes[order], members[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[starts, len(codes)])
    wanted = (sizes >= 2) & ((sizes <= cap) | (codes[starts] >> 60 == _IDENTIFIER))
    pairs = _block_pairs(members, sizes, wanted, size)
    pairs.sort()  # then drop repeats (np.unique hashes, which is several times slower here)
    pairs = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return pairs // size, pairs % size


@njit(cache=True)
def _block_pairs(members: Array, sizes: Array, wanted: Array, records: int) -> Array:
    """``i * records + j`` for every pair of each wanted block (members sorted by block)."""
    total = 0
    for block in range(sizes.shape[0]):
        if wanted[block]:
            total += sizes[block] * (sizes[block] - 1) // 2
    codes = np.empty(total, dtype=np.int64)
    start = 0
    out = 0
    for block in range(sizes.shape[0]):
        end = start + sizes[block]
        if wanted[block]:
            for a in range(start, end):
                for b in range(a + 1, end):
                    codes[out] = members[a] * records + members[b]
                    out += 1
        start = end
    return codes

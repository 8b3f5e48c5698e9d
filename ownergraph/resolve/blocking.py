"""Blocking: which pairs of records are worth scoring, without ever scoring all pairs.

Records share a block when they share an identifier, or the pair of their two rarest name
tokens (romanisation skeletons, so scripts and spellings meet; one-word names use the word), also
with either token cut to three letters so that one typo does not hide a match. Tokens shorter than
three letters, digits and generic business words never key a block; ties in rarity go to the
token that sorts first. Blocks over ``cap`` records are too common to say anything and are
skipped; identifier blocks are exempt, since a shared identifier always counts.

All of it runs on the arrays of :mod:`ownergraph.resolve.arrays`: each record's block keys are
64-bit codes (compiled), records are sorted by code, and the pairs are written record by record
(compiled): for record i, the later members of each of its blocks, a pair met in several blocks
(the three keys of one name usually meet the same records) written once.
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


def candidate_pairs(
    records: Records, counts: Array, *, cap: int = BLOCK_CAP
) -> tuple[Array, Array]:
    """Index pairs (i < j) of records sharing a block or named as candidate matches by a source
    (ICIJ's ``same_as``...), each pair once, in (i, j) order: two int64 arrays ``left`` and
    ``right``."""
    left, right = _blocked_pairs(records, counts, cap)
    e = records.encoded
    if not len(e.hint_other):
        return left, right
    size = len(records.ids)
    owner = np.repeat(np.arange(size, dtype=np.int64), np.diff(e.hint_ptr))
    other = e.hint_other.astype(np.int64)
    low, high = np.minimum(owner, other), np.maximum(owner, other)
    low, high = low[low != high], high[low != high]
    codes = np.unique(np.concatenate([left * size + right, low * size + high]))
    return codes // size, codes % size


def _blocked_pairs(records: Records, counts: Array, cap: int) -> tuple[Array, Array]:
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
    ends = np.r_[starts[1:], len(codes)]
    sizes = ends - starts
    wanted = (sizes >= 2) & ((sizes <= cap) | (codes[starts] >> 60 == _IDENTIFIER))
    block = np.repeat(np.arange(len(starts)), sizes)
    by_record = np.argsort(members, kind="stable")
    record_ptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(members, minlength=size), out=record_ptr[1:])
    return _unique_pairs(members, block, ends, wanted, record_ptr, by_record)


@njit(cache=True, inline="always")
def _partners(
    i: int,
    members: Array,
    block: Array,
    ends: Array,
    wanted: Array,
    record_ptr: Array,
    by_record: Array,
    mark: Array,
    left: Array,
    right: Array,
    out: int,
) -> int:
    """Record i's later partners in its wanted blocks, each once (``mark``); written from
    ``out`` on when ``left`` has room (the counting pass gives empty arrays). Returns the new
    ``out``."""
    write = left.shape[0] > 0
    for q in range(record_ptr[i], record_ptr[i + 1]):
        position = by_record[q]
        if wanted[block[position]]:
            for r in range(position + 1, ends[block[position]]):
                if mark[members[r]] != i:
                    mark[members[r]] = i
                    if write:
                        left[out] = i
                        right[out] = members[r]
                    out += 1
    return out


@njit(cache=True)
def _unique_pairs(
    members: Array, block: Array, ends: Array, wanted: Array, record_ptr: Array, by_record: Array
) -> tuple[Array, Array]:
    """Each pair (i < j) sharing a wanted block once, in (i, j) order, without sorting them all:
    record by record, the later members of its blocks, repeats marked off.

    ``members`` are sorted by block, then record; ``by_record`` lists their positions record by
    record (CSR ``record_ptr``); ``block`` and ``ends`` give each position's block and where it
    ends. Two passes, counting then writing, so that only the answer is allocated."""
    records = record_ptr.shape[0] - 1
    mark = np.full(records, -1, dtype=np.int64)
    none = np.empty(0, dtype=np.int64)
    count = 0
    for i in range(records):
        count = _partners(i, members, block, ends, wanted, record_ptr, by_record, mark, none,
                          none, count)  # fmt: skip
    left = np.empty(count, dtype=np.int64)
    right = np.empty(count, dtype=np.int64)
    mark[:] = -1
    out = 0
    for i in range(records):
        first = out
        out = _partners(i, members, block, ends, wanted, record_ptr, by_record, mark, left,
                        right, out)  # fmt: skip
        right[first:out].sort()
    return left, right

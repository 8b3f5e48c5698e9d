"""Clustering scored pairs into entities without chaining different firms together.

``cluster`` / ``cluster_arrays`` are the readable reference, with any ``conflicts`` function;
``cluster_encoded`` is what ``resolve`` runs: the same algorithm compiled, with the scorer's
vetoes on the encoded records as the conflicts (tests/resolve/test_compiled.py checks that both
make the same merges in the same order).

Pairs are merged strongest first. Two clusters join only if no record of one conflicts with a
record of the other (different unique identifiers, different birth dates, a person and a firm)
and no 'different' judgement spans them; 'same' judgements merge first and always. A record
without identifiers that matches two conflicting clusters about equally well joins neither.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from ownergraph.resolve.compiled import Encoded, _veto

AMBIGUITY_MARGIN = 1.5
"""Log-odds by which the best of two conflicting partners must win to be trusted."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A scored pair above the threshold (indexes into the record list)."""

    left: int
    right: int
    log_odds: float
    features: dict[str, float]


@dataclass
class Clusters:
    """Union-find over record indexes, remembering each merge and why it was made."""

    size: int
    parent: list[int] = field(init=False)
    members: dict[int, list[int]] = field(init=False)
    merges: list[dict[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.parent = list(range(self.size))
        self.members = {index: [index] for index in range(self.size)}

    def find(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def union(self, left: int, right: int) -> int:
        a, b = self.find(left), self.find(right)
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        self.parent[b] = a
        self.members[a].extend(self.members.pop(b))
        return a


def cluster(
    size: int,
    edges: Iterable[Edge],
    conflicts: Callable[[int, int], bool],
    *,
    same: Sequence[tuple[int, int]] = (),
    different: Sequence[tuple[int, int]] = (),
) -> Clusters:
    """Merge records into clusters; ``conflicts(i, j)`` says two records cannot be one entity."""
    edges = list(edges)
    return cluster_arrays(
        size,
        np.array([edge.left for edge in edges], dtype=np.int64),
        np.array([edge.right for edge in edges], dtype=np.int64),
        np.array([edge.log_odds for edge in edges], dtype=np.float64),
        conflicts,
        lambda indexes: [edges[index].features for index in indexes],
        same=same,
        different=different,
    )


def cluster_arrays(
    size: int,
    left: Any,
    right: Any,
    log_odds: Any,
    conflicts: Callable[[int, int], bool],
    explain: Callable[[list[int]], list[dict[str, float]]],
    *,
    same: Sequence[tuple[int, int]] = (),
    different: Sequence[tuple[int, int]] = (),
) -> Clusters:
    """:func:`cluster` for edges given as arrays; ``explain(edges)`` gives the features of the
    edges (indexes) that made merges, in one call."""
    result = Clusters(size)
    apart: defaultdict[int, set[int]] = defaultdict(set)
    for a, b in different:
        apart[a].add(b)
        apart[b].add(a)
    for a, b in same:
        if result.find(a) != result.find(b):
            result.merges.append({"left": a, "right": b, "judgement": "same"})
            result.union(a, b)
    kept = np.flatnonzero(~_ambiguous(left, right, log_odds, conflicts))
    # Strongest first; ties by the left record, then in the order given (lexsort is stable).
    order = kept[np.lexsort((left[kept], -log_odds[kept]))]
    merged: list[int] = []
    for index, a_record, b_record, odds in zip(
        order.tolist(), left[order].tolist(), right[order].tolist(), log_odds[order].tolist(),
        strict=True,
    ):  # fmt: skip
        a, b = result.find(a_record), result.find(b_record)
        if a == b or _blocked(result, a, b, conflicts, apart):
            continue
        result.merges.append({"left": a_record, "right": b_record, "log_odds": round(odds, 3)})
        merged.append(index)
        result.union(a, b)
    scored = result.merges[len(result.merges) - len(merged) :]
    for merge, features in zip(scored, explain(merged), strict=True):
        merge["features"] = features
    return result


def _blocked(
    clusters: Clusters,
    a: int,
    b: int,
    conflicts: Callable[[int, int], bool],
    apart: dict[int, set[int]],
) -> bool:
    left, right = clusters.members[a], clusters.members[b]
    right_set = set(right)
    if any(apart.get(member, set()) & right_set for member in left):
        return True
    return any(conflicts(x, y) for x in left for y in right)


def _ambiguous(left: Any, right: Any, log_odds: Any, conflicts: Callable[[int, int], bool]) -> Any:
    """Mask of the edges to drop: all edges of a record whose best partner conflicts with another
    partner scoring within AMBIGUITY_MARGIN of it."""
    edges = len(left)
    dropped = np.zeros(edges, dtype=np.bool_)
    if edges < 2:
        return dropped
    record = np.concatenate((left, right))
    partner = np.concatenate((right, left))
    odds = np.concatenate((log_odds, log_odds))
    edge = np.concatenate((np.arange(edges), np.arange(edges)))
    # Each record's edges, best first; ties in the order given.
    order = np.lexsort((edge, -odds, record))
    record, partner, odds, edge = record[order], partner[order], odds[order], edge[order]
    starts = np.flatnonzero(np.r_[True, record[1:] != record[:-1]])
    ends = np.r_[starts[1:], len(record)]
    # Only records whose second partner is within the margin of the best can be ambiguous.
    close = (ends - starts >= 2) & (
        odds[starts] - odds[np.minimum(starts + 1, len(record) - 1)] < AMBIGUITY_MARGIN
    )
    for start, end in zip(starts[close].tolist(), ends[close].tolist(), strict=True):
        best_partner, best = int(partner[start]), float(odds[start])
        for position in range(start + 1, end):
            if best - odds[position] >= AMBIGUITY_MARGIN:
                break
            if conflicts(best_partner, int(partner[position])):
                dropped[edge[start:end]] = True
                break
    return dropped


# -- compiled, on the encoded records ------------------------------------------------------------


@dataclass(frozen=True)
class Merged:
    """The result of :func:`cluster_encoded`: each record's cluster root, and the merges made in
    order (records and the index of the edge that made each; -1 for a 'same' judgement)."""

    root: Any
    left: Any
    right: Any
    edge: Any


def cluster_encoded(
    encoded: Encoded,
    left: Any,
    right: Any,
    log_odds: Any,
    *,
    same: Sequence[tuple[int, int]] = (),
    different: Sequence[tuple[int, int]] = (),
) -> Merged:
    """:func:`cluster_arrays` with the scorer's vetoes as the conflicts, compiled: the same
    merges in the same order (tests/resolve/test_compiled.py compares them)."""
    size = len(encoded.kind)
    pairs = np.array([*different, *((b, a) for a, b in different)], dtype=np.int64).reshape(-1, 2)
    pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
    apart_ptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs[:, 0], minlength=size), out=apart_ptr[1:])
    judged = np.array(list(same), dtype=np.int64).reshape(-1, 2)
    # The sorts of cluster_arrays and _ambiguous, done here (numba has no lexsort).
    order = np.lexsort((left, -log_odds))
    edge = np.r_[np.arange(len(left)), np.arange(len(left))]
    record, partner, odds = np.r_[left, right], np.r_[right, left], np.r_[log_odds, log_odds]
    by_record = np.lexsort((edge, -odds, record))
    root, merges = _cluster(
        encoded, left, right, order,
        (record[by_record], partner[by_record], odds[by_record], edge[by_record]),
        AMBIGUITY_MARGIN, judged, apart_ptr, pairs[:, 1].copy(),
    )  # fmt: skip
    return Merged(root, merges[:, 0], merges[:, 1], merges[:, 2])


@njit(cache=True, nogil=True)
def _find(parent: Any, index: int) -> int:
    while parent[index] != index:
        parent[index] = parent[parent[index]]
        index = parent[index]
    return index


@njit(cache=True, nogil=True)
def _union(parent: Any, size: Any, after: Any, tail: Any, a: int, b: int) -> None:
    """Join the clusters of roots a and b; members stay a linked list (after, tail)."""
    if size[a] < size[b]:
        a, b = b, a
    parent[b] = a
    size[a] += size[b]
    after[tail[a]] = b
    tail[a] = tail[b]


@njit(cache=True, nogil=True)
def _cluster(
    e: Encoded,
    left: Any,
    right: Any,
    order: Any,
    by_record: tuple[Any, Any, Any, Any],
    margin: float,
    same: Any,
    apart_ptr: Any,
    apart: Any,
) -> tuple[Any, Any]:
    records = e.kind.shape[0]
    edges = left.shape[0]
    parent = np.arange(records)
    size = np.ones(records, dtype=np.int64)
    after = np.full(records, -1, dtype=np.int64)
    tail = np.arange(records)
    merges = np.empty((edges + same.shape[0], 3), dtype=np.int64)
    made = 0
    for k in range(same.shape[0]):
        a, b = _find(parent, same[k, 0]), _find(parent, same[k, 1])
        if a != b:
            merges[made, 0], merges[made, 1], merges[made, 2] = same[k, 0], same[k, 1], -1
            made += 1
            _union(parent, size, after, tail, a, b)
    dropped = _ambiguous_edges(e, edges, *by_record, margin)
    for k in order:
        if dropped[k]:
            continue
        a, b = _find(parent, left[k]), _find(parent, right[k])
        if a == b:
            continue
        blocked = False
        x = a
        while x >= 0 and not blocked:
            for p in range(apart_ptr[x], apart_ptr[x + 1]):
                if _find(parent, apart[p]) == b:
                    blocked = True
            y = b
            while y >= 0 and not blocked:
                if _veto(e, x, y):
                    blocked = True
                y = after[y]
            x = after[x]
        if blocked:
            continue
        merges[made, 0], merges[made, 1], merges[made, 2] = left[k], right[k], k
        made += 1
        _union(parent, size, after, tail, a, b)
    root = np.empty(records, dtype=np.int64)
    for index in range(records):
        root[index] = _find(parent, index)
    return root, merges[:made]


@njit(cache=True, nogil=True)
def _ambiguous_edges(
    e: Encoded, edges: int, record: Any, partner: Any, odds: Any, edge: Any, margin: float
) -> Any:
    """:func:`_ambiguous` with the vetoes as conflicts; the edges of each record come sorted
    best first (both ends of every edge, by record, then log-odds, then edge order)."""
    dropped = np.zeros(edges, dtype=np.bool_)
    start = 0
    while start < record.shape[0]:
        end = start + 1
        while end < record.shape[0] and record[end] == record[start]:
            end += 1
        for position in range(start + 1, end):
            if odds[start] - odds[position] >= margin:
                break
            if _veto(e, partner[start], partner[position]):
                for q in range(start, end):
                    dropped[edge[q]] = True
                break
        start = end
    return dropped

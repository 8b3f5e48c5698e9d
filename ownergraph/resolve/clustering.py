"""Clustering scored pairs into entities without chaining different firms together.

Pairs are merged strongest first. Two clusters join only if no record of one conflicts with a
record of the other (different unique identifiers, different birth dates, a person and a firm)
and no 'different' judgement spans them; 'same' judgements merge first and always. A record
without identifiers that matches two conflicting clusters about equally well joins neither.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

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
    result = Clusters(size)
    apart: defaultdict[int, set[int]] = defaultdict(set)
    for left, right in different:
        apart[left].add(right)
        apart[right].add(left)
    for left, right in same:
        if result.find(left) != result.find(right):
            result.merges.append({"left": left, "right": right, "judgement": "same"})
            result.union(left, right)
    for edge in sorted(_unambiguous(edges, conflicts), key=lambda e: (-e.log_odds, e.left)):
        a, b = result.find(edge.left), result.find(edge.right)
        if a == b or _blocked(result, a, b, conflicts, apart):
            continue
        result.merges.append(
            {"left": edge.left, "right": edge.right, "log_odds": round(edge.log_odds, 3),
             "features": edge.features}
        )  # fmt: skip
        result.union(a, b)
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


def _unambiguous(edges: Iterable[Edge], conflicts: Callable[[int, int], bool]) -> list[Edge]:
    """Drop the edges of a record whose two best partners conflict and score about the same."""
    kept = list(edges)
    by_record: defaultdict[int, list[Edge]] = defaultdict(list)
    for edge in kept:
        by_record[edge.left].append(edge)
        by_record[edge.right].append(edge)
    dropped: set[int] = set()
    for record, own in by_record.items():
        if len(own) < 2:
            continue
        own.sort(key=lambda e: -e.log_odds)
        best = own[0]
        best_partner = best.right if best.left == record else best.left
        for other in own[1:]:
            if best.log_odds - other.log_odds >= AMBIGUITY_MARGIN:
                break
            partner = other.right if other.left == record else other.left
            if conflicts(best_partner, partner):
                dropped.update(id(edge) for edge in own)
                break
    return [edge for edge in kept if id(edge) not in dropped]

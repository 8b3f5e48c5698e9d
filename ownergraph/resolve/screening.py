"""Screening names against a list: every name of every entry, across scripts and spellings.

The same normalisation and name similarity as resolution, with an inverted index from name-token
skeletons (and their three-letter prefixes, for keying errors) to entries, so a query touches
only the entries sharing a rare-enough token with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from ownergraph.resolve.matchable import Matchable
from ownergraph.resolve.normalise import GENERIC_WORDS, NameForm, name_form
from ownergraph.resolve.scoring import TokenWeights, coverage, name_similarity

DEFAULT_CUTOFF = 0.8
MAX_POSTINGS = 2000
"""A token in more entries than this is too common to find candidates by."""


@dataclass(frozen=True, slots=True)
class Hit:
    entry: str
    name: str
    """The entry's name that matched best."""
    score: float


class Screener:
    """An index over list entries; :meth:`screen` finds the entries a name may refer to."""

    def __init__(self, entries: Iterable[Matchable]) -> None:
        self.entries = list(entries)
        counts: Counter[str] = Counter()
        for entry in self.entries:
            counts.update({token for form in entry.names for token in form.skeleton})
        self.weight = TokenWeights(counts, len(self.entries))
        postings: defaultdict[str, set[int]] = defaultdict(set)
        for position, entry in enumerate(self.entries):
            for key in {
                key for form in entry.names if form.informative for key in _keys(form.skeleton)
            }:
                postings[key].add(position)
        self.postings = {key: ids for key, ids in postings.items() if len(ids) <= MAX_POSTINGS}

    def screen(self, name: str, *, cutoff: float = DEFAULT_CUTOFF, limit: int = 5) -> list[Hit]:
        """Entries whose best name is at least ``cutoff`` similar to ``name``, best first."""
        form = name_form(name)
        if not form.skeleton or not form.informative:
            return []
        candidates: set[int] = set()
        for key in _keys(form.skeleton):
            candidates |= self.postings.get(key, set())
        hits = []
        for position in candidates:
            entry = self.entries[position]
            best, best_name = max(
                ((self._score(form, other), other.original) for other in entry.names),
                default=(0.0, ""),
            )
            if best >= cutoff:
                hits.append(Hit(entry.id, best_name, round(best, 4)))
        hits.sort(key=lambda hit: (-hit.score, hit.entry))
        return hits[:limit]

    def _score(self, query: NameForm, other: NameForm) -> float:
        # Half symmetric similarity, half how much of the query the name contains: "Kalashnikov"
        # finds "Concern Kalashnikov", and the full name still ranks first.
        symmetric = name_similarity(query, other, self.weight)
        return (symmetric + coverage(query, other, self.weight)) / 2


def _keys(skeleton: tuple[str, ...]) -> set[str]:
    tokens = [t for t in skeleton if len(t) >= 3 and t not in GENERIC_WORDS and not t.isdigit()]
    return {key for token in tokens for key in (token, f"{token[:3]}*")}

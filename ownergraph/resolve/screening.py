"""Screening names against a list: every name of every entry, across scripts and spellings.

The same normalisation and name similarity as resolution, with an inverted index from name-token
skeletons (and their three-letter prefixes, for keying errors) to entries, so a query touches
only the entries sharing a rare-enough token with it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA, Indel

from ownergraph.resolve.matchable import Matchable
from ownergraph.resolve.normalise import (
    GENERIC_WORDS,
    LEGAL_FORMS,
    NameForm,
    name_form,
    romanise,
    skeleton,
)
from ownergraph.resolve.scoring import TOKEN_MATCH, TokenWeights, coverage, name_similarity

DEFAULT_CUTOFF = 0.8
MAX_POSTINGS = 2000
"""A token in more entries than this is too common to find candidates by."""
_SLACK = 1e-6
"""Margin on the bound below, so that rounding can only let more names through, never fewer."""


@dataclass(frozen=True, slots=True)
class Hit:
    entry: str
    name: str
    """The entry's name that matched best."""
    score: float
    weak: bool = False
    """That name is one of the entry's weak aliases (which OFAC says need not be screened):
    a hit to weigh with care."""


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
                key
                for form in entry.names
                if form.informative
                for key in _keys(form.skeleton, lambda token: True)
            }:
                postings[key].add(position)
        self.postings = {key: ids for key, ids in postings.items() if len(ids) <= MAX_POSTINGS}
        # Every name of every entry in one flat list, and which names hold each token: the bound
        # in :meth:`screen` is checked from the query's tokens, not name by name.
        self._names = [(position, form) for position, entry in enumerate(self.entries)
                       for form in entry.names]  # fmt: skip
        self._weak = [weak for entry in self.entries
                      for weak in (entry.weak or (False,) * len(entry.names))]  # fmt: skip
        self._numbers: list[range] = []
        for entry in self.entries:
            start = self._numbers[-1].stop if self._numbers else 0
            self._numbers.append(range(start, start + len(entry.names)))
        holders: defaultdict[str, list[int]] = defaultdict(list)
        for number, (_, form) in enumerate(self._names):
            for token in set(form.skeleton):
                holders[token].append(number)
        self._holders = dict(holders)
        self._vocabulary = [
            frozenset(token for form in entry.names for token in form.skeleton)
            for entry in self.entries
        ]
        self._name_counts = [len(entry.names) for entry in self.entries]
        self._pairs_considered = 0
        self._pairs_scored = 0

    @property
    def pairs_considered(self) -> int:
        """Pairs of (query name, entry name) of candidate entries, since the index was built."""
        return self._pairs_considered

    @property
    def pairs_scored(self) -> int:
        """Of those, the pairs whose similarity was computed in full (the rest cannot reach the
        cutoff: see :meth:`screen`)."""
        return self._pairs_scored

    def screen(self, name: str, *, cutoff: float = DEFAULT_CUTOFF, limit: int = 5) -> list[Hit]:
        """Entries whose best name is at least ``cutoff`` similar to ``name``, best first."""
        form = self.query_form(name)
        if not form.skeleton or not form.informative:
            return []
        candidates: set[int] = set()
        for key in self.keys(form.skeleton):
            candidates |= self.postings.get(key, set())
        # A name scores (similarity + coverage) / 2, so it reaches the cutoff only if the query
        # tokens it matches carry at least 2 * cutoff - 1 of the query's weight. Checking that
        # bound on token sets first leaves the full comparison to the few names that can pass.
        self._pairs_considered += sum(map(self._name_counts.__getitem__, candidates))
        reachable: defaultdict[int, float] = defaultdict(float)
        for token, similar in zip(
            form.skeleton, self._similar(form.skeleton, candidates), strict=True
        ):
            weight = self.weight(token)
            holding = {number for other in similar for number in self._holders[other]}
            for number in holding:
                reachable[number] += weight
        needed = (2 * cutoff - 1) * sum(self.weight(token) for token in form.skeleton) - _SLACK
        if needed <= 0:  # so low a cutoff that a name matching nothing (score 0) passes it
            for position in candidates:
                for number in self._numbers[position]:
                    reachable.setdefault(number, 0.0)
        best: dict[int, tuple[float, str, bool]] = {}
        for number, weight in reachable.items():
            position, other = self._names[number]
            if weight < needed or position not in candidates:
                continue
            self._pairs_scored += 1
            # Ties go to the greater name, as a max over (score, name) would give them.
            scored = (self._score(form, other), other.original, self._weak[number])
            best[position] = max(best.get(position, scored), scored)
        hits = [
            Hit(self.entries[position].id, name, round(score, 4), weak)
            for position, (score, name, weak) in best.items()
            if score >= cutoff
        ]
        hits.sort(key=lambda hit: (-hit.score, hit.entry))
        return hits[:limit]

    def query_form(self, name: str) -> NameForm:
        """The query name normalised, its misspelt legal-form words spelt right first ("JOINT
        STOCK CPMPANY", "LIMITWD LIABILITY COMPANY"): normalisation strips legal forms spelt
        right from both sides, and a misspelt one would stay as a rare word of the name. Only
        words that no listed name holds are corrected."""
        words = romanise(name).split()
        fixed = [
            word if skeleton(word) in self._holders else _form_word(word) or word for word in words
        ]
        return name_form(" ".join(fixed)) if fixed != words else name_form(name)

    def keys(self, skeleton: tuple[str, ...]) -> set[str]:
        """The index keys a query name looks up: a word that some entry's name holds is taken as
        spelled right, so only the others look up their one-typo neighbourhood (most names
        screened are not on the list, and their common words would find every entry with a
        word one letter away)."""
        return _keys(skeleton, lambda token: token not in self._holders)

    def _similar(self, query: tuple[str, ...], candidates: set[int]) -> list[list[str]]:
        """For each query token, the candidates' tokens similar enough to count as its match."""
        vocabulary = list(set().union(*map(self._vocabulary.__getitem__, candidates)))
        if not vocabulary:
            return [[] for _ in query]
        similar = process.cdist(
            query, vocabulary, scorer=Indel.normalized_similarity, score_cutoff=TOKEN_MATCH - _SLACK
        )
        matches: list[list[str]] = [[] for _ in query]
        for row, column in zip(*similar.nonzero(), strict=True):
            matches[row].append(vocabulary[column])
        return matches

    def _score(self, query: NameForm, other: NameForm) -> float:
        # Half symmetric similarity, half how much of the query the name contains: "Kalashnikov"
        # finds "Concern Kalashnikov", and the full name still ranks first.
        symmetric = name_similarity(query, other, self.weight)
        return (symmetric + coverage(query, other, self.weight)) / 2


FORM_WORDS = tuple(sorted({word for form in LEGAL_FORMS for word in form if len(word) >= 4}))
"""The words of legal forms (romanised) whose misspellings are corrected."""


def _form_word(word: str) -> str | None:
    """The legal-form word that ``word`` is one wrong, missing, extra or swapped letter away
    from, if any. Words of three letters or fewer are left alone, and one of four must keep its
    first letter ("osjc" is OJSC, "coop" is not CORP): shorter words are too easily a real
    name one letter from a form."""
    if len(word) < 4:
        return None
    for form_word in FORM_WORDS:
        if OSA.distance(word, form_word, score_cutoff=1) <= 1 and (
            len(word) > 4 or word[0] == form_word[0]
        ):
            return form_word
    return None


DELETES_FROM = 4
"""Words at least this long are also keyed by each of their one-letter deletions."""


def _keys(skeleton: tuple[str, ...], misspelt: Callable[[str], bool]) -> set[str]:
    """A word, its first three letters (for keying errors later in it) and its *deletion
    neighbourhood*: the word and the word without each one of its letters. One typo (a letter
    wrong, missing, extra or swapped) leaves a word and its misspelling a key in common: "star"
    and "stpr" share "str", "auax" is "audax" without its "d". Words shorter than
    :data:`DELETES_FROM` letters (three for a misspelling missing a letter) have no deletions:
    too many short words would share them. A name without a word to key on ("GP-21", "CHO, Il
    Woo") is keyed whole, in any word order. Only the words ``misspelt`` accepts get their
    deletions."""
    tokens = [t for t in skeleton if len(t) >= 3 and t not in GENERIC_WORDS and not t.isdigit()]
    if not tokens:
        return {" ".join(sorted(skeleton))}
    keys = {key for token in tokens for key in (token, f"{token[:3]}*")}
    keys.update(
        f"{token[:cut]}{token[cut + 1 :]}~"
        for token in tokens
        if len(token) >= DELETES_FROM - 1 and misspelt(token)  # a 4-letter word less a letter
        for cut in range(len(token) + 1)  # the last cut is the whole word
    )
    return keys

"""Scoring a candidate pair: named features, each adding log-odds, and vetoes.

The model is a small, documented log-odds sum in the spirit of Fellegi-Sunter: a prior, plus one
contribution per piece of evidence (docs/methodology.md gives the table). The explanation of a
score is the feature -> contribution mapping itself, so every merge says why.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat

from rapidfuzz.distance import Indel

from ownergraph.resolve.identifiers import LOCAL_SCHEMES, UNIQUE_SCHEMES
from ownergraph.resolve.matchable import Matchable
from ownergraph.resolve.normalise import GENERIC_WORDS, NameForm

PRIOR = -2.5
MAX_WEIGHT = 6.0
TOKEN_MATCH = 0.75
"""Token similarity from which a word counts as found in the other name."""
DEFAULT_THRESHOLD = 0.9
HINT_EVIDENCE = {
    "same_as": 2.0,
    "same_id_as": 2.0,
    "same_company_as": 1.0,
    "same_intermediary_as": 1.0,
    "probably_same_officer_as": 1.0,
}
"""Log-odds of a source's candidate match (ICIJ's generated edges), by type: ICIJ's own
judgement that two nodes are one counts, but less than an identifier. Other types (``same_name_as``,
``similar``, ``same_address_as``...) restate a likeness this model measures itself: 0, though they
still make the pair a candidate."""
WEAK_NAME_CAP = 0.85
"""A weak alias (OFAC's low-quality a.k.a., often a short or generic word) counts as a name only
this similar, however well it matches: the "similar name" evidence band, never "same name"."""
PERSON = "Person"
ORGANISATIONS = frozenset({"Company", "Organization"})


@dataclass(frozen=True, slots=True)
class Match:
    """The score of one pair: a probability, its features, or the veto that forbids it."""

    probability: float
    features: dict[str, float] = field(default_factory=dict)
    veto: str | None = None

    @property
    def log_odds(self) -> float:
        return sum(self.features.values())


class TokenWeights:
    """Inverse document frequency of skeleton tokens: rare words say more than common ones."""

    def __init__(self, counts: Counter[str], records: int) -> None:
        self.counts = counts
        self.log_total = math.log(max(records, 2))

    def __call__(self, token: str) -> float:
        # Capped, so that a one-off keying error is not the heaviest word of a name.
        weight = min(MAX_WEIGHT, self.log_total - math.log(1 + self.counts.get(token, 0)))
        weight = max(0.1, weight)
        return weight * 0.2 if token in GENERIC_WORDS else weight


def _matched(mine: tuple[str, ...], theirs: tuple[str, ...], weight: TokenWeights) -> float:
    """Weight of ``mine``'s tokens found in ``theirs``, each credited by its fuzzy similarity."""
    matched = 0.0
    for token in mine:
        best = max(Indel.normalized_similarity(token, other) for other in theirs)
        if best >= TOKEN_MATCH:
            matched += best * weight(token)
    return matched


def name_similarity(a: NameForm, b: NameForm, weight: TokenWeights) -> float:
    """Share of the two names' token weight that the other name matches (0-1, fuzzy per token)."""
    if not (a.informative and b.informative and a.skeleton and b.skeleton):
        return 0.0
    if a.skeleton == b.skeleton:
        return 1.0
    total = sum(weight(token) for token in a.skeleton) + sum(weight(token) for token in b.skeleton)
    if total <= 0:
        return 0.0
    return (_matched(a.skeleton, b.skeleton, weight) + _matched(b.skeleton, a.skeleton, weight)) / (
        total
    )


def coverage(query: NameForm, other: NameForm, weight: TokenWeights) -> float:
    """Share of the query's token weight found in ``other`` (a partial name finds the whole)."""
    if not (query.informative and other.informative and query.skeleton and other.skeleton):
        return 0.0
    total = sum(weight(token) for token in query.skeleton)
    return _matched(query.skeleton, other.skeleton, weight) / total if total > 0 else 0.0


def best_name_similarity(a: Matchable, b: Matchable, weight: TokenWeights) -> float:
    """The best :func:`name_similarity` of any name of ``a`` with any name of ``b``, a weak
    alias's capped at :data:`WEAK_NAME_CAP`."""
    best = 0.0
    for x, weak_x in _names(a):
        for y, weak_y in _names(b):
            similarity = name_similarity(x, y, weight)
            best = max(best, min(similarity, WEAK_NAME_CAP) if weak_x or weak_y else similarity)
    return best


def _names(record: Matchable) -> Iterable[tuple[NameForm, bool]]:
    """The record's names, each with whether it is a weak alias."""
    return zip(record.names, record.weak or repeat(False), strict=False)


def _name_evidence(similarity: float) -> float:
    for bound, evidence in ((0.97, 5.0), (0.9, 3.5), (0.8, 2.0), (0.65, 0.0), (0.5, -2.0)):
        if similarity >= bound:
            return evidence
    return -5.0


def _differ(a: str | None, b: str | None) -> bool:
    """Two dates disagree at the precision both have ("1961" agrees with "1961-04-12")."""
    if not a or not b:
        return False
    common = min(len(a), len(b))
    return a[:common] != b[:common]


def _dates(a: str | None, b: str | None, full: float, year: float, conflict: float) -> float:
    """Evidence from two possibly partial dates: agreement to the day, the year, or a conflict."""
    if not a or not b:
        return 0.0
    if a == b and len(a) == 10:
        return full
    if a[:4] == b[:4]:
        return year
    return conflict


def identifier_conflict(a: Matchable, b: Matchable) -> str | None:
    """Why two records cannot be one entity by their identifiers, or None.

    Generic registration and tax numbers (``reg:``, ``tax:``) conflict only between records of
    the same country, where they come from the same register.
    """
    if not a.by_scheme or not b.by_scheme:
        return None
    same_country = a.country is not None and a.country == b.country
    for scheme, mine in a.by_scheme.items():
        theirs = b.by_scheme.get(scheme)
        if theirs is None or not mine.isdisjoint(theirs):
            continue
        if scheme in UNIQUE_SCHEMES or (same_country and scheme in LOCAL_SCHEMES):
            return f"different {scheme} identifiers"
    return None


def incompatible(a: Matchable, b: Matchable) -> str | None:
    """Why two records can never be one entity (the scorer's vetoes), or None."""
    if a.undisclosed or b.undisclosed:
        return "an undisclosed party is only itself"
    schemas = {a.schema, b.schema}
    if PERSON in schemas and schemas & ORGANISATIONS:
        return "a person and an organisation"
    if a.schema == PERSON == b.schema and _differ(a.birth_date, b.birth_date):
        return "different birth dates"
    return identifier_conflict(a, b)


def score(a: Matchable, b: Matchable, weight: TokenWeights) -> Match:
    """Score a pair of records; a veto means they must never be merged by the scorer."""
    veto = incompatible(a, b)
    if veto:
        return Match(0.0, veto=veto)
    shared = a.keys & b.keys
    features: dict[str, float] = {"prior": PRIOR}
    if shared:
        if shared & a.strong_keys:
            features["identifier"] = 8.0
        elif (
            a.country
            and a.country == b.country
            and any(key.split(":", 1)[0] in LOCAL_SCHEMES for key in shared)
        ):
            features["identifier"] = 6.0  # the same register's number, in the same country
        else:
            features["identifier"] = 3.0
    features["name"] = _name_evidence(best_name_similarity(a, b, weight))
    forms_a = {label for form in a.names for label in form.legal_forms}
    forms_b = {label for form in b.names for label in form.legal_forms}
    if forms_a and forms_b:
        features["legal_form"] = 0.5 if forms_a & forms_b else -2.0
    numbers_a = {n for form in a.names for n in form.numbers}
    numbers_b = {n for form in b.names for n in form.numbers}
    if numbers_a and numbers_b and not numbers_a & numbers_b:
        features["numbers"] = -6.0
    if a.country and b.country:
        features["country"] = 1.0 if a.country == b.country else -2.5
    if a.schema == PERSON == b.schema:
        features["birth_date"] = _dates(a.birth_date, b.birth_date, 3.0, 1.0, 0.0)
    else:
        dated = _dates(a.incorporation_date, b.incorporation_date, 1.5, 0.5, -1.5)
        if dated:
            features["incorporation_date"] = dated
    if a.address and a.address == b.address:
        features["address"] = 1.0
    features["candidate_match"] = max(
        (HINT_EVIDENCE.get(kind, 0.0) for x, y in ((a, b), (b, a)) for other, kind in x.hints
         if other == y.id),
        default=0.0,
    )  # fmt: skip
    features = {key: value for key, value in features.items() if value}
    total = sum(features.values())
    return Match(1.0 / (1.0 + math.exp(-total)), features)

"""The OFAC, EU and UK 50% rules as pure functions over dated ownership and control stakes.

:func:`blocked_by_extension` takes the stakes, the entities listed on a date and a regime, and
returns the entities blocked by extension with the share interval held by blocked persons and a
proof citing every stake counted. The rules and the guidance behind them are in
docs/fifty-percent-rules.md.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from ownergraph.model import ShareInterval

Regime = Literal["ofac", "eu", "uk"]
Status = Literal["blocked", "possibly", "controlled"]
Validity = Literal["yes", "maybe", "no"]

THRESHOLD = 50.0
_EPSILON = 1e-9
"""Shares are sums of floats: 25.1 + 24.9 must still reach 50."""
_NONE, _POSSIBLE, _DEFINITE = 0, 1, 2
"""How surely a CONTROLS holding gives control."""
_RANK: dict[str, int] = {"blocked": 3, "controlled": 2, "possibly": 1}


@dataclass(frozen=True, slots=True)
class Rule:
    """How one regime reads ownership."""

    name: str
    strict: bool
    """True: more than the threshold is needed (UK); False: the threshold itself is enough."""
    control: bool
    """Whether control without majority ownership also catches an entity (EU, UK; not OFAC)."""
    aggregate: bool
    """Whether the holdings of different listed persons add up (OFAC, EU; not the UK)."""
    holders: str
    """Who holds the counted shares, for explanations."""

    def surely_meets(self, total: _Total) -> bool:
        """Whether a lower bound of the held share is enough."""
        if self.strict:
            return total.value > THRESHOLD + _EPSILON or (
                abs(total.value - THRESHOLD) <= _EPSILON and total.open
            )
        return total.value >= THRESHOLD - _EPSILON

    def may_meet(self, total: _Total) -> bool:
        """Whether an upper bound of the held share leaves the threshold reachable."""
        if self.strict or total.open:
            return total.value > THRESHOLD + _EPSILON
        return total.value >= THRESHOLD - _EPSILON

    @property
    def needed(self) -> str:
        return "more than 50%" if self.strict else "50% or more"


RULES: dict[str, Rule] = {
    "ofac": Rule(
        "OFAC's 50 Percent Rule", strict=False, control=False, aggregate=True,
        holders="blocked persons hold",
    ),
    "eu": Rule(
        "the EU ownership and control criteria", strict=False, control=True, aggregate=True,
        holders="listed persons and entities they own or control hold",
    ),
    "uk": Rule(
        "the UK ownership and control test", strict=True, control=True, aggregate=False,
        holders="designated persons hold",
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Stake:
    """One stated stake: ``owner`` owns (or, for ``CONTROLS``, controls) part of ``asset``.

    ``share`` None or ``ShareInterval(None, None)`` is a stake of unknown size; dates are partial
    ISO dates; ``citation`` is whatever the caller needs to cite the stake (dataset, record...).
    """

    owner: str
    asset: str
    share: ShareInterval | None
    start_date: str | None
    end_date: str | None
    citation: Mapping[str, str]
    kind: str = "OWNS"


@dataclass(frozen=True, slots=True)
class ProofStep:
    """One counted holding of an owner in the entity a verdict is about."""

    owner: str
    owner_status: str
    """``listed``, or the owner's own status by extension (its verdict explains it)."""
    kind: str
    share: str
    """The share as the sources state it: ``25-50``, ``unknown``..."""
    low: float | None
    """What the holding adds to the lower bound (None for a control link)."""
    high: float | None
    citations: tuple[Mapping[str, str], ...]
    listings: tuple[Mapping[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"owner": self.owner, "owner_status": self.owner_status}
        if self.owner_status == "listed":
            data["listings"] = [dict(listing) for listing in self.listings]
        else:
            data["see"] = self.owner
        data["link"] = self.kind
        data["share"] = self.share
        data["counted"] = (
            None if self.low is None else {"low": _round(self.low), "high": _round(self.high)}
        )
        data["citations"] = [dict(citation) for citation in self.citations]
        return data


@dataclass
class Verdict:
    """Why one entity is blocked, possibly blocked or controlled by extension under a regime."""

    entity: str
    status: Status
    share_low: float
    share_high: float
    missing: float | None
    """For ``possibly``: the share still needed to decide it (threshold minus the lower bound)."""
    proof: list[ProofStep] = field(default_factory=list)
    regime: Regime = "ofac"
    via: str | None = None
    """UK: the designated person whose holdings (direct or through its entities) count."""
    low_open: bool = False
    """The held share is strictly more than ``share_low`` (a band such as ">25-50")."""
    high_open: bool = False

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status,
            "share": {"low": _round(self.share_low), "high": _round(self.share_high)},
            "missing": None if self.missing is None else _round(self.missing),
            "explanation": self.explanation(),
            "proof": [step.as_dict() for step in self.proof],
        }
        if self.via is not None:
            data["via"] = self.via
        return data

    def explanation(self) -> str:
        """One sentence a reader can check against the proof.

        >>> Verdict("A", "possibly", 25.0, 50.0, 25.0).explanation()
        "Possibly blocked under OFAC's 50 Percent Rule: blocked persons hold at least 25% and at \
most 50% of it (50% or more needed); another 25% would decide it."
        """
        rule = RULES[self.regime]
        holders = rule.holders
        if self.via is not None:
            holders = f"designated person {self.via} holds, directly or through its entities,"
        held = self._held()
        owned = f"{holders} {held} of it"
        controllers = ", ".join(sorted({s.owner for s in self.proof if s.kind == "CONTROLS"}))
        if self.status == "blocked":
            return f"Blocked by extension under {rule.name}: {owned} ({rule.needed} needed)."
        if self.status == "controlled":
            return (
                f"Controlled under {rule.name} through control links from {controllers}; {owned}."
            )
        return f"Possibly blocked under {rule.name}: {owned} ({rule.needed} needed); " + (
            self._decider(rule, controllers)
        )

    def _held(self) -> str:
        low, high = self.share_low, self.share_high
        if abs(high - low) <= _EPSILON and not (self.low_open or self.high_open):
            return _pct(low)
        if low <= _EPSILON and high >= 100.0 - _EPSILON:
            return "an unknown share"
        at_least = f"{'more than' if self.low_open else 'at least'} {_pct(low)}"
        at_most = f"{'less than' if self.high_open else 'at most'} {_pct(high)}"
        if high >= 100.0 - _EPSILON and not self.high_open:
            return at_least
        return at_most if low <= _EPSILON and not self.low_open else f"{at_least} and {at_most}"

    def _decider(self, rule: Rule, controllers: str) -> str:
        missing = self.missing or 0.0
        if missing <= _EPSILON:
            share = "any further share would decide it"
        else:
            share = f"{'more than ' if rule.strict else ''}another {_pct(missing)} would decide it"
        return f"{share}, or confirming control by {controllers}." if controllers else f"{share}."


def blocked_by_extension(
    stakes: Iterable[Stake],
    listed: Mapping[str, Sequence[Mapping[str, str]]],
    regime: Regime,
    as_of: str,
) -> dict[str, Verdict]:
    """Entities blocked by extension on ``as_of``: owned (or, EU and UK, controlled) by listed ones.

    Parameters
    ----------
    stakes
        OWNS and CONTROLS stakes; only those held on ``as_of`` count (see :func:`held_on`).
    listed
        The directly listed entities of the regime on ``as_of``, each with the citations of its
        active listings. They are never in the result: they are listed, not blocked by extension.
    regime
        ``ofac``: shares of blocked persons aggregate, 50% or more blocks, control does not.
        ``eu``: the same, and control by a listed or caught entity gives ``controlled``.
        ``uk``: more than 50% held by one designated person (directly or through entities it
        owns or controls); holdings of different designated persons do not add up.
    as_of
        A full ISO date.

    Returns
    -------
    dict
        Entity id to :class:`Verdict`, for every entity that is ``blocked`` (the lower bound of the
        held share meets the rule), ``controlled`` or ``possibly`` (only the upper bound does, or
        control is uncertain).

    Raises
    ------
    ValueError
        When ``as_of`` is not a full date or a stake's date cannot be read.

    Examples
    --------
    >>> def owns(owner, asset, share):
    ...     return Stake(owner, asset, ShareInterval.parse(share), None, None, {"record": asset})
    >>> stakes = [owns("X", "A", "50"), owns("A", "C", "50"), owns("Y", "B", "25-50")]
    >>> verdicts = blocked_by_extension(stakes, {"X": [], "Y": []}, "ofac", "2025-06-30")
    >>> {entity: verdict.status for entity, verdict in sorted(verdicts.items())}
    {'A': 'blocked', 'B': 'possibly', 'C': 'blocked'}
    >>> verdicts["B"].missing
    25.0
    >>> blocked_by_extension(stakes, {"X": [], "Y": []}, "uk", "2025-06-30")
    {}
    """
    _check_date(as_of)
    rule = RULES[regime]
    holdings = _holdings(stakes, as_of, rule, listed)
    by_owner: defaultdict[str, list[_Holding]] = defaultdict(list)
    by_asset: defaultdict[str, list[_Holding]] = defaultdict(list)
    for holding in holdings:
        by_owner[holding.owner].append(holding)
        by_asset[holding.asset].append(holding)
    if rule.aggregate:
        pool = _Pool(frozenset(listed), by_owner, by_asset, rule, listed)
        caught = sorted(pool.maybe - set(listed))
        return {entity: pool.verdict(entity, regime, None) for entity in caught}
    # UK: one pool per designated person. Pick each entity's strongest pool first and build
    # proofs only for those, so thousands of pools do not each prove thousands of entities.
    winners: dict[str, tuple[tuple[int, float, float], str]] = {}
    for seed in sorted(listed):
        pool = _Pool(frozenset({seed}), by_owner, by_asset, rule, listed)
        for entity, strength in pool.strengths().items():
            if entity not in listed and (entity not in winners or strength > winners[entity][0]):
                winners[entity] = (strength, seed)
    by_seed: defaultdict[str, list[str]] = defaultdict(list)
    for entity, (_, seed) in winners.items():
        by_seed[seed].append(entity)
    verdicts: dict[str, Verdict] = {}
    for seed, entities in by_seed.items():
        pool = _Pool(frozenset({seed}), by_owner, by_asset, rule, listed)
        verdicts.update((entity, pool.verdict(entity, regime, seed)) for entity in entities)
    return dict(sorted(verdicts.items()))


def held_on(start_date: str | None, end_date: str | None, as_of: str) -> Validity:
    """Whether a stake dated ``start_date`` to ``end_date`` (exclusive) is held on ``as_of``.

    A partial date is its whole period: a stake starting in "2025-06" is held on 2025-06-15
    only ``maybe``, and counts towards upper bounds but not lower ones.

    >>> held_on("2020-01-01", None, "2025-06-30"), held_on(None, "2025-06-30", "2025-06-30")
    ('yes', 'no')
    >>> held_on("2025-06", None, "2025-06-15"), held_on(None, "2025", "2025-06-15")
    ('maybe', 'maybe')
    """
    verdict: Validity = "yes"
    if start_date:
        first, last = _period(start_date)
        if first > as_of:
            return "no"
        if last > as_of:
            verdict = "maybe"
    if end_date:
        first, last = _period(end_date)
        if last <= as_of:
            return "no"
        if first <= as_of:
            verdict = "maybe"
    return verdict


# -- holdings: stakes merged per owner and asset ----------------------------------------------


@dataclass(slots=True)
class _Total:
    """A running sum of share bounds; ``open`` when the true sum lies strictly beyond ``value``."""

    value: float = 0.0
    open: bool = False

    def add(self, value: float, is_open: bool) -> None:
        self.value += value
        self.open = self.open or is_open


@dataclass(frozen=True, slots=True)
class _Holding:
    """What one owner holds in one asset by one kind of link, all sources combined."""

    owner: str
    asset: str
    kind: str
    low: _Total
    high: _Total
    control: int
    stakes: tuple[Stake, ...]


def _holdings(
    stakes: Iterable[Stake], as_of: str, rule: Rule, listed: Iterable[str]
) -> list[_Holding]:
    grouped: defaultdict[tuple[str, str, str], list[tuple[Stake, Validity]]] = defaultdict(list)
    for stake in stakes:
        # A firm's holding of its own shares gives no listed person more of it.
        if stake.owner == stake.asset or stake.kind not in ("OWNS", "CONTROLS"):
            continue
        if stake.kind == "CONTROLS" and not rule.control:
            continue  # OFAC FAQ 398: the 50 Percent Rule speaks only to ownership.
        validity = held_on(stake.start_date, stake.end_date, as_of)
        if validity != "no":
            grouped[(stake.owner, stake.asset, stake.kind)].append((stake, validity))
    reachable = _reachable(grouped, listed)
    holdings = [
        _holding(key, items) for key, items in sorted(grouped.items()) if key[0] in reachable
    ]
    return [h for h in holdings if h.kind == "OWNS" or h.control > _NONE]


def _reachable(grouped: Mapping[tuple[str, str, str], object], listed: Iterable[str]) -> set[str]:
    """Owners reachable from the listed ones: only their stakes can ever count."""
    assets: defaultdict[str, list[str]] = defaultdict(list)
    for owner, asset, _ in grouped:
        assets[owner].append(asset)
    reached = set(listed)
    queue = deque(reached)
    while queue:
        for asset in assets.get(queue.popleft(), ()):
            if asset not in reached:
                reached.add(asset)
                queue.append(asset)
    return reached


def _holding(key: tuple[str, str, str], items: list[tuple[Stake, Validity]]) -> _Holding:
    owner, asset, kind = key
    control = _NONE
    if kind == "CONTROLS":
        control = max(_control_level(stake.share, validity) for stake, validity in items)
    stakes = tuple(stake for stake, _ in items)
    if len(items) == 1:
        low, high = _dataset_bounds(items)
        return _Holding(owner, asset, kind, low, high, control, stakes)
    per_dataset: defaultdict[str, list[tuple[Stake, Validity]]] = defaultdict(list)
    for stake, validity in items:
        per_dataset[stake.citation.get("dataset", "")].append((stake, validity))
    # Stakes of one source add up (separate holdings); different sources reporting the same
    # owner and asset describe the same shares (a PSC record republished as BODS, say).
    low, high = _combine([_dataset_bounds(group) for _, group in sorted(per_dataset.items())])
    return _Holding(owner, asset, kind, low, high, control, stakes)


def _dataset_bounds(items: list[tuple[Stake, Validity]]) -> tuple[_Total, _Total]:
    low, high = _Total(), _Total()
    for stake, validity in items:
        share = stake.share
        if validity == "yes" and share is not None and share.low is not None:
            low.add(share.low, share.low_open)
        if share is not None and share.high is not None:
            high.add(share.high, share.high_open)
        else:
            high.add(100.0, False)
    return _capped(low), _capped(high)


def _combine(bounds: list[tuple[_Total, _Total]]) -> tuple[_Total, _Total]:
    """One interval from several sources: their intersection, or their hull if they disagree."""
    low = max((low for low, _ in bounds), key=lambda t: (t.value, t.open))
    high = min((high for _, high in bounds), key=lambda t: (t.value, not t.open))
    if low.value < high.value - _EPSILON or (
        abs(low.value - high.value) <= _EPSILON and not (low.open or high.open)
    ):
        return low, high
    low = min((low for low, _ in bounds), key=lambda t: (t.value, t.open))
    high = max((high for _, high in bounds), key=lambda t: (t.value, not t.open))
    return low, high


def _capped(total: _Total) -> _Total:
    return _Total(100.0, False) if total.value > 100.0 else total


def _control_level(share: ShareInterval | None, validity: Validity) -> int:
    """A control link stating no share is control; one with a share needs a majority."""
    if share is None or not share.is_known:
        level = _DEFINITE
    else:
        low = share.low or 0.0
        high = 100.0 if share.high is None else share.high
        if low > THRESHOLD or (low == THRESHOLD and share.low_open):
            level = _DEFINITE
        else:
            level = _POSSIBLE if high > THRESHOLD else _NONE
    return min(level, _POSSIBLE) if validity == "maybe" else level


def _share_text(share: ShareInterval | None) -> str:
    return "unknown" if share is None else str(share)


def _citation(stake: Stake) -> Mapping[str, str]:
    dates = {"start_date": stake.start_date, "end_date": stake.end_date}
    return {**stake.citation, **{key: value for key, value in dates.items() if value}}


# -- the fixed point ------------------------------------------------------------------------------


class _Pool:
    """Listed seeds whose holdings count together, and the entities they catch.

    ``sure`` and ``maybe`` are least fixed points (so cycles terminate and never bootstrap
    themselves): an entity joins when the holdings of seeds and members already in reach the
    rule using lower bounds (``sure``) or upper bounds (``maybe``).
    """

    def __init__(
        self,
        seeds: frozenset[str],
        by_owner: Mapping[str, list[_Holding]],
        by_asset: Mapping[str, list[_Holding]],
        rule: Rule,
        listed: Mapping[str, Sequence[Mapping[str, str]]],
    ) -> None:
        self.seeds, self.by_asset, self.rule, self.listed = seeds, by_asset, rule, listed
        self._memo: dict[str, tuple[_Total, _Total]] = {}
        self.sure = self._closure(by_owner, upper=False)
        self.maybe = self._closure(by_owner, upper=True) | self.sure

    def _closure(self, by_owner: Mapping[str, list[_Holding]], *, upper: bool) -> set[str]:
        caught: set[str] = set()
        totals: defaultdict[str, _Total] = defaultdict(_Total)
        queue = deque(sorted(self.seeds))
        while queue:
            for holding in by_owner.get(queue.popleft(), ()):
                asset = holding.asset
                if asset in self.seeds or asset in caught:
                    continue
                if holding.kind == "CONTROLS":
                    hit = holding.control >= (_POSSIBLE if upper else _DEFINITE)
                else:
                    total = totals[asset]
                    bound = holding.high if upper else holding.low
                    total.add(bound.value, bound.open)
                    hit = self.rule.may_meet(total) if upper else self.rule.surely_meets(total)
                if hit:
                    caught.add(asset)
                    queue.append(asset)
        return caught

    def strengths(self) -> dict[str, tuple[int, float, float]]:
        """How strongly the pool catches each entity: status rank, then the held share."""
        strengths = {}
        for entity in self.maybe:
            low, high = self._totals(entity)
            strengths[entity] = (_RANK[self._status(entity, low)], low.value, high.value)
        return strengths

    def verdict(self, entity: str, regime: Regime, via: str | None) -> Verdict:
        low, high = self._totals(entity)
        status = self._status(entity, low)
        return Verdict(
            entity, status, low.value, high.value,
            THRESHOLD - low.value if status == "possibly" else None,
            self._proof(entity), regime, via, low.open, high.open,
        )  # fmt: skip

    def _status(self, entity: str, low: _Total) -> Status:
        if entity not in self.sure:
            return "possibly"
        return "blocked" if self.rule.surely_meets(low) else "controlled"

    def _totals(self, entity: str) -> tuple[_Total, _Total]:
        # Each entity's totals are needed for its verdict and again in its holdings' proofs.
        if entity in self._memo:
            return self._memo[entity]
        low, high = _Total(), _Total()
        for holding in self._counted(entity):
            if holding.kind != "OWNS":
                continue
            if self._surely_holds(holding.owner):
                low.add(holding.low.value, holding.low.open)
            high.add(holding.high.value, holding.high.open)
        self._memo[entity] = _capped(low), _capped(high)
        return self._memo[entity]

    def _counted(self, entity: str) -> list[_Holding]:
        return [
            holding
            for holding in self.by_asset.get(entity, ())
            if holding.owner in self.seeds or holding.owner in self.maybe
        ]

    def _surely_holds(self, owner: str) -> bool:
        return owner in self.seeds or owner in self.sure

    def _proof(self, entity: str) -> list[ProofStep]:
        steps = []
        for holding in self._counted(entity):
            owner = holding.owner
            if owner in self.listed:
                owner_status = "listed"
            else:
                owner_status = self._status(owner, self._totals(owner)[0])
            owns = holding.kind == "OWNS"
            surely = self._surely_holds(owner)
            steps.append(
                ProofStep(
                    owner, owner_status, holding.kind,
                    "; ".join(dict.fromkeys(_share_text(stake.share) for stake in holding.stakes)),
                    (holding.low.value if surely else 0.0) if owns else None,
                    holding.high.value if owns else None,
                    tuple(_citation(stake) for stake in holding.stakes),
                    tuple(self.listed.get(owner, ())),
                )
            )  # fmt: skip
        return sorted(
            steps, key=lambda s: (s.kind != "OWNS", -(s.low or 0), -(s.high or 0), s.owner)
        )


# -- small helpers --------------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:$|[T ])")


def _period(text: str) -> tuple[str, str]:
    """The first and last day of a possibly partial ISO date ("2025-06" -> June 2025)."""
    match = _DATE.match(text.strip())
    if match is None:
        raise ValueError(f"unreadable date {text!r}")
    year, month, day = match.groups()
    if day:
        return f"{year}-{month}-{day}", f"{year}-{month}-{day}"
    if month:
        last = calendar.monthrange(int(year), int(month))[1]
        return f"{year}-{month}-01", f"{year}-{month}-{last:02d}"
    return f"{year}-01-01", f"{year}-12-31"


def _check_date(as_of: str) -> None:
    try:
        valid = len(as_of) == 10 and date.fromisoformat(as_of).isoformat() == as_of
    except ValueError:
        valid = False
    if not valid:
        raise ValueError(f"as_of must be a full date (YYYY-MM-DD), not {as_of!r}")


def _pct(value: float) -> str:
    return f"{round(value, 4):g}%"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)

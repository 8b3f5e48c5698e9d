"""``trace``: chains from Western suppliers to sanctioned entities, time-respecting, with flags.

A plain function over a :class:`~ownergraph.graph.CSRGraph`: :func:`trace` takes the graph, the
targets (listed entities and those sanctioned by extension, with their status) and the entity
properties the flags need (:class:`EntityFacts`), and returns ranked :class:`TracePath` results.
Where the facts come from (the workspace, Neo4j) is the caller's business.

The search, in three passes:

1. **Moves.** ``SHIPPED_TO`` is walked from exporter to importer only (goods flow one way); the
   other traced links (``LinkKind.traced``: ownership, control, officers, succession) both ways,
   because the end user often *owns* the importer. ``DECLARED`` is not walked: a broker is
   not a step in the flow of goods, it is reported on the shipments it declared. With ``as_of``,
   links must be valid that day and shipments no later than it.
2. **Corridor.** One breadth-first search backwards from all targets gives each node its distance
   to the nearest target; a depth-first search from each supplier then only enters nodes that can
   still reach a target in the hops left, so hubs off the way are never expanded. Paths start with
   a shipment and stop at the first target they reach.
3. **Time.** Along a path, each shipment must be no earlier than the previous shipment on the
   path and at most ``window_days`` later. Each hop keeps the set of shipment days still feasible
   (a hop with thousands of parallel shipments is one array operation); a backward pass then
   keeps only the shipments that belong to some feasible sequence, which are the ones reported.
   Shipments without a date cannot be ordered and never break a chain.

Each path gets flags with their evidence, and its score is the sum of the flags' weights (the
weights are in :data:`WEIGHTS` and explained in docs/methodology.md); the penalties for length and
for hops through an officer link are flags too, so a score always adds up from what is shown.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from ownergraph.graph.csr import KINDS, OPEN_START, CSRGraph, day_number, day_text
from ownergraph.graph.reach import distances_to, reach_from_seeds, trace_moves
from ownergraph.model.schema import ENTITY_KINDS, LINK_KINDS

_TRANSIT = "KZ KG AM GE AE TR HK CN UZ AZ TJ MN IN RS MY TH"
_EU27 = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE"
COALITION: frozenset[str] = frozenset(f"{_EU27} US GB CH NO JP KR CA AU NZ TW".split(" "))
"""The sanctions coalition: EU27, US, UK, CH, NO, JP, KR, CA, AU, NZ, TW (default suppliers)."""
TRANSIT: frozenset[str] = frozenset(_TRANSIT.split(" "))
"""Third countries through which controlled goods reach Russia (default transit countries)."""
INVASION = "2022-02-24"
MAX_HOPS = 8
SEEDS_PER_PASS = 128
"""Seeds searched together by :func:`reachable_targets` (a multiple of 64; measured best on the
benchmark world: wider words cost more per edge than the shared passes save)."""

WEIGHTS: dict[str, float] = {
    "chpl": 3.0,  # tier 1; each lower tier 0.5 less
    "transit": 1.5,
    "fresh_intermediary": 1.0,
    "mass_registration": 1.0,  # scaled by log(registrants) / log(100), at most 1
    "russian_officer": 1.0,
    "mirror_shipment": 1.0,
    "short_reexport": 1.0,
    "target_listed": 2.0,
    "target_blocked": 1.5,
    "target_controlled": 1.0,
    "target_possibly": 0.5,
    "hop": -0.5,  # each hop after the first
    "officer_hop": -1.0,  # each hop through an officer link: weak evidence of a flow
    "goods_stop_short": -1.5,  # the goods end two or more relationship hops from the target
}
"""Score contribution of each flag (docs/methodology.md, "Trace scoring")."""

TargetStatus = Literal["listed", "blocked", "controlled", "possibly"]
_TRADE = KINDS.index("SHIPPED_TO")
_OFFICER = KINDS.index("OFFICER_OF")
_REGISTERED = KINDS.index("REGISTERED_AT")
_FIRMS = frozenset(i for i, name in enumerate(ENTITY_KINDS) if name != "Person" and
                   ENTITY_KINDS[name].is_party)  # fmt: skip


@dataclass(frozen=True, slots=True)
class TraceOptions:
    """What ``trace`` looks for; every field has the documented default."""

    from_countries: frozenset[str] = COALITION
    transit_countries: frozenset[str] = TRANSIT
    max_hops: int = 4
    as_of: str | None = None
    window_days: int = 365
    """Longest gap between two consecutive shipments of a chain."""
    goods_match: str = "hs4"
    """How alike the goods of consecutive shipments must be: the same ``hs6`` subheading,
    ``hs4`` heading or ``hs2`` chapter, or ``any``. Shipments without an HS code match all."""
    reexport_days: int = 30
    """Re-export within this many days raises ``short_reexport``."""
    mirror_tolerance: float = 0.05
    """Quantities in and out within this fraction raise ``mirror_shipment``."""
    mass_registration: int = 5
    """Registrants at one address from which the address counts as a mass-registration hub."""
    paths_per_supplier: int = 200
    """Search budget: paths enumerated from one supplier before moving on (reported)."""
    suppliers: tuple[str, ...] = ()
    """Explicit supplier entity ids; empty: every exporter in ``from_countries``."""

    def __post_init__(self) -> None:
        if not 1 <= self.max_hops <= MAX_HOPS:
            raise ValueError(f"max_hops must be between 1 and {MAX_HOPS}, not {self.max_hops}")
        if self.goods_match not in ("hs6", "hs4", "hs2", "any"):
            raise ValueError(f"goods_match must be hs6, hs4, hs2 or any, not {self.goods_match!r}")
        if self.window_days < 0 or self.reexport_days < 0:
            raise ValueError("window_days and reexport_days must not be negative")
        if self.as_of is not None:
            date.fromisoformat(self.as_of)


@dataclass(frozen=True, slots=True)
class EntityFacts:
    """Entity properties the flags need, beyond what the compact graph holds."""

    incorporation_date: str | None = None
    nationality: str | None = None


@dataclass(frozen=True, slots=True)
class Flag:
    flag: str
    weight: float
    evidence: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"flag": self.flag, "weight": round(self.weight, 3), "evidence": dict(self.evidence)}


@dataclass(frozen=True, slots=True)
class TracePath:
    """One chain: node indexes, the edge ids kept on each hop, its flags and score."""

    nodes: tuple[int, ...]
    edges: tuple[tuple[int, ...], ...]
    target_status: TargetStatus
    flags: tuple[Flag, ...]
    score: float
    chpl_value: float
    """Value of the CHPL shipments on the chain's first hop (what entered the chain)."""
    declarants: tuple[int, ...]
    """Customs brokers that declared shipments kept on the chain."""

    def __len__(self) -> int:
        return len(self.nodes) - 1


@dataclass(frozen=True, slots=True)
class TraceResult:
    paths: list[TracePath]
    suppliers: int
    targets: int
    truncated: list[int] = field(default_factory=list)
    """Suppliers whose search stopped at ``paths_per_supplier``."""


def trace(
    graph: CSRGraph,
    targets: Mapping[int, TargetStatus],
    facts: Callable[[Sequence[str]], Mapping[str, EntityFacts]] | None = None,
    options: TraceOptions | None = None,
) -> TraceResult:
    """Chains from suppliers to targets, best score first.

    Parameters
    ----------
    graph : CSRGraph
    targets : mapping of node index to status
        Sanctioned entities: ``listed`` (an active listing), ``blocked``, ``controlled`` or
        ``possibly`` (by extension under a 50% rule).
    facts : callable, optional
        Given the entity ids the flags need (intermediaries and their officers), returns their
        :class:`EntityFacts` (incorporation dates, nationalities). Called once, after the search.
    options : TraceOptions, optional

    Returns
    -------
    TraceResult

    Raises
    ------
    KeyError
        An explicit supplier that is not in the graph.

    Examples
    --------
    >>> g = _example()
    >>> result = trace(g, {3: "listed"})
    >>> [g.ids[n] for n in result.paths[0].nodes]
    ['DE', 'KZ', 'RU', 'END']
    >>> sorted(flag.flag for flag in result.paths[0].flags)
    ['chpl', 'length', 'mirror_shipment', 'short_reexport', 'target_listed', 'transit']
    """
    options = options or TraceOptions()
    goal = np.zeros(graph.node_count, dtype=np.bool_)
    goal[list(targets)] = True
    moves = _Moves(graph, options, goal)
    distance = moves.distances_to(np.flatnonzero(goal), options.max_hops)
    suppliers = _suppliers(graph, options, moves)
    chains: list[_Chain] = []
    truncated = []
    for supplier in suppliers.tolist():
        if distance[supplier] < 0:
            continue
        found, stopped = _chains(moves, supplier, goal, distance, options)
        if stopped:
            truncated.append(supplier)
        chains.extend(found)
    known = facts(nodes_needing_facts(graph, (c.nodes for c in chains))) if facts else {}
    paths = [_scored(moves, chain, targets, known, options) for chain in chains]
    paths.sort(key=lambda path: (-path.score, len(path), [graph.ids[n] for n in path.nodes]))
    return TraceResult(paths, len(suppliers), len(targets), truncated)


def reachable_targets(
    graph: CSRGraph, seeds: Iterable[int], targets: Iterable[int], options: TraceOptions
) -> dict[int, dict[int, int]]:
    """For each seed, the targets within ``max_hops`` moves and their distance in hops.

    The reachability core of :func:`trace` without time order or path enumeration: what a
    per-seed breadth-first search answers, and what the benchmark compares with networkx. The
    searches run compiled, :data:`SEEDS_PER_PASS` seeds at a time
    (:func:`ownergraph.graph.reach.reach_from_seeds`). Each seed's targets come nearest first,
    then by node index.
    """
    goal = np.zeros(graph.node_count, dtype=np.bool_)
    goal[list(targets)] = True
    moves = _Moves(graph, options, goal)
    # Only nodes entered after the first hop are pruned, so distances up to max_hops - 1 do.
    distance = moves.distances_to(np.flatnonzero(goal), options.max_hops - 1)
    starts = np.array(list(seeds), dtype=np.int64)
    answer: dict[int, dict[int, int]] = {int(seed): {} for seed in starts}
    g = graph
    found = reach_from_seeds(
        g.out_ptr, g.target, g.in_ptr, g.in_source, g.in_edge, g.kind, _TRADE, moves.allowed,
        moves.backward, moves.supplier, goal, distance, starts, options.max_hops,
        SEEDS_PER_PASS // 64,
    )  # fmt: skip
    found = found[:, np.lexsort((found[1], found[2], found[0]))]
    for index, target, hops in zip(*found.tolist(), strict=True):
        answer[int(starts[index])][target] = hops
    return answer


def shipment_days(graph: CSRGraph, path: TracePath) -> dict[int, set[str]]:
    """Per hop of ``path``, the ISO days of the shipments it kept (to cite those records only)."""
    days: dict[int, set[str]] = {}
    for hop, edges in enumerate(path.edges):
        rows = [graph.shipment_row(edge) for edge in edges]
        days[hop] = {text for row in rows if row >= 0
                     if (text := day_text(int(graph.shipment_day[row]))) is not None}  # fmt: skip
    return days


def nodes_needing_facts(graph: CSRGraph, paths: Iterable[Sequence[int]]) -> list[str]:
    """Entity ids whose :class:`EntityFacts` the flags of chains (node sequences) read: the
    intermediaries and their officers."""
    needed: set[int] = set()
    for nodes in paths:
        for node in nodes[1:-1]:
            needed.add(node)
            needed.update(_officers(graph, node))
    return sorted(graph.ids[node] for node in needed)


class _Moves:
    """The trace's moves as edge-id arrays: out-edges of traced kinds, in-edges of traced kinds
    other than trade, filtered by date once per query.

    A chain never enters a supplier (an exporter of the supplier countries) through an ownership,
    control or officer link: from there on it is that supplier's own chain, found from it, and
    the detour before it ("shipped to the parent of another supplier") is no flow of goods."""

    def __init__(self, graph: CSRGraph, options: TraceOptions, goal: npt.NDArray[np.bool_]) -> None:
        self.graph = graph
        self.window = options.window_days
        self.divisor = _GOODS_DIVISOR.get(options.goods_match, 0)
        traced = np.array([LINK_KINDS[name].traced and name != "DECLARED" for name in KINDS])
        both_ways = traced.copy()
        both_ways[_TRADE] = False
        day = day_number(options.as_of) if options.as_of is not None else 0
        # A shipment is valid once it happened: kept for every later as-of day.
        self.allowed, self.backward, exporter = trace_moves(
            graph.source, graph.target, graph.kind, graph.start, graph.end, traced, both_ways,
            _TRADE, day, options.as_of is not None, graph.node_count,
        )  # fmt: skip
        self.supplier = _supplier_mask(graph, options, goal, exporter)
        self.cache: dict[tuple[int, bool], list[tuple[int, int, npt.NDArray[Any]]]] = {}
        self.registrants: npt.NDArray[np.int32] | None = None

    def forward(self, frontier: npt.NDArray[Any], *, first: bool = False) -> tuple[Any, Any, Any]:
        """(neighbour, index in ``frontier`` it was reached from, edge id) of every move out of
        ``frontier``; with ``first``, only shipments (a chain starts with goods leaving the
        supplier)."""
        g = self.graph
        out, owner_out = _rows(g.out_ptr, frontier)
        keep = self.allowed[out]
        trade = g.kind[out] == _TRADE
        keep &= trade if first else trade | ~self.supplier[g.target[out]]
        parts = [(g.target[out[keep]], owner_out[keep], out[keep])]
        if not first:
            into, owner_in = _rows(g.in_ptr, frontier)
            edges = g.in_edge[into]
            keep = self.backward[edges] & ~self.supplier[g.in_source[into]]
            parts.append((g.in_source[into[keep]], owner_in[keep], edges[keep]))
        return tuple(np.concatenate(column) for column in zip(*parts, strict=True))  # type: ignore[return-value]

    def groups(
        self, node: int, distance: npt.NDArray[np.int32], *, first: bool
    ) -> list[tuple[int, int, npt.NDArray[Any]]]:
        """The moves out of ``node`` towards some target, one group a neighbour with its edges,
        nearest-to-a-target first; cached, since the chains of many suppliers share nodes."""
        key = (node, first)
        found = self.cache.get(key)
        if found is None:
            neighbour, _, edges = self.forward(np.array([node]), first=first)
            ok = distance[neighbour] >= 0
            neighbour, edges = neighbour[ok], edges[ok]
            order = np.lexsort((neighbour, distance[neighbour]))
            neighbour, edges = neighbour[order], edges[order]
            bounds = [0, *(np.flatnonzero(np.diff(neighbour)) + 1).tolist(), len(neighbour)]
            found = [
                (int(neighbour[low]), int(distance[neighbour[low]]), edges[low:high])
                for low, high in itertools.pairwise(bounds)
                if high > low
            ]
            self.cache[key] = found
        return found

    def distances_to(self, goals: npt.NDArray[Any], hops: int) -> npt.NDArray[np.int32]:
        """Moves from each node to the nearest goal (-1: none within ``hops``), by one compiled
        breadth-first search backwards from all goals."""
        g = self.graph
        distance: npt.NDArray[np.int32] = distances_to(
            g.out_ptr, g.target, g.in_ptr, g.in_source, g.in_edge, self.allowed, self.backward,
            np.asarray(goals, dtype=np.int64), hops,
        )  # fmt: skip
        return distance


def _rows(pointers: npt.NDArray[Any], nodes: npt.NDArray[Any]) -> tuple[Any, Any]:
    """CSR positions of ``nodes``' rows, and for each the index in ``nodes`` it belongs to."""
    starts = pointers[nodes].astype(np.int64)
    lengths = pointers[np.asarray(nodes) + 1].astype(np.int64) - starts
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    return np.arange(len(shift), dtype=np.int64) + shift, owner


def _supplier_mask(
    graph: CSRGraph,
    options: TraceOptions,
    goal: npt.NDArray[np.bool_],
    exporter: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """Firms of the supplier countries that export something and are not themselves targets."""
    wanted = np.array([code in options.from_countries for code in graph.countries] + [False])
    firm_kind = np.array([i in _FIRMS for i in range(len(ENTITY_KINDS))] + [True])
    # Unknown (-1) country and schema index the extra last entry: no country, any firm.
    mask: npt.NDArray[np.bool_] = wanted[graph.country] & firm_kind[graph.schema] & exporter & ~goal
    return mask


def _suppliers(graph: CSRGraph, options: TraceOptions, moves: _Moves) -> npt.NDArray[np.int64]:
    if options.suppliers:
        return np.array(sorted({graph.node(entity) for entity in options.suppliers}), np.int64)
    return np.flatnonzero(moves.supplier)


@dataclass(slots=True)
class _Chain:
    nodes: list[int]
    hops: list[tuple[npt.NDArray[Any], npt.NDArray[Any] | None]]
    """Per hop: its edge ids, and the feasible (goods, day) keys after it (None: no dated
    shipment yet)."""


def _chains(
    moves: _Moves,
    supplier: int,
    goal: npt.NDArray[np.bool_],
    distance: npt.NDArray[np.int32],
    options: TraceOptions,
) -> tuple[list[_Chain], bool]:
    """Depth-first enumeration of time-respecting chains from one supplier."""
    found: list[_Chain] = []
    chain = _Chain([supplier], [])
    on_path = {supplier}
    budget = options.paths_per_supplier

    def step(node: int, days: npt.NDArray[Any] | None) -> bool:
        """Extend ``chain`` from ``node``; False once the budget is spent."""
        left = options.max_hops - len(chain.hops)
        for nxt, far, group_edges in moves.groups(node, distance, first=not chain.hops):
            if far > left - 1:
                break
            if nxt in on_path:
                continue
            after = _feasible(moves, group_edges, days)
            if after is False:
                continue
            chain.nodes.append(nxt)
            chain.hops.append((group_edges, after))
            if goal[nxt]:
                found.append(_Chain(list(chain.nodes), list(chain.hops)))
                keep_going = len(found) < budget
            else:
                on_path.add(nxt)
                keep_going = step(nxt, after)
                on_path.discard(nxt)
            chain.nodes.pop()
            chain.hops.pop()
            if not keep_going:
                return False
        return True

    complete = step(supplier, None)
    return found, not complete


_SPAN = 1 << 25
"""Keys of (goods, day): ``prefix * _SPAN + day + _SHIFT``; days of 1924-2061 fit."""
_SHIFT = 1 << 24
_GOODS_DIVISOR = {"hs6": 1, "hs4": 100, "hs2": 10000}


def _keys(moves: _Moves, edges: npt.NDArray[Any]) -> tuple[Any, Any]:
    """(goods, day) keys of shipment edges, and which are wildcards (no date, or no HS code when
    goods must match): those can be ordered against nothing, so they never break a chain."""
    g = moves.graph
    rows = g.shipment_rows(edges)
    days = g.shipment_day[rows].astype(np.int64)
    wild = days == OPEN_START
    if moves.divisor:
        hs = g.shipment_hs6[rows].astype(np.int64)
        wild |= hs < 0
        prefix = np.where(hs < 0, 0, hs // moves.divisor)
    else:
        prefix = np.zeros(len(rows), dtype=np.int64)
    return prefix * _SPAN + np.where(wild, 0, days) + _SHIFT, wild


def _feasible(
    moves: _Moves, edges: npt.NDArray[Any], keys: npt.NDArray[Any] | None
) -> npt.NDArray[Any] | Literal[False] | None:
    """The (goods, day) keys at which the goods can have arrived after crossing a hop; None while
    no dated shipment constrains the chain; False if the hop cannot follow ``keys``."""
    g = moves.graph
    trade = g.kind[edges] == _TRADE
    if not trade.any():
        return keys
    found, wild = _keys(moves, edges[trade])
    found = found[~wild]
    passes = bool(wild.any()) or not trade.all()
    if keys is not None and len(found):
        found = found[_follows(keys, found, moves.window)]
    if passes:
        # An undated shipment or another kind of link crosses the hop unconstrained.
        if keys is None:
            return None
        found = np.union1d(found, keys)
    if not len(found):
        return False
    return np.unique(found)


def _follows(before: npt.NDArray[Any], after: npt.NDArray[Any], window: int) -> Any:
    """Which ``after`` keys follow some key of sorted ``before`` of the same goods, on the same
    day or up to ``window`` days later."""
    place = np.searchsorted(before, after, side="right") - 1
    ok = place >= 0
    prior = before[place[ok]]
    ok[ok] = (prior // _SPAN == after[ok] // _SPAN) & (after[ok] - prior <= window)
    return ok


def _kept_edges(moves: _Moves, chain: _Chain) -> list[npt.NDArray[Any]]:
    """Each hop's edges that belong to some complete time-respecting sequence (backward pass)."""
    g, window = moves.graph, moves.window
    kept: list[npt.NDArray[Any]] = [edges for edges, _ in chain.hops]
    later: npt.NDArray[Any] | None = None
    for i in range(len(chain.hops) - 1, -1, -1):
        edges, _ = chain.hops[i]
        trade = g.kind[edges] == _TRADE
        if not trade.any():
            continue
        keys, wild = _keys(moves, edges[trade])
        before = chain.hops[i - 1][1] if i else None
        ok = np.ones(len(keys), dtype=np.bool_)
        if before is not None:
            ok[~wild] = _follows(before, keys[~wild], window)
        if later is not None:
            # Some later shipment of the same goods must follow this one within the window.
            dated = keys[~wild]
            nxt = np.searchsorted(later, dated, side="left")
            fits = nxt < len(later)
            found = later[nxt[fits]]
            fits[fits] = (found // _SPAN == dated[fits] // _SPAN) & (found - dated[fits] <= window)
            ok[~wild] &= fits
        kept[i] = np.concatenate([edges[trade][ok], edges[~trade]])
        later = np.unique(keys[ok]) if trade.all() and not wild[ok].any() else None
    return kept


def _officers(g: CSRGraph, node: int) -> list[int]:
    positions = range(int(g.in_ptr[node]), int(g.in_ptr[node + 1]))
    return [int(g.in_source[p]) for p in positions if g.kind[g.in_edge[p]] == _OFFICER]


def _registered(moves: _Moves, node: int) -> list[tuple[int, int]]:
    """(address node, registrants there) for each address ``node`` is registered at."""
    g = moves.graph
    if moves.registrants is None:
        # Counted once for the whole graph: one pass over the edge kinds.
        moves.registrants = np.bincount(
            g.target[g.kind == _REGISTERED], minlength=g.node_count
        ).astype(np.int32)
    low, high = int(g.out_ptr[node]), int(g.out_ptr[node + 1])
    addresses = g.target[low:high][g.kind[low:high] == _REGISTERED]
    return [(int(address), int(moves.registrants[address])) for address in addresses]


def _scored(
    moves: _Moves,
    chain: _Chain,
    targets: Mapping[int, TargetStatus],
    facts: Mapping[str, EntityFacts],
    options: TraceOptions,
) -> TracePath:
    g = moves.graph
    kept = _kept_edges(moves, chain)
    flags: list[Flag] = []
    country = [g.countries[c] if c >= 0 else None for c in g.country[chain.nodes].tolist()]
    trade_hops = []
    for edges in kept:
        shipments = edges[g.kind[edges] == _TRADE]
        trade_hops.append(g.shipment_rows(shipments) if len(shipments) else None)
    flags.extend(_goods_flags(g, chain, trade_hops, options))
    found = [
        flag
        for position, node in enumerate(chain.nodes[1:-1], start=1)
        for flag in _intermediary_flags(moves, node, country[position], facts, options)
    ]
    flags.extend(_once_each(found))
    status = targets[chain.nodes[-1]]
    flags.append(Flag(f"target_{status}", WEIGHTS[f"target_{status}"],
                      {"entity": g.ids[chain.nodes[-1]], "status": status}))  # fmt: skip
    if len(chain.hops) > 1:
        flags.append(Flag("length", WEIGHTS["hop"] * (len(chain.hops) - 1),
                          {"hops": len(chain.hops)}))  # fmt: skip
    officer_hops = [hop for hop, edges in enumerate(kept) if (g.kind[edges] == _OFFICER).all()]
    if officer_hops:
        flags.append(Flag("officer_link", WEIGHTS["officer_hop"] * len(officer_hops),
                          {"hops": [hop + 1 for hop in officer_hops]}))  # fmt: skip
    last_trade = max(hop for hop, rows in enumerate(trade_hops) if rows is not None)
    tail = len(kept) - 1 - last_trade
    if tail >= 2:
        receiver = g.ids[chain.nodes[last_trade + 1]]
        flags.append(Flag("goods_stop_short", WEIGHTS["goods_stop_short"],
                          {"receiver": receiver, "hops_after": tail}))  # fmt: skip
    score = sum(flag.weight for flag in flags)
    first = trade_hops[0]
    chpl_value = 0.0
    if first is not None:
        tier = g.shipment_tier[first] >= 0
        chpl_value = float(np.nansum(g.shipment_value[first][tier]))
    declarants = sorted({
        int(d) for rows in trade_hops if rows is not None
        for d in g.shipment_declarant[rows].tolist() if d >= 0
    })  # fmt: skip
    return TracePath(
        nodes=tuple(chain.nodes),
        edges=tuple(tuple(sorted(int(e) for e in edges)) for edges in kept),
        target_status=status,
        flags=tuple(flags),
        score=round(score, 3),
        chpl_value=round(chpl_value, 2),
        declarants=tuple(declarants),
    )


def _goods_flags(
    g: CSRGraph, chain: _Chain, trade_hops: Sequence[Any], options: TraceOptions
) -> list[Flag]:
    flags = []
    rows = np.concatenate([r for r in trade_hops if r is not None] or [np.empty(0, np.int64)])
    tiers = g.shipment_tier[rows]
    if (tiers >= 0).any():
        best = int(tiers[tiers >= 0].min())
        tier_name = g.tiers[best]
        chosen = rows[tiers == best]
        hs6 = sorted({f"{h:06d}" for h in g.shipment_hs6[chosen].tolist() if h >= 0})
        weight = WEIGHTS["chpl"] - 0.5 * (_tier_number(tier_name) - 1)
        flags.append(Flag("chpl", weight, {"tier": tier_name, "hs6": hs6,
                                           "shipments": len(chosen)}))  # fmt: skip
    # Consecutive shipments through one intermediary: mirror quantities, quick re-export.
    mirror: dict[str, Any] | None = None
    quick: dict[str, Any] | None = None
    for hop in range(len(trade_hops) - 1):
        into, out = trade_hops[hop], trade_hops[hop + 1]
        if into is None or out is None:
            continue
        node = g.ids[chain.nodes[hop + 1]]
        for a in into.tolist():
            for b in out.tolist():
                day_a, day_b = int(g.shipment_day[a]), int(g.shipment_day[b])
                if OPEN_START in (day_a, day_b) or day_b < day_a:
                    continue
                if not _same_goods(g, a, b, options.goods_match):
                    continue
                qa, qb = float(g.shipment_quantity[a]), float(g.shipment_quantity[b])
                close = qa > 0 and abs(qa - qb) <= options.mirror_tolerance * qa
                if mirror is None and close:
                    mirror = {"intermediary": node, "quantity_in": qa, "quantity_out": qb,
                              "date_in": day_text(day_a), "date_out": day_text(day_b)}  # fmt: skip
                if (quick is None or day_b - day_a < quick["days"]) and (
                    day_b - day_a <= options.reexport_days
                ):
                    quick = {"intermediary": node, "days": day_b - day_a,
                             "date_in": day_text(day_a), "date_out": day_text(day_b)}  # fmt: skip
    if mirror is not None:
        flags.append(Flag("mirror_shipment", WEIGHTS["mirror_shipment"], mirror))
    if quick is not None:
        flags.append(Flag("short_reexport", WEIGHTS["short_reexport"], quick))
    return flags


def _same_goods(g: CSRGraph, a: int, b: int, level: str) -> bool:
    """Whether two shipment rows carry the same goods at ``level`` (unknown codes match)."""
    divisor = _GOODS_DIVISOR.get(level)
    first, second = int(g.shipment_hs6[a]), int(g.shipment_hs6[b])
    if divisor is None or first < 0 or second < 0:
        return True
    return first // divisor == second // divisor


def _tier_number(name: str) -> int:
    digits = "".join(ch for ch in name if ch.isdigit())
    return int(digits) if digits else 1


def _once_each(flags: list[Flag]) -> list[Flag]:
    """One flag of each kind for the whole path, at the weight of its strongest instance, with
    the evidence of every instance: a longer chain through more shell firms must not outscore a
    short one just by adding the same flag again."""
    grouped: dict[str, list[Flag]] = {}
    for flag in flags:
        grouped.setdefault(flag.flag, []).append(flag)
    merged = []
    for name, items in grouped.items():
        strongest = max(items, key=lambda flag: flag.weight)
        if len(items) == 1:
            merged.append(strongest)
        else:
            instances = [dict(flag.evidence) for flag in items]
            merged.append(Flag(name, strongest.weight, {"instances": instances}))
    return merged


def _intermediary_flags(
    moves: _Moves,
    node: int,
    country: str | None,
    facts: Mapping[str, EntityFacts],
    options: TraceOptions,
) -> list[Flag]:
    g = moves.graph
    entity = g.ids[node]
    flags = []
    third = country in options.transit_countries
    if third:
        flags.append(Flag("transit", WEIGHTS["transit"], {"entity": entity, "country": country}))
    about = facts.get(entity, EntityFacts())
    incorporated = about.incorporation_date
    if incorporated and incorporated[:10] > INVASION and country != "RU":
        flags.append(Flag("fresh_intermediary", WEIGHTS["fresh_intermediary"],
                          {"entity": entity, "incorporation_date": incorporated}))  # fmt: skip
    for address, registrants in _registered(moves, node):
        if registrants >= options.mass_registration:
            scale = min(1.0, math.log(registrants) / math.log(100))
            weight = round(WEIGHTS["mass_registration"] * scale, 3)
            flags.append(Flag("mass_registration", weight, {"entity": entity,
                              "address": g.ids[address], "registrants": registrants}))  # fmt: skip
    if third:
        russians = [
            g.ids[officer] for officer in _officers(g, node)
            if facts.get(g.ids[officer], EntityFacts()).nationality == "RU"
        ]  # fmt: skip
        if russians:
            flags.append(Flag("russian_officer", WEIGHTS["russian_officer"],
                              {"entity": entity, "officers": russians}))  # fmt: skip
    return flags


def _example() -> CSRGraph:
    """A German supplier ships chips to a Kazakh trader, who re-exports them to a Russian importer
    owned by a listed end user."""
    from ownergraph.graph.build import assemble

    ids = ["DE", "KZ", "RU", "END"]
    links = np.array([[3, 2, KINDS.index("OWNS"), OPEN_START, np.iinfo(np.int32).max, 60, 60]])
    ships = np.array([
        [0, 1, -1, day_number("2023-03-01"), 854231, 0, 1000.0, 500],
        [1, 2, -1, day_number("2023-03-20"), 854231, 0, 1500.0, 500],
    ])  # fmt: skip
    return assemble(
        ids, np.zeros(4, np.int8), np.array([0, 1, 2, 2], np.int16), ("DE", "KZ", "RU"),
        np.array([False, False, False, True]), "2024-01-01", links, ships, np.empty((0, 5)),
        ("1",),
    )  # fmt: skip

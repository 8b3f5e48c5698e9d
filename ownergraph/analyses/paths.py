"""Paths between entities over the compact graph: shortest, k shortest, all simple, neighbourhoods.

Plain functions over a :class:`~ownergraph.graph.CSRGraph`. Nodes are given as node indexes or
canonical entity ids; an unknown one raises :class:`KeyError`, a hop bound out of range
:class:`ValueError`. Every function takes the same filters:

- ``link_types``: names from ``LINK_KINDS`` that may be walked (default: all);
- ``as_of``: an ISO date (or ``date``); only links valid that day (start <= day <= end) are walked;
- ``directed``: follow links from source to target only. Off by default, because investigators
  follow ownership and trade both ways ("who owns it" as much as "what does it own");
- ``countries``: only pass through entities of these countries (the query's own ends may be
  anywhere); entities of unknown country do not pass;
- ``min_share``: walk ``OWNS`` links only when their stated share is at least this percentage
  (the lower bound of a band; an unknown share does not pass); other links are unaffected.

Frontiers are expanded a whole BFS level at a time with numpy, so a hub with thousands of links
costs one array operation, not thousands of Python steps. Self-loops (links whose two records
resolution merged) never appear in a path, and cycles (A owns B owns A) terminate because
visited nodes are never revisited.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt

from ownergraph.graph.csr import KINDS, OPEN_END, OPEN_START, CSRGraph, day_number
from ownergraph.graph.kernels import ball, bidirectional_search

Nodes = npt.NDArray[np.integer[Any]]
NodeRef = int | str

_ALL_KINDS = np.ones(len(KINDS), dtype=np.bool_)
_NO_MASK = np.zeros(0, dtype=np.bool_)
_NO_NODES = np.zeros(0, dtype=np.int64)
SHORTEST_HOPS = 32
"""Largest ``max_hops`` for shortest and k-shortest paths."""
SIMPLE_HOPS = 8
"""Largest ``max_hops`` for all simple paths: their number grows exponentially with it."""


@dataclass(frozen=True, slots=True)
class Path:
    """A simple path: its node indexes, and for each hop the ids of every edge that links the two
    nodes under the query's filters (parallel edges are common: one per shipment)."""

    nodes: tuple[int, ...]
    edges: tuple[tuple[int, ...], ...]

    def __len__(self) -> int:
        return len(self.nodes) - 1


@dataclass(frozen=True, slots=True)
class _Walk:
    """The filters of one query, applied to arrays of edge ids."""

    graph: CSRGraph
    kinds: npt.NDArray[np.bool_] | None
    day: int | None
    directed: bool
    mask: npt.NDArray[np.bool_] | None = None
    """Edges the country and share filters allow (None: all)."""

    @property
    def filtered(self) -> bool:
        return self.kinds is not None or self.day is not None or self.mask is not None

    def allowed(self, edges: Nodes) -> npt.NDArray[np.bool_]:
        keep = np.ones(len(edges), dtype=np.bool_) if self.mask is None else self.mask[edges]
        if self.kinds is not None:
            keep &= self.kinds[self.graph.kind[edges]]
        if self.day is not None:
            keep &= (self.graph.start[edges] <= self.day) & (self.graph.end[edges] >= self.day)
        return keep

    def step(self, frontier: Nodes, *, forward: bool) -> tuple[Nodes, Nodes, Nodes]:
        """Neighbours reachable in one hop from ``frontier``: (neighbour, from node, edge id).

        Node and edge numbers stay int32 (the graph's own width): half the memory traffic of
        int64 on levels of a million entries.
        """
        g = self.graph
        filtered = self.filtered
        parts = []
        if forward or not self.directed:
            edges, owner = _gather(g.out_ptr, frontier)
            parts.append((g.target[edges], owner, edges))
        if not forward or not self.directed:
            positions, owner = _gather(g.in_ptr, frontier)
            # Edge ids are only needed to filter; skip the gather otherwise.
            parts.append(
                (g.in_source[positions], owner, g.in_edge[positions] if filtered else positions)
            )
        if len(parts) == 1:
            neighbour, owner, edges = parts[0]
        else:
            neighbour, owner, edges = (
                np.concatenate(column) for column in zip(*parts, strict=True)
            )
        if filtered:
            keep = self.allowed(edges)
            neighbour, owner, edges = neighbour[keep], owner[keep], edges[keep]
        return neighbour, owner, edges

    def reach(self, frontier: Nodes) -> npt.NDArray[np.integer[Any]]:
        """Neighbours only (``step`` without owners and edge ids): fewer passes over big levels."""
        if self.filtered:
            return self.step(frontier, forward=True)[0]
        g = self.graph
        out = g.target[_positions(g.out_ptr, frontier)]
        if self.directed:
            return out
        return np.concatenate([out, g.in_source[_positions(g.in_ptr, frontier)]])


def _positions(pointers: npt.NDArray[np.integer[Any]], nodes: Nodes) -> Nodes:
    """Positions of the CSR rows of ``nodes`` (``_gather`` without the owners)."""
    starts = pointers[nodes].astype(np.int64)
    lengths = pointers[nodes + 1].astype(np.int64) - starts
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    shift += np.arange(len(shift), dtype=np.int64)
    return shift


def _gather(pointers: npt.NDArray[np.integer[Any]], nodes: Nodes) -> tuple[Nodes, Nodes]:
    """Positions of the CSR rows of ``nodes``, and the node each position belongs to."""
    if len(nodes) == 1:
        # The common case in a search from one node: a slice, no index arithmetic.
        node = int(nodes[0])
        positions = np.arange(int(pointers[node]), int(pointers[node + 1]), dtype=np.int64)
        return positions, np.full(len(positions), node, dtype=np.int64)
    starts = pointers[nodes].astype(np.int64)
    lengths = pointers[nodes + 1].astype(np.int64) - starts
    total = int(lengths.sum())
    shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift, np.repeat(nodes, lengths)


def _walk(
    graph: CSRGraph,
    link_types: Iterable[str] | None,
    as_of: str | date | None,
    directed: bool,
    countries: Iterable[str] | None = None,
    min_share: float | None = None,
    ends: Iterable[NodeRef] = (),
) -> _Walk:
    kinds = None
    if link_types is not None:
        wanted = set(link_types)
        unknown = wanted - set(KINDS)
        if unknown:
            raise ValueError(
                f"unknown link type(s) {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}"
            )
        kinds = np.array([name in wanted for name in KINDS], dtype=np.bool_)
    day = None if as_of is None else day_number(as_of)
    return _Walk(graph, kinds, day, directed, _mask(graph, countries, min_share, ends))


def _mask(
    graph: CSRGraph,
    countries: Iterable[str] | None,
    min_share: float | None,
    ends: Iterable[NodeRef],
) -> npt.NDArray[np.bool_] | None:
    """Edges allowed by the country filter (both ends in ``countries``, except the query's own
    ends, which may be anywhere) and the share filter (``OWNS`` links whose stated share is at
    least ``min_share``; an unknown share does not pass)."""
    if countries is None and min_share is None:
        return None
    mask = np.ones(graph.edge_count, dtype=np.bool_)
    if countries is not None:
        wanted = {code.upper() for code in countries}
        codes = [i for i, code in enumerate(graph.countries) if code in wanted]
        node_ok = np.isin(graph.country, codes)
        for end in ends:
            node_ok[_node(graph, end)] = True
        mask &= node_ok[graph.source] & node_ok[graph.target]
    if min_share is not None:
        owns = graph.kind == KINDS.index("OWNS")
        mask &= ~owns | (graph.share_low >= min_share)
    return mask


def _node(graph: CSRGraph, node: NodeRef) -> int:
    if isinstance(node, str):
        return graph.node(node)
    if not 0 <= int(node) < graph.node_count:
        raise KeyError(f"no node {node} in the graph (it has {graph.node_count})")
    return int(node)


def _check_hops(max_hops: int, largest: int, smallest: int = 1) -> None:
    if not smallest <= max_hops <= largest:
        raise ValueError(f"max_hops must be between {smallest} and {largest}, not {max_hops}")


def _scratch(graph: CSRGraph, name: str) -> list[Nodes]:
    """The per-graph depth and parent arrays of ``name`` (all -1 between queries)."""
    arrays: list[Nodes] = graph.scratch.setdefault(name, [])
    if not arrays:
        arrays.extend(np.full(graph.node_count, -1, dtype=np.int32) for _ in range(2))
    return arrays


class _Marks:
    """Per-graph arrays of -1 reused across queries; only touched entries are reset, so a query
    costs what it visits, not the size of the graph."""

    def __init__(self, graph: CSRGraph, name: str) -> None:
        arrays = _scratch(graph, name)
        self.depth: Nodes = arrays[0]
        self.parent: Nodes = arrays[1]
        self.touched: list[Nodes] = []

    def mark(self, nodes: Nodes, depth: int, parents: Nodes) -> None:
        self.depth[nodes] = depth
        self.parent[nodes] = parents
        self.touched.append(nodes)

    def reset(self) -> None:
        for nodes in self.touched:
            self.depth[nodes] = -1
            self.parent[nodes] = -1
        self.touched.clear()


def _visit(marks: _Marks, neighbour: Nodes, owner: Nodes, depth: int) -> Nodes:
    """Mark the unvisited neighbours, once each with one parent, and return them.

    Duplicates are dropped without sorting: each copy writes its position into ``parent`` and only
    the copy whose write survived is kept, which is linear where ``np.unique`` is not.
    """
    fresh = marks.depth[neighbour] < 0
    nodes, owners = neighbour[fresh], owner[fresh]
    if len(nodes) > 1:
        slots = np.arange(len(nodes), dtype=np.int32)
        marks.parent[nodes] = slots
        survivor = marks.parent[nodes] == slots
        nodes, owners = nodes[survivor], owners[survivor]
    marks.mark(nodes, depth, owners)
    return nodes


def _filters(walk: _Walk) -> tuple[Any, int, bool, Any, bool]:
    """The walk's filters as the compiled kernels take them."""
    return (
        walk.kinds if walk.kinds is not None else _ALL_KINDS,
        walk.day if walk.day is not None else 0,
        walk.day is not None,
        walk.mask if walk.mask is not None else _NO_MASK,
        walk.mask is not None,
    )


def _search(
    walk: _Walk,
    source: int,
    target: int,
    max_hops: int,
    banned: npt.NDArray[np.bool_] | None = None,
    first_banned: frozenset[int] = frozenset(),
) -> list[int] | None:
    """Bidirectional BFS, a whole level at a time from the side with fewer edges to scan
    (compiled: :func:`ownergraph.graph.kernels.bidirectional_search`).

    ``banned`` nodes are never entered; ``first_banned`` nodes may not follow ``source`` directly
    (what Yen's algorithm removes; it always passes both).
    """
    g = walk.graph
    parents, queues = _scratch(g, "parents"), _scratch(g, "queues")
    found = bidirectional_search(
        g.out_ptr, g.target, g.in_ptr, g.in_source, g.in_edge, g.kind, g.start, g.end,
        *_filters(walk), walk.filtered, walk.directed,
        banned if banned is not None else _NO_MASK, banned is not None,
        np.array(sorted(first_banned), dtype=np.int64) if first_banned else _NO_NODES,
        source, target, max_hops, parents[0], parents[1], queues[0], queues[1],
    )  # fmt: skip
    return [int(node) for node in found] if len(found) else None


def shortest_path(
    g: CSRGraph,
    source: NodeRef,
    target: NodeRef,
    *,
    max_hops: int = 6,
    link_types: Iterable[str] | None = None,
    directed: bool = False,
    as_of: str | date | None = None,
    countries: Iterable[str] | None = None,
    min_share: float | None = None,
) -> list[int] | None:
    """A shortest path between two entities, by bidirectional breadth-first search.

    Parameters
    ----------
    g : CSRGraph
    source, target : int or str
        Node indexes or canonical entity ids.
    max_hops : int
        Longest path wanted, 1 to ``SHORTEST_HOPS``.
    link_types, directed, as_of
        Filters (module docstring).

    Returns
    -------
    list of int or None
        Node indexes from ``source`` to ``target``, or None when no path of at most ``max_hops``
        hops exists. Among several shortest paths, which one is returned is unspecified.

    Raises
    ------
    KeyError
        Unknown node.
    ValueError
        ``max_hops`` out of range, or an unknown link type.

    Examples
    --------
    >>> g = _example()
    >>> shortest_path(g, "A", "C")
    [0, 1, 2]
    >>> shortest_path(g, "C", "A", directed=True) is None
    True
    """
    _check_hops(max_hops, SHORTEST_HOPS)
    walk = _walk(g, link_types, as_of, directed, countries, min_share, (source, target))
    return _search(walk, _node(g, source), _node(g, target), max_hops)


def neighbourhood(
    g: CSRGraph,
    seeds: NodeRef | Iterable[NodeRef],
    hops: int,
    *,
    link_types: Iterable[str] | None = None,
    directed: bool = False,
    as_of: str | date | None = None,
    countries: Iterable[str] | None = None,
    min_share: float | None = None,
) -> npt.NDArray[np.int64]:
    """Nodes within ``hops`` hops of any seed (seeds included), as a sorted array of indexes.

    With ``directed``, only links leaving the seeds are followed (what they own, control, ship
    to). ``hops`` may be 0 to ``SHORTEST_HOPS``.

    Examples
    --------
    >>> neighbourhood(_example(), "A", 1).tolist()
    [0, 1, 3]
    >>> neighbourhood(_example(), "B", 1, directed=True).tolist()
    [1, 2]
    """
    _check_hops(hops, SHORTEST_HOPS, smallest=0)
    refs = [seeds] if isinstance(seeds, int | str) else list(seeds)
    walk = _walk(g, link_types, as_of, directed, countries, min_share, refs)
    start = np.unique(np.array([_node(g, seed) for seed in refs], dtype=np.int64))
    depth = _scratch(g, "ahead")[0]
    found = ball(
        g.out_ptr, g.target, g.in_ptr, g.in_source, g.in_edge, g.kind, g.start, g.end,
        *_filters(walk), walk.directed, start, hops, depth,
    )  # fmt: skip
    try:
        if len(found) * 16 > g.node_count:
            # A big ball: one linear scan of the marks beats sorting it.
            return np.flatnonzero(depth >= 0)
        return np.sort(found)
    finally:
        depth[found] = -1


def k_shortest_paths(
    g: CSRGraph,
    source: NodeRef,
    target: NodeRef,
    k: int,
    *,
    max_hops: int = 6,
    link_types: Iterable[str] | None = None,
    directed: bool = False,
    as_of: str | date | None = None,
    countries: Iterable[str] | None = None,
    min_share: float | None = None,
) -> list[Path]:
    """Up to ``k`` shortest simple paths, shortest first (Yen's algorithm over BFS).

    Paths are distinct as node sequences; parallel edges are listed in :attr:`Path.edges`. Paths
    of equal length come in lexicographic order of their node indexes.

    Examples
    --------
    >>> [path.nodes for path in k_shortest_paths(_example(), "A", "C", 3)]
    [(0, 1, 2), (0, 3, 2)]
    """
    _check_hops(max_hops, SHORTEST_HOPS)
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    walk = _walk(g, link_types, as_of, directed, countries, min_share, (source, target))
    start, goal = _node(g, source), _node(g, target)
    first = _search(walk, start, goal, max_hops)
    if first is None:
        return []
    found = [tuple(first)]
    candidates: list[tuple[int, tuple[int, ...]]] = []
    seen = {found[0]}
    banned = g.scratch.setdefault("banned", np.zeros(g.node_count, dtype=np.bool_))
    while len(found) < k:
        for candidate in _spurs(walk, found, goal, max_hops, banned):
            if candidate not in seen:
                seen.add(candidate)
                heapq.heappush(candidates, (len(candidate), candidate))
        if not candidates:
            break
        found.append(heapq.heappop(candidates)[1])
    return [_with_edges(walk, nodes) for nodes in found]


def _spurs(
    walk: _Walk,
    found: list[tuple[int, ...]],
    goal: int,
    max_hops: int,
    banned: npt.NDArray[np.bool_],
) -> Iterable[tuple[int, ...]]:
    """Yen's deviations of the last path found: for each spur node, the shortest path that leaves
    the root differently from every path found so far."""
    last = found[-1]
    for i in range(len(last) - 1):
        root = last[: i + 1]
        blocked = frozenset(path[i + 1] for path in found if path[: i + 1] == root)
        banned[list(root[:-1])] = True
        try:
            spur = _search(walk, root[-1], goal, max_hops - i, banned, blocked)
        finally:
            banned[list(root[:-1])] = False
        if spur is not None:
            yield (*root[:-1], *spur)


def _between(walk: _Walk, u: int, v: int) -> tuple[int, ...]:
    """Ids of the edges that link ``u`` to ``v`` under the filters (both ways if undirected)."""
    g = walk.graph
    edges = np.arange(int(g.out_ptr[u]), int(g.out_ptr[u + 1]), dtype=np.int64)
    edges = edges[g.target[edges] == v]
    if not walk.directed:
        positions = np.arange(int(g.in_ptr[u]), int(g.in_ptr[u + 1]), dtype=np.int64)
        edges = np.concatenate([edges, g.in_edge[positions[g.in_source[positions] == v]]])
    edges = edges[walk.allowed(edges)]
    return tuple(sorted(int(edge) for edge in edges))


def edges_between(
    g: CSRGraph,
    nodes: Iterable[NodeRef],
    *,
    link_types: Iterable[str] | None = None,
    directed: bool = False,
    as_of: str | date | None = None,
    countries: Iterable[str] | None = None,
    min_share: float | None = None,
) -> tuple[tuple[int, ...], ...]:
    """For each hop of a node path, the ids of the edges that link it under the filters."""
    path = tuple(_node(g, node) for node in nodes)
    walk = _walk(g, link_types, as_of, directed, countries, min_share, (path[0], path[-1]))
    return _with_edges(walk, path).edges


def _with_edges(walk: _Walk, nodes: tuple[int, ...]) -> Path:
    return Path(nodes, tuple(_between(walk, u, v) for u, v in pairwise(nodes)))


def all_simple_paths(
    g: CSRGraph,
    source: NodeRef,
    target: NodeRef,
    *,
    max_hops: int = 4,
    link_types: Iterable[str] | None = None,
    directed: bool = False,
    as_of: str | date | None = None,
    countries: Iterable[str] | None = None,
    min_share: float | None = None,
) -> list[Path]:
    """Every simple path of at most ``max_hops`` hops, shortest first, then by node indexes.

    Meet in the middle: a first bidirectional search answers "none" cheaply; otherwise a BFS of
    ``max_hops - 2`` levels from the target gives each node near it its distance, the source's
    neighbours are kept only if one of their neighbours is in that ball, and the depth-first
    enumeration only enters nodes that can still reach the target in the hops left. The two balls
    of radius 2 around the ends cost far less than one of radius 3 when hubs are near, and hubs off
    the way are never expanded.
    Paths are distinct node sequences (as ``networkx.all_simple_paths`` on a simple graph); the
    parallel edges of each hop are in :attr:`Path.edges`.

    Examples
    --------
    >>> [path.nodes for path in all_simple_paths(_example(), "A", "C", max_hops=3)]
    [(0, 1, 2), (0, 3, 2)]
    """
    _check_hops(max_hops, SIMPLE_HOPS)
    walk = _walk(g, link_types, as_of, directed, countries, min_share, (source, target))
    start, goal = _node(g, source), _node(g, target)
    if start == goal or _search(walk, start, goal, max_hops) is None:
        return []
    marks = _Marks(g, "behind")
    try:
        _distances_to(walk, goal, max(max_hops - 2, 0), marks)
        first = _first_hops(walk, start, goal, max_hops, marks.depth)
        paths = _enumerate(walk, start, goal, max_hops, marks.depth, first)
    finally:
        marks.reset()
    paths.sort(key=lambda nodes: (len(nodes), nodes))
    return [_with_edges(walk, nodes) for nodes in paths]


def _distances_to(walk: _Walk, goal: int, hops: int, marks: _Marks) -> None:
    marks.mark(np.array([goal]), 0, np.array([-1]))
    frontier = np.array([goal])
    for depth in range(1, hops + 1):
        neighbour, owner, _ = walk.step(frontier, forward=False)
        frontier = _visit(marks, neighbour, owner, depth)
        if not len(frontier):
            break


def _first_hops(walk: _Walk, start: int, goal: int, max_hops: int, distance: Nodes) -> list[int]:
    """Neighbours of ``start`` that are ``goal`` or next to a node ``max_hops - 2`` from it."""
    neighbour, _, _ = walk.step(np.array([start]), forward=True)
    near = np.unique(neighbour[neighbour != start])
    onward, owner, _ = walk.step(near, forward=True)
    ok = (distance[onward] >= 0) & (distance[onward] <= max_hops - 2) & (onward != start)
    chosen = set(owner[ok].tolist())
    if goal in near:
        chosen.add(goal)
    return sorted(chosen)


def _enumerate(
    walk: _Walk, start: int, goal: int, max_hops: int, distance: Nodes, first: list[int]
) -> list[tuple[int, ...]]:
    """Depth-first enumeration of simple paths, pruned by the distance to ``goal``."""
    cache: dict[int, tuple[Nodes, Nodes]] = {}

    def onward(node: int, left: int) -> list[int]:
        if node not in cache:
            neighbour, _, _ = walk.step(np.array([node]), forward=True)
            near = np.unique(neighbour[distance[neighbour] >= 0])
            cache[node] = (near, distance[near])
        near, far = cache[node]
        return near[far <= left - 1].tolist()  # type: ignore[no-any-return]

    paths: list[tuple[int, ...]] = []
    path = [start]
    on_path = {start}
    stack = [iter(first)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            on_path.discard(path.pop())
            continue
        if node in on_path:
            continue
        if node == goal:
            paths.append((*path, goal))
            continue
        path.append(node)
        on_path.add(node)
        stack.append(iter(onward(node, max_hops - len(path) + 1)))
    return paths


def _example() -> CSRGraph:
    """A four-node square for the doctests: A owns B owns C, A owns D owns C."""
    from ownergraph.graph.build import assemble

    links = np.array([[0, 1, 0, OPEN_START, OPEN_END, np.nan, np.nan]] * 4)
    links[:, :2] = [[0, 1], [1, 2], [0, 3], [3, 2]]
    return assemble(
        ["A", "B", "C", "D"], np.zeros(4, np.int8), np.full(4, -1, np.int16), (),
        np.zeros(4, np.bool_), "2024-01-01", links, np.empty((0, 8)), np.empty((0, 5)), (),
    )  # fmt: skip

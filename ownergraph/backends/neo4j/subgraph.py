"""Bounded subgraphs fetched from Neo4j into a :class:`~ownergraph.graph.CSRGraph`.

Enumerating paths (the k shortest, all simple paths, trace's time-respecting chains) is what
Cypher does badly: it walks relationship sequences, and one trade lane of a thousand shipments
multiplies every path through it by a thousand. Those analyses fetch the part of the graph their
answer can lie in, found by breadth-first steps in the database (``cypher/neighbours.cypher``),
and run the shared Python implementation on it. Never the whole graph: the part within the hop
bound of the query's ends.

Nodes are numbered in ``ord`` order (the local graph's node order), so the shared code meets
neighbours in the order it meets them locally.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ownergraph.backends.neo4j.reads import Reader
from ownergraph.graph import CSRGraph
from ownergraph.graph.build import assemble as assemble_arrays
from ownergraph.graph.csr import KINDS, SCHEMAS
from ownergraph.model.chpl import chpl_tiers

_FRONTIER = 5000
"""Entity ids per ``neighbours`` query."""
_SUBGRAPH = 5000
"""Entity ids per ``subgraph`` query (each sees the whole id set as ``$ids``... per batch)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """The path filters as query parameters (``cypher/paths_shortest.cypher``)."""

    types: list[str] | None = None
    day: int | None = None
    directed: bool = False
    countries: list[str] | None = None
    min_share: float | None = None

    def parameters(self) -> dict[str, Any]:
        return {
            "types": self.types,
            "day": self.day,
            "directed": self.directed,
            "countries": self.countries,
            "min_share": self.min_share,
        }


def expand(
    reader: Reader,
    query: str,
    seeds: Sequence[str],
    count: int,
    *,
    column: str,
    batch: int = _FRONTIER,
    **parameters: Any,
) -> dict[str, int]:
    """Entities within ``count`` steps of ``seeds`` and their distance: breadth first, one
    ``query`` a level and batch of the frontier (``$ids``), its new entities in ``column``."""
    distance = dict.fromkeys(seeds, 0)
    frontier = sorted(distance)
    for level in range(1, count + 1):
        found: set[str] = set()
        for start in range(0, len(frontier), batch):
            rows = reader.rows(query, ids=frontier[start : start + batch], **parameters)
            found.update(row[column] for row in rows if row[column] not in distance)
        if not found:
            break
        frontier = sorted(found)
        distance.update((entity, level) for entity in frontier)
    return distance


def halfway(
    max_hops: int,
    forward: Callable[[int], dict[str, int]],
    back: Callable[[int], dict[str, int]],
) -> set[str]:
    """Entities that can lie on a walk of at most ``max_hops`` steps, given ``forward(n)``
    (distances from the start, within n steps) and ``back(n)`` (distances to the end).

    Every entity of such a walk is within ``ceil(h/2)`` steps of the start or ``floor(h/2)`` of
    the end; of those, an entity is kept if its known distances (a lower bound where unknown)
    still add up to at most ``max_hops``.
    """
    near, far = (max_hops + 1) // 2, max_hops // 2
    ahead, behind = forward(near), back(far)
    return {
        entity
        for entity in ahead.keys() | behind.keys()
        if ahead.get(entity, near + 1) + behind.get(entity, far + 1) <= max_hops
    }


def ball(
    reader: Reader,
    seeds: Sequence[str],
    radius: int,
    filters: Filters,
    *,
    forward: bool = True,
    ends: Sequence[str] = (),
) -> dict[str, int]:
    """Entities within ``radius`` allowed steps of ``seeds`` and their distance (with
    ``directed``, along links when ``forward``, against them otherwise)."""
    return expand(
        reader, "neighbours", seeds, radius, column="to", forward=forward, ends=list(ends),
        **filters.parameters(),
    )  # fmt: skip


def between(reader: Reader, source: str, target: str, max_hops: int, filters: Filters) -> list[str]:
    """Entities that can lie on a path of at most ``max_hops`` from ``source`` to ``target``
    (:func:`halfway`)."""
    ends = [source, target]
    return sorted(
        halfway(
            max_hops,
            lambda near: ball(reader, [source], near, filters, forward=True, ends=ends),
            lambda far: ball(reader, [target], far, filters, forward=False, ends=ends),
        )
    )


def fetch(
    reader: Reader,
    ids: Iterable[str],
    *,
    types: Sequence[str] | None = None,
    day: int | None = None,
    day_mode: str = "valid",
    min_share: float | None = None,
    as_of: str,
    extra: Iterable[str] = (),
) -> CSRGraph:
    """The subgraph on ``ids``: their nodes and the relationships among them the filters allow,
    plus the nodes ``extra`` names (declarants, officers) without their relationships unless
    they are in ``ids`` too. ``as_of`` is the graph's date (its ``sanctioned`` flags are left
    false: callers pass targets themselves)."""
    wanted = sorted(set(ids))
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[tuple[str, str, str, dict[str, Any]]] = []
    for start in range(0, max(len(wanted), 1), _SUBGRAPH):
        part = wanted[start : start + _SUBGRAPH]
        if not part:
            break
        rows = reader.rows(
            "subgraph",
            ids=part,
            all_ids=wanted,
            types=list(types) if types is not None else None,
            day=day,
            day_mode=day_mode,
            min_share=min_share,
        )
        for row in rows:
            if row["target"] is None:
                nodes[row["source"]] = row["fields"]
            else:
                edges.append((row["source"], row["target"], row["type"], row["fields"]))
    missing = sorted(set(extra) - nodes.keys())
    if missing:
        for entity, node in reader.entities(missing).items():
            nodes[entity] = {key: node[key] for key in ("ord", "schema", "country", "stub")}
    return assemble(nodes, edges, as_of)


def assemble(
    nodes: Mapping[str, Mapping[str, Any]],
    edges: Sequence[tuple[str, str, str, Mapping[str, Any]]],
    as_of: str,
) -> CSRGraph:
    """A :class:`CSRGraph` of fetched nodes (by id: ``ord``, ``schema``, ``country``, ``stub``)
    and relationships (source, target, type, fields), with the local build's layout."""
    ids = sorted(nodes, key=lambda entity: (nodes[entity]["ord"], entity))
    index = {entity: i for i, entity in enumerate(ids)}
    schema = np.array(
        [-1 if nodes[e]["stub"] else SCHEMAS.index(nodes[e]["schema"]) for e in ids], np.int8
    )
    countries = tuple(sorted({nodes[e]["country"] for e in ids if nodes[e]["country"]}))
    country = np.array(
        [countries.index(nodes[e]["country"]) if nodes[e]["country"] else -1 for e in ids],
        np.int16,
    )
    tiers = tuple(sorted(set(chpl_tiers().values())))
    links, shipments, declared = [], [], []
    trade, declares = KINDS.index("SHIPPED_TO"), KINDS.index("DECLARED")
    for source, target, kind_name, fields in edges:
        kind = KINDS.index(kind_name)
        a, b = index[source], index[target]
        if kind == trade:
            declarant = index.get(fields["declarant"], -1) if fields["declarant"] else -1
            tier = tiers.index(fields["chpl_tier"]) if fields["chpl_tier"] in tiers else -1
            shipments.append(
                [a, b, declarant, fields["day"], fields["hs6_code"], tier,
                 _number(fields["value"]), _number(fields["quantity"])]
            )  # fmt: skip
        elif kind == declares:
            declared.append([a, b, fields["start_day"], fields["end_day"], fields["count"]])
        else:
            links.append(
                [a, b, kind, fields["start_day"], fields["end_day"],
                 _number(fields["share_low"]), _number(fields["share_high"])]
            )  # fmt: skip
    # The local build keeps declarations sorted by (declarant, party) node: the same order here.
    declared.sort(key=lambda row: (row[0], row[1]))
    return assemble_arrays(
        ids,
        schema,
        country,
        countries,
        np.zeros(len(ids), dtype=np.bool_),
        as_of,
        np.array(links, dtype=np.float64).reshape(-1, 7),
        np.array(shipments, dtype=np.float64).reshape(-1, 8),
        np.array(declared, dtype=np.float64).reshape(-1, 5),
        tiers,
        index=index,
    )


def _number(value: Any) -> float:
    return float("nan") if value is None else float(value)

"""``brokers``: the intermediaries and customs brokers that supplier -> sanctioned chains pass.

A plain function over a :class:`~ownergraph.analyses.chains.TraceResult`. Each firm the goods of
a chain pass through (an intermediary: a shipment brings them in and a shipment takes them on,
or the next entity is the sanctioned end; people such as shared directors, and parents met on an
ownership detour, are not brokers) and each declarant of one of its shipments (a customs broker)
is scored by
the chains it serves, damped by how specific it is to them:

    score = (sum over its distinct supplier -> target chains, strongest first, of
             the chain's best weighted path score / rank)
            * sqrt(weighted chain shipments / all its shipments)

where a path's score counts in full for its intermediaries and for the declarant of its last
shipment hop (the delivery to the sanctioned side), half as much for each hop further back, and a
quarter as much when the goods stop two relationship hops short of the target; the i-th strongest
chain counts 1/i, so breadth helps but many weak chains do not outweigh a few strong ones.
A broker that declares ten thousand unrelated shipments, or only a trader's earlier imports,
ranks below a small one that clears the goods into Russia (docs/methodology.md, "Broker
ranking").
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ownergraph.analyses.chains import TracePath, TraceResult
from ownergraph.graph.csr import KINDS, SCHEMAS, CSRGraph

_TRADE = KINDS.index("SHIPPED_TO")
_DECLARED = KINDS.index("DECLARED")
_PERSON = SCHEMAS.index("Person")


@dataclass(frozen=True, slots=True)
class Broker:
    node: int
    role: str
    """``declarant`` (declared shipments of chains), ``intermediary`` or both (``both``)."""
    score: float
    chains: int
    """Distinct (supplier, target) pairs whose paths pass through it."""
    paths: int
    chpl_value: float
    chain_shipments: int
    shipments: int
    """All shipments it declared or traded: the denominator of the specificity."""

    def as_dict(self) -> dict[str, Any]:
        """The ranking fields of the ``brokers`` document (the entity's view goes beside them)."""
        return {
            "role": self.role,
            "score": self.score,
            "chains": self.chains,
            "paths": self.paths,
            "chpl_value": self.chpl_value,
            "chain_shipments": self.chain_shipments,
            "shipments": self.shipments,
        }


def rank_brokers(graph: CSRGraph, result: TraceResult, *, top: int | None = None) -> list[Broker]:
    """Rank the intermediaries and declarants of ``result``'s paths, best first.

    Parameters
    ----------
    graph : CSRGraph
        The graph the trace ran on.
    result : TraceResult
    top : int, optional
        Keep only this many.

    Returns
    -------
    list of Broker
    """
    best: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    paths: dict[int, int] = defaultdict(int)
    roles: dict[int, set[str]] = defaultdict(set)
    chpl: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    on_chain: dict[int, dict[int, float]] = defaultdict(dict)
    for path in result.paths:
        pair = (path.nodes[0], path.nodes[-1])
        shipments = [edge for edges in path.edges for edge in edges if graph.kind[edge] == _TRADE]
        involved: dict[int, tuple[str, float]] = {
            node: ("intermediary", 1.0)
            for position, node in enumerate(path.nodes[1:-1], start=1)
            if graph.schema[node] != _PERSON and _passes_goods(graph, path, position)
        }
        for declarant, weight in _declarants(graph, path).items():
            role, known = involved.get(declarant, ("declarant", 0.0))
            involved[declarant] = (role, max(known, weight))
            roles[declarant].add("declarant")
        for node, (role, weight) in involved.items():
            roles[node].add(role)
            paths[node] += 1
            # A chain with more penalties than evidence adds nothing (and takes nothing away).
            credit = max(path.score, 0.0) * weight
            best[node][pair] = max(best[node].get(pair, 0.0), credit)
            chpl[node][pair] = max(chpl[node].get(pair, 0.0), path.chpl_value)
            seen = on_chain[node]
            for shipment in _touching(graph, node, shipments):
                seen[shipment] = max(seen.get(shipment, 0.0), weight)
    ranked = []
    for node, chains in best.items():
        total = _volume(graph, node)
        counted = len(on_chain[node])
        weighted = sum(on_chain[node].values())
        specificity = min(1.0, weighted / total) if total else 1.0
        role = "both" if len(roles[node]) > 1 else next(iter(roles[node]))
        ranked.append(
            Broker(
                node=node,
                role=role,
                score=round(_strength(chains.values()) * math.sqrt(specificity), 3),
                chains=len(chains),
                paths=paths[node],
                chpl_value=round(sum(chpl[node].values()), 2),
                chain_shipments=counted,
                shipments=total,
            )
        )
    ranked.sort(key=lambda broker: (-broker.score, -broker.chains, graph.ids[broker.node]))
    return ranked[:top] if top is not None else ranked


def _strength(values: Iterable[float]) -> float:
    """The best chain in full, the i-th best at 1/i: breadth counts, but a hundred weak chains
    do not outweigh a few strong ones."""
    return sum(value / rank for rank, value in enumerate(sorted(values, reverse=True), 1))


def _declarants(graph: CSRGraph, path: TracePath) -> dict[int, float]:
    """Declarants of the path's shipments, each with the weight of the latest hop it declared:
    1 for the last shipment hop (the delivery to the sanctioned side), half for the one before,
    and so on. The broker that clears the goods into Russia carries the chain; one that only
    cleared a trader's earlier imports shares in it less."""
    weights: dict[int, float] = {}
    trade = [(graph.kind[list(edges)] == _TRADE).any() for edges in path.edges]
    trade_hops = [edges for edges, shipped in zip(path.edges, trade, strict=True) if shipped]
    # Goods that stop two or more relationship hops short of the target (at a sister company of
    # the sanctioned firm) make a weaker chain for the broker who cleared them.
    reach = 1.0 if trade[-2:].count(False) < 2 or any(trade[-2:]) else 0.25
    for back, edges in enumerate(reversed(trade_hops)):
        shipped = np.array([edge for edge in edges if graph.kind[edge] == _TRADE])
        rows = graph.shipment_rows(shipped)
        for declarant in set(graph.shipment_declarant[rows].tolist()) - {-1}:
            weights.setdefault(declarant, reach * 0.5**back)
    return weights


def _passes_goods(graph: CSRGraph, path: TracePath, position: int) -> bool:
    """Whether the goods pass through the node at ``position``: a shipment brings them in, and a
    shipment takes them on or the next entity is the sanctioned end of the chain (the importer
    its end user owns). A parent met on an ownership detour is context, not a broker."""
    trade_in = (graph.kind[list(path.edges[position - 1])] == _TRADE).any()
    last = position == len(path.nodes) - 2
    return bool(trade_in and (last or (graph.kind[list(path.edges[position])] == _TRADE).any()))


def _touching(graph: CSRGraph, node: int, shipments: list[int]) -> set[int]:
    """The chain's shipment edges this node declared or traded."""
    if not shipments:
        return set()
    edges = np.array(shipments)
    rows = graph.shipment_rows(edges)
    mine = (graph.source[edges] == node) | (graph.target[edges] == node)
    mine |= graph.shipment_declarant[rows] == node
    return set(edges[mine].tolist())


def _volume(graph: CSRGraph, node: int) -> int:
    """Shipments the node traded (as exporter or importer) or declared."""
    out = graph.out_edges(node)
    kinds = graph.kind[out.start : out.stop]
    traded = int(np.count_nonzero(kinds == _TRADE))
    declared_edges = np.arange(out.start, out.stop)[kinds == _DECLARED]
    rows = graph.declared_rows(declared_edges)
    # Each declared shipment gives a DECLARED edge to its exporter and one to its importer.
    declared = int(graph.declared_count[rows].sum()) // 2 if len(rows) else 0
    into = graph.in_edge[int(graph.in_ptr[node]) : int(graph.in_ptr[node + 1])]
    traded += int(np.count_nonzero(graph.kind[into] == _TRADE))
    return traded + declared

"""``brokers``: the intermediaries and customs brokers that supplier -> sanctioned chains pass.

A plain function over a :class:`~ownergraph.analyses.chains.TraceResult`. Each firm that sits
inside a chain (an intermediary; people on a chain, such as shared directors, are not brokers) or
declared one of its shipments (a customs broker) is scored by
the chains it serves, damped by how specific it is to them:

    score = (sum over distinct supplier -> target chains of the best path score through it)
            * sqrt(chain shipments / all its shipments)

so a broker that declares ten thousand unrelated shipments and one chain's worth of goods
ranks below a small one whose few declarations all sit on sanctioned chains
(docs/methodology.md, "Broker ranking").
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from ownergraph.analyses.chains import TraceResult
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
    on_chain: dict[int, set[int]] = defaultdict(set)
    for path in result.paths:
        pair = (path.nodes[0], path.nodes[-1])
        shipments = [edge for edges in path.edges for edge in edges if graph.kind[edge] == _TRADE]
        involved: dict[int, str] = {
            node: "intermediary" for node in path.nodes[1:-1] if graph.schema[node] != _PERSON
        }
        for declarant in path.declarants:
            involved.setdefault(declarant, "declarant")
            roles[declarant].add("declarant")
        for node, role in involved.items():
            roles[node].add(role)
            paths[node] += 1
            best[node][pair] = max(best[node].get(pair, -math.inf), path.score)
            chpl[node][pair] = max(chpl[node].get(pair, 0.0), path.chpl_value)
            on_chain[node].update(_touching(graph, node, shipments))
    ranked = []
    for node, chains in best.items():
        total = _volume(graph, node)
        counted = len(on_chain[node])
        specificity = min(1.0, counted / total) if total else 1.0
        role = "both" if len(roles[node]) > 1 else next(iter(roles[node]))
        ranked.append(
            Broker(
                node=node,
                role=role,
                score=round(sum(chains.values()) * math.sqrt(specificity), 3),
                chains=len(chains),
                paths=paths[node],
                chpl_value=round(sum(chpl[node].values()), 2),
                chain_shipments=counted,
                shipments=total,
            )
        )
    ranked.sort(key=lambda broker: (-broker.score, -broker.chains, graph.ids[broker.node]))
    return ranked[:top] if top is not None else ranked


def _touching(graph: CSRGraph, node: int, shipments: list[int]) -> set[int]:
    """The chain's shipment edges this node declared or traded."""
    if not shipments:
        return set()
    edges = np.array(shipments)
    rows = np.searchsorted(graph.shipment_edge, edges)
    mine = (graph.source[edges] == node) | (graph.target[edges] == node)
    mine |= graph.shipment_declarant[rows] == node
    return set(edges[mine].tolist())


def _volume(graph: CSRGraph, node: int) -> int:
    """Shipments the node traded (as exporter or importer) or declared."""
    out = graph.out_edges(node)
    kinds = graph.kind[out.start : out.stop]
    traded = int(np.count_nonzero(kinds == _TRADE))
    declared_edges = np.arange(out.start, out.stop)[kinds == _DECLARED]
    rows = np.searchsorted(graph.declared_edge, declared_edges)
    # Each declared shipment gives a DECLARED edge to its exporter and one to its importer.
    declared = int(graph.declared_count[rows].sum()) // 2 if len(rows) else 0
    into = graph.in_edge[int(graph.in_ptr[node]) : int(graph.in_ptr[node + 1])]
    traded += int(np.count_nonzero(graph.kind[into] == _TRADE))
    return traded + declared

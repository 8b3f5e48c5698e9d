"""``trace`` and ``brokers`` on Neo4j: the shared chain search over the trace's corridor.

The targets (entities listed on the day, and those the regimes' 50% rules catch) and the
corridor (every entity within ``max_hops`` of trace's moves from a target: found a step at a time
in the database, ``cypher/trace_step_back.cypher``) decide what is fetched: the relationships
among the corridor's entities, and around each of them what the flags and the broker ranking
count (its whole trade, its officers, the other registrants at its addresses; the declarants'
whole trade). The shared :func:`~ownergraph.analyses.chains.trace` and
:func:`~ownergraph.analyses.brokers.rank_brokers` then run on that subgraph, which holds every
path they can find and every count they read, so they answer as on the whole graph.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from ownergraph.analyses.brokers import rank_brokers
from ownergraph.analyses.chains import (
    EntityFacts,
    TargetStatus,
    TracePath,
    TraceResult,
    shipment_days,
    trace,
)
from ownergraph.backends import (
    TARGET_STRENGTH,
    TraceQuery,
    trace_fields,
    trace_query_document,
    trace_summary,
)
from ownergraph.backends.neo4j import documents, subgraph
from ownergraph.backends.neo4j.extension import sanctioned_by_extension
from ownergraph.backends.neo4j.reads import Reader, view
from ownergraph.errors import InputError
from ownergraph.graph import CSRGraph
from ownergraph.graph.csr import KINDS, day_number
from ownergraph.model.schema import ENTITY_KINDS, LINK_KINDS

if TYPE_CHECKING:
    from ownergraph.backends.neo4j.backend import Neo4jBackend

TRACED = [name for name, kind in LINK_KINDS.items() if kind.traced and name != "DECLARED"]
"""What trace walks (``chains._Moves``): shipments forwards, the others both ways."""
BOTH_WAYS = [name for name in TRACED if name != "SHIPPED_TO"]
FIRMS = [name for name, kind in ENTITY_KINDS.items() if kind.is_party and name != "Person"]
_BATCH = 2000


def targets(
    reader: Reader, regimes: Sequence[str], as_of: str | None
) -> tuple[dict[str, TargetStatus], dict[str, Any]]:
    """Listed entities and those sanctioned by extension, with the strongest verdict of each
    (as ``LocalBackend._targets``, by entity id)."""
    day = as_of or date.today().isoformat()
    found: dict[str, TargetStatus] = {
        row["id"]: "listed" for row in reader.rows("sanctioned_entities", day=day)
    }
    verdicts: dict[str, Any] = {}
    for regime in regimes:
        for item in sanctioned_by_extension(reader, regime, as_of).entities:
            entity, status = item.verdict.entity, item.verdict.status
            if found.get(entity, "possibly") == "listed":
                continue
            if TARGET_STRENGTH[status] <= TARGET_STRENGTH.get(found.get(entity, "possibly"), 3):
                found[entity] = status
            verdicts.setdefault(entity, []).append({"regime": regime, **item.verdict.as_dict()})
    return found, verdicts


def corridor(reader: Reader, goals: Sequence[str], max_hops: int, day: int | None) -> set[str]:
    """Every entity from which some goal is at most ``max_hops`` of trace's moves away."""
    seen = set(goals)
    frontier = sorted(seen)
    for _ in range(max_hops):
        found: set[str] = set()
        for start in range(0, len(frontier), _BATCH):
            rows = reader.rows(
                "trace_step_back",
                ids=frontier[start : start + _BATCH],
                traced=TRACED,
                both_ways=BOTH_WAYS,
                day=day,
            )
            found.update(row["id"] for row in rows if row["id"] not in seen)
        if not found:
            break
        seen |= found
        frontier = sorted(found)
    return seen


def fetch(reader: Reader, inside: set[str], extra: Sequence[str], as_of: str) -> CSRGraph:
    """The corridor ``inside`` with what the flags and brokers read around it (module
    docstring), the declarants' whole trade, and the entities ``extra`` names."""
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[tuple[str, str], tuple[str, str, str, dict[str, Any]]] = {}

    def take(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            nodes[row["source"]] = row["source_fields"]
            nodes[row["target"]] = row["target_fields"]
            key = (row["type"], row["fields"]["id"])
            edges[key] = (row["source"], row["target"], row["type"], row["fields"])

    ids = sorted(inside)
    for start in range(0, len(ids), _BATCH):
        take(reader.rows("trace_subgraph", ids=ids[start : start + _BATCH], corridor=ids))
    declarants = sorted(
        {fields["declarant"] for _, _, kind, fields in edges.values()
         if kind == "SHIPPED_TO" and fields["declarant"]} - inside
    )  # fmt: skip
    for start in range(0, len(declarants), _BATCH):
        take(reader.rows("trade_edges", ids=declarants[start : start + _BATCH]))
    missing = sorted((set(extra) | set(inside)) - nodes.keys())
    for entity, node in reader.entities(missing).items():
        nodes[entity] = {key: node[key] for key in ("ord", "schema", "country", "stub")}
    # Relationships sorted by id, as the local build reads links and shipments in rowid order.
    ordered = sorted(edges.values(), key=lambda edge: (edge[2], edge[3]["id"]))
    return subgraph.assemble(nodes, ordered, as_of)


def run_trace(
    backend: Neo4jBackend, query: TraceQuery
) -> tuple[CSRGraph, TraceResult, dict[str, Any]]:
    """The trace on the subgraph around its corridor (as ``LocalBackend.run_trace``)."""
    reader = backend.reader
    options = query.options
    day = options.as_of or date.today().isoformat()
    wanted, verdicts = targets(reader, query.regimes, options.as_of)
    known = reader.entities(list(options.suppliers))
    for supplier in options.suppliers:
        if supplier not in known:
            raise InputError(f"no entity {supplier!r} in the graph")
    step_day = None if options.as_of is None else day_number(options.as_of)
    inside = corridor(reader, sorted(wanted), options.max_hops, step_day)
    g = fetch(reader, inside, list(options.suppliers), day)
    nodes = {entity: status for entity, status in wanted.items() if entity in g.index}
    by_node = {g.index[entity]: status for entity, status in nodes.items()}

    def facts(entities: Sequence[str]) -> Mapping[str, EntityFacts]:
        found = reader.entities(list(entities))
        return {
            entity: EntityFacts(
                incorporation_date=(found.get(entity) or {}).get("incorporation_date"),
                nationality=(found.get(entity) or {}).get("nationality"),
            )
            for entity in entities
        }

    try:
        result = trace(g, by_node, facts, options)
    except KeyError as error:
        raise InputError(str(error.args[0])) from None
    except ValueError as error:
        raise InputError(str(error)) from None
    if options.suppliers:
        suppliers = len(set(options.suppliers))
    else:
        suppliers = int(
            reader.rows(
                "trace_supplier_count",
                countries=sorted(options.from_countries),
                firms=FIRMS,
                targets=sorted(wanted),
            )[0]["suppliers"]
        )
    result = dataclasses.replace(result, suppliers=suppliers, targets=len(wanted))
    return g, result, verdicts


def trace_document(backend: Neo4jBackend, query: TraceQuery) -> dict[str, Any]:
    g, result, verdicts = run_trace(backend, query)
    shown = result.paths if query.limit is None else result.paths[: query.limit]
    ids = [g.ids[node] for path in shown for node in (*path.nodes, *path.declarants)]
    nodes = backend.reader.entities(ids)
    return {
        "query": trace_query_document(query),
        "summary": trace_summary(g, result),
        "paths": [_path(backend.reader, g, path, verdicts, nodes) for path in shown],
    }


def brokers_document(backend: Neo4jBackend, query: TraceQuery, top: int) -> dict[str, Any]:
    g, result, _ = run_trace(backend, query)
    ranked = rank_brokers(g, result, top=top)
    nodes = backend.reader.entities([g.ids[broker.node] for broker in ranked])
    return {
        "query": {**trace_query_document(query), "top": top},
        "summary": trace_summary(g, result),
        "brokers": [
            {**view(nodes.get(g.ids[broker.node]), g.ids[broker.node]), **broker.as_dict()}
            for broker in ranked
        ],
    }


def _path(
    reader: Reader,
    g: CSRGraph,
    path: TracePath,
    verdicts: Mapping[str, Any],
    nodes: Mapping[str, dict[str, Any]],
) -> dict[str, Any]:
    """One trace path's document (as ``LocalBackend._trace_document``)."""
    ids = [g.ids[node] for node in path.nodes]
    hops = [
        sorted({(KINDS[g.kind[e]], g.ids[g.source[e]], g.ids[g.target[e]]) for e in edges})
        for edges in path.edges
    ]
    document = documents.path_document(reader, ids, hops, nodes, shipment_days(g, path))
    declarants = [view(nodes.get(g.ids[n]), g.ids[n]) for n in path.declarants]
    document.update(trace_fields(path, ids[-1], verdicts, declarants))
    return document

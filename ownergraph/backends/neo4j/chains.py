"""``trace`` and ``brokers`` on Neo4j: the shared chain search over the trace's corridor.

The targets (entities listed on the day, and those the regimes' 50% rules catch) and the
corridor decide what is fetched. The corridor is every entity within ``max_hops`` of trace's
moves from a target, found a step at a time in the database (``cypher/trace_step_back.cypher``);
from given suppliers, only the entities that can lie on a chain between them and the targets,
walked half the way from each side (``cypher/trace_step_forward.cypher``). :class:`Corridor`
fetches the relationships among the corridor's entities and around each what the flags count:
its whole trade, its officers, its addresses and everyone registered there (once an address).
The shared :func:`~ownergraph.analyses.chains.trace` runs on that subgraph, which holds every
path it can find and every count it reads, so it answers as on the whole graph. ``brokers``
also needs the whole trade of the chains' declarants (its specificity's denominator): it is
fetched for those declarants after a first search and the search is run again on the larger
subgraph (what it adds lies off every chain), before
:func:`~ownergraph.analyses.brokers.rank_brokers`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from ownergraph.analyses.brokers import rank_brokers
from ownergraph.analyses.chains import (
    EntityFacts,
    TargetStatus,
    TraceOptions,
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
    return set(steps(reader, "trace_step_back", goals, max_hops, day))


def chain_corridor(
    reader: Reader,
    suppliers: Sequence[str],
    goals: Sequence[str],
    max_hops: int,
    day: int | None,
) -> set[str]:
    """The entities that can lie on a chain of at most ``max_hops`` moves from one of some
    suppliers to a goal: walked half the way forward from the suppliers and half back from the
    goals, as ``subgraph.between`` bounds paths.

    Every move the trace can make is one of these steps, so every chain (and every distance to a
    goal from an entity of one) is in the subgraph.
    """
    return subgraph.halfway(
        max_hops,
        lambda near: steps(reader, "trace_step_forward", suppliers, near, day),
        lambda far: steps(reader, "trace_step_back", goals, far, day),
    )


def steps(
    reader: Reader, query: str, seeds: Sequence[str], count: int, day: int | None
) -> dict[str, int]:
    """Entities within ``count`` steps of ``query`` (``trace_step_back`` or
    ``trace_step_forward``) from ``seeds``, with their distance."""
    return subgraph.expand(
        reader, query, seeds, count, column="id", batch=_BATCH, traced=TRACED,
        both_ways=BOTH_WAYS, day=day,
    )  # fmt: skip


class Corridor:
    """What trace reads, fetched from the server: the corridor ``inside`` with what the flags
    count around it (module docstring), the entities ``extra`` names, and the whole trade of
    the declarants :meth:`add_trade` is given (what ``brokers`` measures their specificity
    against; the chain search and its flags never read it)."""

    def __init__(self, reader: Reader, inside: set[str], extra: Sequence[str]) -> None:
        self.reader = reader
        self.inside = inside
        self.extra = list(extra)
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str], tuple[str, str, str, dict[str, Any]]] = {}
        ids = sorted(inside)
        for start in range(0, len(ids), _BATCH):
            self._take(reader.rows("trace_subgraph", ids=ids[start : start + _BATCH], corridor=ids))
        # Everyone at the corridor's addresses, once an address (mass registration shares them).
        addresses = sorted(
            {target for _, target, kind, _ in self.edges.values() if kind == "REGISTERED_AT"}
        )
        for start in range(0, len(addresses), _BATCH):
            self._take(reader.rows("address_registrants", ids=addresses[start : start + _BATCH]))
        self.declarants = {
            fields["declarant"] for _, _, kind, fields in self.edges.values()
            if kind == "SHIPPED_TO" and fields["declarant"]
        }  # fmt: skip

    def _take(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.nodes[row["source"]] = row["source_fields"]
            self.nodes[row["target"]] = row["target_fields"]
            key = (row["type"], row["fields"]["id"])
            self.edges[key] = (row["source"], row["target"], row["type"], row["fields"])

    def add_trade(self, declarants: Iterable[str]) -> None:
        wanted = sorted(set(declarants) - self.inside)
        for start in range(0, len(wanted), _BATCH):
            self._take(self.reader.rows("trade_edges", ids=wanted[start : start + _BATCH]))

    def graph(self, as_of: str) -> CSRGraph:
        missing = sorted((set(self.extra) | self.inside | self.declarants) - self.nodes.keys())
        for entity, node in self.reader.entities(missing).items():
            self.nodes[entity] = {key: node[key] for key in ("ord", "schema", "country", "stub")}
        # Relationships sorted by id, as the local build reads links and shipments in rowid
        # order.
        ordered = sorted(self.edges.values(), key=lambda edge: (edge[2], edge[3]["id"]))
        return subgraph.assemble(self.nodes, ordered, as_of)


def run_trace(
    backend: Neo4jBackend, query: TraceQuery, *, brokers: bool = False
) -> tuple[CSRGraph, TraceResult, dict[str, Any]]:
    """The trace on the subgraph around its corridor (as ``LocalBackend.run_trace``); with
    ``brokers``, on a subgraph that also holds the whole trade of the chains' declarants."""
    reader = backend.reader
    options = query.options
    day = options.as_of or date.today().isoformat()
    wanted, verdicts = targets(reader, query.regimes, options.as_of)
    known = reader.entities(list(options.suppliers))
    for supplier in options.suppliers:
        if supplier not in known:
            raise InputError(f"no entity {supplier!r} in the graph")
    step_day = None if options.as_of is None else day_number(options.as_of)
    if options.suppliers:
        # Only chains from these suppliers: what lies between them and the targets.
        inside = chain_corridor(
            reader, sorted(set(options.suppliers)), sorted(wanted), options.max_hops, step_day
        )
    else:
        inside = corridor(reader, sorted(wanted), options.max_hops, step_day)
    fetched = Corridor(reader, inside, list(options.suppliers))
    g, result = _search(reader, fetched.graph(day), wanted, options)
    if brokers:
        # The chains are the same on the larger subgraph: what it adds lies off every chain.
        fetched.add_trade(g.ids[node] for path in result.paths for node in path.declarants)
        g, result = _search(reader, fetched.graph(day), wanted, options)
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


def _search(
    reader: Reader, g: CSRGraph, wanted: Mapping[str, TargetStatus], options: TraceOptions
) -> tuple[CSRGraph, TraceResult]:
    """The shared chain search on a fetched subgraph."""
    by_node = {g.index[entity]: status for entity, status in wanted.items() if entity in g.index}

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
        return g, trace(g, by_node, facts, options)
    except KeyError as error:
        raise InputError(str(error.args[0])) from None
    except ValueError as error:
        raise InputError(str(error)) from None


def trace_document(backend: Neo4jBackend, query: TraceQuery) -> dict[str, Any]:
    g, result, verdicts = run_trace(backend, query)
    shown = result.paths if query.limit is None else result.paths[: query.limit]
    ids = [g.ids[node] for path in shown for node in (*path.nodes, *path.declarants)]
    nodes = backend.reader.entities(ids)
    known: dict[documents.Hop, list[dict[str, Any]]] = {}  # records of the hops paths share
    return {
        "query": trace_query_document(query),
        "summary": trace_summary(g, result),
        "paths": [_path(backend.reader, g, path, verdicts, nodes, known) for path in shown],
    }


def brokers_document(backend: Neo4jBackend, query: TraceQuery, top: int) -> dict[str, Any]:
    g, result, _ = run_trace(backend, query, brokers=True)
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
    known: dict[documents.Hop, list[dict[str, Any]]],
) -> dict[str, Any]:
    """One trace path's document (as ``LocalBackend._trace_document``)."""
    ids = [g.ids[node] for node in path.nodes]
    hops = [
        sorted({(KINDS[g.kind[e]], g.ids[g.source[e]], g.ids[g.target[e]]) for e in edges})
        for edges in path.edges
    ]
    document = documents.path_document(reader, ids, hops, nodes, shipment_days(g, path), known)
    declarants = [view(nodes.get(g.ids[n]), g.ids[n]) for n in path.declarants]
    document.update(trace_fields(path, ids[-1], verdicts, declarants))
    return document

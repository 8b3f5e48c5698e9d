"""Choosing what to export: the neighbourhood of entities, a saved paths or trace result, or all.

- :func:`around`: the entities within ``hops`` of some seeds (``paths.neighbourhood``, with the
  same link-type, country, date and share filters as ``paths``) and the edges among them that
  pass the same filters, each with its records;
- :func:`from_document`: the nodes and edges of a ``paths --json`` or ``trace --json`` document,
  its paths emphasised, plus the customs brokers that declared the chains' shipments;
- ``whole.WholeGraph``: every node and edge, streamed from the workspace.

What a selection reads about entities and records goes through :class:`Facts`, which the
workspace (:class:`WorkspaceFacts`) and the Neo4j backend both answer; :func:`lane_edges` and
:func:`around_subgraph` are the parts of :func:`around` both backends share, so the two write the
same files (tests/neo4j/test_export_selections.py compares them).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import numpy as np

from ownergraph import evidence, lookup
from ownergraph.analyses.paths import neighbourhood
from ownergraph.errors import InputError
from ownergraph.exports.edges import Canonical, declared_edge, declared_id, fact_edge
from ownergraph.exports.entities import nodes_of
from ownergraph.exports.model import Edge, Node, PathMark, Subgraph, verdicts, widen
from ownergraph.graph import build
from ownergraph.graph.csr import KINDS, CSRGraph, day_number, day_text
from ownergraph.model import ShareInterval
from ownergraph.model.schema import LINK_KINDS
from ownergraph.workspace import Workspace

_RECORDS_PER_EDGE = 100_000
"""``evidence.edge_records`` limit: a busy trade lane has thousands of shipments; keep them all."""
_PROOF_RECORDS = 1000
"""Records of each stake a 50%-rule proof counts (``evidence.edge_records``'s default)."""


@dataclass(frozen=True, slots=True)
class Filters:
    """The ``paths`` filters, applied to the neighbourhood and to the edges exported."""

    link_types: tuple[str, ...] | None = None
    countries: tuple[str, ...] | None = None
    as_of: str | None = None
    min_share: float | None = None
    directed: bool = False

    def __post_init__(self) -> None:
        unknown = set(self.link_types or ()) - set(LINK_KINDS)
        if unknown:
            raise InputError(f"unknown link type(s) {', '.join(sorted(unknown))}")
        if self.as_of is not None:
            try:
                date.fromisoformat(self.as_of)
            except ValueError:
                raise InputError(f"--as-of {self.as_of!r} is not a date YYYY-MM-DD") from None


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What ``ownergraph export`` selects: exactly one of ``seeds`` (with ``hops`` and
    ``filters``), ``document`` (a parsed ``paths``/``trace`` JSON document) or ``everything``.
    ``filters.as_of`` is also the day ``sanctioned`` is decided for ``everything``."""

    seeds: tuple[str, ...] = ()
    hops: int = 1
    filters: Filters = field(default_factory=Filters)
    document: Any = None
    everything: bool = False

    def __post_init__(self) -> None:
        chosen = [bool(self.seeds), self.document is not None, self.everything]
        if sum(chosen) != 1:
            raise InputError("choose one selection: --around ENTITY, --from-json FILE or --all")


class Facts(Protocol):
    """Where a selection reads entities and source records: the workspace or a Neo4j server."""

    def nodes(self, entities: Sequence[str], day: str) -> dict[str, Node]:
        """Export nodes of resolved entity ids, in the order given (stubs for unknown ids),
        ``sanctioned`` on ``day``."""
        ...

    def canonical(self, record: str) -> str:
        """The resolved entity of a record id (itself when resolution merged it with nothing)."""
        ...

    def edge_records(
        self, source: str, target: str, kind: str, *, limit: int
    ) -> list[dict[str, Any]]:
        """The records behind one type of edge from ``source`` to ``target``, as
        :func:`ownergraph.evidence.edge_records` writes them, at most ``limit``."""
        ...


class WorkspaceFacts:
    """:class:`Facts` from a workspace file."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._canonical = _Canonical(workspace)

    def nodes(self, entities: Sequence[str], day: str) -> dict[str, Node]:
        return nodes_of(self.workspace, entities, day)

    def canonical(self, record: str) -> str:
        return self._canonical(record)

    def edge_records(
        self, source: str, target: str, kind: str, *, limit: int
    ) -> list[dict[str, Any]]:
        return evidence.edge_records(self.workspace, source, target, [kind], limit=limit)


Lane = tuple[str, str, str, set[str | None]]
"""(type, source entity, target entity, the days of its shipments valid on the as-of day)."""


def around(
    workspace: Workspace,
    seeds: Sequence[str],
    hops: int,
    filters: Filters | None = None,
    *,
    graph: CSRGraph | None = None,
) -> Subgraph:
    """The entities within ``hops`` of ``seeds`` and the filtered edges among them.

    Parameters
    ----------
    workspace : Workspace
    seeds : sequence of str
        Entity references: ids, ``scheme:value`` identifiers or names (as ``paths`` takes them).
    hops : int
        0 (the seeds alone) to ``paths.SHORTEST_HOPS``.
    filters : Filters, optional
    graph : CSRGraph, optional
        The compact graph, if already built (its as-of day decides ``sanctioned``).

    Raises
    ------
    InputError
        An unknown entity, a bad filter, or ``hops`` out of range.
    """
    filters = filters or Filters()
    entities = [lookup.canonical_id(workspace, lookup.find_entity(workspace, s)) for s in seeds]
    g = graph or build(workspace, as_of=filters.as_of)
    lonely = [entity for entity in entities if entity not in g.index]
    try:
        found = [g.index[entity] for entity in entities if entity in g.index]
        chosen = (
            neighbourhood(
                g, found, hops, link_types=filters.link_types, directed=filters.directed,
                as_of=filters.as_of, countries=filters.countries, min_share=filters.min_share,
            )
            if found else np.empty(0, np.int64)
        )  # fmt: skip
    except ValueError as error:
        raise InputError(str(error)) from None
    ids = [*lonely, *(g.ids[node] for node in chosen.tolist())]
    lanes = _lanes(g, chosen, set(found), filters)
    return around_subgraph(WorkspaceFacts(workspace), entities, ids, lanes, hops, filters, g.as_of)


def around_subgraph(
    facts: Facts,
    seeds: Sequence[str],
    ids: Sequence[str],
    lanes: Iterable[Lane],
    hops: int,
    filters: Filters,
    day: str,
) -> Subgraph:
    """The ``--around`` subgraph of entities ``ids`` (the seeds' neighbourhood, in node order)
    and the ``lanes`` among them (in lane order), each lane's edges with their records."""
    nodes = facts.nodes(ids, day)
    edges = lane_edges(facts, lanes, filters)
    names = ", ".join(nodes[entity].name for entity in seeds)
    return Subgraph(
        nodes=nodes,
        edges=edges,
        title=f"{names}: {hops} hop{'s' if hops != 1 else ''} around",
        query={"around": list(seeds), "hops": hops, **_filters_dict(filters)},
        as_of=filters.as_of,
        seeds=list(seeds),
    )


def _filters_dict(filters: Filters) -> dict[str, Any]:
    return {
        "link_types": list(filters.link_types) if filters.link_types else None,
        "countries": list(filters.countries) if filters.countries else None,
        "as_of": filters.as_of,
        "min_share": filters.min_share,
        "directed": filters.directed,
    }


def _edge_mask(g: CSRGraph, chosen: np.ndarray[Any, Any], seeds: set[int], filters: Filters) -> Any:
    """Edges with both ends chosen that the filters let ``paths`` walk (as ``paths._Walk``)."""
    inside = np.zeros(g.node_count, dtype=np.bool_)
    inside[chosen] = True
    if filters.countries is not None:
        wanted = {code.upper() for code in filters.countries}
        codes = [i for i, code in enumerate(g.countries) if code in wanted]
        passes = np.isin(g.country, codes)
        passes[list(seeds)] = True
        inside &= passes
    mask = inside[g.source] & inside[g.target]
    if filters.link_types is not None:
        mask &= np.isin(g.kind, [KINDS.index(name) for name in filters.link_types])
    if filters.as_of is not None:
        day = day_number(filters.as_of)
        mask &= (g.start <= day) & (g.end >= day)
    if filters.min_share is not None:
        mask &= (g.kind != KINDS.index("OWNS")) | (g.share_low >= filters.min_share)
    return mask


def _lanes(
    g: CSRGraph, chosen: np.ndarray[Any, Any], seeds: set[int], filters: Filters
) -> list[Lane]:
    """The lanes among the chosen nodes that the filters let ``paths`` walk, in node order."""
    mask = _edge_mask(g, chosen, seeds, filters)
    lanes: dict[tuple[int, int, int], set[str | None]] = {}
    for edge in np.flatnonzero(mask).tolist():
        key = (int(g.kind[edge]), int(g.source[edge]), int(g.target[edge]))
        days = lanes.setdefault(key, set())
        if KINDS[key[0]] == "SHIPPED_TO":
            row = g.shipment_row(edge)
            days.add(day_text(int(g.shipment_day[row])) if row >= 0 else None)
    return [
        (KINDS[kind], g.ids[source], g.ids[target], days)
        for (kind, source, target), days in sorted(lanes.items())
    ]


def lane_edges(facts: Facts, lanes: Iterable[Lane], filters: Filters) -> list[Edge]:
    """The edges of some lanes, each with the records behind it: a ``DECLARED`` lane is one
    edge citing the shipments declared; of other lanes, the records that pass the filters (for
    shipments with an as-of day, those of the lane's valid days)."""
    edges: list[Edge] = []
    for kind, source, target, days in lanes:
        records = facts.edge_records(source, target, kind, limit=_RECORDS_PER_EDGE)
        if kind == "DECLARED":
            edges.append(declared_edge(source, target, records))
            continue
        for record in records:
            if kind == "SHIPPED_TO" and filters.as_of is not None and record["date"] not in days:
                continue
            if kind != "SHIPPED_TO" and not _passes(record, filters):
                continue
            edges.append(fact_edge(record, source, target, facts.canonical))
    return edges


def _passes(record: dict[str, Any], filters: Filters) -> bool:
    """Whether one link record passes the date and share filters (the lane as a whole did)."""
    day = filters.as_of
    if day is not None:
        start = widen(record.get("start_date"), end=False)
        end = widen(record.get("end_date"), end=True)
        if (start is not None and start > day) or (end is not None and end < day):
            return False
    if filters.min_share is not None and record["type"] == "OWNS":
        share = ShareInterval.parse(record.get("share") or "")
        return share is not None and share.low is not None and share.low >= filters.min_share
    return True


class _Canonical:
    """Record id -> resolved entity, memoised (declarants repeat across a lane's shipments)."""

    def __init__(self, workspace: Workspace | None) -> None:
        self.workspace = workspace
        self.known: dict[str, str] = {}

    def __call__(self, record: str) -> str:
        if record not in self.known:
            self.known[record] = (
                lookup.canonical_id(self.workspace, record) if self.workspace else record
            )
        return self.known[record]


def from_document(document: Any, source: Workspace | Facts | None = None) -> Subgraph:
    """The subgraph of a ``paths`` or ``trace`` JSON document, its paths emphasised.

    Nodes are the paths' entities, described from ``source`` (a workspace, or the
    :class:`Facts` of a backend) when it has them (properties, listings, citations) and from
    the document otherwise; edges are the facts each hop cites; the brokers that declared the
    chains' shipments join as ``DECLARED`` edges.

    Raises
    ------
    InputError
        Not a paths or trace document (a ``brokers`` document, say).
    """
    if not isinstance(document, dict) or not isinstance(document.get("paths"), list):
        kind = "a brokers document" if isinstance(document, dict) and "brokers" in document else (
            "not a paths or trace document")  # fmt: skip
        raise InputError(
            f"--from-json needs the output of 'paths --json' or 'trace --json' ({kind})"
        )
    query = document.get("query") or {}
    as_of = query.get("as_of") if isinstance(query, dict) else None
    day = as_of or date.today().isoformat()
    facts = WorkspaceFacts(source) if isinstance(source, Workspace) else source
    views: dict[str, dict[str, Any]] = {}
    edges: dict[str, Edge] = {}
    marks: list[PathMark] = []
    canonical = facts.canonical if facts is not None else _Canonical(None)
    for number, path in enumerate(document["paths"], start=1):
        for view in [*path.get("nodes", []), *path.get("declarants", [])]:
            views.setdefault(view["id"], view)
        used: list[str] = []
        for hop in path.get("edges", []):
            used.extend(_hop_edges(hop, edges, canonical))
        _declarations(path, edges, canonical)
        for owner in _proof_context(path, edges, facts, canonical):
            views.setdefault(owner, {"id": owner, "name": owner})
        score = path.get("score")
        label = f"path {number}" + (f", score {score:.2f}" if isinstance(score, float) else "")
        marks.append(PathMark(tuple(v["id"] for v in path.get("nodes", [])), tuple(used), label))
    known = facts.nodes(list(views), day) if facts is not None else {}
    nodes = {
        entity: known[entity] if known.get(entity) and known[entity].schema else _view_node(view)
        for entity, view in views.items()
    }
    for edge in edges.values():
        for end in (edge.source, edge.target):
            if end not in nodes:
                nodes[end] = known.get(end) or _view_node({"id": end, "name": end})
    kind = "trace" if "summary" in document or any("target" in p for p in document["paths"]) else (
        "paths")  # fmt: skip
    return Subgraph(
        nodes=nodes,
        edges=list(edges.values()),
        title=f"{kind}: {len(marks)} path{'s' if len(marks) != 1 else ''}",
        query=query if isinstance(query, dict) else {},
        as_of=as_of,
        paths=marks,
        document=document,
    )


def _hop_edges(hop: dict[str, Any], edges: dict[str, Edge], canonical: Canonical) -> list[str]:
    source, target, kind = hop["source"], hop["target"], hop["type"]
    records = hop.get("records") or []
    if kind == "DECLARED":
        edge = declared_edge(source, target, records)
        edges.setdefault(edge.id, edge)
        return [edge.id]
    used = []
    for record in records:
        edge = fact_edge({**record, "type": record.get("type", kind)}, source, target, canonical)
        edges.setdefault(edge.id, edge)
        used.append(edge.id)
    return used


def _declarations(path: dict[str, Any], edges: dict[str, Edge], canonical: Canonical) -> None:
    """``DECLARED`` edges from the path's brokers to the parties of the shipments they filed."""
    brokers = {view["id"] for view in path.get("declarants", [])}
    filed: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for hop in path.get("edges", []):
        if hop["type"] != "SHIPPED_TO":
            continue
        for record in hop.get("records") or []:
            declarant = record.get("declarant_id")
            broker = canonical(declarant) if declarant else ""
            if broker and broker in brokers:
                for party in (hop["source"], hop["target"]):
                    filed.setdefault((broker, party), []).append(record)
    for (broker, party), records in filed.items():
        existing = edges.get(declared_id(broker, party))
        cited = [*(existing.records if existing else []), *records]
        edges[declared_id(broker, party)] = declared_edge(broker, party, cited)


def _proof_context(
    path: dict[str, Any],
    edges: dict[str, Edge],
    facts: Facts | None,
    canonical: Canonical,
) -> list[str]:
    """The owners a target's proof counts, and (from the workspace) the stakes they hold."""
    target = path.get("target")
    entity = target.get("id") if isinstance(target, dict) else None
    owners: list[str] = []
    for verdict in verdicts(target):
        for step in verdict.get("proof") or []:
            owner = step.get("owner")
            if not owner or not entity or owner in owners:
                continue
            owners.append(owner)
            if facts is None:
                continue
            kind = step.get("link") or "OWNS"
            for record in facts.edge_records(owner, entity, kind, limit=_PROOF_RECORDS):
                edge = fact_edge(record, owner, entity, canonical)
                edges.setdefault(edge.id, edge)
    return owners


def _view_node(view: dict[str, Any]) -> Node:
    """A node from a document's entity view alone (the workspace does not have it)."""
    return Node(
        id=view["id"],
        name=view.get("name") or view["id"],
        schema=view.get("schema"),
        country=view.get("country"),
        sanctioned=bool(view.get("sanctioned")),
        aliases=list(view.get("aliases") or []),
        identifiers=list(view.get("identifiers") or []),
        sources=[{"id": None, **source} for source in view.get("sources") or []],
    )

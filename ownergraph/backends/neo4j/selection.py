"""``ownergraph export --backend neo4j``: the export selections read from the server.

The same selections the local backend makes (:mod:`ownergraph.exports.selection`), so the files
are the same (tests/neo4j/test_export_selections.py compares them):

- ``--around``: the neighbourhood is walked in the database a breadth-first step at a time
  (:func:`.subgraph.ball`, with ``paths``' filters); its relationships come from
  ``cypher/subgraph.cypher`` and each lane's records from ``cypher/edge_records.cypher``; the
  shared :func:`~ownergraph.exports.selection.around_subgraph` puts them together;
- ``--from-json``: the shared :func:`~ownergraph.exports.selection.from_document`, with entities,
  record ids and the stakes of 50%-rule proofs read from the server (:class:`ServerFacts`);
- ``--all``: :class:`ServerGraph` streams entities, a page at a time in id order
  (``cypher/export_entity_page.cypher``), then the relationships they send, a page of at most
  :data:`RELATIONSHIP_PAGE` however many one entity sends
  (``cypher/export_relationship_page.cypher``), so it never holds the whole graph.

Entities are written from ``export_node``, which the push stores (what the local export derives
from the entity's records), and the listings on the server; ``sanctioned`` is decided here on the
selection's day, as locally.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from ownergraph.analyses.paths import SHORTEST_HOPS
from ownergraph.backends.neo4j import subgraph
from ownergraph.backends.neo4j.documents import edge_records
from ownergraph.backends.neo4j.reads import Reader
from ownergraph.errors import InputError
from ownergraph.exports.edges import declared_id, record_citation
from ownergraph.exports.entities import active, stub
from ownergraph.exports.model import (
    LINK_ATTRIBUTES,
    SHIPMENT_ATTRIBUTES,
    Edge,
    EmptySelection,
    Node,
    Selection,
    Subgraph,
)
from ownergraph.exports.selection import (
    ExportRequest,
    Filters,
    Lane,
    around_subgraph,
    from_document,
)
from ownergraph.graph.csr import KINDS, day_number, day_text

PAGE = 1000
"""Entities per page of ``--all``."""
RELATIONSHIP_PAGE = 2000
"""Relationships per page of ``--all``: in the workspace's order for each entity that sends them
(the graph formats sum and list a lane's facts in the order they come)."""
_BATCH = 5000
"""Entity ids per ``export_entities`` query."""
_LISTING_FIELDS = ("authority", "list", "programmes", "listed_on", "delisted_on", "withdrawn_on")


class ServerFacts:
    """:class:`~ownergraph.exports.selection.Facts` read from the server."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self._canonical: dict[str, str] = {}

    def nodes(self, entities: Sequence[str], day: str) -> dict[str, Node]:
        wanted = list(dict.fromkeys(entities))
        found: dict[str, Node] = {}
        for start in range(0, len(wanted), _BATCH):
            for row in self.reader.rows("export_entities", ids=wanted[start : start + _BATCH]):
                found[row["id"]] = node_of(row, day)
        return {entity: found.get(entity) or stub(entity, [], day) for entity in wanted}

    def canonical(self, record: str) -> str:
        if record not in self._canonical:
            rows = self.reader.rows("entity_by_record", record=record)
            self._canonical[record] = str(rows[0]["id"]) if rows else record
        return self._canonical[record]

    def edge_records(
        self, source: str, target: str, kind: str, *, limit: int
    ) -> list[dict[str, Any]]:
        return edge_records(self.reader, (kind, source, target), limit)


def node_of(row: Mapping[str, Any], day: str) -> Node:
    """The export node of an ``export_entities`` row, ``sanctioned`` on ``day``."""
    # As the workspace lists them: SQLite's ORDER BY listed_on, id (an unknown day first).
    listings = sorted(
        (_listing(item) for item in row["listings"]),
        key=lambda item: (item["listed_on"] is not None, item["listed_on"] or "", item["id"]),
    )
    if row["stub"]:
        return stub(row["id"], listings, day)
    if row["node"] is None:
        raise InputError(
            f"the entity {row['id']!r} on the server has no export_node: it was pushed by an "
            f"older ownergraph; run 'ownergraph neo4j push' again"
        )
    data = json.loads(row["node"])
    return Node(
        id=row["id"],
        sanctioned=any(active(listing, day) for listing in listings),
        listings=listings,
        **data,
    )


def _listing(props: Mapping[str, Any]) -> dict[str, Any]:
    """A listing as ``exports.entities.listing_view`` writes it, from a ``Listing`` node."""
    view = {key: props.get(key) for key in _LISTING_FIELDS}
    view["programmes"] = list(props.get("programmes") or [])
    return {**view, **record_citation(dict(props))}


def export_selection(
    reader: Reader, find: Callable[[str], str], request: ExportRequest
) -> Selection:
    """The selection of ``request`` from the server; ``find`` names an entity by a user's
    reference (``Neo4jBackend.find``)."""
    facts = ServerFacts(reader)
    if request.everything:
        return ServerGraph(reader, request.filters.as_of)
    if request.document is not None:
        return from_document(request.document, facts)
    seeds = [find(reference) for reference in request.seeds]
    return around(reader, facts, seeds, request.hops, request.filters)


def around(
    reader: Reader, facts: ServerFacts, seeds: Sequence[str], hops: int, filters: Filters
) -> Subgraph:
    """As :func:`ownergraph.exports.selection.around`, walked in the database."""
    if not 0 <= hops <= SHORTEST_HOPS:
        # As the local neighbourhood says it.
        raise InputError(f"max_hops must be between 0 and {SHORTEST_HOPS}, not {hops}")
    wanted = sorted({code.upper() for code in filters.countries}) if filters.countries else None
    day = day_number(filters.as_of) if filters.as_of is not None else None
    walk = subgraph.Filters(
        sorted(set(filters.link_types)) if filters.link_types is not None else None,
        day, filters.directed, wanted, filters.min_share,
    )  # fmt: skip
    reached = subgraph.ball(reader, seeds, hops, walk, forward=True, ends=seeds)
    nodes: dict[str, dict[str, Any]] = {}
    found: dict[tuple[int, str, str], set[str | None]] = {}
    ids = sorted(reached)
    for start in range(0, len(ids), _BATCH):
        rows = reader.rows(
            "subgraph", ids=ids[start : start + _BATCH], all_ids=ids, types=walk.types,
            day=day, day_mode="valid", min_share=filters.min_share,
        )  # fmt: skip
        for row in rows:
            if row["target"] is None:
                nodes[row["source"]] = row["fields"]
                continue
            days = found.setdefault((KINDS.index(row["type"]), row["source"], row["target"]), set())
            if row["type"] == "SHIPPED_TO":
                days.add(day_text(int(row["fields"]["day"])))
    order = {entity: (fields["ord"], entity) for entity, fields in nodes.items()}

    def passes(entity: str) -> bool:  # the country filter of ``paths``; the seeds always pass
        return wanted is None or entity in seeds or nodes[entity]["country"] in wanted

    lanes: list[Lane] = [
        (KINDS[kind], source, target, days)
        for (kind, source, target), days in sorted(
            found.items(), key=lambda item: (item[0][0], order[item[0][1]], order[item[0][2]])
        )
        if passes(source) and passes(target)
    ]
    chosen = sorted(reached, key=lambda entity: order.get(entity, (0, entity)))
    as_of = filters.as_of or date.today().isoformat()
    return around_subgraph(facts, seeds, chosen, lanes, hops, filters, as_of)


class ServerGraph:
    """Every node and edge of the pushed graph, streamed a page at a time."""

    def __init__(self, reader: Reader, as_of: str | None = None) -> None:
        self.reader = reader
        self.as_of = as_of
        self.day = as_of or date.today().isoformat()
        settings = reader.settings
        self.title = f"the whole graph of Neo4j database {settings.database!r}"
        if not reader.rows("export_entity_page", after="", limit=1):
            raise EmptySelection(
                f"the Neo4j server at {settings.where} is empty: run 'ownergraph neo4j push' first"
            )

    def iter_nodes(self) -> Iterator[Node]:
        after = ""
        while rows := self.reader.rows("export_entity_page", after=after, limit=PAGE):
            for row in rows:
                yield node_of(row, self.day)
            after = rows[-1]["id"]

    def iter_edges(self) -> Iterator[Edge]:
        after_entity = after_key = ""
        while rows := self.reader.rows(
            "export_relationship_page", after_entity=after_entity, after_key=after_key,
            limit=RELATIONSHIP_PAGE,
        ):  # fmt: skip
            for row in rows:
                yield edge_of(row["source"], row["target"], row["type"], row["properties"])
            after_entity, after_key = rows[-1]["source"], rows[-1]["key"]

    def materialise(self) -> Subgraph:
        nodes = {node.id: node for node in self.iter_nodes()}
        return Subgraph(nodes, list(self.iter_edges()), title=self.title, as_of=self.as_of,
                        query={"all": True, "as_of": self.as_of})  # fmt: skip


def edge_of(source: str, target: str, kind: str, props: Mapping[str, Any]) -> Edge:
    """The export edge of one relationship, as ``exports.edges.all_edges`` writes its fact."""
    if kind == "DECLARED":
        attributes = {key: props.get(key) for key in ("start_date", "end_date", "count")}
        return Edge(declared_id(source, target), kind, source, target, attributes, [])
    if kind == "SHIPPED_TO":
        attributes = {key: props.get(key) for key in SHIPMENT_ATTRIBUTES if key != "declarant"}
        declarant = props.get("declarant_id")
        # As the workspace's join: the declarant's entity, or the raw id when it has none.
        attributes["declarant"] = None if declarant is None else props.get("declarant") or declarant
    else:
        attributes = {key: props.get(key) for key in LINK_ATTRIBUTES}
    return Edge(str(props["id"]), kind, source, target, attributes, [record_citation(dict(props))])


__all__ = ["PAGE", "RELATIONSHIP_PAGE", "ServerFacts", "ServerGraph", "export_selection", "node_of"]

"""The Neo4j backend: the backend contract of :mod:`ownergraph.backends` answered from a server
that ``ownergraph neo4j push`` filled.

Lookups and shortest paths run as Cypher in the database; the 50% rules fetch the ownership
subgraph reachable from the listed entities and run the shared rules
(:func:`~ownergraph.analyses.ownership.blocked_by_extension`); the k shortest and all simple
paths fetch the part of the graph within the hop bound of both ends (:mod:`.subgraph`) and run
the shared path search. Every method returns the document the local backend returns for the same
workspace (tests/neo4j compare them).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import neo4j
from rapidfuzz import fuzz

from ownergraph.analyses import paths as path_search
from ownergraph.backends import PathQuery, TraceQuery
from ownergraph.backends.neo4j import chains, documents, extension, subgraph
from ownergraph.backends.neo4j.reads import Reader, distinct, loose, merges_of, not_found, view
from ownergraph.backends.neo4j.settings import Settings, connect
from ownergraph.errors import InputError
from ownergraph.graph.csr import KINDS, day_number
from ownergraph.model.values import country_code, search_key

if TYPE_CHECKING:
    from ownergraph.exports.model import Selection
    from ownergraph.exports.selection import ExportRequest

_SHOWN_SHIPMENTS = 20


class Neo4jBackend:
    """Analyses over a Neo4j database; ``close`` closes the driver."""

    name = "neo4j"

    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        self.driver = driver
        self.settings = settings
        self.reader = Reader(driver, settings)

    @classmethod
    def connect(cls, settings: Settings) -> Neo4jBackend:
        return cls(connect(settings), settings)

    def close(self) -> None:
        self.driver.close()

    # -- lookups -------------------------------------------------------------------------------

    def search(self, text: str, *, country: str | None = None, limit: int = 20) -> dict[str, Any]:
        return {"results": self._search(text, country=country, limit=limit)}

    def _search(
        self, text: str, *, country: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        """As :func:`ownergraph.lookup.search`: every word of the query's search key in one name
        key, ranked by rapidfuzz similarity of the name keys, best first, then by id."""
        query = search_key(text)
        if not query:
            raise InputError("search needs a name with at least one letter or digit")
        wanted = country_code(country) if country else None
        if country and wanted is None:
            raise InputError(f"unknown country {country!r}")
        tokens = sorted(set(query.split()), key=lambda token: (-len(token), token))
        rows = self.reader.rows("entity_search", tokens=tokens, country=wanted)
        best = {
            row["id"]: max(fuzz.WRatio(query, key) / 100.0 for key in row["matched"])
            for row in rows
        }
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
        nodes = self.reader.entities([entity for entity, _ in ranked])
        return [view(nodes[entity], entity, round(score, 4)) for entity, score in ranked]

    def find(self, reference: str) -> str:
        """The resolved entity a reference names, as :func:`ownergraph.lookup.find_entity` finds
        it: a record id, then a ``scheme:value`` identifier, then an exact name, then a search
        that must find exactly one."""
        by_record = self.reader.rows("entity_by_record", record=reference)
        if by_record:
            return str(by_record[0]["id"])
        scheme, sep, value = reference.partition(":")
        if sep:
            identifier = f"{scheme.strip().lower()}:{value.strip()}"
            found = distinct(
                row["id"] for row in self.reader.rows("entity_by_identifier", identifier=identifier)
            )
            if len(found) == 1:
                return found[0]
            if found:
                raise InputError(_ambiguous(reference, found))
        key = search_key(reference)
        exact = distinct(row["id"] for row in self.reader.rows("entity_by_name_key", key=key))
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise InputError(_ambiguous(reference, exact))
        hits = self._search(reference, limit=5) if key else []
        if len(hits) == 1:
            return str(hits[0]["id"])
        if hits:
            raise InputError(_ambiguous(reference, [hit["id"] for hit in hits]))
        raise not_found(reference)

    def show(self, reference: str) -> dict[str, Any]:
        """As :func:`ownergraph.lookup.describe`: the entity, its properties, its links both
        ways, listings, first shipments and why its records were merged."""
        entity = self.find(reference)
        node = self.reader.entities([entity])[entity]
        links = [*loose(node, "loose_links")]
        for row in self.reader.rows("entity_links", id=entity):
            link = row["link"]
            outgoing = row["direction"] == "out"
            other_record = link["target_id"] if outgoing else link["source_id"]
            stub = row["other_stub"]
            links.append({
                "_id": link["id"], "type": row["type"], "direction": row["direction"],
                "source": link["source_id"], "target": link["target_id"],
                "target_name": link.get("target_name"),
                "other": other_record if stub else row["other"],
                "other_name": link.get("target_name") if stub else row["other_name"],
                "share": link.get("share"), "role": link.get("role"),
                "start_date": link.get("start_date"), "end_date": link.get("end_date"),
                "source_file": link.get("source_file"), "record": link.get("record"),
            })  # fmt: skip
        links.sort(key=lambda item: (item["type"], item["_id"]))
        for item in links:
            item.pop("_id")
        listings = [
            {key: row[key] for key in ("authority", "list", "programmes", "listed_on",
                                       "delisted_on", "withdrawn_on", "source_file", "record")}
            | {"programmes": row["programmes"] or []}
            for row in self.reader.rows("entity_listings", id=entity)
        ]  # fmt: skip
        trade = self.reader.rows("entity_shipments", id=entity, limit=_SHOWN_SHIPMENTS)[0]
        for item in trade["shipments"]:
            item["_seq"] = item.pop("seq")
        extra = loose(node, "loose_shipments")
        # As SQLite's ORDER BY date over the shipments in rowid order: ties in load order.
        shipments = sorted(
            [*trade["shipments"], *extra], key=lambda item: (item["date"] or "", item["_seq"])
        )
        for item in shipments:
            item.pop("_seq")
        return {
            **view(node, entity),
            "properties": json.loads(node["properties"]),
            "links": links,
            "listings": listings,
            "shipments": shipments[:_SHOWN_SHIPMENTS],
            "shipment_count": int(trade["total"]) + len(extra),
            "merges": merges_of(node),
        }

    def sanctioned_by_extension(self, regime: str, as_of: str | None) -> dict[str, Any]:
        return extension.sanctioned_by_extension(self.reader, regime, as_of).as_dict()

    # -- paths ---------------------------------------------------------------------------------

    def paths(self, source: str, target: str, query: PathQuery) -> dict[str, Any]:
        start, goal = self.find(source), self.find(target)
        filters = _filters(query)
        if query.mode == "shortest":
            _check_hops(query.max_hops, path_search.SHORTEST_HOPS)
            rows = self.reader.rows(
                "paths_shortest_directed" if query.directed else "paths_shortest",
                source=start,
                target=goal,
                max_hops=query.max_hops,
                **filters.parameters(),
            )
            found = [list(rows[0]["nodes"])] if rows and start != goal else []
            if start == goal:
                found = [[start]]
            hops = [self._hops(nodes, filters) for nodes in found]
        else:
            found, hops = self._enumerated(start, goal, query, filters)
        nodes = self.reader.entities([entity for path in found for entity in path])
        known: dict[documents.Hop, list[dict[str, Any]]] = {}
        document = [
            documents.path_document(self.reader, ids, hop, nodes, known=known)
            for ids, hop in zip(found, hops, strict=True)
        ]
        return {"query": {"source": start, "target": goal, **asdict(query)}, "paths": document}

    def _hops(self, nodes: list[str], filters: subgraph.Filters) -> list[list[documents.Hop]]:
        pairs = [[a, b] for a, b in pairwise(nodes)]
        hops: list[list[documents.Hop]] = [[] for _ in pairs]
        if not pairs:
            return hops
        parameters = filters.parameters()
        parameters.pop("countries")
        for row in self.reader.rows("hop_edges", hops=pairs, **parameters):
            hops[row["hop"]].append((row["type"], row["source"], row["target"]))
        return hops

    def _enumerated(
        self, start: str, goal: str, query: PathQuery, filters: subgraph.Filters
    ) -> tuple[list[list[str]], list[list[list[documents.Hop]]]]:
        """The k shortest or all simple paths: the shared search over the subgraph of the
        entities that can lie on a path of at most ``max_hops`` between the two."""
        largest = path_search.SHORTEST_HOPS if query.mode == "k" else path_search.SIMPLE_HOPS
        _check_hops(query.max_hops, largest)
        if query.mode == "k" and query.k < 1:
            raise InputError(f"k must be at least 1, not {query.k}")
        if start == goal:
            ids = [start]
        else:
            ids = subgraph.between(self.reader, start, goal, query.max_hops, filters)
        day = query.as_of or date.today().isoformat()
        g = subgraph.fetch(
            self.reader, ids or [start, goal], types=filters.types, day=filters.day,
            min_share=filters.min_share, as_of=day,
        )  # fmt: skip
        options = query.filters()
        if start not in g.index or goal not in g.index:
            return [], []
        try:
            if query.mode == "k":
                found = path_search.k_shortest_paths(g, start, goal, query.k, **options)
            else:
                found = path_search.all_simple_paths(g, start, goal, **options)
        except ValueError as error:
            raise InputError(str(error)) from None
        paths = [[g.ids[node] for node in path.nodes] for path in found]
        hops = [
            [
                sorted({(KINDS[g.kind[e]], g.ids[g.source[e]], g.ids[g.target[e]]) for e in edges})
                for edges in path.edges
            ]
            for path in found
        ]
        return paths, hops

    # -- exports -------------------------------------------------------------------------------

    def export_selection(self, request: ExportRequest) -> Selection:
        from ownergraph.backends.neo4j.selection import export_selection

        return export_selection(self.reader, self.find, request)

    # -- trace and brokers ---------------------------------------------------------------------

    def trace(self, query: TraceQuery) -> dict[str, Any]:
        return chains.trace_document(self, query)

    def brokers(self, query: TraceQuery, top: int) -> dict[str, Any]:
        return chains.brokers_document(self, query, top)


def _filters(query: PathQuery) -> subgraph.Filters:
    """The query's filters as Cypher parameters, checked as the local path search checks them."""
    types = None
    if query.link_types is not None:
        unknown = set(query.link_types) - set(KINDS)
        if unknown:
            raise InputError(
                f"unknown link type(s) {', '.join(sorted(unknown))}; known: {', '.join(KINDS)}"
            )
        types = sorted(set(query.link_types))
    try:
        day = None if query.as_of is None else day_number(query.as_of)
    except ValueError as error:
        raise InputError(str(error)) from None
    countries = None if query.countries is None else sorted({c.upper() for c in query.countries})
    return subgraph.Filters(types, day, query.directed, countries, query.min_share)


def _check_hops(max_hops: int, largest: int) -> None:
    if not 1 <= max_hops <= largest:
        raise InputError(f"max_hops must be between 1 and {largest}, not {max_hops}")


def _ambiguous(reference: str, candidates: list[str]) -> str:
    shown = ", ".join(candidates[:10])
    more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
    return f"{reference!r} matches several entities: {shown}{more}; name one by id"

"""Export nodes from workspace rows: the records merged into each resolved entity, its listings.

The choices match the compact graph (``ownergraph.graph.build``), so an export describes the same
graph the analyses walk: the name is the canonical record's; schema and country are the first
known value, canonical record first, then in storage order, with a specific schema beating
``LegalEntity``; an entity is sanctioned when it has a listing active on the as-of day.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ownergraph.exports.model import CITATION_FIELDS, ENTITY_PROPERTIES, Node
from ownergraph.workspace import Workspace

BATCH = 500
_ENTITY_COLUMNS = "e.rowid AS position, e.id, e.dataset, e.schema, e.name, e.country, e.data, " + (
    ", ".join(f"e.{name}" for name in CITATION_FIELDS if name != "dataset")
)


def rows(workspace: Workspace, sql: str, parameters: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
    """Stream a query's rows, addressable by column name, a chunk at a time."""
    cursor = workspace.db.execute(sql, parameters)
    cursor.row_factory = sqlite3.Row
    while chunk := cursor.fetchmany(1000):
        yield from chunk


def marks(count: int) -> str:
    return ", ".join("?" * count)


def citation(row: Any) -> dict[str, Any]:
    """The record id and citation fields of a workspace row."""
    return {"id": row["id"], **{name: row[name] for name in CITATION_FIELDS}}


def active(listing: dict[str, Any], day: str) -> bool:
    """Whether a listing is in force on ``day`` (as ``graph.build`` decides ``sanctioned``)."""
    return (
        (listing["listed_on"] is None or listing["listed_on"] <= day)
        and (listing["delisted_on"] is None or listing["delisted_on"] > day)
        and (listing["withdrawn_on"] is None or listing["withdrawn_on"] > day)
    )


def listing_view(row: Any) -> dict[str, Any]:
    return {
        "authority": row["authority"],
        "list": row["list_name"],
        "programmes": json.loads(row["programmes"]),
        "listed_on": row["listed_on"],
        "delisted_on": row["delisted_on"],
        "withdrawn_on": row["withdrawn_on"],
        **citation(row),
    }


def node_from_rows(
    canonical: str, members: Sequence[Any], listings: list[dict[str, Any]], day: str
) -> Node:
    """One resolved entity from its records' rows (any order) and its listings."""
    ordered = sorted(members, key=lambda row: (row["id"] != canonical, row["position"]))
    first = ordered[0]
    names: list[str] = []
    identifiers: list[str] = []
    properties: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for row in ordered:
        data = json.loads(row["data"])
        names.extend(name for name, _ in data.get("names", []) if name not in names)
        identifiers.extend(i for i in data.get("identifiers", []) if i not in identifiers)
        for key in ENTITY_PROPERTIES:
            if data.get(key) and key not in properties:
                properties[key] = data[key]
        for key, value in (data.get("properties") or {}).items():
            extra.setdefault(key, value)
    if extra:
        properties["properties"] = extra
    schemas = [row["schema"] for row in ordered]
    schema = next((name for name in schemas if name != "LegalEntity"), schemas[0])
    return Node(
        id=canonical,
        name=first["name"],
        schema=schema,
        country=next((row["country"] for row in ordered if row["country"]), None),
        sanctioned=any(active(listing, day) for listing in listings),
        aliases=[name for name in names if name != first["name"]],
        identifiers=identifiers,
        properties=properties,
        listings=listings,
        sources=[citation(row) for row in ordered],
    )


def stub(entity: str, listings: list[dict[str, Any]] | None = None, day: str = "") -> Node:
    """A node for an id that links or shipments name but no record describes."""
    listed = listings or []
    return Node(entity, entity, None, None, any(active(item, day) for item in listed),
                listings=listed)  # fmt: skip


def members_of(workspace: Workspace, canonical: Sequence[str]) -> dict[str, list[str]]:
    """Record ids of each resolved entity (an entity resolution never merged is its own)."""
    found: dict[str, list[str]] = {entity: [] for entity in canonical}
    for start in range(0, len(canonical), BATCH):
        batch = list(canonical[start : start + BATCH])
        for row in workspace.query(
            f"SELECT canonical_id, entity_id FROM clusters WHERE canonical_id IN "
            f"({marks(len(batch))}) ORDER BY canonical_id, entity_id",
            batch,
        ):
            found[row[0]].append(row[1])
    for entity, ids in found.items():
        if entity not in ids:
            ids.insert(0, entity)
    return found


def listings_of(workspace: Workspace, records: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    """Listings by resolved entity, for a mapping of record id -> resolved entity."""
    found: dict[str, list[dict[str, Any]]] = {}
    ids = list(records)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        for row in workspace.query(
            f"SELECT * FROM listings WHERE entity_id IN ({marks(len(batch))}) "
            f"ORDER BY listed_on, id",
            batch,
        ):
            found.setdefault(records[row["entity_id"]], []).append(listing_view(row))
    return found


def nodes_of(workspace: Workspace, entities: Iterable[str], day: str) -> dict[str, Node]:
    """Nodes for resolved entity ids (canonical), in the order given; stubs for unknown ids."""
    wanted = list(dict.fromkeys(entities))
    members = members_of(workspace, wanted)
    owner = {record: entity for entity, ids in members.items() for record in ids}
    listings = listings_of(workspace, owner)
    found: dict[str, list[Any]] = {}
    records = list(owner)
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        for row in workspace.query(
            f"SELECT {_ENTITY_COLUMNS} FROM entities e WHERE e.id IN ({marks(len(batch))})", batch
        ):
            found.setdefault(owner[row["id"]], []).append(row)
    return {
        entity: node_from_rows(entity, found[entity], listings.get(entity, []), day)
        if entity in found
        else stub(entity, listings.get(entity), day)
        for entity in wanted
    }


def all_nodes(workspace: Workspace, day: str) -> Iterator[Node]:
    """Every node of the graph, streamed: unmerged records, then merged entities a batch at a
    time (walking the canonical-id index, so nothing is sorted in memory), then stubs."""
    listings: dict[str, list[dict[str, Any]]] = {}
    for row in rows(
        workspace,
        "SELECT l.*, COALESCE(c.canonical_id, l.entity_id) AS canonical FROM listings l "
        "LEFT JOIN clusters c ON c.entity_id = l.entity_id ORDER BY l.listed_on, l.id",
    ):
        listings.setdefault(row["canonical"], []).append(listing_view(row))
    for row in rows(
        workspace,
        f"SELECT {_ENTITY_COLUMNS} FROM entities e "
        f"WHERE NOT EXISTS (SELECT 1 FROM clusters c WHERE c.entity_id = e.id)",
    ):
        yield node_from_rows(row["id"], [row], listings.get(row["id"], []), day)
    group: dict[str, list[str]] = {}
    pending = 0
    for canonical, record in rows(
        workspace,
        "SELECT canonical_id, entity_id FROM clusters INDEXED BY clusters_canonical "
        "ORDER BY canonical_id",
    ):
        if canonical not in group and pending >= BATCH:
            yield from _merged(workspace, group, listings, day)
            group, pending = {}, 0
        group.setdefault(canonical, []).append(record)
        pending += 1
    yield from _merged(workspace, group, listings, day)
    for (entity,) in rows(workspace, _STUBS):
        yield stub(entity, listings.get(entity), day)


def _merged(
    workspace: Workspace,
    group: dict[str, list[str]],
    listings: dict[str, list[dict[str, Any]]],
    day: str,
) -> Iterator[Node]:
    owner = {record: entity for entity, ids in group.items() for record in ids}
    found: dict[str, list[Any]] = {}
    for row in workspace.query(
        f"SELECT {_ENTITY_COLUMNS} FROM entities e WHERE e.id IN ({marks(len(owner))})",
        list(owner),
    ):
        found.setdefault(owner[row["id"]], []).append(row)
    for entity in group:
        if entity in found:
            yield node_from_rows(entity, found[entity], listings.get(entity, []), day)


def _named(column: str, table: str, where: str = "") -> str:
    return (
        f"SELECT {column} AS id FROM {table} WHERE {column} IS NOT NULL {where} "
        f"AND NOT EXISTS (SELECT 1 FROM entities e WHERE e.id = {column})"
    )


_STUBS = "SELECT DISTINCT id FROM (" + " UNION ALL ".join(
    (
        _named("source_id", "links", "AND target_id IS NOT NULL"),
        _named("target_id", "links"),
        _named("exporter_id", "shipments", "AND importer_id IS NOT NULL"),
        _named("importer_id", "shipments", "AND exporter_id IS NOT NULL"),
        _named("declarant_id", "shipments", "AND exporter_id IS NOT NULL "
               "AND importer_id IS NOT NULL"),
    )
) + ") ORDER BY id"  # fmt: skip
"""Ids that edges name without an entity record (the graph makes them nodes too)."""

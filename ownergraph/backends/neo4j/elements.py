"""The canonical graph as Neo4j elements: node and relationship rows with content hashes.

Streams exactly what the local backend analyses (:mod:`ownergraph.graph.build`, whose module
docstring lists every choice) out of a workspace:

- one ``Entity`` node per resolved entity (records merged by the ``clusters`` table), labelled
  with its schema from ``ENTITY_KINDS``, carrying the contract view (name, aliases, identifiers,
  sources), the member record ids, the names' search keys (``keys``; ``lookup_keys`` for the
  text index), what ``show`` prints, and ``ord``: its place in the local graph's node
  numbering (the smallest rowid of its records; ids that only links or shipments name come
  after, in the order the local build meets them), so that analyses fetched from Neo4j walk
  nodes in the same order and break ties the same way;
- one ``Listing`` node per listing of an entity in the graph, ``(:Listing)-[:LISTS]->(:Entity)``;
- one relationship per link record of a type in ``LINK_KINDS``, between the canonical entities of
  its two ends (self-loops kept), one ``SHIPPED_TO`` per shipment with both parties, and one
  ``DECLARED`` per (declarant, party) pair with the shipment count and first and last day
  (as day numbers, and the first and last date as the shipments give them).

Entities also carry ``export_node``: what ``ownergraph export`` writes of them, so that exports
from the server are the local ones (:mod:`~ownergraph.backends.neo4j.selection`).

Every row has a key and a 64-bit content hash; :mod:`~ownergraph.backends.neo4j.push` compares
the hashes with those stored on the server and writes only what changed.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from hashlib import blake2b
from typing import Any

from ownergraph.graph.csr import OPEN_END, OPEN_START, day_number
from ownergraph.lookup import SHIPMENT_FIELDS, share_text
from ownergraph.model.schema import LINK_KINDS
from ownergraph.workspace import Workspace

TRADE = ("SHIPPED_TO", "DECLARED")
PLAIN_LINKS: tuple[str, ...] = tuple(name for name in LINK_KINDS if name not in TRADE)
"""Link types stored one relationship per ``links`` record."""
SEPARATOR = "\x1f"
"""Joins the values of the text-indexed lookup properties; no id, key or identifier has it."""
LOOKUP_BYTES = 30000
"""Largest lookup string a text index takes (its limit is about 32 KiB); longer lists keep what
fits and label the entity ``LookupOverflow``, which the look-up queries also scan."""
OVERFLOW = "LookupOverflow"
STUB_ORD = 1 << 50
"""``ord`` of the first id without an entity record: after every record (rowids stay below)."""
_COLUMN = 1 << 34
_PROVENANCE = ("dataset", "source_file", "record", "source_url", "loaded_at")
_SHIPMENT_PROPS = (
    "date", "hs_code", "hs6", "chpl_tier", "description", "quantity", "unit", "value",
    "currency", "origin_country", "destination_country",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Element:
    """One node or relationship to write: the statement's row, its key and content hash."""

    kind: str
    """``entity``, ``listing`` or ``relationship``."""
    key: str
    """The id (nodes) or ``<type>\\x1f<id>`` (relationships): unique within ``kind``."""
    row: dict[str, Any]
    hash: int


def element_key(kind: str, identity: str, rel_type: str | None = None) -> str:
    return f"{rel_type}{SEPARATOR}{identity}" if kind == "relationship" else identity


def content_hash(row: Mapping[str, Any]) -> int:
    """A signed 64-bit hash of a row (Neo4j integers are signed 64-bit)."""
    text = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = blake2b(text.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def key_hash(key: str) -> int:
    digest = blake2b(key.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _element(kind: str, row: dict[str, Any]) -> Element:
    props = row["props"]
    props.pop("hash", None)
    digest = content_hash(row)
    props["hash"] = digest
    key = element_key(kind, props["id"], row.get("type"))
    return Element(kind, key, row, digest)


def day_of(text: str | None, *, end: bool) -> int:
    """The day number of a (partial) ISO date as the local build reads it: ``2023`` is the whole
    year, ``2023-05`` the whole month (``end`` picks the last day); anything else is open."""
    value = (text or "")[:10]
    try:
        if len(value) == 4:
            year = int(value)
            return day_number(date(year, 12, 31) if end else date(year, 1, 1))
        if len(value) == 7 and value[4] == "-":
            year, month = int(value[:4]), int(value[5:])
            last = calendar.monthrange(year, month)[1] if end else 1
            return day_number(date(year, month, last))
        if len(value) == 10:
            return day_number(date.fromisoformat(value))
    except ValueError:
        pass
    return OPEN_END if end else OPEN_START


def _lookup(values: Iterable[str]) -> str:
    """``\\x1fa\\x1fb\\x1f``: one string a text index can search with ``CONTAINS``; at most
    :data:`LOOKUP_BYTES` of it (see :func:`overflows`)."""
    text = SEPARATOR
    size = 1
    for value in values:
        size += len(value.encode("utf-8")) + 1
        if size > LOOKUP_BYTES:
            break
        text += value + SEPARATOR
    return text


def overflows(values: Iterable[str]) -> bool:
    """Whether :func:`_lookup` of ``values`` had to leave some out."""
    return 1 + sum(len(value.encode("utf-8")) + 1 for value in values) > LOOKUP_BYTES


class Canonical:
    """Record id -> resolved entity id (the ``clusters`` table, merged records only)."""

    def __init__(self, workspace: Workspace) -> None:
        self.map: dict[str, str] = dict(
            workspace.iterate("SELECT entity_id, canonical_id FROM clusters")
        )

    def __call__(self, record: str) -> str:
        return self.map.get(record, record)


# -- entities ----------------------------------------------------------------------------------


_KNOWN_TYPES = ", ".join(f"'{name}'" for name in LINK_KINDS)
_EDGE_ENDS = f"""
    SELECT source_id AS id, rowid + 0 * {_COLUMN} AS place FROM links
        WHERE target_id IS NOT NULL AND type IN ({_KNOWN_TYPES})
    UNION ALL SELECT target_id, rowid + 1 * {_COLUMN} FROM links
        WHERE target_id IS NOT NULL AND type IN ({_KNOWN_TYPES})
    UNION ALL SELECT exporter_id, rowid + 2 * {_COLUMN} FROM shipments
        WHERE exporter_id IS NOT NULL AND importer_id IS NOT NULL
    UNION ALL SELECT importer_id, rowid + 3 * {_COLUMN} FROM shipments
        WHERE exporter_id IS NOT NULL AND importer_id IS NOT NULL
    UNION ALL SELECT declarant_id, rowid + 4 * {_COLUMN} FROM shipments
        WHERE exporter_id IS NOT NULL AND importer_id IS NOT NULL AND declarant_id != ''
"""


def stub_ids(workspace: Workspace) -> dict[str, int]:
    """Ids that links or shipments name but no entity record describes, with their ``ord``
    (the local build numbers them in the order it meets them: link sources, link targets,
    exporters, importers, declarants, each in rowid order)."""
    rows = workspace.iterate(
        f"SELECT id, min(place) FROM ({_EDGE_ENDS}) WHERE id IS NOT NULL AND id != '' "
        f"AND id NOT IN (SELECT id FROM entities) "
        f"AND id NOT IN (SELECT entity_id FROM clusters) GROUP BY id"
    )
    return {str(entity): STUB_ORD + int(place) for entity, place in rows}


def _show_link(
    row: Any, outgoing: bool, other: str | None, other_name: str | None
) -> dict[str, Any]:
    """One entry of ``show``'s links, as :func:`ownergraph.lookup.describe` writes it (plus
    ``_id``, the link id, which orders them and is dropped before output)."""
    return {
        "_id": row["id"], "type": row["type"], "direction": "out" if outgoing else "in",
        "source": row["source_id"], "target": row["target_id"],
        "target_name": row["target_name"], "other": other, "other_name": other_name,
        "share": share_text(row), "role": row["role"], "start_date": row["start_date"],
        "end_date": row["end_date"], "source_file": row["source_file"], "record": row["record"],
    }  # fmt: skip


def _loose(
    workspace: Workspace, canonical: Canonical, stubs: Mapping[str, int]
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """What ``show`` lists that the graph has no relationship for, by resolved entity: links
    without a target record id or of an unknown type, and shipments missing a party."""
    from ownergraph.lookup import entity_view

    links: dict[str, list[dict[str, Any]]] = {}
    names: dict[str, tuple[str, str]] = {}

    def other_of(record: str | None, fallback: str | None) -> tuple[str | None, str | None]:
        if not record or record in stubs or canonical(record) in stubs:
            return record, fallback
        if record not in names:
            try:
                view = entity_view(workspace, record)
            except Exception:  # an id that no record has: shown as the raw id, like lookup
                return record, fallback
            names[record] = (view.id, view.name)
        return names[record]

    for row in workspace.query(
        f"SELECT * FROM links WHERE target_id IS NULL OR type NOT IN ({_KNOWN_TYPES}) "
        f"ORDER BY type, id"
    ):
        ends = [(row["source_id"], True, row["target_id"])]
        if row["target_id"]:
            ends.append((row["target_id"], False, row["source_id"]))
        seen: set[str] = set()
        for record, outgoing, other in ends:
            entity = canonical(record)
            if entity in seen:
                continue  # both ends merged into one entity: listed once, as outgoing
            seen.add(entity)
            shown, name = other_of(other, row["target_name"])
            links.setdefault(entity, []).append(_show_link(row, outgoing, shown, name))
    shipments: dict[str, list[dict[str, Any]]] = {}
    for row in workspace.query(
        "SELECT rowid AS seq, * FROM shipments WHERE exporter_id IS NULL OR importer_id IS NULL "
        "ORDER BY id"
    ):
        entry = {"_seq": row["seq"], **{key: row[key] for key in SHIPMENT_FIELDS}}
        parties = {
            canonical(row[column])
            for column in ("exporter_id", "importer_id", "declarant_id")
            if row[column]
        }
        for entity in sorted(parties):
            shipments.setdefault(entity, []).append(entry)
    return links, shipments


def _first(value: Any) -> str:
    """A property's first value (``nationality`` may be a list), as the local trace reads it."""
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value)


def entities(
    workspace: Workspace, canonical: Canonical, stubs: Mapping[str, int]
) -> Iterator[Element]:
    """One ``Entity`` element per resolved entity, then one per id only edges name (a stub)."""
    loose_links, loose_shipments = _loose(workspace, canonical, stubs)
    rows = workspace.iterate(
        "SELECT e.rowid, e.id, e.dataset, e.schema, e.name, e.country, e.data, e.record, "
        "c.canonical_id, c.explanation, e.source_file, e.source_url, e.loaded_at FROM entities e "
        "LEFT JOIN clusters c ON c.entity_id = e.id "
        "ORDER BY COALESCE(c.canonical_id, e.id), e.id"
    )
    group: list[tuple[Any, ...]] = []
    current = None
    for row in rows:
        entity = row[8] or row[1]
        if entity != current and group:
            yield _entity(current, group, loose_links, loose_shipments)
            group = []
        current = entity
        group.append(row)
    if group:
        yield _entity(current, group, loose_links, loose_shipments)
    for stub, place in stubs.items():
        yield _stub(stub, place, loose_links, loose_shipments)


def _entity(
    entity: Any,
    rows: list[tuple[Any, ...]],
    loose_links: Mapping[str, list[dict[str, Any]]],
    loose_shipments: Mapping[str, list[dict[str, Any]]],
) -> Element:
    """The node of one resolved entity from its records (sorted by id, so the canonical record,
    the smallest id, comes first, as in ``lookup.entity_view``)."""
    first = rows[0]
    names: list[str] = []
    keys: list[str] = []
    identifiers: list[str] = []
    properties: dict[str, Any] = {}
    facts: dict[str, str] = {}
    merges: list[Any] = []
    for row in rows:
        data = json.loads(row[6])
        for name, key in data.get("names", []):
            if name not in names:
                names.append(name)
            if key not in keys:
                keys.append(key)
        identifiers.extend(i for i in data.get("identifiers", []) if i not in identifiers)
        for key, value in data.items():
            if key not in ("names", "identifiers"):
                properties.setdefault(key, value)
        if data.get("incorporation_date"):
            facts.setdefault("incorporation_date", str(data["incorporation_date"]))
        if data.get("nationality"):
            facts.setdefault("nationality", _first(data["nationality"]))
        if row[9]:
            merges.extend(m for m in json.loads(row[9]) if m not in merges)
    schema = next((row[3] for row in rows if row[3] != "LegalEntity"), first[3])
    records = [str(row[1]) for row in rows]
    props: dict[str, Any] = {
        "id": str(entity),
        "name": first[4],
        "aliases": [name for name in names if name != first[4]],
        "schema": schema,
        "country": next((row[5] for row in rows if row[5]), None),
        "identifiers": identifiers,
        "records": records,
        "source_datasets": [row[2] for row in rows],
        "source_records": [row[7] for row in rows],
        "keys": keys,
        "properties": json.dumps(properties, ensure_ascii=False),
        "merges": json.dumps(merges, ensure_ascii=False) if len(rows) > 1 else None,
        "stub": False,
        "ord": min(int(row[0]) for row in rows),
        "lookup_records": _lookup(records),
        "lookup_identifiers": _lookup(identifiers),
        "lookup_keys": _lookup(keys),
        **facts,
    }
    props["export_node"] = _export_node(entity, rows)
    _add_loose(props, loose_links, loose_shipments)
    big = any(overflows(values) for values in (records, identifiers, keys))
    return _element("entity", {"labels": [schema, OVERFLOW] if big else [schema], "props": props})


_EXPORT_ROW = ("position", "id", "dataset", "schema", "name", "country", "data", "record")


def _export_node(entity: Any, rows: list[tuple[Any, ...]]) -> str:
    """What ``ownergraph export`` writes of the entity (``exports.entities.node_from_rows``:
    the compact graph's choices, records in storage order), less what depends on the day and
    the listings, as JSON: exports from the server then equal the local ones."""
    from ownergraph.exports.entities import node_from_rows

    members = [
        {**dict(zip(_EXPORT_ROW, row[:8], strict=True)), "source_file": row[10],
         "source_url": row[11], "loaded_at": row[12]}
        for row in rows
    ]  # fmt: skip
    node = node_from_rows(str(entity), members, [], "").as_dict()
    kept = ("name", "schema", "country", "aliases", "identifiers", "properties", "sources")
    return json.dumps({key: node[key] for key in kept}, ensure_ascii=False)


def _stub(
    entity: str,
    place: int,
    loose_links: Mapping[str, list[dict[str, Any]]],
    loose_shipments: Mapping[str, list[dict[str, Any]]],
) -> Element:
    """An id that only links or shipments name: a node that cites nothing (``view_or_stub``)."""
    props: dict[str, Any] = {
        "id": entity, "name": entity, "aliases": [], "schema": "LegalEntity", "country": None,
        "identifiers": [], "records": [], "source_datasets": [], "source_records": [],
        "keys": [], "properties": "{}", "merges": None, "stub": True, "ord": place,
        "lookup_records": _lookup([]), "lookup_identifiers": _lookup([]),
        "lookup_keys": _lookup([]),
    }  # fmt: skip
    _add_loose(props, loose_links, loose_shipments)
    return _element("entity", {"labels": ["LegalEntity"], "props": props})


def _add_loose(
    props: dict[str, Any],
    loose_links: Mapping[str, list[dict[str, Any]]],
    loose_shipments: Mapping[str, list[dict[str, Any]]],
) -> None:
    links = loose_links.get(props["id"])
    shipments = loose_shipments.get(props["id"])
    props["loose_links"] = json.dumps(links, ensure_ascii=False) if links else None
    props["loose_shipments"] = json.dumps(shipments, ensure_ascii=False) if shipments else None


# -- listings ----------------------------------------------------------------------------------


def listings(
    workspace: Workspace, canonical: Canonical, stubs: Mapping[str, int]
) -> Iterator[Element]:
    """One ``Listing`` per listing whose entity is in the graph (a record, or an id that an edge
    names, ``stubs``); the local graph drops the others too."""
    for row in workspace.iterate(
        "SELECT id, entity_id, authority, list_name, programmes, listed_on, delisted_on, "
        "withdrawn_on, dataset, source_file, record, source_url, loaded_at, "
        "EXISTS (SELECT 1 FROM entities e WHERE e.id = listings.entity_id), rowid FROM listings "
        "ORDER BY id"
    ):
        entity = canonical(row[1])
        if not (row[13] or entity in stubs):
            continue
        props = {
            "id": row[0], "entity_id": row[1], "authority": row[2], "list": row[3],
            "programmes": json.loads(row[4]), "listed_on": row[5], "delisted_on": row[6],
            "withdrawn_on": row[7], "dataset": row[8], "source_file": row[9], "record": row[10],
            "source_url": row[11], "loaded_at": row[12], "seq": row[14],
        }  # fmt: skip
        yield _element("listing", {"entity": entity, "props": props})


# -- relationships -----------------------------------------------------------------------------


def links(workspace: Workspace, canonical: Canonical) -> Iterator[Element]:
    """One relationship per link record between records of two entities (``PLAIN_LINKS``)."""
    wanted = ", ".join(f"'{name}'" for name in PLAIN_LINKS)
    cursor = workspace.db.execute(
        f"SELECT rowid AS seq, * FROM links WHERE target_id IS NOT NULL AND type IN ({wanted}) "
        f"ORDER BY rowid"
    )
    columns = [column[0] for column in cursor.description]
    while chunk := cursor.fetchmany(10000):
        for values in chunk:
            row = dict(zip(columns, values, strict=True))
            known = bool(row["share_known"])
            props = {
                "id": row["id"], "source_id": row["source_id"], "target_id": row["target_id"],
                "target_name": row["target_name"], "share": share_text(row),
                "share_known": known,
                "share_low": row["share_low"] if known else None,
                "share_high": row["share_high"] if known else None,
                "share_low_open": bool(row["share_low_open"]),
                "share_high_open": bool(row["share_high_open"]),
                "role": row["role"], "start_date": row["start_date"], "end_date": row["end_date"],
                "start_day": day_of(row["start_date"], end=False),
                "end_day": day_of(row["end_date"], end=True), "seq": row["seq"],
                **{key: row[key] for key in _PROVENANCE},
            }  # fmt: skip
            yield _element(
                "relationship",
                {
                    "type": row["type"],
                    "source": canonical(row["source_id"]),
                    "target": canonical(row["target_id"]),
                    "props": props,
                },
            )


_SHIPMENT_QUERY = (
    "SELECT id, exporter_id, importer_id, declarant_id, COALESCE(CAST(hs6 AS INTEGER), -1), rowid, "
    + ", ".join(_SHIPMENT_PROPS)
    + ", "
    + ", ".join(_PROVENANCE)
    + " FROM shipments WHERE exporter_id IS NOT NULL AND importer_id IS NOT NULL ORDER BY rowid"
)


def shipments(workspace: Workspace, canonical: Canonical) -> Iterator[Element]:
    """One ``SHIPPED_TO`` per shipment with both parties, then the aggregated ``DECLARED``."""
    declared: dict[tuple[str, str], list[int]] = {}
    dates: dict[tuple[str, str], tuple[str, str]] = {}
    for values in workspace.iterate(_SHIPMENT_QUERY):
        shipment, exporter, importer, declarant, hs6_code, seq = values[:6]
        rest = dict(zip(_SHIPMENT_PROPS + _PROVENANCE, values[6:], strict=True))
        day = day_of(rest["date"], end=False)
        declarant_entity = canonical(declarant) if declarant else None
        source, target = canonical(exporter), canonical(importer)
        props = {
            "id": shipment, "exporter_id": exporter, "importer_id": importer,
            "declarant_id": declarant, "declarant": declarant_entity, "day": day,
            "start_day": day, "end_day": OPEN_END if day == OPEN_START else day,
            "hs6_code": int(hs6_code), "seq": seq, **rest,
        }  # fmt: skip
        yield _element(
            "relationship",
            {"type": "SHIPPED_TO", "source": source, "target": target, "props": props},
        )
        if declarant_entity:
            text = rest["date"]
            for party in (source, target):
                span = declared.setdefault((declarant_entity, party), [OPEN_END, OPEN_START, 0])
                if day != OPEN_START:
                    span[0] = min(span[0], day)
                span[1] = max(span[1], day)
                span[2] += 1
                if text is not None:  # the dates as written, as SQL's min() and max() give them
                    first, last = dates.get((declarant_entity, party), (text, text))
                    dates[declarant_entity, party] = (min(first, text), max(last, text))
    for (declarant_entity, party), (low, high, count) in sorted(declared.items()):
        low = OPEN_START if low == OPEN_END else low
        high = OPEN_END if high == OPEN_START else high
        first, last = dates.get((declarant_entity, party), (None, None))
        props = {
            "id": json.dumps([declarant_entity, party], ensure_ascii=False),
            "count": count, "start_day": low, "end_day": high, "start_date": first,
            "end_date": last,
        }  # fmt: skip
        yield _element(
            "relationship",
            {"type": "DECLARED", "source": declarant_entity, "target": party, "props": props},
        )


def relationships(workspace: Workspace, canonical: Canonical) -> Iterator[Element]:
    yield from links(workspace, canonical)
    yield from shipments(workspace, canonical)

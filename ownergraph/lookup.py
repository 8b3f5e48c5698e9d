"""Finding and describing entities in the workspace: name search, id lookup, entity views.

These functions return plain typed results; the CLI prints them as tables or JSON (DESIGN.md §7).
Until entity resolution runs, an entity is one source record.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from rapidfuzz import fuzz

from ownergraph.errors import InputError
from ownergraph.model import ShareInterval
from ownergraph.model.values import country_code, search_key
from ownergraph.workspace import Workspace

SHIPMENT_FIELDS = (
    "id", "date", "exporter_id", "importer_id", "declarant_id", "hs_code", "chpl_tier",
    "description", "quantity", "unit", "value", "currency",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class EntityView:
    """An entity as the JSON contract shows it."""

    id: str
    name: str
    aliases: list[str]
    schema: str
    country: str | None
    sanctioned: bool
    identifiers: list[str]
    sources: list[dict[str, str]]
    score: float | None = None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.score is None:
            data.pop("score")
        return data


@dataclass(frozen=True, slots=True)
class EntityDetail:
    """``show``: the entity, its properties, links both ways, listings and shipments."""

    entity: EntityView
    properties: dict[str, Any]
    links: list[dict[str, Any]] = field(default_factory=list)
    listings: list[dict[str, Any]] = field(default_factory=list)
    shipments: list[dict[str, Any]] = field(default_factory=list)
    shipment_count: int = 0
    merges: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.entity.as_dict(),
            "properties": self.properties,
            "links": self.links,
            "listings": self.listings,
            "shipments": self.shipments,
            "shipment_count": self.shipment_count,
            "merges": self.merges,
        }


def canonical_id(workspace: Workspace, record_id: str) -> str:
    """The resolved entity a record belongs to (itself when resolution merged it with nothing)."""
    rows = workspace.query("SELECT canonical_id FROM clusters WHERE entity_id = ?", (record_id,))
    return str(rows[0][0]) if rows else record_id


def members(workspace: Workspace, entity_id: str) -> list[str]:
    """Record ids of the resolved entity ``entity_id`` (canonical or any member id)."""
    canonical = canonical_id(workspace, entity_id)
    rows = workspace.query(
        "SELECT entity_id FROM clusters WHERE canonical_id = ? ORDER BY entity_id", (canonical,)
    )
    return [str(row[0]) for row in rows] or [entity_id]


def entity_view(workspace: Workspace, entity_id: str, score: float | None = None) -> EntityView:
    """The contract view of a resolved entity; :class:`InputError` if there is no such record.

    Names, identifiers and sources are the union over the records merged into it; the name
    shown is the canonical record's.
    """
    canonical = canonical_id(workspace, entity_id)
    ids = members(workspace, canonical)
    placeholders = ", ".join("?" * len(ids))
    rows = workspace.query(
        f"SELECT id, dataset, schema, name, country, data, record FROM entities "
        f"WHERE id IN ({placeholders}) ORDER BY id = ? DESC, id",
        (*ids, canonical),
    )
    if not rows:
        raise InputError(f"no entity {entity_id!r}")
    first = rows[0]
    names: list[str] = []
    identifiers: list[str] = []
    for row in rows:
        data = json.loads(row["data"])
        names.extend(name for name, _ in data.get("names", []) if name not in names)
        identifiers.extend(i for i in data.get("identifiers", []) if i not in identifiers)
    sanctioned = _sanctioned(workspace, ids)
    schema = next(
        (row["schema"] for row in rows if row["schema"] != "LegalEntity"), first["schema"]
    )
    country = next((row["country"] for row in rows if row["country"]), None)
    return EntityView(
        id=canonical,
        name=first["name"],
        aliases=[name for name in names if name != first["name"]],
        schema=schema,
        country=country,
        sanctioned=sanctioned,
        identifiers=identifiers,
        sources=[{"dataset": row["dataset"], "record": row["record"]} for row in rows],
        score=score,
    )


def view_or_stub(workspace: Workspace, entity_id: str) -> dict[str, Any]:
    """The entity's contract view, or a stub for an id only a link or shipment names (no record
    describes it, so it cites nothing)."""
    try:
        return entity_view(workspace, entity_id).as_dict()
    except InputError:
        return {"id": entity_id, "name": entity_id, "aliases": [], "schema": "LegalEntity",
                "country": None, "sanctioned": False, "identifiers": [], "sources": []}  # fmt: skip


def _sanctioned(workspace: Workspace, ids: list[str]) -> bool:
    placeholders = ", ".join("?" * len(ids))
    day = date.today().isoformat()
    return bool(
        workspace.query(
            f"SELECT 1 FROM listings WHERE entity_id IN ({placeholders}) "
            f"AND (listed_on IS NULL OR listed_on <= ?) "
            f"AND (delisted_on IS NULL OR delisted_on > ?) "
            f"AND (withdrawn_on IS NULL OR withdrawn_on > ?) LIMIT 1",
            (*ids, day, day, day),
        )
    )


def search(
    workspace: Workspace, text: str, *, country: str | None = None, limit: int = 20
) -> list[EntityView]:
    """Entities whose names contain every word of ``text``, case-, accent- and
    script-insensitively (``Bereke`` finds ``ТОО «Береке»`` and ``Береке`` finds ``BEREKE TOO``).

    Ranked by rapidfuzz similarity (``WRatio``) of the names' search keys to the query's
    (:func:`~ownergraph.model.values.search_key`, 0-1); records merged by resolution come back
    once, as their entity.
    """
    query = search_key(text)
    if not query:
        raise InputError("search needs a name with at least one letter or digit")
    tokens = query.split()
    where = " AND ".join("n.key LIKE ?" for _ in tokens)
    # Every name holding the words is ranked, as the Neo4j backend ranks them, with its entity.
    scores: dict[str, float] = {}
    best: dict[str, float] = {}
    for entity, key in workspace.iterate(
        "SELECT COALESCE(c.canonical_id, n.entity_id), n.key FROM names AS n "
        f"LEFT JOIN clusters AS c ON c.entity_id = n.entity_id WHERE {where}",
        [f"%{token}%" for token in tokens],
    ):
        score = scores.get(key)
        if score is None:
            score = scores[key] = fuzz.WRatio(query, key) / 100.0
        if score > best.get(entity, -1.0):
            best[entity] = score
    wanted = country_code(country) if country else None
    if country and wanted is None:
        raise InputError(f"unknown country {country!r}")
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    views: list[EntityView] = []
    for entity_id, score in ranked:
        view = entity_view(workspace, entity_id, round(score, 4))
        if wanted and view.country != wanted:
            continue
        views.append(view)
        if len(views) >= limit:
            break
    return views


def find_entity(workspace: Workspace, reference: str) -> str:
    """Resolve a user's reference (an id, a ``scheme:value`` identifier or a name) to one id.

    Raises :class:`InputError` when nothing matches, or when a name matches several entities
    equally well (the message lists the candidates).
    """
    if workspace.query("SELECT 1 FROM entities WHERE id = ?", (reference,)):
        return reference
    scheme, sep, value = reference.partition(":")
    if sep:
        rows = workspace.query(
            "SELECT DISTINCT entity_id FROM identifiers WHERE value = ? AND scheme = ?",
            (value.strip(), scheme.strip().lower()),
        )
        found = _distinct_entities(workspace, rows)
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise InputError(_ambiguous(reference, found))
    key = search_key(reference)
    exact = _distinct_entities(
        workspace, workspace.query("SELECT DISTINCT entity_id FROM names WHERE key = ?", (key,))
    )
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        raise InputError(_ambiguous(reference, exact))
    hits = search(workspace, reference, limit=5) if key else []
    if len(hits) == 1:
        return hits[0].id
    if hits:
        raise InputError(_ambiguous(reference, [hit.id for hit in hits]))
    raise InputError(f"no entity matches {reference!r}")


def _distinct_entities(workspace: Workspace, rows: list[Any]) -> list[str]:
    """The resolved entities of some record-id rows, once each: records that resolution merged
    are one entity, not an ambiguity."""
    return list(dict.fromkeys(canonical_id(workspace, str(row[0])) for row in rows))


def merges(workspace: Workspace, entity_id: str) -> list[dict[str, Any]]:
    """Why resolution merged the records of ``entity_id``: one explanation a merge decision."""
    ids = members(workspace, entity_id)
    found: list[dict[str, Any]] = []
    for (explanation,) in workspace.query(
        f"SELECT explanation FROM clusters WHERE entity_id IN ({', '.join('?' * len(ids))})", ids
    ):
        found.extend(merge for merge in json.loads(explanation) if merge not in found)
    return found


def _ambiguous(reference: str, candidates: list[str]) -> str:
    shown = ", ".join(candidates[:10])
    more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
    return f"{reference!r} matches several entities: {shown}{more}; name one by id"


def describe(workspace: Workspace, entity_id: str, *, shipments: int = 20) -> EntityDetail:
    """Everything the workspace knows about one entity, for ``show``.

    The links, listings and shipments are those of every record merged into the entity, and
    ``merges`` says which records were merged and why.
    """
    view = entity_view(workspace, entity_id)
    ids = members(workspace, view.id)
    marks = ", ".join("?" * len(ids))
    properties: dict[str, Any] = {}
    for (data,) in workspace.query(f"SELECT data FROM entities WHERE id IN ({marks})", ids):
        for key, value in json.loads(data).items():
            if key not in ("names", "identifiers"):
                properties.setdefault(key, value)
    inside = set(ids)
    links = []
    for row in workspace.query(
        f"SELECT * FROM links WHERE source_id IN ({marks}) OR target_id IN ({marks}) "
        f"ORDER BY type, id",
        (*ids, *ids),
    ):
        outgoing = row["source_id"] in inside
        other = row["target_id"] if outgoing else row["source_id"]
        other_view = entity_view(workspace, other) if other and _exists(workspace, other) else None
        links.append(
            {
                "type": row["type"],
                "direction": "out" if outgoing else "in",
                "source": row["source_id"],
                "target": row["target_id"],
                "target_name": row["target_name"],
                "other": other_view.id if other_view else other,
                "other_name": other_view.name if other_view else row["target_name"],
                "share": share_text(row),
                "role": row["role"],
                "start_date": row["start_date"],
                "end_date": row["end_date"],
                "source_file": row["source_file"],
                "record": row["record"],
            }
        )
    listings = [
        {
            "authority": row["authority"],
            "list": row["list_name"],
            "programmes": json.loads(row["programmes"]),
            "listed_on": row["listed_on"],
            "delisted_on": row["delisted_on"],
            "withdrawn_on": row["withdrawn_on"],
            "source_file": row["source_file"],
            "record": row["record"],
        }
        for row in workspace.query(
            f"SELECT * FROM listings WHERE entity_id IN ({marks}) ORDER BY listed_on", ids
        )
    ]
    trade_where = (
        f"exporter_id IN ({marks}) OR importer_id IN ({marks}) OR declarant_id IN ({marks})"
    )
    count = workspace.query(f"SELECT count(*) FROM shipments WHERE {trade_where}", ids * 3)
    trade = [
        {key: row[key] for key in SHIPMENT_FIELDS}
        for row in workspace.query(
            f"SELECT * FROM shipments WHERE {trade_where} ORDER BY date LIMIT ?",
            (*ids, *ids, *ids, shipments),
        )
    ]
    return EntityDetail(
        view, properties, links, listings, trade, int(count[0][0]), merges(workspace, view.id)
    )


def _exists(workspace: Workspace, entity_id: str) -> bool:
    return bool(workspace.query("SELECT 1 FROM entities WHERE id = ?", (entity_id,)))


def share_text(row: Any) -> str | None:
    """The share of a ``links`` row as text (``"25-50"``, ``"60"``), None when none was stated."""
    if not row["share_known"]:
        return None
    return str(
        ShareInterval(
            row["share_low"], row["share_high"],
            bool(row["share_low_open"]), bool(row["share_high_open"]),
        )
    )  # fmt: skip

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
from ownergraph.model.values import country_code, fold
from ownergraph.workspace import Workspace

_CANDIDATES = 2000
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

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.entity.as_dict(),
            "properties": self.properties,
            "links": self.links,
            "listings": self.listings,
            "shipments": self.shipments,
            "shipment_count": self.shipment_count,
        }


def _active_listing_sql(alias: str = "l") -> str:
    return (
        f"({alias}.listed_on IS NULL OR {alias}.listed_on <= :day) "
        f"AND ({alias}.delisted_on IS NULL OR {alias}.delisted_on > :day) "
        f"AND ({alias}.withdrawn_on IS NULL OR {alias}.withdrawn_on > :day)"
    )


def entity_view(workspace: Workspace, entity_id: str, score: float | None = None) -> EntityView:
    """The contract view of one entity; :class:`InputError` if there is none with that id."""
    rows = workspace.query(
        "SELECT id, dataset, schema, name, country, data, record FROM entities WHERE id = ?",
        (entity_id,),
    )
    if not rows:
        raise InputError(f"no entity {entity_id!r}")
    row = rows[0]
    data = json.loads(row["data"])
    sanctioned = bool(
        workspace.query(
            f"SELECT 1 FROM listings l WHERE l.entity_id = :id AND {_active_listing_sql()} LIMIT 1",
            {"id": entity_id, "day": date.today().isoformat()},
        )
    )
    return EntityView(
        id=row["id"],
        name=row["name"],
        aliases=[name for name, _ in data.get("names", []) if name != row["name"]],
        schema=row["schema"],
        country=row["country"],
        sanctioned=sanctioned,
        identifiers=list(data.get("identifiers", [])),
        sources=[{"dataset": row["dataset"], "record": row["record"]}],
        score=score,
    )


def search(
    workspace: Workspace, text: str, *, country: str | None = None, limit: int = 20
) -> list[EntityView]:
    """Entities whose names contain every word of ``text``, case- and accent-insensitively.

    Ranked by rapidfuzz similarity of the folded names to the folded query (0-1).
    """
    query = fold(text)
    if not query:
        raise InputError("search needs a name with at least one letter or digit")
    tokens = query.split()
    where = " AND ".join("key LIKE ?" for _ in tokens)
    rows = workspace.query(
        f"SELECT entity_id, key FROM names WHERE {where} LIMIT {_CANDIDATES}",
        [f"%{token}%" for token in tokens],
    )
    best: dict[str, float] = {}
    for row in rows:
        score = fuzz.WRatio(query, row["key"]) / 100.0
        if score > best.get(row["entity_id"], -1.0):
            best[row["entity_id"]] = score
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
        if len(rows) == 1:
            return str(rows[0]["entity_id"])
        if len(rows) > 1:
            raise InputError(_ambiguous(reference, [str(row[0]) for row in rows]))
    exact = workspace.query(
        "SELECT DISTINCT entity_id FROM names WHERE key = ?", (fold(reference),)
    )
    if len(exact) == 1:
        return str(exact[0]["entity_id"])
    if len(exact) > 1:
        raise InputError(_ambiguous(reference, [str(row[0]) for row in exact]))
    hits = search(workspace, reference, limit=5) if fold(reference) else []
    if len(hits) == 1:
        return hits[0].id
    if hits:
        raise InputError(_ambiguous(reference, [hit.id for hit in hits]))
    raise InputError(f"no entity matches {reference!r}")


def _ambiguous(reference: str, candidates: list[str]) -> str:
    shown = ", ".join(candidates[:10])
    more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
    return f"{reference!r} matches several entities: {shown}{more}; name one by id"


def describe(workspace: Workspace, entity_id: str, *, shipments: int = 20) -> EntityDetail:
    """Everything the workspace knows about one entity, for ``show``."""
    view = entity_view(workspace, entity_id)
    data = json.loads(workspace.query("SELECT data FROM entities WHERE id = ?", (entity_id,))[0][0])
    data.pop("names", None)
    data.pop("identifiers", None)
    links = [
        {
            "type": row["type"],
            "direction": "out" if row["source_id"] == entity_id else "in",
            "source": row["source_id"],
            "target": row["target_id"],
            "target_name": row["target_name"],
            "other": row["target_id"] if row["source_id"] == entity_id else row["source_id"],
            "other_name": row["other_name"] or row["target_name"],
            "share": _share_text(row),
            "role": row["role"],
            "start_date": row["start_date"],
            "end_date": row["end_date"],
            "source_file": row["source_file"],
            "record": row["record"],
        }
        for row in workspace.query(
            "SELECT l.*, e.name AS other_name FROM links l LEFT JOIN entities e "
            "ON e.id = CASE WHEN l.source_id = :id THEN l.target_id ELSE l.source_id END "
            "WHERE l.source_id = :id OR l.target_id = :id ORDER BY l.type, l.id",
            {"id": entity_id},
        )
    ]
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
            "SELECT * FROM listings WHERE entity_id = ? ORDER BY listed_on", (entity_id,)
        )
    ]
    trade_where = "exporter_id = :id OR importer_id = :id OR declarant_id = :id"
    count = workspace.query(
        f"SELECT count(*) FROM shipments WHERE {trade_where}", {"id": entity_id}
    )
    trade = [
        {key: row[key] for key in SHIPMENT_FIELDS}
        for row in workspace.query(
            f"SELECT * FROM shipments WHERE {trade_where} ORDER BY date LIMIT :limit",
            {"id": entity_id, "limit": shipments},
        )
    ]
    return EntityDetail(view, data, links, listings, trade, int(count[0][0]))


def _share_text(row: Any) -> str | None:
    if not row["share_known"]:
        return None
    return str(
        ShareInterval(
            row["share_low"], row["share_high"],
            bool(row["share_low_open"]), bool(row["share_high_open"]),
        )
    )  # fmt: skip

"""Turning model records into workspace rows: columns and JSON payload.

The first column is the id; every other column except provenance bookkeeping is content, which the
upsert compares to decide whether a stored row changed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, overload

from ownergraph.model import Entity, Link, Listing, Shipment
from ownergraph.model.chpl import chpl_tier, hs6
from ownergraph.model.values import search_key

PROVENANCE_COLUMNS = ("source_file", "record", "source_url", "load_id", "loaded_at")

ENTITY_COLUMNS = ("id", "dataset", "schema", "name", "country", "data")
LINK_COLUMNS = (
    "id", "dataset", "type", "source_id", "target_id", "target_name",
    "share_low", "share_high", "share_low_open", "share_high_open", "share_known",
    "role", "start_date", "end_date", "data",
)  # fmt: skip
LISTING_COLUMNS = (
    "id", "dataset", "entity_id", "authority", "list_name", "programmes",
    "listed_on", "delisted_on", "data",
)  # fmt: skip
SHIPMENT_COLUMNS = (
    "id", "dataset", "date", "exporter_id", "importer_id", "declarant_id", "hs_code", "hs6",
    "chpl_tier", "description", "quantity", "unit", "value", "currency", "origin_country",
    "destination_country", "data",
)  # fmt: skip


@overload
def qualify(dataset: str, record_id: str) -> str: ...
@overload
def qualify(dataset: str, record_id: None) -> None: ...
@overload
def qualify(dataset: str, record_id: str | None) -> str | None: ...
def qualify(dataset: str, record_id: str | None) -> str | None:
    """The workspace id of a record: ``<dataset>:<record id>``."""
    return None if record_id is None else f"{dataset}:{record_id}"


def dump(payload: Mapping[str, Any]) -> str:
    """The ``data`` column of a row: compact JSON with sorted keys and no empty values (the
    upsert compares it as text, so one payload is always written the same way)."""
    if not any(payload.values()):
        return "{}"
    return json.dumps(
        {key: value for key, value in payload.items() if value not in (None, (), [], {})},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def entity_row(entity: Entity) -> tuple[Any, ...]:
    prov = entity.provenance
    names: list[list[str]] = []
    seen: set[str] = set()
    for name in (entity.name, *entity.aliases):
        if name and name not in seen:
            seen.add(name)
            names.append([name, search_key(name)])
    data = dump(
        {
            "names": names,
            "identifiers": sorted(set(entity.identifiers)),
            "address": entity.address,
            "incorporation_date": entity.incorporation_date,
            "dissolution_date": entity.dissolution_date,
            "birth_date": entity.birth_date,
            "nationality": entity.nationality,
            "topics": sorted(set(entity.topics)),
            "properties": dict(entity.properties),
        }
    )
    return (qualify(prov.dataset, entity.id), prov.dataset, entity.schema, entity.name,
            entity.country, data)  # fmt: skip


def link_row(link: Link) -> tuple[Any, ...]:
    prov = link.provenance
    share = link.share
    data = dump({"properties": dict(link.properties)})
    return (
        qualify(prov.dataset, link.id), prov.dataset, link.type,
        qualify(prov.dataset, link.source), qualify(prov.dataset, link.target), link.target_name,
        share.low if share else None, share.high if share else None,
        int(bool(share and share.low_open)), int(bool(share and share.high_open)),
        int(share is not None), link.role, link.start_date, link.end_date, data,
    )  # fmt: skip


def listing_row(listing: Listing) -> tuple[Any, ...]:
    prov = listing.provenance
    return (
        qualify(prov.dataset, listing.id), prov.dataset, qualify(prov.dataset, listing.entity),
        listing.authority, listing.list_name,
        json.dumps(list(listing.programmes), ensure_ascii=False),
        listing.listed_on, listing.delisted_on, dump({"properties": dict(listing.properties)}),
    )  # fmt: skip


def shipment_row(shipment: Shipment) -> tuple[Any, ...]:
    prov = shipment.provenance
    dataset = prov.dataset
    return (
        qualify(dataset, shipment.id), dataset, shipment.date,
        qualify(dataset, shipment.exporter), qualify(dataset, shipment.importer),
        qualify(dataset, shipment.declarant), shipment.hs_code, hs6(shipment.hs_code),
        chpl_tier(shipment.hs_code), shipment.description, shipment.quantity, shipment.unit,
        shipment.value, shipment.currency, shipment.origin_country,
        shipment.destination_country, dump({"properties": dict(shipment.properties)}),
    )  # fmt: skip

"""The data model every other part speaks: records, their kinds, values and the loader contract."""

from ownergraph.model.records import (
    Entity,
    Link,
    Listing,
    Notice,
    Provenance,
    Record,
    Reject,
    ShareInterval,
    Shipment,
)
from ownergraph.model.schema import ENTITY_KINDS, LINK_KINDS, EntityKind, LinkKind
from ownergraph.model.source import LoaderSpec, SourceFile

__all__ = [
    "ENTITY_KINDS",
    "LINK_KINDS",
    "Entity",
    "EntityKind",
    "Link",
    "LinkKind",
    "Listing",
    "LoaderSpec",
    "Notice",
    "Provenance",
    "Record",
    "Reject",
    "ShareInterval",
    "Shipment",
    "SourceFile",
]

"""Record builders several loaders share: address nodes and party records from names."""

from __future__ import annotations

from collections.abc import Iterator

from ownergraph.model import Entity, Link, Provenance
from ownergraph.model.values import fold


def address_id(text: str, country: str | None) -> str:
    """Record id of the Address node for an address text (same text, same node)."""
    return f"addr:{(country or '').lower()}:{fold(text)}"


def registered_at(
    owner_id: str, text: str, country: str | None, provenance: Provenance, seen: set[str]
) -> Iterator[Entity | Link]:
    """The Address entity (once per load) and the owner's REGISTERED_AT link to it."""
    node = address_id(text, country)
    if node not in seen:
        seen.add(node)
        yield Entity(
            id=node, schema="Address", name=text.strip(), country=country, provenance=provenance
        )
    yield Link(
        id=f"{owner_id}>REGISTERED_AT>{node}",
        type="REGISTERED_AT",
        source=owner_id,
        target=node,
        provenance=provenance,
    )

"""Record builders several loaders share: address nodes and party records from names."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableSet
from typing import Any

from ownergraph.model import Entity, Link, Provenance
from ownergraph.model.values import fold

NODE_MEMORY = 100_000
"""Address nodes a registry load remembers as written (about 10 MiB of ids)."""
SEPARATOR = "; "
"""Between the values of a property that holds several."""
WEAK_ALIASES = "weak_aliases"
"""The property listing an entity's weak aliases (docs/loaders/README.md): names like the
others, that matching weighs down."""


def joined(values: Iterable[str]) -> str:
    """Several values as one property value."""
    return SEPARATOR.join(values)


def weak_aliases(properties: Mapping[str, Any]) -> frozenset[str]:
    """The names an entity's :data:`WEAK_ALIASES` property lists (none when it has none)."""
    value = properties.get(WEAK_ALIASES)
    return frozenset(value.split(SEPARATOR)) if isinstance(value, str) else frozenset()


def address_id(text: str, country: str | None) -> str:
    """Record id of the Address node for an address text (same text, same node)."""
    return f"addr:{(country or '').lower()}:{fold(text)}"


class NodeMemory(MutableSet[str]):
    """The ids of the shared nodes a load wrote lately, so that each is written about once.

    When ``limit`` ids are remembered they are all forgotten, so memory stays flat whatever the
    size of the file; a node written again is then only an unchanged upsert, as long as its record
    does not depend on who mentions it (see ``own_citation`` of :func:`registered_at`).
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = NODE_MEMORY if limit is None else limit
        self._ids: set[str] = set()

    def __contains__(self, node: object) -> bool:
        return node in self._ids

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, node: str) -> None:
        if len(self._ids) >= self.limit:
            self._ids.clear()
        self._ids.add(node)

    def discard(self, node: str) -> None:
        self._ids.discard(node)


def registered_at(
    owner_id: str,
    text: str,
    country: str | None,
    provenance: Provenance,
    seen: MutableSet[str],
    *,
    own_citation: bool = False,
) -> Iterator[Entity | Link]:
    """The Address entity (once per load, as far as ``seen`` remembers) and the owner's
    REGISTERED_AT link to it.

    The Address cites the owner's record, or with ``own_citation`` its own id in the file: then
    writing it again for another owner changes nothing (what a bounded ``seen`` needs).
    """
    node = address_id(text, country)
    if node not in seen:
        seen.add(node)
        cited = provenance
        if own_citation:
            cited = Provenance(provenance.dataset, provenance.source_file, node)
        yield Entity(
            id=node, schema="Address", name=text.strip(), country=country, provenance=cited
        )
    yield Link(
        id=f"{owner_id}>REGISTERED_AT>{node}",
        type="REGISTERED_AT",
        source=owner_id,
        target=node,
        provenance=provenance,
    )

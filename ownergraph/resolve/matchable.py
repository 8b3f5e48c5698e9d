"""Records as resolution sees them: names, identifiers and the few facts that confirm or refute."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from ownergraph.model.values import fold
from ownergraph.resolve.identifiers import Identifier, parse
from ownergraph.resolve.normalise import NameForm, name_form
from ownergraph.workspace import Workspace

PARTY_SCHEMAS = ("Company", "Organization", "LegalEntity", "Person", "Vessel", "Airplane")
MAX_NAMES = 12
"""Aliases compared per record; long OFAC alias lists beyond this add cost, not evidence."""


@dataclass(frozen=True, slots=True)
class Matchable:
    id: str
    schema: str
    dataset: str
    names: tuple[NameForm, ...]
    country: str | None
    identifiers: tuple[Identifier, ...]
    birth_date: str | None
    incorporation_date: str | None
    address: str | None
    undisclosed: bool = False
    """A placeholder for an owner a register does not name (super-secure PSC, BODS anonymous)."""


def read_matchables(workspace: Workspace) -> Iterator[Matchable]:
    """Every party record of the workspace, in id order (addresses are keyed by text already)."""
    placeholders = ", ".join("?" * len(PARTY_SCHEMAS))
    for entity_id, schema, dataset, country, data in workspace.iterate(
        f"SELECT id, schema, dataset, country, data FROM entities "
        f"WHERE schema IN ({placeholders}) ORDER BY id",
        PARTY_SCHEMAS,
    ):
        payload = json.loads(data)
        names = tuple(
            form
            for form in (name_form(name) for name, _ in payload.get("names", [])[:MAX_NAMES])
            if form.skeleton
        )
        identifiers = tuple(
            parsed for text in payload.get("identifiers", []) if (parsed := parse(text))
        )
        address = payload.get("address")
        yield Matchable(
            id=entity_id,
            schema=schema,
            dataset=dataset,
            names=names,
            country=country,
            identifiers=identifiers,
            birth_date=payload.get("birth_date"),
            incorporation_date=payload.get("incorporation_date"),
            address=fold(address) if address else None,
            undisclosed=bool(payload.get("properties", {}).get("undisclosed")),
        )

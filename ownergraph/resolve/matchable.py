"""Records as resolution sees them: names, identifiers and the few facts that confirm or refute."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
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
    """A party record ready for comparison (build it with :func:`matchable`)."""

    id: str
    schema: str
    dataset: str
    names: tuple[NameForm, ...]
    country: str | None
    identifiers: tuple[Identifier, ...]
    birth_date: str | None
    incorporation_date: str | None
    address: str | None
    undisclosed: bool
    """A placeholder for an owner a register does not name (super-secure PSC, BODS anonymous)."""
    keys: frozenset[str]
    """``scheme:value`` of every identifier."""
    strong_keys: frozenset[str]
    """Keys of valid identifiers of unique schemes."""
    by_scheme: dict[str, frozenset[str]]
    """Values of each scheme, invalid ones left out: what conflicts are judged on."""


def matchable(
    id: str,  # noqa: A002 - the field's name
    schema: str,
    names: Iterable[str],
    *,
    dataset: str = "",
    country: str | None = None,
    identifiers: Iterable[str] = (),
    birth_date: str | None = None,
    incorporation_date: str | None = None,
    address: str | None = None,
    undisclosed: bool = False,
) -> Matchable:
    """Normalise a record's names and identifiers once, for the many comparisons ahead."""
    forms = tuple(
        form for form in (name_form(name) for name in list(names)[:MAX_NAMES]) if form.skeleton
    )
    parsed = tuple(p for text in identifiers if (p := parse(text)))
    by_scheme: dict[str, set[str]] = {}
    for identifier in parsed:
        if identifier.valid is not False:
            by_scheme.setdefault(identifier.scheme, set()).add(identifier.value)
    return Matchable(
        id=id,
        schema=schema,
        dataset=dataset,
        names=forms,
        country=country or None,
        identifiers=parsed,
        birth_date=birth_date,
        incorporation_date=incorporation_date,
        address=fold(address) if address else None,
        undisclosed=undisclosed,
        keys=frozenset(identifier.key for identifier in parsed),
        strong_keys=frozenset(i.key for i in parsed if i.strong and i.valid),
        by_scheme={scheme: frozenset(values) for scheme, values in by_scheme.items()},
    )


def read_matchables(workspace: Workspace) -> Iterator[Matchable]:
    """Every party record of the workspace, in id order (addresses are keyed by text already)."""
    placeholders = ", ".join("?" * len(PARTY_SCHEMAS))
    for entity_id, schema, dataset, country, data in workspace.iterate(
        f"SELECT id, schema, dataset, country, data FROM entities "
        f"WHERE schema IN ({placeholders}) ORDER BY id",
        PARTY_SCHEMAS,
    ):
        payload = json.loads(data)
        yield matchable(
            entity_id,
            schema,
            (name for name, _ in payload.get("names", [])),
            dataset=dataset,
            country=country,
            identifiers=payload.get("identifiers", []),
            birth_date=payload.get("birth_date"),
            incorporation_date=payload.get("incorporation_date"),
            address=payload.get("address"),
            undisclosed=bool(payload.get("properties", {}).get("undisclosed")),
        )

"""Records as resolution sees them: names, identifiers and the few facts that confirm or refute."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from loaders._common import weak_aliases
from loaders.icij import FORMAT as ICIJ
from loaders.icij import hints_of
from ownergraph.model.values import fold
from ownergraph.resolve.identifiers import Identifier, parse
from ownergraph.resolve.normalise import NameForm, name_form
from ownergraph.workspace import Workspace
from ownergraph.workspace.rows import qualify

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
    weak: tuple[bool, ...] = ()
    """Per name: a weak alias (a sanctions list's low-quality a.k.a.); empty when none is."""
    hints: Hints = ()
    """A source's candidate matches: (other record id, type), e.g. ICIJ's ``same_as``."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """A record's facts normalised for comparison: what :class:`Matchable` holds before the keys
    it derives (the compiled path, ``resolve.arrays``, reads these and nothing more)."""

    names: tuple[NameForm, ...]
    identifiers: tuple[Identifier, ...]
    birth_date: str | None
    incorporation_date: str | None
    address: str | None
    """Folded (``model.values.fold``)."""
    undisclosed: bool
    weak: tuple[bool, ...] = ()
    """Per name: a weak alias; empty when none is."""
    hints: Hints = ()


NO_WEAK: frozenset[str] = frozenset()


def prepare(
    names: Iterable[str],
    identifiers: Iterable[str] = (),
    *,
    birth_date: str | None = None,
    incorporation_date: str | None = None,
    address: str | None = None,
    undisclosed: bool = False,
    weak: frozenset[str] = NO_WEAK,
    hints: Hints = (),
) -> Prepared:
    """Normalise a record's names (the first :data:`MAX_NAMES`), identifiers and address;
    ``weak`` are the names that are weak aliases."""
    first = names[:MAX_NAMES] if isinstance(names, list) else list(names)[:MAX_NAMES]
    kept = [(name, form) for name in first if (form := name_form(name)).skeleton]
    return Prepared(
        names=tuple([form for _, form in kept]),
        identifiers=tuple([p for text in identifiers if (p := parse(text))]),
        birth_date=birth_date,
        incorporation_date=incorporation_date,
        address=fold(address) if address else None,
        undisclosed=undisclosed,
        weak=tuple([name in weak for name, _ in kept]) if weak else (),
        hints=hints,
    )


Hints = tuple[tuple[str, str], ...]
Facts = tuple[list[str], list[str], str | None, str | None, str | None, bool, frozenset[str], Hints]
"""A record's raw facts: names, identifier texts, birth date, incorporation date, address,
undisclosed, weak aliases (the arguments of :func:`prepare` in order), and hints."""


def payload_facts(payload: dict[str, Any], dataset: str | None = None) -> Facts:
    """The facts resolution compares, as stored in an entity's ``data`` (not normalised).

    ``dataset``: the record's dataset when it is an ICIJ one, whose candidate-match properties
    (``same_as: 10000004; 10000003``) name records of the same dataset."""
    properties = payload.get("properties", {})
    return (
        [name for name, _ in payload.get("names", ())],
        payload.get("identifiers", []),
        payload.get("birth_date"),
        payload.get("incorporation_date"),
        payload.get("address"),
        bool(properties.get("undisclosed")),
        weak_aliases(properties),
        tuple(sorted((qualify(dataset, node), kind) for node, kind in hints_of(properties)))
        if dataset
        else (),
    )


def from_payload(payload: dict[str, Any], dataset: str | None = None) -> Prepared:
    """The facts resolution compares, from an entity's stored ``data``, normalised."""
    facts = payload_facts(payload, dataset)
    names, identifiers, birth, incorporation, address, undisclosed, weak, hints = facts
    return prepare(
        names,
        identifiers,
        birth_date=birth,
        incorporation_date=incorporation,
        address=address,
        undisclosed=undisclosed,
        weak=weak,
        hints=hints,
    )


def hint_datasets(connection: sqlite3.Connection) -> frozenset[str]:
    """The datasets whose candidate-match properties are hints (loaded as ICIJ)."""
    return frozenset(
        name
        for (name,) in connection.execute("SELECT name FROM datasets WHERE format = ?", (ICIJ,))
    )


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
    weak_aliases: Iterable[str] = (),
    hints: Hints = (),
) -> Matchable:
    """Normalise a record's names and identifiers once, for the many comparisons ahead
    (``weak_aliases``: those of the names that are weak aliases; ``hints``: a source's candidate
    matches, as (other record id, candidate-match type))."""
    facts = prepare(
        names,
        identifiers,
        birth_date=birth_date,
        incorporation_date=incorporation_date,
        address=address,
        undisclosed=undisclosed,
        weak=frozenset(weak_aliases),
        hints=hints,
    )
    return _matchable(id, schema, dataset, country, facts)


def _matchable(
    record_id: str, schema: str, dataset: str, country: str | None, facts: Prepared
) -> Matchable:
    by_scheme: dict[str, set[str]] = {}
    for identifier in facts.identifiers:
        if identifier.valid is not False:
            by_scheme.setdefault(identifier.scheme, set()).add(identifier.value)
    return Matchable(
        id=record_id,
        schema=schema,
        dataset=dataset,
        names=facts.names,
        country=country or None,
        identifiers=facts.identifiers,
        birth_date=facts.birth_date,
        incorporation_date=facts.incorporation_date,
        address=facts.address,
        undisclosed=facts.undisclosed,
        keys=frozenset(identifier.key for identifier in facts.identifiers),
        strong_keys=frozenset(i.key for i in facts.identifiers if i.strong and i.valid),
        by_scheme={scheme: frozenset(values) for scheme, values in by_scheme.items()},
        weak=facts.weak if any(facts.weak) else (),
        hints=facts.hints,
    )


def read_matchables(
    workspace: Workspace, *, datasets: Sequence[str] = (), listed: bool = False
) -> Iterator[Matchable]:
    """Every party record of the workspace, in id order (addresses are keyed by text already);
    only those of ``datasets`` when given, only those with a listing when ``listed``."""
    placeholders = ", ".join("?" * len(PARTY_SCHEMAS))
    where = f"schema IN ({placeholders})"
    if datasets:
        where += f" AND dataset IN ({', '.join('?' * len(datasets))})"
    if listed:
        where += " AND id IN (SELECT entity_id FROM listings)"
    hinted = hint_datasets(workspace.db)
    for entity_id, schema, dataset, country, data in workspace.iterate(
        f"SELECT id, schema, dataset, country, data FROM entities WHERE {where} ORDER BY id",
        (*PARTY_SCHEMAS, *datasets),
    ):
        facts = from_payload(json.loads(data), dataset if dataset in hinted else None)
        yield _matchable(entity_id, schema, dataset, country, facts)

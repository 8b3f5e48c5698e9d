"""``icij``: the ICIJ Offshore Leaks database CSVs (FORMATS.md §9), read as one set.

The user names any one of the six files of ICIJ's ``full-oldb`` download; the loader reads all of
them that are in that folder, the five node files first and ``relationships.csv`` last. Record ids
are ICIJ's ``node_id`` (unique across the files). ICIJ's generated similarity edges (``same_as``,
``similar``...) are candidate matches, not facts: they are counted, never linked, and kept on both
nodes as hints for entity resolution (a property named by the edge type, listing the other nodes).
Mapping and quirks: docs/loaders/icij.md.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, NamedTuple

from loaders import loader
from loaders._common import SEPARATOR, joined
from loaders._csv import Row, read_rows
from ownergraph.errors import UnreadableFileError
from ownergraph.model import (
    Entity,
    Link,
    Notice,
    Provenance,
    Record,
    Reject,
    ShareInterval,
    SourceFile,
)
from ownergraph.model.values import country_code, fold, parse_date

NODE_URL = "https://offshoreleaks.icij.org/nodes/"
"""ICIJ's public page of a node: each node's own source URL."""
RELATIONSHIPS = "relationships.csv"


@dataclass(frozen=True, slots=True)
class NodeKind:
    """One node file of the set and how its rows become entities."""

    file: str
    schema: str
    name_column: str
    country_columns: tuple[str, ...]
    """Columns tried in order for the entity's country; the first that names one wins."""
    dissolution_columns: tuple[str, ...] = ()
    """Date columns whose earliest date is the dissolution date."""
    topics: tuple[str, ...] = ()
    typed_by_name: bool = False
    """Untyped parties: a legal form in the name makes a Company, otherwise ``schema`` stays."""


# The jurisdiction code is ICIJ's own ("BVI", "CAYMN", "ANG" = Anguilla), so its description
# comes first; country_codes are ISO 3166-1 alpha-3, joined with ";".
NODE_KINDS: tuple[NodeKind, ...] = (
    NodeKind(
        "nodes-entities.csv", "Company", "name", ("jurisdiction_description", "jurisdiction"),
        dissolution_columns=("inactivation_date", "struck_off_date"),
    ),
    NodeKind(
        "nodes-officers.csv", "LegalEntity", "name", ("country_codes", "countries"),
        typed_by_name=True,
    ),
    NodeKind(
        "nodes-intermediaries.csv", "Organization", "name", ("country_codes", "countries"),
        topics=("intermediary",),
    ),
    NodeKind("nodes-addresses.csv", "Address", "address", ("country_codes", "countries")),
    NodeKind(
        "nodes-others.csv", "LegalEntity", "name",
        ("jurisdiction_description", "jurisdiction", "country_codes", "countries"),
        dissolution_columns=("struck_off_date", "closed_date"),
    ),
)  # fmt: skip
FILES: tuple[str, ...] = (*(kind.file for kind in NODE_KINDS), RELATIONSHIPS)
"""The set, in reading order: nodes first, so links follow the nodes they join."""

# rel_type -> (link type, role); officer_of is refined by its `link` text (OFFICER_LINKS) and
# takes that text as its role. Any other rel_type becomes an ASSOCIATE link and is counted.
REL_TYPES: dict[str, tuple[str, str | None]] = {
    "officer_of": ("OFFICER_OF", None),
    "intermediary_of": ("ASSOCIATE", "intermediary"),
    "registered_address": ("REGISTERED_AT", None),
    "underlying": ("ASSOCIATE", None),
    "connected_to": ("ASSOCIATE", None),
}
# officer_of `link` text fragments, first match wins; "beneficial owner" before "owner".
OFFICER_LINKS: tuple[tuple[str, str], ...] = (
    ("beneficial owner", "CONTROLS"),
    ("beneficiar", "CONTROLS"),
    ("shareholder", "OWNS"),
    ("owner", "OWNS"),
)
# ICIJ's generated edges (same_name_as, same_company_as, same_id_as, same_as, similar,
# similar_company_as, probably_same_officer_as...): candidate matches for resolution.
CANDIDATE_MATCH_PREFIXES = ("same_", "similar", "probably_same")
FORMAT = "icij"

_LINK_COLUMNS = frozenset(("node_id_start", "node_id_end", "start_date", "end_date"))
_RELATIONSHIP_COLUMNS = ("node_id_start", "node_id_end", "rel_type")
_ALIAS_COLUMNS = ("original_name", "former_name")
# A legal form is the one clear sign that an untyped officer is a company. Dotted initials
# ("S.A.", "N.V.") count only with their dots: "Sa" alone is also a surname (Sá).
_FORM_WORDS = frozenset((
    "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "plc", "llp", "gmbh",
    "sarl", "bhd", "pte", "company", "holdings",
))  # fmt: skip
_FORM_INITIALS = frozenset(("sa", "ag", "nv", "bv", "sl", "srl", "lp", "sas", "spa"))
_MONTH_FIRST = re.compile(r"([A-Za-z]{3,9})\.? (\d{1,2}), (\d{4})")


class RowError(ValueError):
    """A malformed row; its message becomes the reject reason."""


def looks_like_company(name: str) -> bool:
    """Whether a party's name carries a company legal form (``Ltd``, ``Inc.``, ``S.A.``).

    >>> looks_like_company("ALPHA TRADING CO., LTD."), looks_like_company("Maria Sa")
    (True, False)
    """
    tokens = fold(name).split()
    if _FORM_WORDS.intersection(tokens):
        return True
    initials: list[str] = []
    for token in reversed(tokens):
        if len(token) != 1:
            break
        initials.insert(0, token)
    return "".join(initials) in _FORM_INITIALS


def icij_date(text: str) -> str | None:
    """An ICIJ date as ISO: ``23-MAR-2006``, ``2006-03-23``, ``Mar 23, 2006``; '' is None.

    >>> icij_date("23-MAR-2006"), icij_date("Mar 23, 2006")
    ('2006-03-23', '2006-03-23')
    """
    if match := _MONTH_FIRST.fullmatch(text.strip()):
        month, day, year = match.groups()
        text = f"{day} {month} {year}"
    return parse_date(text)


def _country(row: Row, columns: tuple[str, ...]) -> str | None:
    for column in columns:
        for part in row.get(column).split(";"):
            if code := country_code(part):
                return code
    return None


@lru_cache(maxsize=16)
def _date_columns(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(name for name in names if name.endswith("_date"))


def _dates(row: Row, properties: dict[str, str], notices: list[Record]) -> dict[str, str]:
    """Every ``*_date`` column as ISO; those kept as ``properties`` are made ISO there too. A bad
    date is counted and its raw text kept as a property, so nothing the source said is lost."""
    parsed: dict[str, str] = {}
    for column in _date_columns(row.header.names):
        text = row.get(column)
        if not text:
            continue
        try:
            value = icij_date(text)
        except ValueError as error:
            notices.append(Notice("unreadable_date", f"{column}: {error}", row.line))
            properties[column] = text
            continue
        if value:
            parsed[column] = value
            if column in properties:
                properties[column] = value
    return parsed


@lru_cache(maxsize=8)
def _consumed(kind: NodeKind) -> frozenset[str]:
    """The columns a node file's rows turn into entity fields; the rest become properties."""
    return frozenset(
        ("node_id", kind.name_column, *_ALIAS_COLUMNS, "address", "incorporation_date")
    )


Hints = dict[str, dict[str, list[str]]]
"""Candidate matches by node: node id -> candidate rel_type -> the other nodes' ids."""


def hints_of(properties: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(other node id, rel type) of the candidate matches kept in a node's properties (what
    :func:`_node` writes from :func:`candidate_matches`)."""
    return {
        (node.strip(), rel_type)
        for rel_type, value in properties.items()
        if rel_type.startswith(CANDIDATE_MATCH_PREFIXES) and isinstance(value, str)
        for node in value.split(SEPARATOR)
        if node.strip()
    }


def candidate_matches(source: SourceFile, path: Path) -> Hints:
    """ICIJ's candidate-match edges of ``relationships.csv``, both ways (a first, quick pass).

    Only these rows are kept, so memory grows with the number of candidate pairs, not with the
    file; malformed rows are left to the main pass, which rejects them.
    """
    hints: Hints = {}
    for row in read_rows(source, required=_RELATIONSHIP_COLUMNS, path=path):
        if isinstance(row, Reject):
            continue
        start, end, rel_type = row.pick(_RELATIONSHIP_COLUMNS)
        rel_type = rel_type.lower()
        if start and end and rel_type.startswith(CANDIDATE_MATCH_PREFIXES):
            for one, other in ((start, end), (end, start)):
                others = hints.setdefault(one, {}).setdefault(rel_type, [])
                if other not in others:
                    others.append(other)
    return hints


def _node(kind: NodeKind, hints: Hints, source: SourceFile, path: Path, row: Row) -> list[Record]:
    node_id = row.get("node_id")
    name = row.get(kind.name_column) or row.get("name")
    if not node_id:
        raise RowError("empty node_id")
    if not name:
        raise RowError(f"empty {kind.name_column}")
    properties = row.extras(_consumed(kind))
    for rel_type, others in hints.get(node_id, {}).items():
        properties[rel_type] = joined(others)
    notices: list[Record] = []
    dates = _dates(row, properties, notices)
    dissolved = sorted(dates[column] for column in kind.dissolution_columns if column in dates)
    aliases = (row.get(column) for column in _ALIAS_COLUMNS)
    schema = kind.schema
    if kind.typed_by_name and looks_like_company(name):
        schema = "Company"
    entity = Entity(
        id=node_id,
        schema=schema,
        name=name,
        aliases=tuple(dict.fromkeys(alias for alias in aliases if alias and alias != name)),
        country=_country(row, kind.country_columns),
        address=(row.get("address") or None) if schema != "Address" else None,
        incorporation_date=dates.get("incorporation_date"),
        dissolution_date=dissolved[0] if dissolved else None,
        topics=kind.topics,
        properties=properties,
        provenance=Provenance(source.dataset, str(path), str(row.line), f"{NODE_URL}{node_id}"),
    )
    return [entity, *notices]


def _link_kind(rel_type: str, text: str) -> tuple[str, str | None]:
    """Our link type and role for an ICIJ ``rel_type`` and its ``link`` text."""
    if rel_type == "officer_of":
        lowered = text.lower()
        kind = next((kind for part, kind in OFFICER_LINKS if part in lowered), "OFFICER_OF")
        return kind, text or None
    kind, role = REL_TYPES.get(rel_type, ("ASSOCIATE", None))
    if kind == "ASSOCIATE" and role is None:
        role = text or rel_type
    return kind, role


def _relationship(source: SourceFile, path: Path, row: Row) -> list[Record]:
    start, end, rel_type, text = row.pick(("node_id_start", "node_id_end", "rel_type", "link"))
    if not (start and end and rel_type):
        raise RowError("node_id_start, node_id_end and rel_type must not be empty")
    rel_type = rel_type.lower()
    if rel_type.startswith(CANDIDATE_MATCH_PREFIXES):
        return [Notice(f"candidate_match:{rel_type}", f"{start} {end}", row.line)]
    records: list[Record] = []
    if rel_type not in REL_TYPES:
        records.append(Notice("unknown_rel_type", rel_type, row.line))
    kind, role = _link_kind(rel_type, text)
    properties = row.extras(_LINK_COLUMNS)
    dates = _dates(row, properties, records)
    start_date = dates.get("start_date")
    records.append(
        Link(
            # The source's natural key: a corrected end date updates the link, it adds none.
            id=f"{start}>{rel_type}>{end}>{text.lower()}>{start_date or ''}",
            type=kind,
            source=start,
            target=end,
            share=ShareInterval(None, None) if kind == "OWNS" else None,
            role=role,
            start_date=start_date,
            end_date=dates.get("end_date"),
            properties=properties,
            provenance=source.provenance(row.line, path=path),
        )
    )
    return records


Builder = Callable[[SourceFile, Path, Row], list[Record]]


class _Step(NamedTuple):
    path: Path
    required: tuple[str, ...]
    build: Builder


def set_files(path: Path) -> list[Path]:
    """The files of the set present beside ``path``, in reading order (none for another file):
    what this loader reads, for the progress total and the bulk decision."""
    if path.name not in FILES:
        return []
    return [path.parent / name for name in FILES if (path.parent / name).is_file()]


def _plan(source: SourceFile, hints: Hints) -> list[_Step]:
    """The files of the set found beside the named one, in reading order."""
    folder = source.path.parent
    steps = [
        _Step(folder / kind.file, ("node_id", kind.name_column), partial(_node, kind, hints))
        for kind in NODE_KINDS
    ]
    steps.append(_Step(folder / RELATIONSHIPS, _RELATIONSHIP_COLUMNS, _relationship))
    return [step for step in steps if step.path.is_file()]


def _check_header(source: SourceFile, step: _Step) -> None:
    """Fail before anything is written when a file of the set is not what its name says."""
    with source.open_text(step.path) as handle:
        try:
            header = {name.strip() for name in next(csv.reader(handle), [])}
        except csv.Error as error:
            raise UnreadableFileError(step.path, f"unreadable header: {error}") from None
    missing = [column for column in step.required if column not in header]
    if missing:
        raise UnreadableFileError(
            step.path, f"header lacks required column(s) {', '.join(missing)}"
        )


def _read(source: SourceFile, step: _Step) -> Iterator[Record]:
    for row in read_rows(source, required=step.required, path=step.path):
        if isinstance(row, Reject):
            yield row
            continue
        try:
            yield from step.build(source, step.path, row)
        except ValueError as error:
            yield Reject(str(error), line=row.line, raw=row.raw, file=str(step.path))


@loader(
    FORMAT,
    description="ICIJ Offshore Leaks CSVs: name any of nodes-*.csv or relationships.csv",
    default_dataset="icij-offshore-leaks",
    companions=set_files,
)
def read_icij(source: SourceFile) -> Iterator[Record]:
    if source.path.name not in FILES:
        raise UnreadableFileError(
            source.path, f"not an ICIJ Offshore Leaks file; name one of {', '.join(FILES)}"
        )
    hints: Hints = {}
    steps = _plan(source, hints)
    present = {step.path.name for step in steps}
    yield from (Notice("missing_file", name) for name in FILES if name not in present)
    for step in steps:
        _check_header(source, step)
    if RELATIONSHIPS in present:
        hints.update(candidate_matches(source, source.path.parent / RELATIONSHIPS))
    for step in steps:
        yield from _read(source, step)

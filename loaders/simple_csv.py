"""The spreadsheet-friendly CSV formats: ``entities-csv``, ``links-csv`` and ``listings-csv``.

Layouts are in docs/formats.md (DESIGN.md section 4). Unknown columns become extra properties;
``--map FILE`` renames a registry's own columns onto these fields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from loaders import loader
from loaders._common import registered_at
from loaders._csv import Row, read_rows
from ownergraph.model import (
    ENTITY_KINDS,
    LINK_KINDS,
    Entity,
    Link,
    Listing,
    Notice,
    Provenance,
    Record,
    Reject,
    ShareInterval,
    SourceFile,
)
from ownergraph.model.values import country_code, parse_date

ENTITY_COLUMNS = frozenset((
    "id", "schema", "name", "aliases", "country", "registration_number", "identifiers", "address",
    "incorporation_date", "dissolution_date", "birth_date", "nationality", "source_url",
))  # fmt: skip
LINK_COLUMNS = frozenset(
    ("source", "target", "type", "share", "role", "start_date", "end_date", "source_url")
)
LISTING_COLUMNS = frozenset(
    ("entity_id", "authority", "list", "programmes", "listed_on", "delisted_on", "source_url")
)


class RowError(ValueError):
    """A row-level problem; its message becomes the reject reason."""


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _date(row: Row, column: str) -> str | None:
    try:
        return parse_date(row.get(column))
    except ValueError as error:
        raise RowError(f"{column}: {error}") from None


def _provenance(source: SourceFile, row: Row) -> Provenance:
    url = row.get("source_url") or source.source_url
    return Provenance(source.dataset, str(source.path), str(row.line), url)


Builder = Callable[[SourceFile, Row], list[Record]]


def _run(source: SourceFile, required: tuple[str, ...], build: Builder) -> Iterator[Record]:
    for row in read_rows(source, required=required):
        if isinstance(row, Reject):
            yield row
            continue
        try:
            yield from build(source, row)
        except (RowError, ValueError) as error:
            yield Reject(str(error), line=row.line, raw=row.raw)


def _identifiers(row: Row) -> tuple[tuple[str, ...], int]:
    identifiers: list[str] = []
    bare = 0
    for item in _split(row.get("identifiers")):
        scheme, sep, value = item.partition(":")
        if sep and scheme.strip() and value.strip():
            identifiers.append(f"{scheme.strip().lower()}:{value.strip()}")
        else:
            identifiers.append(f"reg:{item}")
            bare += 1
    if number := row.get("registration_number"):
        identifiers.append(f"reg:{number}")
    return tuple(identifiers), bare


class _EntityBuilder:
    def __init__(self) -> None:
        self.addresses: set[str] = set()

    def __call__(self, source: SourceFile, row: Row) -> list[Record]:
        record_id, name = row.get("id"), row.get("name")
        if not record_id:
            raise RowError("empty id")
        if not name:
            raise RowError("empty name")
        schema = row.get("schema") or "LegalEntity"
        if schema not in ENTITY_KINDS:
            raise RowError(f"unknown schema {schema!r}; expected one of {', '.join(ENTITY_KINDS)}")
        provenance = _provenance(source, row)
        records: list[Record] = []
        properties = row.extras(ENTITY_COLUMNS)
        country = country_code(row.get("country"))
        if row.get("country") and country is None:
            properties["country_text"] = row.get("country")
            records.append(Notice("unknown_country", row.get("country"), row.line))
        identifiers, bare = _identifiers(row)
        records.extend(Notice("identifier_without_scheme", "", row.line) for _ in range(bare))
        address = row.get("address") or None
        records.append(
            Entity(
                id=record_id,
                schema=schema,
                name=name,
                aliases=_split(row.get("aliases")),
                country=country,
                identifiers=identifiers,
                address=address,
                incorporation_date=_date(row, "incorporation_date"),
                dissolution_date=_date(row, "dissolution_date"),
                birth_date=_date(row, "birth_date"),
                nationality=country_code(row.get("nationality")) or row.get("nationality") or None,
                properties=properties,
                provenance=provenance,
            )
        )
        if address and schema != "Address":
            records.extend(registered_at(record_id, address, country, provenance, self.addresses))
        return records


def _link(source: SourceFile, row: Row) -> list[Record]:
    start, target, kind = row.get("source"), row.get("target"), row.get("type").upper()
    if not start or not target:
        raise RowError("empty source or target")
    if kind not in LINK_KINDS:
        raise RowError(f"unknown link type {kind!r}; expected one of {', '.join(LINK_KINDS)}")
    try:
        share = ShareInterval.parse(row.get("share"))
    except ValueError as error:
        raise RowError(f"share: {error}") from None
    role = row.get("role") or None
    start_date = _date(row, "start_date")
    # The natural key: a corrected share or end date updates the link instead of adding one.
    record_id = f"{start}>{kind}>{target}>{role or ''}>{start_date or ''}"
    return [
        Link(
            id=record_id,
            type=kind,
            source=start,
            target=target,
            share=share,
            role=role,
            start_date=start_date,
            end_date=_date(row, "end_date"),
            properties=row.extras(LINK_COLUMNS),
            provenance=_provenance(source, row),
        )
    ]


def _listing(source: SourceFile, row: Row) -> list[Record]:
    entity, authority, list_name = row.get("entity_id"), row.get("authority"), row.get("list")
    if not entity or not authority or not list_name:
        raise RowError("entity_id, authority and list must not be empty")
    return [
        Listing(
            id=f"{entity}>{authority}>{list_name}",
            entity=entity,
            authority=authority,
            list_name=list_name,
            programmes=_split(row.get("programmes")),
            listed_on=_date(row, "listed_on"),
            delisted_on=_date(row, "delisted_on"),
            properties=row.extras(LISTING_COLUMNS),
            provenance=_provenance(source, row),
        )
    ]


@loader(
    "entities-csv",
    description="Entities, one per row: id,schema,name,aliases,country,identifiers,...",
    takes_map=True,
)
def read_entities(source: SourceFile) -> Iterator[Record]:
    yield from _run(source, ("id", "name"), _EntityBuilder())


@loader(
    "links-csv",
    description="Links between entities: source,target,type,share,role,start_date,end_date",
    takes_map=True,
)
def read_links(source: SourceFile) -> Iterator[Record]:
    yield from _run(source, ("source", "target", "type"), _link)


@loader(
    "listings-csv",
    description="Sanctions/watch-list entries: entity_id,authority,list,programmes,listed_on,...",
    takes_map=True,
)
def read_listings(source: SourceFile) -> Iterator[Record]:
    yield from _run(source, ("entity_id", "authority", "list"), _listing)

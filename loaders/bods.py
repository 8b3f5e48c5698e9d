"""``bods``: Open Ownership Beneficial Ownership Data Standard 0.4 statements (FORMATS.md §8).

A package is a JSON array (or JSON lines) of statements about entity, person and relationship
records. The record id is BODS's ``recordId``, so a later statement about the same record replaces
the earlier one in the workspace; within one file a first pass finds each record's last statement
and only that one is loaded, so a re-load changes nothing. Relationships become one link per
interest: a direct shareholding is OWNS; an *indirect* one is CONTROLS with its share, so that the
50% rules never count it beside the chain of direct stakes it summarises (docs/loaders/bods.md).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from loaders import loader
from loaders._common import NodeMemory
from loaders._jsonstream import JsonItem, raw_json, read_json_items
from loaders.ch_companies import address_links, company_number, join_address
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
from ownergraph.model.values import country_code, parse_date

_ENTITY_SCHEMAS = {
    "registeredEntity": "Company",
    "legalEntity": "LegalEntity",
    "arrangement": "LegalEntity",
    "state": "Organization",
    "stateBody": "Organization",
    "anonymousEntity": "LegalEntity",
    "unknownEntity": "LegalEntity",
}
_UNDISCLOSED = {
    "anonymousEntity": "anonymous entity",
    "unknownEntity": "unknown entity",
    "anonymousPerson": "anonymous person",
    "unknownPerson": "unknown person",
}
# org-id.guide codes of the registers our identifier schemes stand for.
_SCHEMES = {
    "GB-COH": "gb-coh", "XI-LEI": "lei", "RU-INN": "inn", "RU-OGRN": "ogrn", "KZ-BIN": "bin",
    "KZ-IIN": "iin",
}  # fmt: skip
# Person identifier schemes are "{country}-{PASSPORT|TAXID|IDCARD}".
_PERSON_SCHEMES = {"PASSPORT": "passport", "TAXID": "tax", "IDCARD": "national-id"}
_OFFICER_INTERESTS = frozenset(("boardMember", "boardChair"))
_UNKNOWN_INTEREST = "unknownInterest"


class StatementError(ValueError):
    """A statement that cannot be read; its message becomes the reject reason."""


@dataclass(frozen=True, slots=True)
class _Statement:
    """What every record built from one statement needs."""

    record_id: str
    details: Mapping[str, Any]
    provenance: Provenance
    closed_on: str | None
    """The statement date when the statement closes its record."""
    line: int


class _BodsReader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.addresses = NodeMemory()

    def records(self) -> Iterator[Record]:
        latest = _latest_statements(self.source)
        position = 0
        for item in read_json_items(self.source):
            if isinstance(item, Reject):
                yield item
                continue
            position += 1
            if not latest[position - 1]:
                yield Notice("superseded_statement", str(_location(item)), item.line)
                continue
            try:
                yield from self._statement(item)
            except StatementError as error:
                yield Reject(str(error), line=item.line, location=_location(item),
                             raw=raw_json(item.value))  # fmt: skip

    def _statement(self, item: JsonItem) -> list[Record]:
        statement = item.value
        if not isinstance(statement, dict):
            raise StatementError("not a statement object")
        record_id = statement.get("recordId")
        if not isinstance(record_id, str) or not record_id.strip():
            raise StatementError("no recordId")
        details = statement.get("recordDetails")
        if not isinstance(details, dict):
            raise StatementError("no recordDetails object")
        closed = statement.get("recordStatus") == "closed"
        context = _Statement(
            record_id=record_id.strip(),
            details=details,
            provenance=self.source.provenance(statement.get("statementId") or item.line),
            closed_on=_date(statement, "statementDate") if closed else None,
            line=item.line,
        )
        record_type = statement.get("recordType")
        if record_type == "entity":
            return self._entity(context)
        if record_type == "person":
            return self._person(context)
        if record_type == "relationship":
            return _relationship(context)
        raise StatementError(f"unknown recordType {record_type!r}")

    def _entity(self, statement: _Statement) -> list[Record]:
        details = statement.details
        entity_type = _mapping(details.get("entityType"))
        kind = str(entity_type.get("type") or "")
        listed = _mapping(details.get("publicListing")).get("hasPublicListing")
        properties = _properties(
            statement,
            entity_type=kind,
            entity_subtype=entity_type.get("subtype"),
            entity_type_details=entity_type.get("details"),
            undisclosed=_undisclosed(kind, details.get("unspecifiedEntityDetails")),
            public_listing="true" if listed else None,
        )
        jurisdiction = _mapping(details.get("jurisdiction"))
        code = str(jurisdiction.get("code") or "")
        if "-" in code:
            properties["jurisdiction"] = code
        names = _texts([details.get("name"), *_list(details.get("alternateNames"))])
        addresses = _addresses(details.get("addresses"))
        entity = Entity(
            id=statement.record_id,
            schema=_ENTITY_SCHEMAS.get(kind, "LegalEntity"),
            name=_name(names, kind, statement.record_id),
            aliases=names[1:],
            country=country_code(code) or country_code(jurisdiction.get("name")),
            identifiers=_identifiers(details.get("identifiers"), properties),
            address=addresses[0][0] if addresses else None,
            incorporation_date=_date(details, "foundingDate"),
            dissolution_date=_date(details, "dissolutionDate"),
            properties=properties,
            provenance=statement.provenance,
        )
        return [entity, *self._address_links(statement, addresses)]

    def _person(self, statement: _Statement) -> list[Record]:
        details = statement.details
        kind = str(details.get("personType") or "")
        names = _person_names(details.get("names"))
        nationalities = [
            code for value in _list(details.get("nationalities")) if (code := _country(value))
        ]
        exposure = _mapping(details.get("politicalExposure")).get("status")
        properties = _properties(
            statement,
            person_type=kind,
            undisclosed=_undisclosed(kind, details.get("unspecifiedPersonDetails")),
            nationalities="; ".join(nationalities) if len(nationalities) > 1 else None,
            death_date=_date(details, "deathDate"),
            political_exposure=exposure,
        )
        addresses = _addresses(details.get("addresses"))
        residence = next((country for _, country in addresses if country), None)
        person = Entity(
            id=statement.record_id,
            schema="Person",
            name=_name(names, kind, statement.record_id),
            aliases=names[1:],
            country=residence or (nationalities[0] if nationalities else None),
            identifiers=_identifiers(details.get("identifiers"), properties),
            address=addresses[0][0] if addresses else None,
            birth_date=_date(details, "birthDate"),
            nationality=nationalities[0] if nationalities else None,
            topics=("role.pep",) if exposure == "isPep" else (),
            properties=properties,
            provenance=statement.provenance,
        )
        return [person, *self._address_links(statement, addresses)]

    def _address_links(
        self, statement: _Statement, addresses: list[tuple[str, str | None]]
    ) -> Iterator[Entity | Link]:
        for text, country in addresses:
            yield from address_links(
                statement.record_id, text, country, statement.provenance, self.addresses
            )


def _relationship(statement: _Statement) -> list[Record]:
    """One link per interest, from the interested party to the subject."""
    details = statement.details
    records: list[Record] = []
    subject = _end(statement, "subject", records)
    party = _end(statement, "interestedParty", records)
    if subject is None or party is None:
        return records
    interests = [_mapping(value) for value in _list(details.get("interests"))] or [{}]
    seen: Counter[str] = Counter()
    for interest in interests:
        kind = str(interest.get("type") or _UNKNOWN_INTEREST)
        seen[kind] += 1
        # Keyed by the interest type, not its position: publishers reorder interests between
        # statements, and the same interest must keep its link.
        link_id = f"{statement.record_id}/{kind}" + (f"/{seen[kind]}" if seen[kind] > 1 else "")
        records.append(_interest_link(statement, link_id, kind, interest, party, subject))
    return records


def _end(statement: _Statement, role: str, records: list[Record]) -> str | None:
    """The record id at one end of a relationship; a placeholder for an undisclosed party.

    None when the source says there is nobody (``noBeneficialOwners``): a notice, no link.
    """
    value = statement.details.get(role)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if not isinstance(value, dict):
        raise StatementError(f"relationship without a {role}")
    reason = str(value.get("reason") or "unknown")
    if reason == "noBeneficialOwners":
        records.append(Notice("bods_no_beneficial_owners", statement.record_id, statement.line))
        return None
    placeholder = f"{statement.record_id}/{role}"
    records.append(
        Entity(
            id=placeholder,
            schema="LegalEntity",
            name=f"(undisclosed {role} of relationship {statement.record_id})",
            properties=_properties(
                statement, undisclosed=reason, undisclosed_details=value.get("description")
            ),
            provenance=statement.provenance,
        )
    )
    return placeholder


def _interest_link(
    statement: _Statement,
    link_id: str,
    kind: str,
    interest: Mapping[str, Any],
    party: str,
    subject: str,
) -> Link:
    directness = str(interest.get("directOrIndirect") or "unknown")
    share = _share(interest.get("share"))
    if kind in _OFFICER_INTERESTS:
        link_type = "OFFICER_OF"
    elif kind == "shareholding" and directness != "indirect":
        link_type = "OWNS"
    else:
        link_type = "CONTROLS"
    if kind == "shareholding" and share is None:
        share = ShareInterval(None, None)
    beneficial = interest.get("beneficialOwnershipOrControl")
    properties = _properties(
        statement,
        direct_or_indirect=directness,
        indirect="true" if directness == "indirect" else None,
        beneficial_ownership_or_control=None if beneficial is None else str(beneficial).lower(),
        details=interest.get("details"),
        component_records="; ".join(_texts(_list(statement.details.get("componentRecords")))),
    )
    return Link(
        id=link_id,
        type=link_type,
        source=party,
        target=subject,
        share=share,
        role=kind,
        start_date=_date(interest, "startDate"),
        end_date=_date(interest, "endDate") or statement.closed_on,
        properties=properties,
        provenance=statement.provenance,
    )


def _share(value: object) -> ShareInterval | None:
    """``exact``, or ``minimum``/``exclusiveMinimum`` and ``maximum``/``exclusiveMaximum``."""
    share = _mapping(value)
    if not share:
        return None
    try:
        if "exact" in share:
            exact = _percent(share["exact"])
            return ShareInterval(exact, exact)
        low_open = "exclusiveMinimum" in share
        high_open = "exclusiveMaximum" in share
        low = _percent(share.get("exclusiveMinimum" if low_open else "minimum"))
        high = _percent(share.get("exclusiveMaximum" if high_open else "maximum"))
        if low is None and high is None:
            return ShareInterval(None, None)
        # A range open on one side is bounded by what a share can be.
        return ShareInterval(
            0.0 if low is None else low, 100.0 if high is None else high, low_open, high_open
        )
    except ValueError as error:
        raise StatementError(f"share: {error}") from None


def _percent(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a number")
    return float(value)


def _identifiers(value: object, properties: dict[str, str]) -> tuple[str, ...]:
    """Our ``scheme:value`` identifiers; the source's own schemes go to ``source_identifiers``."""
    identifiers: list[str] = []
    originals: list[str] = []
    for identifier in (_mapping(item) for item in _list(value)):
        number = str(identifier.get("id") or "").strip()
        scheme = str(identifier.get("scheme") or "").strip().upper()
        if not number:
            continue
        originals.append(f"{scheme or identifier.get('schemeName') or '?'}: {number}")
        identifiers.append(_identifier(scheme, number))
    if originals:
        properties["source_identifiers"] = "; ".join(originals)
    return tuple(identifiers)


def _identifier(scheme: str, number: str) -> str:
    if scheme == "GB-COH" and (uk_number := company_number(number)):
        return f"gb-coh:{uk_number}"
    if scheme in _SCHEMES and scheme != "GB-COH":
        return f"{_SCHEMES[scheme]}:{number}"
    person_scheme = _PERSON_SCHEMES.get(scheme.rsplit("-", 1)[-1]) if "-" in scheme else None
    return f"{person_scheme or 'reg'}:{number}"


def _addresses(value: object) -> list[tuple[str, str | None]]:
    """Address texts and countries; a place of birth is not where anyone is registered."""
    addresses = []
    for address in (_mapping(item) for item in _list(value)):
        if address.get("type") == "placeOfBirth":
            continue
        country = _country(address.get("country"))
        lines = str(address.get("address") or "")
        post_code = str(address.get("postCode") or "")
        text = join_address([lines, "" if post_code in lines else post_code])
        if text:
            addresses.append((text, country))
    return addresses


def _person_names(value: object) -> tuple[str, ...]:
    """Full names, the legal name first."""
    names = [_mapping(item) for item in _list(value)]
    names.sort(key=lambda name: name.get("type") != "legal")
    return _texts([name.get("fullName") for name in names])


def _name(names: tuple[str, ...], kind: str, record_id: str) -> str:
    if names:
        return names[0]
    if kind in _UNDISCLOSED:
        return f"({_UNDISCLOSED[kind]} {record_id})"
    raise StatementError("no name")


def _undisclosed(kind: str, unspecified: object) -> str | None:
    """Why a party is withheld: the stated reason, else its anonymous or unknown type."""
    if kind not in _UNDISCLOSED:
        return None
    return str(_mapping(unspecified).get("reason") or kind)


def _country(value: object) -> str | None:
    country = _mapping(value)
    return country_code(country.get("code")) or country_code(country.get("name"))


def _properties(statement: _Statement, **values: object) -> dict[str, str]:
    """The non-empty ``values`` as text properties, plus the closing date of a closed record."""
    properties = {key: str(value) for key, value in values.items() if value not in (None, "")}
    if statement.closed_on:
        properties["record_closed"] = statement.closed_on
    return properties


def _date(container: Mapping[str, Any], key: str) -> str | None:
    try:
        return parse_date(str(container.get(key) or ""))
    except ValueError as error:
        raise StatementError(f"{key}: {error}") from None


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _texts(values: list[Any]) -> tuple[str, ...]:
    """Distinct non-empty strings, in order."""
    return tuple(
        dict.fromkeys(str(value).strip() for value in values if value and str(value).strip())
    )


def _location(item: JsonItem) -> str | None:
    value = item.value
    record_id = value.get("recordId") if isinstance(value, dict) else None
    return str(record_id) if record_id else item.location


def _latest_statements(source: SourceFile) -> NDArray[np.bool_]:
    """First pass: for each statement of the file, whether it is its record's last one.

    Keeps one 64-bit hash of the ``recordId`` per statement (hash collisions between different
    records are negligible at 2**-64 per pair), not the statements.
    """
    keys = array("q")
    for item in read_json_items(source):
        if isinstance(item, Reject):
            continue
        if not keys:
            _check_first(item.value, source)
        record_id = item.value.get("recordId") if isinstance(item.value, dict) else None
        # A statement without a record id stands alone: it is read again, and rejected, later.
        keys.append(hash(record_id.strip() if isinstance(record_id, str) else (len(keys), None)))
    hashes = np.frombuffer(keys, dtype=np.int64) if keys else np.zeros(0, dtype=np.int64)
    _, last_from_end = np.unique(hashes[::-1], return_index=True)
    latest = np.zeros(len(hashes), dtype=np.bool_)
    latest[len(hashes) - 1 - last_from_end] = True
    return latest


def _check_first(value: object, source: SourceFile) -> None:
    """Refuse a file whose first item is not a BODS 0.4 statement, rather than reject every item."""
    if not isinstance(value, dict):
        raise UnreadableFileError(source.path, "not a BODS package: items are not objects")
    if "recordType" in value or "recordId" in value:
        return
    if "statementType" in value:
        raise UnreadableFileError(
            source.path, "BODS 0.2/0.3 statements (statementType); the bods loader reads 0.4"
        )
    raise UnreadableFileError(source.path, "not BODS: the first item has no recordId/recordType")


@loader(
    "bods",
    description="Open Ownership Beneficial Ownership Data Standard 0.4 (JSON array or lines)",
    default_dataset="bods",
)
def read_bods(source: SourceFile) -> Iterator[Record]:
    yield from _BodsReader(source).records()

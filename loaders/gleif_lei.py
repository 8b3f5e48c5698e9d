"""``gleif-lei``: GLEIF Level 1 ("who is who") LEI records as parties with their registry numbers.

Reads LEI-CDF 2.1/3.1 XML, the golden-copy JSON and GLEIF API v1 ``lei-records`` responses. Each
LEI record becomes one party (id = the LEI) with its names in every script, its registration
authority number (and the national number when the register is a known one), its legal and
headquarters addresses as Address nodes, and a SUCCESSOR link where GLEIF names a successor.
Mapping and quirks: docs/loaders/gleif.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import NamedTuple

from loaders import loader
from loaders._common import NodeMemory, address_id
from loaders._gleif import (
    LEI_RECORD,
    REGISTRATION,
    REGISTRATION_DATES,
    Item,
    Paths,
    calendar_date,
    checked_lei,
    dates,
    read,
    values,
)
from ownergraph.model import Entity, Link, Notice, Provenance, Record, SourceFile
from ownergraph.model.identifiers import valid_bin, valid_inn, valid_ogrn
from ownergraph.model.values import country_code

# EntityCategory -> schema. A fund or a sole trader is not a company (a fund is often a contract
# or a trust, a sole proprietor is a person); LEI-CDF 2.1 has no GENERAL, so no category is one.
_SCHEMAS = {
    "": "Company",
    "GENERAL": "Company",
    "BRANCH": "Company",
    "FUND": "LegalEntity",
    "SOLE_PROPRIETOR": "LegalEntity",
    "RESIDENT_GOVERNMENT_ENTITY": "Organization",
    "INTERNATIONAL_ORGANIZATION": "Organization",
}

_LEI: Paths = (("LEI",), ("lei",))
_LEGAL_NAME: Paths = (("Entity", "LegalName"), ("entity", "legalName", "name"))
_OTHER_NAMES: tuple[Paths, ...] = (
    (("Entity", "OtherEntityNames", "OtherEntityName"), ("entity", "otherNames")),
    (
        ("Entity", "TransliteratedOtherEntityNames", "TransliteratedOtherEntityName"),
        ("entity", "transliteratedOtherNames"),
    ),
)
_NAME: Paths = ((), ("name",))
_NAME_TYPE: Paths = (("@type",), ("type",))
_NAME_PROPERTIES = {
    "PREVIOUS_LEGAL_NAME": "previous_names",
    "TRADING_OR_OPERATING_NAME": "trading_names",
}

_PROPERTIES: Mapping[str, Paths] = {
    "legal_name_language": (
        ("Entity", "LegalName", "@xml:lang"),
        ("entity", "legalName", "language"),
    ),
    "jurisdiction": (("Entity", "LegalJurisdiction"), ("entity", "jurisdiction")),
    "entity_category": (("Entity", "EntityCategory"), ("entity", "category")),
    "entity_sub_category": (("Entity", "EntitySubCategory"), ("entity", "subCategory")),
    "entity_status": (("Entity", "EntityStatus"), ("entity", "status")),
    "legal_form": (("Entity", "LegalForm", "EntityLegalFormCode"), ("entity", "legalForm", "id")),
    "legal_form_other": (
        ("Entity", "LegalForm", "OtherLegalForm"),
        ("entity", "legalForm", "other"),
    ),
    "registration_authority": (
        ("Entity", "RegistrationAuthority", "RegistrationAuthorityID"),
        ("entity", "registeredAt", "id"),
    ),
    "registration_authority_other": (
        ("Entity", "RegistrationAuthority", "OtherRegistrationAuthorityID"),
        ("entity", "registeredAt", "other"),
    ),
    "registration_number": (
        ("Entity", "RegistrationAuthority", "RegistrationAuthorityEntityID"),
        ("entity", "registeredAs"),
    ),
    "expiration_reason": (("Entity", "EntityExpirationReason"), ("entity", "expiration", "reason")),
    "associated_lei": (
        ("Entity", "AssociatedEntity", "AssociatedLEI"),
        ("entity", "associatedEntity", "lei"),
    ),
    "associated_entity_name": (
        ("Entity", "AssociatedEntity", "AssociatedEntityName"),
        ("entity", "associatedEntity", "name"),
    ),
    **REGISTRATION,
}
_CREATION: Paths = (("Entity", "EntityCreationDate"), ("entity", "creationDate"))
_EXPIRATION: Paths = (("Entity", "EntityExpirationDate"), ("entity", "expiration", "date"))

_EVENTS: Paths = (
    ("Entity", "LegalEntityEvents", "LegalEntityEvent"),
    ("entity", "eventGroups", "events"),
)
_EVENT_TYPE: Paths = (("LegalEntityEventType",), ("type",))
_EVENT_DATE: Paths = (("LegalEntityEventEffectiveDate",), ("effectiveDate",))
_EVENT_STATUS: Paths = (("@event_status",), ("status",))

_SUCCESSORS: tuple[Paths, ...] = (
    (("Entity", "SuccessorEntity"), ("entity", "successorEntity")),
    # The API also lists all successors; the golden copy repeats SuccessorEntity (read above).
    (("Entity", "SuccessorEntity"), ("entity", "successorEntities")),
)
_SUCCESSOR_LEI: Paths = (("SuccessorLEI",), ("lei",))
_SUCCESSOR_NAME: Paths = (("SuccessorEntityName",), ("name",))

_ADDRESSES: Mapping[str, Paths] = {
    "legal": (("Entity", "LegalAddress"), ("entity", "legalAddress")),
    "headquarters": (("Entity", "HeadquartersAddress"), ("entity", "headquartersAddress")),
}
_ADDRESS_PARTS = (
    (
        "FirstAddressLine",
        "AddressNumber",
        "AddressNumberWithinBuilding",
        "MailRouting",
        "AdditionalAddressLine",
        "City",
        "Region",
        "PostalCode",
    ),
    (
        "addressLines",
        "addressNumber",
        "addressNumberWithinBuilding",
        "mailRouting",
        "city",
        "region",
        "postalCode",
    ),
)
_COUNTRY: Paths = (("Country",), ("country",))

# (where, which authority, which number): the registration authority, then the validation
# authorities, which often name a second register (e.g. the SEC beside a state register).
_AUTHORITIES: tuple[tuple[Paths, Paths, Paths], ...] = (
    (
        (("Entity", "RegistrationAuthority"), ("entity",)),
        (("RegistrationAuthorityID",), ("registeredAt", "id")),
        (("RegistrationAuthorityEntityID",), ("registeredAs",)),
    ),
    (
        (("Registration", "ValidationAuthority"), ("registration",)),
        (("ValidationAuthorityID",), ("validatedAt", "id")),
        (("ValidationAuthorityEntityID",), ("validatedAs",)),
    ),
    (
        (
            ("Registration", "OtherValidationAuthorities", "OtherValidationAuthority"),
            ("registration", "otherValidationAuthorities"),
        ),
        (("ValidationAuthorityID",), ("validatedAt", "id")),
        (("ValidationAuthorityEntityID",), ("validatedAs",)),
    ),
)
_UNNAMED_AUTHORITIES = frozenset({"RA888888", "RA999999"})
"""GLEIF's codes for "another register" (named in free text) and "no register"."""
_COMPANIES_HOUSE = "RA000585"
_COMPANY_NUMBER = re.compile(r"([A-Z]{2})?(\d{1,8})")


class _Address(NamedTuple):
    role: str
    """``legal`` or ``headquarters``."""
    text: str
    country: str | None


def companies_house_number(number: str) -> str | None:
    """A UK company number padded as Companies House writes it (8 characters), or None.

    >>> companies_house_number("1403668"), companies_house_number("sc 12345")
    ('01403668', 'SC012345')
    """
    match = _COMPANY_NUMBER.fullmatch(number.replace(" ", "").upper())
    if match is None:
        return None
    prefix, digits = match.groups()
    if prefix is None:
        return digits.zfill(8)
    return prefix + digits.zfill(6) if len(digits) <= 6 else None


def register_identifiers(authority: str, number: str, country: str | None) -> Iterator[str]:
    """``reg:<authority>/<number>``, and the national scheme where the register is known:
    Companies House (``gb-coh:``), and in Russia or Kazakhstan a number whose check digits make
    it an OGRN, INN or BIN (Russia's EGRUL, RA000499, publishes the OGRN)."""
    if not number:
        return
    if authority and authority not in _UNNAMED_AUTHORITIES:
        yield f"reg:{authority}/{number}"
    if authority == _COMPANIES_HOUSE and (company := companies_house_number(number)):
        yield f"gb-coh:{company}"
    digits = re.sub(r"[\s./-]", "", number)
    if country == "RU" and valid_ogrn(digits):
        yield f"ogrn:{digits}"
    elif country == "RU" and valid_inn(digits):
        yield f"inn:{digits}"
    elif country == "KZ" and valid_bin(digits):
        yield f"bin:{digits}"


def _identifiers(item: Item, lei: str, country: str | None) -> tuple[str, ...]:
    found = dict.fromkeys([f"lei:{lei}"])
    for where, authority, number in _AUTHORITIES:
        for part in item.each(where):
            registered = " ".join(item.text(number, part).split())
            found.update(
                dict.fromkeys(register_identifiers(item.text(authority, part), registered, country))
            )
    if item.api:  # only the API carries the BICs that GLEIF maps to LEIs
        found.update(dict.fromkeys(f"swift:{bic}" for bic in values(item.node, "bic")))
    return tuple(found)


def _other_names(item: Item) -> dict[str, str]:
    """Other names with their GLEIF type, in file order."""
    names: dict[str, str] = {}
    for paths in _OTHER_NAMES:
        for entry in item.each(paths):
            if name := item.text(_NAME, entry):
                names.setdefault(name, item.text(_NAME_TYPE, entry))
    return names


def _legal(addresses: list[_Address]) -> _Address | None:
    return next((address for address in addresses if address.role == "legal"), None)


def _country(jurisdiction: str, addresses: list[_Address], notices: list[Record]) -> str | None:
    """The country of the jurisdiction (``US-DE`` -> ``US``), else of the legal address."""
    code = country_code(jurisdiction.split("-")[0]) if jurisdiction else None
    if jurisdiction and code is None:
        notices.append(Notice("unknown_jurisdiction", jurisdiction))
    legal = _legal(addresses)
    return code or (legal.country if legal else None)


def _addresses(item: Item) -> list[_Address]:
    """The legal and headquarters addresses, each as one line of text."""
    found = []
    for role, paths in _ADDRESSES.items():
        for address in item.each(paths)[:1]:
            parts = [text for key in _ADDRESS_PARTS[item.api] for text in values(address, key)]
            country = item.text(_COUNTRY, address)
            text = ", ".join(dict.fromkeys([*parts, country]))
            if text:
                found.append(_Address(role, text, country_code(country)))
    return found


def _events(item: Item, notices: list[Record]) -> tuple[str, str | None]:
    """The legal-entity events as one line of text, and the day of a completed dissolution."""
    summary: list[str] = []
    dissolved: str | None = None
    for event in item.each(_EVENTS):
        kind, status = item.text(_EVENT_TYPE, event), item.text(_EVENT_STATUS, event)
        day = calendar_date(item.text(_EVENT_DATE, event), notices)
        summary.append(" ".join(filter(None, (kind, day, "" if status == "COMPLETED" else status))))
        if kind == "DISSOLUTION" and status in ("", "COMPLETED"):
            dissolved = dissolved or day
    return "; ".join(summary), dissolved


def _successors(
    item: Item, lei: str, provenance: Provenance, notices: list[Record]
) -> Iterator[Link]:
    seen: set[str] = set()
    for paths in _SUCCESSORS:
        for successor in item.each(paths):
            name = item.text(_SUCCESSOR_NAME, successor)
            target = item.text(_SUCCESSOR_LEI, successor)
            target = checked_lei(target, "SuccessorLEI", notices) if target else ""
            key = target or name
            if key and key not in seen:
                seen.add(key)
                yield Link(
                    id=f"{lei}>SUCCESSOR>{key}",
                    type="SUCCESSOR",
                    source=lei,
                    target=target or None,
                    target_name=name or None,
                    provenance=provenance,
                )


class _LeiRecords:
    """Builds the records of each LEI record of one file, writing each Address node once."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        # Bounded, so a full golden copy loads in flat memory; a node written again (cited by its
        # own id) is merely unchanged.
        self.written = NodeMemory()

    def __call__(self, item: Item) -> Iterator[Record]:
        if item.kind != LEI_RECORD:
            kind = item.kind or "unknown content"
            raise ValueError(f"not an LEI record ({kind}); Level 2 files load with gleif-rr")
        notices: list[Record] = []
        lei = checked_lei(item.text(_LEI), "LEI", notices)
        name = item.text(_LEGAL_NAME)
        if not name:
            raise ValueError(f"LEI record {lei} has no LegalName")
        url = item.source_url or self.source.source_url
        provenance = Provenance(self.source.dataset, str(self.source.path), lei, url)
        addresses = _addresses(item)
        entity = self._entity(item, lei, name, addresses, provenance, notices)
        successors = list(_successors(item, lei, provenance, notices))
        yield from notices
        yield entity
        yield from self._address_records(lei, addresses, provenance)
        yield from successors

    def _entity(
        self,
        item: Item,
        lei: str,
        name: str,
        addresses: list[_Address],
        provenance: Provenance,
        notices: list[Record],
    ) -> Entity:
        properties = item.texts(_PROPERTIES) | dates(item, REGISTRATION_DATES, notices)
        names = _other_names(item)
        for kind, key in _NAME_PROPERTIES.items():
            if typed := [other for other, other_kind in names.items() if other_kind == kind]:
                properties[key] = "; ".join(typed)
        events, dissolved = _events(item, notices)
        if events:
            properties["events"] = events
        category = properties.get("entity_category", "")
        if category not in _SCHEMAS:
            notices.append(Notice("unknown_entity_category", category))
        country = _country(properties.get("jurisdiction", ""), addresses, notices)
        legal = _legal(addresses)
        return Entity(
            id=lei,
            schema=_SCHEMAS.get(category, "LegalEntity"),
            name=name,
            aliases=tuple(other for other in names if other != name),
            country=country,
            identifiers=_identifiers(item, lei, country),
            address=legal.text if legal else None,
            incorporation_date=calendar_date(item.text(_CREATION), notices),
            dissolution_date=calendar_date(item.text(_EXPIRATION), notices) or dissolved,
            properties=properties,
            provenance=provenance,
        )

    def _address_records(
        self, lei: str, addresses: list[_Address], provenance: Provenance
    ) -> Iterator[Entity | Link]:
        """Address nodes (cited by their own id, so writing one again never changes it) and one
        REGISTERED_AT link per node, whose role says which addresses it is."""
        roles: dict[str, list[str]] = {}
        for role, text, country in addresses:
            node = address_id(text, country)
            roles.setdefault(node, []).append(role)
            if node not in self.written:
                self.written.add(node)
                yield Entity(
                    id=node,
                    schema="Address",
                    name=text,
                    country=country,
                    provenance=self.source.provenance(node),
                )
        for node, node_roles in roles.items():
            yield Link(
                id=f"{lei}>REGISTERED_AT>{node}",
                type="REGISTERED_AT",
                source=lei,
                target=node,
                role="; ".join(node_roles),
                provenance=provenance,
            )


@loader(
    "gleif-lei",
    description="GLEIF LEI records: LEI-CDF XML, golden-copy JSON or API v1 JSON (Level 1)",
    default_dataset="gleif",
)
def read_lei(source: SourceFile) -> Iterator[Record]:
    yield from read(source, ("LEIData",), ("LEIRecord",), _LeiRecords(source))

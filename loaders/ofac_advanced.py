"""``ofac-advanced``: OFAC's Advanced Sanctions List XML (SDN_ADVANCED.XML, cons_advanced.xml).

One streaming pass. The XSD fixes the order of the sections: ``ReferenceValueSets`` (what each
type id means), ``Locations`` and ``IDRegDocuments`` come before ``DistinctParties``, so those three
are held in memory as small lookup tables (values, addresses by location id, documents by identity
id) and every party is complete when its element ends. ``ProfileRelationships`` become links
(``Owned or Controlled By`` is an ownership of unknown share) and each ``SanctionsEntry`` one
listing. Mapping and quirks: docs/loaders/ofac.md.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from lxml import etree

from loaders import loader
from loaders._listed import clean, reject_element
from loaders._ofac_remarks import AUTHORITY, OfacParty, apply_any
from loaders._xml import iterparse, local
from ownergraph.errors import UnreadableFileError
from ownergraph.model import Link, Listing, Notice, Record, ShareInterval, SourceFile
from ownergraph.model.values import country_code

_ROOT = "Sanctions"
_PATHS = {
    "Location": "/Sanctions/Locations/Location[ID={}]",
    "IDRegDocument": "/Sanctions/IDRegDocuments/IDRegDocument[ID={}]",
    "DistinctParty": "/Sanctions/DistinctParties/DistinctParty[FixedRef={}]",
    "ProfileRelationship": "/Sanctions/ProfileRelationships/ProfileRelationship[ID={}]",
    "SanctionsEntry": "/Sanctions/SanctionsEntries/SanctionsEntry[ID={}]",
}
_KINDS = {"Individual": "Person", "Entity": "Organization", "Vessel": "Vessel",
          "Aircraft": "Airplane"}  # fmt: skip
"""PartySubType name, else PartyType name -> schema; anything else is a LegalEntity."""
# Location parts in the order an address is written.
_ADDRESS_ORDER = {
    name: rank
    for rank, name in enumerate(
        ("ADDRESS1", "ADDRESS2", "ADDRESS3", "CITY", "STATE/PROVINCE", "POSTAL CODE", "REGION")
    )
}
_STREET = frozenset({"ADDRESS1", "ADDRESS2", "ADDRESS3"})
_OWNED_BY = "owned or controlled by"
_NAME_PART_GROUPS = "{*}NamePartGroups/{*}MasterNamePartGroup/{*}NamePartGroup"
_NAME_PART_VALUES = "{*}DocumentedNamePart/{*}NamePartValue"


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return element.find("{*}" + name)


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return element.findall("{*}" + name)


@dataclass(frozen=True, slots=True)
class _Place:
    """A Location: its address text (country name last), its country, whether it has a street."""

    text: str
    country: str | None
    street: bool


class _References:
    """The ReferenceValueSets: every value's text and attributes by table and ID."""

    def __init__(self, element: etree._Element) -> None:
        self.tables: dict[str, dict[str, tuple[str, dict[str, str]]]] = {}
        for table in element:
            for value in table:
                values = self.tables.setdefault(local(value.tag), {})
                attributes = {str(key): str(text) for key, text in value.attrib.items()}
                values[value.get("ID", "")] = (clean(value.text), attributes)

    def name(self, table: str, value_id: str | None) -> str:
        """The text of a value; ValueError for an ID the table lacks."""
        return self._value(table, value_id)[0]

    def attribute(self, table: str, value_id: str | None, name: str) -> str:
        return clean(self._value(table, value_id)[1].get(name))

    def country(self, value_id: str | None) -> str | None:
        """ISO code of a Country ID; None without an ID or for ``undetermined`` (no ISO2)."""
        if value_id is None:
            return None
        return self.attribute("Country", value_id, "ISO2") or None

    def _value(self, table: str, value_id: str | None) -> tuple[str, dict[str, str]]:
        try:
            return self.tables[table][value_id or ""]
        except KeyError:
            raise ValueError(f"unknown {table} ID {value_id!r}") from None


def _ymd(element: etree._Element | None) -> date | None:
    """A date written as Year/Month/Day children."""
    if element is None:
        return None
    parts = [clean(element.findtext("{*}" + name)) for name in ("Year", "Month", "Day")]
    if not all(part.isdigit() for part in parts):
        raise ValueError(f"incomplete date {'/'.join(parts)!r}")
    return date(*(int(part) for part in parts))


def period_text(period: etree._Element) -> str:
    """A DatePeriod as OFAC's other formats word it: ``1962``, ``1951 to 1953``, ``circa 1962``...

    A period of whole years is those years (``1962``, ``1951 to 1953``); from the first to the last
    day of a month, that month; a single day, that day; anything else ``<first> to <last>``.
    """
    start, end = _child(period, "Start"), _child(period, "End")
    first = _ymd(_child(start, "From")) if start is not None else None
    last = _ymd(_child(end, "To")) if end is not None else None
    first, last = first or last, last or first
    if first is None or last is None:
        raise ValueError("DatePeriod without dates")
    approximate = any(
        boundary is not None and boundary.get("Approximate") == "true" for boundary in (start, end)
    )
    text = _span(first, last)
    return f"circa {text}" if approximate else text


def _span(first: date, last: date) -> str:
    month_end = calendar.monthrange(last.year, last.month)[1]
    if first == last:
        return first.isoformat()
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return str(first.year) if first.year == last.year else f"{first.year} to {last.year}"
    if first.day == 1 and last.day == month_end and first.replace(day=1) == last.replace(day=1):
        return first.isoformat()[:7]
    return f"{first.isoformat()} to {last.isoformat()}"


def _relation(name: str) -> tuple[str, bool]:
    """Link type for a RelationType name, and whether the link runs To -> From.

    ``A Owned or Controlled By B`` makes B the owner: the OWNS link runs from B to A.
    """
    words = name.lower()
    if words == _OWNED_BY:
        return "OWNS", True
    if "family" in words or "relative" in words:
        return "FAMILY", False
    if "leader or official" in words or "executive officer" in words:
        return "OFFICER_OF", False
    return "ASSOCIATE", False


Section = Callable[[_References, etree._Element, str], Iterable[Record]]


@dataclass
class _AdvancedList:
    source: SourceFile
    references: _References | None = None
    places: dict[str, _Place] = field(default_factory=dict)
    documents: dict[str, list[tuple[str, str, str | None]]] = field(default_factory=dict)
    """(type, number, ISO country) of each IDRegDocument by IdentityID, until its party comes."""
    parties: set[str] = field(default_factory=set)
    listing_notes: dict[str, dict[str, str]] = field(default_factory=dict)
    """Facts about a party's sanction given as features, for its listings further on."""
    address_nodes: set[str] = field(default_factory=set)

    def records(self) -> Iterator[Record]:
        sections: dict[str, Section] = {
            "Location": self._location,
            "IDRegDocument": self._document,
            "DistinctParty": self._party,
            "ProfileRelationship": self._relationship,
            "SanctionsEntry": self._listing,
        }
        complete = False
        for element in iterparse(self.source, (*sections, "ReferenceValueSets", _ROOT)):
            tag = local(element.tag)
            if tag == _ROOT:
                complete = True
            elif tag == "ReferenceValueSets":
                self.references = _References(element)
            elif self.references is None:
                reason = f"<{tag}> before <ReferenceValueSets>: not the Advanced XML layout"
                raise UnreadableFileError(self.source.path, reason)
            else:
                key = element.get("FixedRef" if tag == "DistinctParty" else "ID", "")
                path = _PATHS[tag].format(key)
                try:
                    yield from sections[tag](self.references, element, path)
                except ValueError as error:
                    yield reject_element(str(error), element, path)
        if not complete:
            raise UnreadableFileError(self.source.path, f"no <{_ROOT}> root element")
        for identity, documents in self.documents.items():
            for label, _, _ in documents:
                yield Notice("orphaned", f"{label} of unknown identity {identity}")

    def _location(self, refs: _References, element: etree._Element, path: str) -> list[Record]:
        parts: list[tuple[str, str]] = []
        for part in _children(element, "LocationPart"):
            kind = refs.name("LocPartType", part.get("LocPartTypeID"))
            parts.append((kind, clean(part.findtext("{*}LocationPartValue/{*}Value"))))
        # Parts of an unknown type (often a bare country name) come after the known ones.
        parts.sort(key=lambda part: _ADDRESS_ORDER.get(part[0], len(_ADDRESS_ORDER)))
        country_id = next(
            (found.get("CountryID") for name in ("LocationCountry", "LocationAreaCode")
             if (found := _child(element, name)) is not None),
            None,
        )  # fmt: skip
        country_name = refs.name("Country", country_id) if country_id else ""
        text = ", ".join(filter(None, (*(value for _, value in parts), country_name)))
        if text:
            street = any(value for kind, value in parts if kind in _STREET)
            country = refs.country(country_id) or country_code(text)
            self.places[element.get("ID", "")] = _Place(text, country, street)
        return []

    def _document(self, refs: _References, element: etree._Element, path: str) -> list[Record]:
        label = refs.name("IDRegDocType", element.get("IDRegDocTypeID"))
        number = clean(element.findtext("{*}IDRegistrationNo"))
        country = refs.country(element.get("IssuedBy-CountryID"))
        identity = element.get("IdentityID", "")
        self.documents.setdefault(identity, []).append((label, number, country))
        return []

    def _party(self, refs: _References, element: etree._Element, path: str) -> Iterator[Record]:
        profile = _child(element, "Profile")
        fixed = element.get("FixedRef", "")
        if profile is None or not fixed.isdigit():
            raise ValueError("DistinctParty without a numeric FixedRef and a Profile")
        subtype = profile.get("PartySubTypeID")
        party_type = refs.name("PartyType", refs.attribute("PartySubType", subtype, "PartyTypeID"))
        kind = _KINDS.get(refs.name("PartySubType", subtype)) or _KINDS.get(party_type)
        party = OfacParty(fixed, kind or "LegalEntity")
        party.add_identifier(f"ofac:{fixed}")
        for identity in _children(profile, "Identity"):
            self._identity(refs, party, identity)
        for feature in _children(profile, "Feature"):
            self._feature(refs, party, feature)
        if not party.named:
            raise ValueError(f"DistinctParty {fixed} has no name")
        self.parties.add(fixed)
        if party.listing_properties:
            notes = {key: "; ".join(values) for key, values in party.listing_properties.items()}
            self.listing_notes[fixed] = notes
        yield from party.notices
        provenance = self.source.provenance(path)
        yield from party.records(AUTHORITY, "", provenance, self.address_nodes, listed=False)

    def _identity(self, refs: _References, party: OfacParty, identity: etree._Element) -> None:
        """The identity's names (``LAST, First`` as the other formats write them) and documents."""
        groups = {
            group.get("ID"): refs.name("NamePartType", group.get("NamePartTypeID"))
            for group in identity.iterfind(_NAME_PART_GROUPS)
        }
        for alias in _children(identity, "Alias"):
            for name in _children(alias, "DocumentedName"):
                parts = [(groups.get(value.get("NamePartGroupID")), clean(value.text))
                         for value in name.iterfind(_NAME_PART_VALUES)]  # fmt: skip
                last = " ".join(text for kind, text in parts if kind == "Last Name")
                rest = " ".join(text for kind, text in parts if kind != "Last Name")
                party.add_name(
                    ", ".join(filter(None, (last, rest))),
                    weak=alias.get("LowQuality") == "true",
                    primary=alias.get("Primary") == "true",
                )
        for label, number, country in self.documents.pop(identity.get("ID", ""), []):
            apply_any(party, label, number, country)

    def _feature(self, refs: _References, party: OfacParty, feature: etree._Element) -> None:
        """One feature's values; an unreadable one is counted, never fatal to the party."""
        try:
            label = refs.name("FeatureType", feature.get("FeatureTypeID"))
            for version in _children(feature, "FeatureVersion"):
                self._feature_version(refs, party, label, version)
        except ValueError as error:
            party.notices.append(Notice("unreadable_feature", str(error)))

    def _feature_version(
        self, refs: _References, party: OfacParty, label: str, version: etree._Element
    ) -> None:
        located = _child(version, "VersionLocation")
        place = self.places.get(located.get("LocationID", "")) if located is not None else None
        period = _child(version, "DatePeriod")
        detail = _child(version, "VersionDetail")
        if place is not None and label == "Location":
            party.add_address((place.text,), place.country, node=place.street)
        elif place is not None:
            apply_any(party, label, place.text, place.country)
        elif period is not None:
            apply_any(party, label, period_text(period))
        elif detail is not None and detail.get("DetailReferenceID"):
            apply_any(party, label, refs.name("DetailReference", detail.get("DetailReferenceID")))
        elif detail is not None:
            apply_any(party, label, clean(detail.text))

    def _relationship(self, refs: _References, element: etree._Element, path: str) -> list[Record]:
        start, end = element.get("From-ProfileID", ""), element.get("To-ProfileID", "")
        missing = [profile for profile in (start, end) if profile not in self.parties]
        if missing:
            raise ValueError(f"relationship with unknown profile(s) {', '.join(missing)}")
        relation = refs.name("RelationType", element.get("RelationTypeID"))
        kind, reverse = _relation(relation)
        source, target = (end, start) if reverse else (start, end)
        properties = {"relation": relation}
        if element.get("Former") == "true":
            properties["former"] = "true"
        link = Link(
            id=f"{source}>{kind}>{target}",
            type=kind,
            source=source,
            target=target,
            share=ShareInterval(None, None) if kind == "OWNS" else None,
            properties=properties,
            provenance=self.source.provenance(path),
        )
        return [link]

    def _listing(self, refs: _References, element: etree._Element, path: str) -> list[Record]:
        profile = element.get("ProfileID", "")
        if profile not in self.parties:
            raise ValueError(f"sanctions entry for unknown profile {profile!r}")
        programmes: dict[str, None] = {}
        measures: dict[str, None] = {}
        for measure in _children(element, "SanctionsMeasure"):
            kind = refs.name("SanctionsType", measure.get("SanctionsTypeID"))
            comment = clean(measure.findtext("{*}Comment"))
            if kind == "Program" and comment:
                programmes[comment] = None
            else:
                measures[f"{kind}: {comment}" if comment else kind] = None
        dates: list[date] = []
        bases: dict[str, None] = {}
        for event in _children(element, "EntryEvent"):
            if (when := _ymd(_child(event, "Date"))) is not None:
                dates.append(when)
            basis = event.get("LegalBasisID")
            bases[refs.attribute("LegalBasis", basis, "LegalBasisShortRef")] = None
        notes = dict(self.listing_notes.get(profile, {}))
        for key, values in (("measures", measures), ("legal_basis", bases)):
            if any(values):
                notes[key] = "; ".join(filter(None, values))
        listing = Listing(
            id=element.get("ID", ""),
            entity=profile,
            authority=AUTHORITY,
            list_name=refs.name("List", element.get("ListID")).removesuffix(" List"),
            programmes=tuple(programmes),
            listed_on=min(dates).isoformat() if dates else None,
            properties=notes,
            provenance=self.source.provenance(path),
        )
        return [listing]


@loader(
    "ofac-advanced",
    description="OFAC Advanced Sanctions List XML (SDN_ADVANCED.XML, cons_advanced.xml)",
    default_dataset="ofac-advanced",
    snapshot=True,
)
def read_ofac_advanced(source: SourceFile) -> Iterator[Record]:
    yield from _AdvancedList(source).records()

"""What the sanctions-list loaders (EU, UK, UN) share: one listed party built up from its parts,
lenient dates, labelled identifiers, and element-level rejects and reading for list XML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from loaders._common import WEAK_ALIASES, joined, registered_at
from loaders._xml import iterparse, local
from ownergraph.errors import UnreadableFileError
from ownergraph.model import Entity, Link, Listing, Notice, Provenance, Record, Reject, SourceFile
from ownergraph.model.identifiers import valid_bin, valid_inn, valid_ogrn
from ownergraph.model.values import country_code, fold, parse_date

RAW_LIMIT = 4096
"""Characters of a rejected record kept in the rejects table."""

# A party of unknown kind carrying one of these is a registered legal person, i.e. a Company.
_COMPANY_SCHEMES = frozenset({"inn", "ogrn", "kpp", "okpo", "bin", "reg", "tax", "lei", "gb-coh"})
# A word in a document's label that names the register outright ("Tax identification number
# (INN)") wins over the list's own document type.
_LABELLED_SCHEMES = {
    "inn": "inn", "ogrn": "ogrn", "ogrnip": "ogrn", "kpp": "kpp", "okpo": "okpo", "bin": "bin",
    "iin": "iin", "lei": "lei", "imo": "imo", "swift": "swift", "bic": "swift",
}  # fmt: skip
_DIGIT_SCHEMES = frozenset({"inn", "ogrn", "kpp", "okpo", "bin", "iin", "imo"})
# Generic numbers that may really be a Russian or Kazakh register number (told by check digits).
_GENERIC_SCHEMES = frozenset({"reg", "tax", "national-id"})
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def clean(text: str | None) -> str:
    """Text with its runs of whitespace (lists wrap long values) collapsed to single spaces."""
    return " ".join(text.split()) if text else ""


def lenient_date(text: str | None, notices: list[Record]) -> str | None:
    """A (partial) ISO date, or None with an ``unreadable_date`` notice.

    Lenient because one bad date of a listed party must not drop the party from a sanctions list.
    """
    text = clean(text)
    if match := _ISO_DATE.match(text):
        text = match.group()  # xs:date may carry a time zone
    try:
        return parse_date(text)
    except ValueError as error:
        notices.append(Notice("unreadable_date", str(error)))
        return None


def listed_identifier(
    scheme: str, number: str | None, *, country: str | None, label: str = "", person: bool = False
) -> str | None:
    """``scheme:value`` for a number a list gives, or None when it is empty.

    A register named in ``label`` wins; a generic registration, tax or national number from Russia
    or Kazakhstan whose check digits make it an OGRN, INN or BIN/IIN becomes one; otherwise the
    list's own ``scheme`` stays.
    """
    value = clean(number)
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    for word in fold(label).split():
        if word in _LABELLED_SCHEMES:
            scheme = _LABELLED_SCHEMES[word]
            break
    else:
        if scheme in _GENERIC_SCHEMES and country == "RU":
            scheme = "ogrn" if valid_ogrn(digits) else "inn" if valid_inn(digits) else scheme
        elif scheme in _GENERIC_SCHEMES and country == "KZ" and valid_bin(digits):
            scheme = "iin" if person else "bin"
    if scheme in _DIGIT_SCHEMES and digits:
        value = digits
    return f"{scheme}:{value}"


def _add(values: dict[str, None], value: str | None) -> None:
    if value:
        values[value] = None


def _joined(values: Iterable[str]) -> str:
    return joined(values)


@dataclass
class ListedParty:
    """What a sanctions list says about one designated party, gathered before records are built.

    Every collection is an ordered set (a dict), so a value given twice (by several rows of one
    party, or in two languages) is kept once, in first-seen order.
    """

    id: str
    kind: str
    """Person, Vessel, LegalEntity, or Organization (a Company when it has a register id)."""
    primary: str | None = None
    names: dict[str, None] = field(default_factory=dict)
    weak_names: dict[str, None] = field(default_factory=dict)
    """Weak (low-quality) aliases: names like the others, also marked in ``weak_aliases``."""
    identifiers: dict[str, None] = field(default_factory=dict)
    nationalities: dict[str, None] = field(default_factory=dict)
    birth_dates: dict[str, None] = field(default_factory=dict)
    birth_texts: dict[str, None] = field(default_factory=dict)
    addresses: dict[tuple[str, str | None, bool], None] = field(default_factory=dict)
    programmes: dict[str, None] = field(default_factory=dict)
    listed_on: str | None = None
    delisted_on: str | None = None
    properties: dict[str, dict[str, None]] = field(default_factory=dict)
    listing_properties: dict[str, dict[str, None]] = field(default_factory=dict)

    @property
    def named(self) -> bool:
        return bool(self.names or self.weak_names)

    def add_name(self, text: str | None, *, weak: bool = False, primary: bool = False) -> None:
        name = clean(text).strip("\"'")
        if not name:
            return
        if primary and not weak and self.primary is None:
            self.primary = name
        _add(self.weak_names if weak else self.names, name)

    def add_identifier(self, identifier: str | None) -> None:
        _add(self.identifiers, identifier)

    def add_programme(self, programme: str | None) -> None:
        _add(self.programmes, clean(programme))

    def add_nationality(self, text: str | None) -> None:
        _add(self.nationalities, country_code(text) or clean(text))

    def add_birth(self, iso: str | None, text: str | None = None) -> None:
        """One birth date: its ISO value when it has one, and how the list words it."""
        _add(self.birth_dates, iso)
        _add(self.birth_texts, text or iso)

    def add_address(self, parts: Iterable[str | None], country: str | None, *, node: bool) -> None:
        """An address from its parts (country name last).

        ``node`` when it is specific enough (a street) to become a shared Address node: a bare
        city or country would join unrelated parties into one hub.
        """
        text = ", ".join(clean(part) for part in parts if clean(part))
        if text:
            self.addresses[(text, country, node)] = None

    def note(self, key: str, value: str | None, *, listing: bool = False) -> None:
        """A property value of the entity (or of its listing); repeated values are kept once."""
        _add(
            (self.listing_properties if listing else self.properties).setdefault(key, {}),
            clean(value),
        )

    def records(
        self, authority: str, list_name: str, provenance: Provenance, seen: set[str]
    ) -> Iterator[Entity | Link | Listing]:
        """The party's Entity, its Address nodes and REGISTERED_AT links, and its Listing."""
        names = list(self.names) or list(self.weak_names)
        name = self.primary or names[0]
        birth_date = next(iter(self.birth_dates), None)
        properties = {key: _joined(values) for key, values in self.properties.items() if values}
        if list(self.birth_texts) != ([birth_date] if birth_date else []):
            properties["birth_dates"] = _joined(self.birth_texts)
        if len(self.nationalities) > 1:
            properties["nationalities"] = _joined(self.nationalities)
        weak = [alias for alias in self.weak_names if alias not in self.names]
        if weak:
            properties[WEAK_ALIASES] = _joined(weak)
        yield Entity(
            id=self.id,
            schema=self._schema(),
            name=name,
            aliases=tuple(alias for alias in (*self.names, *weak) if alias != name),
            country=self.country(),
            identifiers=tuple(self.identifiers),
            address=next((text for text, _, _ in self.addresses), None),
            birth_date=birth_date,
            nationality=next(iter(self.nationalities), None),
            topics=("sanction",),
            properties=properties,
            provenance=provenance,
        )
        for text, country, node in self.addresses:
            if node:
                yield from registered_at(self.id, text, country, provenance, seen)
        yield Listing(
            id=f"{self.id}>{authority}",
            entity=self.id,
            authority=authority,
            list_name=list_name,
            programmes=tuple(self.programmes),
            listed_on=self.listed_on,
            delisted_on=self.delisted_on,
            properties={key: _joined(v) for key, v in self.listing_properties.items() if v},
            provenance=provenance,
        )

    def country(self) -> str | None:
        """The main country: a person's first nationality, else where the party is located."""
        located = (country for _, country, _ in self.addresses if country)
        citizen = (code for code in self.nationalities if country_code(code) == code)
        first, second = (citizen, located) if self.kind == "Person" else (located, citizen)
        return next(first, None) or next(second, None)

    def _schema(self) -> str:
        schemes = {identifier.partition(":")[0] for identifier in self.identifiers}
        if self.kind == "Organization" and schemes & _COMPANY_SCHEMES:
            return "Company"
        return self.kind


# -- the EU export -------------------------------------------------------------------------------


def reject_element(reason: str, element: etree._Element, location: str) -> Reject:
    """A Reject for a malformed element: its line, its path and its XML (truncated)."""
    line = element.sourceline
    return Reject(
        reason,
        line=line if isinstance(line, int) else None,
        location=location,
        raw=etree.tostring(element, encoding="unicode")[:RAW_LIMIT],
    )


PartyBuilder = Callable[[etree._Element, list[Record]], ListedParty]
"""Builds the party of one entry element (collecting notices); ValueError rejects the entry."""


@dataclass(frozen=True)
class ListXml:
    """The layout of one sanctions list's XML file and whose list it is."""

    root: str
    entries: dict[str, str]
    """Entry element name -> its path in the document (``/export/sanctionEntity``)."""
    key: str
    """The path step that names an entry by its id, with ``{}`` for the id."""
    authority: str
    list_name: str

    def read(self, source: SourceFile, build: PartyBuilder) -> Iterator[Record]:
        """Every entry's records, or a Reject (with the entry's position) for a malformed one."""
        seen: set[str] = set()
        positions = dict.fromkeys(self.entries, 0)
        complete = False
        for element in iterparse(source, (*self.entries, self.root)):
            tag = local(element.tag)
            if tag == self.root:
                complete = True
                continue
            positions[tag] += 1
            notices: list[Record] = []
            try:
                party = build(element, notices)
            except ValueError as error:
                location = f"{self.entries[tag]}[{positions[tag]}]"
                yield reject_element(str(error), element, location)
                continue
            yield from notices
            path = f"{self.entries[tag]}[{self.key.format(party.id)}]"
            yield from party.records(self.authority, self.list_name, source.provenance(path), seen)
        if not complete:
            reason = f"no <{self.root}> root element: not the {self.list_name} XML format"
            raise UnreadableFileError(source.path, reason)

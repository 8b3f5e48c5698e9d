"""``csl-csv``: the US Consolidated Screening List (trade.gov) in its 29-column CSV layout.

Each row is one party on one of the merged US lists (OFAC SDN and non-SDN lists, BIS Entity List,
MEU, UVL and DPL, State ISN and DTC): it yields the party, its addresses and one :class:`Listing`.
Mapping and quirks: docs/loaders/csl-ftm.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from loaders import loader
from loaders._common import address_id, registered_at
from loaders._csv import Row, read_rows
from loaders._ofac_remarks import document_identifier, document_number, is_identifier_label
from ownergraph.model import Entity, Listing, Notice, Provenance, Record, Reject, SourceFile
from ownergraph.model.values import country_code, fold, parse_date


@dataclass(frozen=True, slots=True)
class ScreeningList:
    """Who publishes a list merged into the CSL, its short name, and the topic of its parties."""

    authority: str
    list_name: str
    topic: str


LISTS: dict[str, ScreeningList] = {
    code: ScreeningList(*names)
    for code, names in {
        "SDN": ("OFAC", "SDN", "sanction"),
        "SSI": ("OFAC", "SSI", "sanction"),
        "NS-MBS List": ("OFAC", "NS-MBS", "sanction"),
        "CMIC": ("OFAC", "CMIC", "sanction"),
        "PLC": ("OFAC", "PLC", "sanction"),
        "FSE": ("OFAC", "FSE", "sanction"),
        "CAP": ("OFAC", "CAP", "sanction"),
        "EL": ("BIS", "Entity List", "export.control"),
        "MEU": ("BIS", "MEU", "export.control"),
        "UVL": ("BIS", "UVL", "export.control"),
        "DPL": ("BIS", "DPL", "export.control"),
        "ISN": ("State", "ISN", "sanction"),
        "DTC": ("State", "DTC", "debarment"),
    }.items()
}
"""The lists by the code in brackets in the ``source`` column: ``Military End User (MEU) List``."""

_DEPARTMENTS = {
    "treasury department": "OFAC",
    "bureau of industry and security": "BIS",
    "state department": "State",
}
_CODE = re.compile(r"\(([^()]+)\)")

# The CSL does not tell a company from an organisation: both are LegalEntity.
_SCHEMATA = {"Individual": "Person", "Entity": "LegalEntity", "Vessel": "Vessel",
             "Aircraft": "Airplane", "": "LegalEntity"}  # fmt: skip

ENTITY_PROPERTIES = ("title", "remarks", "places_of_birth", "nationalities", "citizenships",
                     "call_sign", "vessel_type", "gross_tonnage", "gross_registered_tonnage",
                     "vessel_flag", "vessel_owner")  # fmt: skip
LISTING_PROPERTIES = ("source", "federal_register_notice", "license_requirement",
                      "license_policy", "standard_order", "source_list_url")  # fmt: skip
KNOWN = frozenset((*ENTITY_PROPERTIES, *LISTING_PROPERTIES, "_id", "entity_number", "type",
                   "programs", "name", "addresses", "start_date", "end_date", "alt_names",
                   "dates_of_birth", "source_information_url", "ids"))  # fmt: skip


def list_code(source_text: str) -> str:
    """The list's code: ``Entity List (EL) - Bureau of Industry and Security`` -> ``EL``."""
    title = source_text.rpartition(" - ")[0] or source_text
    codes = _CODE.findall(title)
    return codes[-1].strip() if codes else title.strip()


def screening_list(source_text: str) -> ScreeningList | None:
    """The declared list named by a ``source`` value, None when it is not one we know."""
    return LISTS.get(list_code(source_text))


def _undeclared_list(source_text: str) -> ScreeningList:
    department = source_text.rpartition(" - ")[2]
    authority = _DEPARTMENTS.get(fold(department), department.strip() or "US")
    return ScreeningList(authority, list_code(source_text), "sanction")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


Document = tuple[str, str, str | None]
"""An identifier item of the ``ids`` column: (label, number, ISO country or None)."""


def _split_ids(text: str) -> tuple[list[Document], dict[str, str]]:
    """The ``ids`` items under identifier labels, and the other items as properties."""
    documents: list[Document] = []
    properties: dict[str, list[str]] = {}
    for item in text.split("; "):
        label, _, rest = item.strip().partition(", ")
        label = label.strip().rstrip(":-").strip()
        if not label:
            continue
        number, _, tail = rest.partition(", ")
        if is_identifier_label(label) and number.strip():
            written, named = document_number(number.strip())
            country = country_code(tail.partition(", ")[0]) if tail else None
            documents.append((label, written, country or named))
        else:
            properties.setdefault(label, []).append(rest.strip())
    return documents, {label: "; ".join(values) for label, values in properties.items()}


def _identifiers(documents: list[Document], country: str | None, person: bool) -> list[str]:
    """``scheme:value`` of each document; a number without a country is read with ``country``."""
    found = (document_identifier(label, number, where or country, person)
             for label, number, where in documents)  # fmt: skip
    return [identifier for identifier in found if identifier]


def parse_ids(
    text: str, *, country: str | None = None, person: bool = False
) -> tuple[list[str], dict[str, str]]:
    """Split the ``ids`` column into identifiers and properties (label -> values).

    Items are ``label, number[, country[, date...]]`` joined by ``; ``. The labels are OFAC's, and
    mean what they mean in OFAC's files (``loaders/_ofac_remarks.py``): ``Tax ID No.`` with a
    valid Russian INN is ``inn:``, and so on; a number without a country is read as being of
    ``country`` (the party's). An item whose label is not an identifier (``Website``,
    ``Listing Date (CMIC)``) keeps its whole text after the label, commas included.
    """
    documents, properties = _split_ids(text)
    return _identifiers(documents, country, person), properties


def _date(text: str, column: str, row: Row, out: list[Record]) -> str | None:
    """A date of the row; an unreadable one is counted and left out, never fatal to the row."""
    try:
        return parse_date(text.removeprefix("circa").strip())
    except ValueError as error:
        out.append(Notice("unreadable_date", f"{column}: {error}", row.line))
        return None


class _CslReader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.seen: set[str] = set()
        self.addresses: set[str] = set()

    def records(self) -> Iterator[Record]:
        for row in read_rows(self.source, required=("_id", "source", "name")):
            if isinstance(row, Reject):
                yield row
                continue
            try:
                yield from self.build(row)
            except ValueError as error:
                yield Reject(str(error), line=row.line, location=row.get("_id") or None,
                             raw=row.raw)  # fmt: skip

    def _record_ids(self, row: Row, code: str) -> tuple[str, str]:
        """The party's and the listing's record ids."""
        base = row.get("_id") or row.get("entity_number")
        if not base:
            raise ValueError("row has neither _id nor entity_number")
        listing_id = f"{base}/{code}"
        if listing_id in self.seen:
            raise ValueError(f"duplicate row: {base} is on the {code} list twice")
        # One party can sit on two Treasury lists under one _id (SDN and PLC, SSI and NS-MBS);
        # the second row becomes its own record, joined to the first by its ofac: identifier.
        entity_id = listing_id if base in self.seen else base
        self.seen.update((base, listing_id))
        return entity_id, listing_id

    def build(self, row: Row) -> list[Record]:
        name = " ".join(row.get("name").split())
        if not name:
            raise ValueError("empty name")
        out: list[Record] = []
        listed = screening_list(row.get("source"))
        if listed is None:
            listed = _undeclared_list(row.get("source"))
            out.append(Notice("unknown_list", row.get("source"), row.line))
        code = list_code(row.get("source"))
        entity_id, listing_id = self._record_ids(row, code)
        url = row.get("source_information_url") or row.get("source_list_url")
        provenance = Provenance(
            self.source.dataset, str(self.source.path), entity_id, url or self.source.source_url
        )
        places = _places(row.get("addresses"))
        out.append(_entity(row, entity_id, name, listed, places, provenance, out))
        # Some rows repeat an address, in the same or another spelling of it.
        linked = {address_id(text, country): (text, country) for text, country in places if text}
        for text, country in linked.values():
            out.extend(registered_at(entity_id, text, country, provenance, self.addresses))
        out.append(
            Listing(
                id=listing_id,
                entity=entity_id,
                authority=listed.authority,
                list_name=listed.list_name,
                programmes=tuple(_split(row.get("programs"))),
                listed_on=_date(row.get("start_date"), "start_date", row, out),
                delisted_on=_date(row.get("end_date"), "end_date", row, out),
                properties={key: row.get(key) for key in LISTING_PROPERTIES if row.get(key)},
                provenance=provenance,
            )
        )
        return out


def _places(column: str) -> list[tuple[str | None, str | None]]:
    """Each address as (text, country); a bare country (``TR``) is a country, not an address."""
    places: list[tuple[str | None, str | None]] = []
    for part in _split(column):
        text = " ".join(part.split())
        street, _, last = text.rpartition(", ")
        country = country_code(last)
        places.append((text if street or country is None else None, country))
    return places


def _entity(
    row: Row, entity_id: str, name: str, listed: ScreeningList,
    places: list[tuple[str | None, str | None]], provenance: Provenance, out: list[Record],
) -> Entity:  # fmt: skip
    kind = row.get("type")
    schema = _SCHEMATA.get(kind)
    if schema is None:
        out.append(Notice("unknown_type", kind, row.line))
    documents, properties = _split_ids(row.get("ids"))
    properties |= {key: row.get(key) for key in ENTITY_PROPERTIES if row.get(key)}
    properties |= row.extras(KNOWN)
    births = _split(row.get("dates_of_birth"))
    parsed = [_date(text, "dates_of_birth", row, out) for text in births]
    birth_date = next((value for value in parsed if value), None)
    if births and births != [birth_date]:
        properties["birth_dates"] = row.get("dates_of_birth")
    nationality = _first_country(
        row.get("nationalities"), row.get("citizenships"), properties.get("Nationality Country")
    )
    addresses = [text for text, _ in places if text]
    # Main country: where a firm is registered or a ship flagged, a person's nationality, else
    # the first country among the addresses.
    country = _first_country(
        properties.get("Nationality of Registration"), row.get("vessel_flag"), nationality
    ) or next((country for _, country in places if country), None)
    identifiers = _identifiers(documents, country, schema == "Person")
    # On Treasury's lists the entity number is OFAC's own uid, the key other OFAC files use.
    if listed.authority == "OFAC" and row.get("entity_number"):
        identifiers.append(f"ofac:{row.get('entity_number')}")
    return Entity(
        id=entity_id,
        schema=schema or "LegalEntity",
        name=name,
        aliases=tuple(alias for alias in _split(row.get("alt_names")) if alias != name),
        country=country,
        identifiers=tuple(dict.fromkeys(identifiers)),
        address=addresses[0] if addresses else None,
        incorporation_date=_date(
            properties.get("Organization Established Date", ""), "ids", row, out
        ),
        birth_date=birth_date,
        nationality=nationality,
        topics=(listed.topic,),
        properties=properties,
        provenance=provenance,
    )


def _first_country(*texts: str | None) -> str | None:
    """The first of ``texts`` (each maybe ``;``-separated) that names a country."""
    for text in texts:
        for part in _split(text or ""):
            if code := country_code(part):
                return code
    return None


@loader(
    "csl-csv",
    description="US Consolidated Screening List CSV (trade.gov): SDN, Entity List, MEU, DPL, ...",
    default_dataset="us-csl",
    snapshot=True,
)
def read_csl(source: SourceFile) -> Iterator[Record]:
    yield from _CslReader(source).records()

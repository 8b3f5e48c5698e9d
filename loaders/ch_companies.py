"""``ch-companies``: the UK Companies House Free Company Data Product CSV (FORMATS.md §7.1).

Each row is one company: a Company whose record id is its 8-character company number, with the
``gb-coh:`` identifier, its previous names as aliases and its registered office as an Address.
This module also holds the Companies House helpers that ``ch-psc`` and ``bods`` share: company
numbers, country codes for the UK nations, and address text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, MutableSet

from loaders import loader
from loaders._common import NodeMemory, registered_at
from loaders._csv import Row, read_rows
from ownergraph.model import Entity, Link, Notice, Provenance, Record, Reject, SourceFile
from ownergraph.model.values import country_code, parse_date

COMPANY_URL = "https://find-and-update.company-information.service.gov.uk/company/{number}"
REQUIRED = ("CompanyNumber", "CompanyName")
_ADDRESS_COLUMNS = (
    "RegAddress.CareOf", "RegAddress.POBox", "RegAddress.AddressLine1", "RegAddress.AddressLine2",
    "RegAddress.PostTown", "RegAddress.County", "RegAddress.PostCode", "RegAddress.Country",
)  # fmt: skip
_SIC_COLUMNS = tuple(f"SICCode.SicText_{n}" for n in range(1, 5))
_PREVIOUS_NAMES = tuple(
    (f"PreviousName_{n}.CompanyName", f"PreviousName_{n}.CONDATE", f"previous_name_{n}")
    for n in range(1, 11)
)
_PROPERTY_COLUMNS = {
    "CompanyCategory": "category",
    "CompanyStatus": "status",
    "CountryOfOrigin": "country_of_origin",
    "Accounts.AccountCategory": "accounts_category",
}
_PREFIXED_NUMBER = re.compile(r"([A-Z]{2})(\d{1,6})")
_NUMBER = re.compile(r"[A-Z0-9]{8}")


def company_number(text: str) -> str | None:
    """The 8-character company number, with the leading zeros that spreadsheets drop restored.

    >>> company_number("8209948"), company_number("sc1234"), company_number("OE029880")
    ('08209948', 'SC001234', 'OE029880')
    """
    value = text.strip().upper().replace(" ", "")
    if value.isascii() and value.isdigit() and len(value) <= 8:
        return value.zfill(8)
    if match := _PREFIXED_NUMBER.fullmatch(value):
        return match[1] + match[2].zfill(6)
    return value if _NUMBER.fullmatch(value) else None


def join_address(parts: Iterable[str | None]) -> str:
    """One address text from its non-empty parts, in the order given."""
    return ", ".join(part.strip() for part in parts if part and part.strip())


def address_links(
    owner_id: str, text: str, country: str | None, provenance: Provenance, seen: MutableSet[str]
) -> Iterator[Entity | Link]:
    """The Address node and REGISTERED_AT link of an owner.

    ``seen`` is a bounded :class:`NodeMemory` in a national register's load, so a node may be
    written again: it cites its own id, not the owner, so that rewriting it changes nothing.
    """
    if text:
        yield from registered_at(owner_id, text, country, provenance, seen, own_citation=True)


class _CompanyReader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.addresses = NodeMemory()

    def records(self) -> Iterator[Record]:
        for row in read_rows(self.source, required=REQUIRED):
            if isinstance(row, Reject):
                yield row
                continue
            try:
                yield from self._company(row)
            except ValueError as error:
                yield Reject(
                    str(error), line=row.line, location=row.get("CompanyNumber"), raw=row.raw
                )

    def _company(self, row: Row) -> list[Record]:
        raw_number = row.get("CompanyNumber")
        number = company_number(raw_number)
        if number is None:
            raise ValueError(f"CompanyNumber {raw_number!r} is not a company number")
        name = row.get("CompanyName")
        if not name:
            raise ValueError("empty CompanyName")
        aliases, properties = _previous_names(row)
        properties.update(
            (key, value) for column, key in _PROPERTY_COLUMNS.items() if (value := row.get(column))
        )
        if sic := "; ".join(code for code in row.pick(_SIC_COLUMNS) if code):
            properties["sic_codes"] = sic
        address = join_address(row.pick(_ADDRESS_COLUMNS))
        address_country = country_code(row.get("RegAddress.Country"))
        provenance = Provenance(
            self.source.dataset,
            str(self.source.path),
            str(row.line),
            COMPANY_URL.format(number=number),
        )
        records: list[Record] = []
        if number != raw_number:
            records.append(Notice("company_number_padded", f"{raw_number} -> {number}", row.line))
        records.append(
            Entity(
                id=number,
                schema="Company",
                name=name,
                aliases=aliases,
                country="GB",
                identifiers=(f"gb-coh:{number}",),
                address=address or None,
                incorporation_date=_date(row, "IncorporationDate"),
                dissolution_date=_date(row, "DissolutionDate"),
                properties=properties,
                provenance=provenance,
            )
        )
        records.extend(
            address_links(number, address, address_country or "GB", provenance, self.addresses)
        )
        return records


def _date(row: Row, column: str) -> str | None:
    try:
        return parse_date(row.get(column))
    except ValueError as error:
        raise ValueError(f"{column}: {error}") from None


def _previous_names(row: Row) -> tuple[tuple[str, ...], dict[str, str]]:
    """Former names as aliases; each also a property with the date the company stopped using it."""
    aliases: list[str] = []
    properties: dict[str, str] = {}
    for name_column, date_column, key in _PREVIOUS_NAMES:
        name = row.get(name_column)
        if not name:
            continue
        aliases.append(name)
        properties[key] = name
        if changed := _date(row, date_column):
            properties[f"{key}_until"] = changed
    return tuple(aliases), properties


@loader(
    "ch-companies",
    description="UK Companies House Free Company Data Product CSV (BasicCompanyData)",
    default_dataset="gb-coh",
)
def read_companies(source: SourceFile) -> Iterator[Record]:
    yield from _CompanyReader(source).records()

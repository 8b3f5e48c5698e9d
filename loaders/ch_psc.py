"""``ch-psc``: the UK Companies House PSC snapshot, one JSON line per PSC (FORMATS.md §7.2).

Each person with significant control (and each ROE beneficial owner) becomes an owner record, a
Person, Company or LegalEntity, plus one link per nature of control to the company, whose record
id is its company number (the ``ch-companies`` records of the same dataset). Share bands become
share intervals; statements, exemptions and the totals line are counted as notices.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from loaders import loader
from loaders._common import NodeMemory
from loaders._jsonstream import JsonItem, raw_json, read_json_items
from loaders.ch_companies import address_links, company_number, join_address
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

API_URL = "https://api.company-information.service.gov.uk"
_SCHEMAS = {
    "individual": "Person",
    "corporate-entity": "Company",
    "legal-person": "LegalEntity",
    "super-secure": "Person",
}
_KINDS = {
    f"{prefix}-{suffix}": schema
    for prefix, schema in _SCHEMAS.items()
    for suffix in ("person-with-significant-control", "beneficial-owner")
}
_ADDRESS_KEYS = (
    "care_of", "po_box", "premises", "address_line_1", "address_line_2", "locality", "region",
    "postal_code", "country",
)  # fmt: skip
_IDENTIFICATION_KEYS = (
    "legal_authority", "legal_form", "place_registered", "country_registered",
    "registration_number",
)  # fmt: skip
_TOTALS_KEYS = (
    "persons_of_significant_control_count", "statements_count", "exemptions_count", "generated_at",
)  # fmt: skip
# Natures of control: "<interest>[-<band>][-as-<vehicle>][-<register>]" (api-enumerations'
# psc_descriptions.yml). Surplus assets are the LLP and partnership form of ownership.
_NATURE = re.compile(
    r"(?P<interest>ownership-of-shares|(?:part-)?right-to-share-surplus-assets|voting-rights"
    r"|right-to-appoint-and-remove-\w+|significant-influence-or-control"
    r"|registered-owner-as-nominee-[\w-]+?)"
    r"(?:-(?P<low>\d+)-to-(?P<high>\d+)-percent|-more-than-(?P<over>\d+)-percent)?"
    r"(?:-as-(?P<vehicle>control-over-trust|control-over-firm|trust|firm))?"
    r"(?:-(?:registered-overseas-entity|limited-liability-partnership))?"
)
_OWNERSHIP = ("ownership-of-shares", "right-to-share-surplus-assets", "part-right-to-share")
# The bands as the PSC Regulations 2016 (Sch. 2) and Companies House's short descriptions word
# them: "more than 25% but not more than 50%", "more than 50% but less than 75%", "75% or more".
_BANDS = {
    (25, 50): ShareInterval(25.0, 50.0, low_open=True),
    (50, 75): ShareInterval(50.0, 75.0, low_open=True, high_open=True),
    (75, 100): ShareInterval(75.0, 100.0),
}
_UNDISCLOSED_NATURE = "undisclosed"
# Register names that mean Companies House ("Register Of Companies For England And Wales");
# plain "wales" would also catch New South Wales.
_UK_REGISTERS = ("companies house", "england", "scotland", "northern ireland", "united kingdom")


class PscLineError(ValueError):
    """A PSC line that cannot be read; its message becomes the reject reason."""


def nature_link(nature: str) -> tuple[str, ShareInterval | None, dict[str, str]] | None:
    """Link type, share band and properties of a nature of control; None for an unknown one.

    >>> nature_link("ownership-of-shares-25-to-50-percent-as-trust")
    ('OWNS', ShareInterval(low=25.0, high=50.0, low_open=True, high_open=False), {'via': 'trust'})
    """
    match = _NATURE.fullmatch(nature)
    if match is None:
        return None
    interest = match["interest"]
    share: ShareInterval | None = None
    if match["over"]:
        share = ShareInterval(float(match["over"]), 100.0, low_open=True)
    elif match["low"]:
        low, high = int(match["low"]), int(match["high"])
        share = _BANDS.get((low, high)) or ShareInterval(float(low), float(high), low_open=True)
    kind = "OWNS" if interest.startswith(_OWNERSHIP) else "CONTROLS"
    properties = {"via": match["vehicle"]} if match["vehicle"] else {}
    return kind, share, properties


class _PscReader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.addresses = NodeMemory()

    def records(self) -> Iterator[Record]:
        for item in read_json_items(self.source):
            if isinstance(item, Reject):
                yield item
                continue
            try:
                yield from self._line(item)
            except PscLineError as error:
                yield Reject(str(error), line=item.line, location=_location(item.value),
                             raw=raw_json(item.value))  # fmt: skip

    def _line(self, item: JsonItem) -> list[Record]:
        line = item.value
        data = line.get("data") if isinstance(line, dict) else None
        if not isinstance(data, dict):
            raise PscLineError("not a PSC line: no 'data' object")
        kind = str(data.get("kind") or "")
        if kind.startswith("totals#"):
            counts = " ".join(f"{key}={data[key]}" for key in _TOTALS_KEYS if key in data)
            return [Notice("totals", counts, item.line)]
        company = company_number(str(line.get("company_number") or ""))
        if company is None:
            raise PscLineError(f"no valid company_number: {line.get('company_number')!r}")
        if kind == "persons-with-significant-control-statement":
            return [Notice("psc_statement", f"{company}: {data.get('statement')}", item.line)]
        if kind == "exemptions":
            return [Notice("psc_exemptions", company, item.line)]
        if kind not in _KINDS:
            return [Notice("unknown_kind", f"{company}: {kind}", item.line)]
        return self._controller(company, kind, data, item.line)

    def _controller(
        self, company: str, kind: str, data: Mapping[str, Any], line: int
    ) -> list[Record]:
        psc_id, self_link = _psc_id(data)
        provenance = Provenance(
            self.source.dataset,
            str(self.source.path),
            str(line),
            f"{API_URL}{self_link}" if self_link else self.source.source_url,
        )
        address = _address(data.get("principal_office_address") or data.get("address"))
        records: list[Record] = [_owner(psc_id, company, kind, data, address, provenance)]
        records.extend(_links(psc_id, company, data, provenance, line))
        if address:
            records.extend(
                address_links(psc_id, address[0], address[1], provenance, self.addresses)
            )
        return records


def _psc_id(data: Mapping[str, Any]) -> tuple[str, str | None]:
    """Record id from the PSC's own id in ``links.self``, else its etag; and the self link."""
    links = data.get("links")
    self_link = links.get("self") if isinstance(links, dict) else None
    if isinstance(self_link, str) and self_link.rstrip("/"):
        return f"psc:{self_link.rstrip('/').rsplit('/', 1)[-1]}", self_link
    if etag := data.get("etag"):
        return f"psc:etag:{etag}", None
    raise PscLineError("no links.self and no etag: the PSC has no stable id")


def _owner(
    psc_id: str,
    company: str,
    kind: str,
    data: Mapping[str, Any],
    address: tuple[str, str | None] | None,
    provenance: Provenance,
) -> Entity:
    schema = _KINDS[kind]
    properties = {"psc_kind": kind}
    if data.get("is_sanctioned") is not None:
        properties["is_sanctioned"] = str(bool(data["is_sanctioned"])).lower()
    if kind.startswith("super-secure"):
        # The register withholds who this is; the record keeps that someone controls the company.
        properties["undisclosed"] = "super-secure"
        return Entity(
            id=psc_id,
            schema=schema,
            name=f"(super-secure PSC of {company})",
            properties=properties,
            provenance=provenance,
        )
    names = _names(data, schema)
    identification = data.get("identification")
    identification = identification if isinstance(identification, dict) else {}
    properties.update(
        (key, str(identification[key]).strip())
        for key in _IDENTIFICATION_KEYS
        if str(identification.get(key) or "").strip()
    )
    if schema == "Person":
        country = country_code(data.get("country_of_residence"))
    else:
        country = _registered_country(identification) or (address[1] if address else None)
    return Entity(
        id=psc_id,
        schema=schema,
        name=names[0],
        aliases=names[1:],
        country=country,
        identifiers=_identifiers(identification),
        address=address[0] if address else None,
        birth_date=_birth_date(data.get("date_of_birth")),
        nationality=_nationality(data.get("nationality")),
        topics=("sanction",) if data.get("is_sanctioned") is True else (),
        properties=properties,
        provenance=provenance,
    )


def _names(data: Mapping[str, Any], schema: str) -> tuple[str, ...]:
    """The name without title first (for matching), then the register's name if it differs."""
    written = str(data.get("name") or "").strip()
    elements = data.get("name_elements")
    plain = ""
    if schema == "Person" and isinstance(elements, dict):
        parts = (elements.get(key) for key in ("forename", "middle_name", "surname"))
        plain = " ".join(str(part).strip() for part in parts if part and str(part).strip())
    names = tuple(dict.fromkeys(name for name in (plain, written) if name))
    if not names:
        raise PscLineError("the PSC has no name")
    return names


def _countries(text: str) -> Iterator[str]:
    """Country codes named by a free-text field, whole or by comma part ("Minnesota, Usa")."""
    for part in (text, *reversed(text.split(","))):
        if code := country_code(part):
            yield code


def _registered_country(identification: Mapping[str, Any]) -> str | None:
    for key in ("country_registered", "place_registered", "legal_authority"):
        for code in _countries(str(identification.get(key) or "")):
            return code
    return None


def _identifiers(identification: Mapping[str, Any]) -> tuple[str, ...]:
    """``gb-coh:`` for a number on a UK register (so it meets the company's own record), else
    ``reg:``."""
    number = str(identification.get("registration_number") or "").strip()
    if not number:
        return ()
    register = " ".join(
        str(identification.get(key) or "") for key in ("country_registered", "place_registered")
    )
    is_uk = "GB" in _countries(register) or any(
        phrase in fold(register) for phrase in _UK_REGISTERS
    )
    uk_number = company_number(number) if is_uk else None
    return (f"gb-coh:{uk_number}",) if uk_number else (f"reg:{number}",)


def _birth_date(value: object) -> str | None:
    if not isinstance(value, dict) or not value.get("year"):
        return None
    text = f"{value['year']}-{value['month']}" if value.get("month") else str(value["year"])
    try:
        return parse_date(text)
    except ValueError as error:
        raise PscLineError(f"date_of_birth: {error}") from None


def _nationality(value: object) -> str | None:
    """The first nationality as a country code ("British" -> GB), or the word if unknown."""
    first = str(value or "").split(",")[0].strip()
    return country_code(first) or first or None


def _address(value: object) -> tuple[str, str | None] | None:
    if not isinstance(value, dict):
        return None
    text = join_address(str(value.get(key) or "") for key in _ADDRESS_KEYS)
    return (text, country_code(value.get("country"))) if text else None


def _links(
    psc_id: str, company: str, data: Mapping[str, Any], provenance: Provenance, line: int
) -> Iterator[Record]:
    natures = data.get("natures_of_control")
    natures = [str(nature) for nature in natures] if isinstance(natures, list) else []
    start, end = _psc_date(data, "notified_on"), _psc_date(data, "ceased_on")
    # A super-secure PSC's natures are withheld too: control of an undisclosed kind.
    for nature in natures or [_UNDISCLOSED_NATURE]:
        mapped = nature_link(nature)
        if mapped is None:
            mapped = ("CONTROLS", None, {})
            if nature != _UNDISCLOSED_NATURE:
                yield Notice("unknown_nature", nature, line)
        kind, share, properties = mapped
        yield Link(
            id=f"{psc_id}>{nature}",
            type=kind,
            source=psc_id,
            target=company,
            share=share,
            role=nature,
            start_date=start,
            end_date=end,
            properties=properties,
            provenance=provenance,
        )


def _psc_date(data: Mapping[str, Any], key: str) -> str | None:
    try:
        return parse_date(str(data.get(key) or ""))
    except ValueError as error:
        raise PscLineError(f"{key}: {error}") from None


def _location(value: object) -> str | None:
    """The PSC's self link, else the company number, of a rejected line, to find it again."""
    if not isinstance(value, dict):
        return None
    data = value.get("data")
    links = data.get("links") if isinstance(data, dict) else None
    self_link = links.get("self") if isinstance(links, dict) else None
    found = self_link or value.get("company_number")
    return str(found) if found else None


@loader(
    "ch-psc",
    description="UK Companies House PSC snapshot (JSON lines): who owns and controls companies",
    default_dataset="gb-coh",
)
def read_psc(source: SourceFile) -> Iterator[Record]:
    yield from _PscReader(source).records()

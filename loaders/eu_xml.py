"""``eu-xml``: the EU Financial Sanctions Files XML export v1.1 (FORMATS.md §2.1).

Each ``sanctionEntity`` becomes one party with its names in every script, identifiers, birth dates,
citizenships, addresses and one EU listing. The pieces every sanctions list needs
(:class:`ListedParty`, :func:`listed_identifier`, :func:`lenient_date`, :func:`clean`) live here
and are shared with the ``uk-csv`` and ``un-xml`` loaders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from lxml import etree

from loaders import loader
from loaders._listed import (
    ListedParty,
    ListXml,
    clean,
    lenient_date,
    listed_identifier,
)
from loaders._xml import local
from ownergraph.model import Notice, Record, SourceFile
from ownergraph.model.values import country_code

_KINDS = {"person": "Person", "p": "Person", "enterprise": "Organization", "e": "Organization"}
_DOCUMENT_SCHEMES = {
    "passport": "passport", "nationalpass": "passport", "diplomaticpass": "passport",
    "travel": "passport", "id": "national-id", "nationalid": "national-id", "ssn": "national-id",
    "regnumber": "reg", "fiscalcode": "tax", "tax": "tax", "swiftbic": "swift", "imo": "imo",
}  # fmt: skip
_LATIN_LANGUAGES = frozenset({"", "EN"})

Handler = Callable[[ListedParty, etree._Element, list[Record]], None]


def _attr(element: etree._Element, name: str) -> str:
    return clean(element.get(name))


def _country(element: etree._Element) -> tuple[str | None, str]:
    """ISO code and name of an element's country (``00`` / UNKNOWN is no country)."""
    code = country_code(_attr(element, "countryIso2Code")) or country_code(
        _attr(element, "countryDescription")
    )
    return code, _attr(element, "countryDescription") if code else ""


def _remark(party: ListedParty, element: etree._Element, notices: list[Record]) -> None:
    party.note("remarks", element.text)


def _additional(party: ListedParty, element: etree._Element, notices: list[Record]) -> None:
    party.note(_attr(element, "key").lower() or "additional_information", element.get("value"))


def _regulation(party: ListedParty, element: etree._Element, notices: list[Record]) -> None:
    party.add_programme(element.get("programme"))
    published = lenient_date(element.get("entryIntoForceDate"), notices) or lenient_date(
        element.get("publicationDate"), notices
    )
    if published and (party.listed_on is None or published < party.listed_on):
        party.listed_on = published
    party.note("regulation", element.get("numberTitle"), listing=True)
    for child in element:
        if local(child.tag) == "publicationUrl":
            party.note("publication_url", child.text, listing=True)


def _name_alias(party: ListedParty, element: etree._Element, notices: list[Record]) -> None:
    whole = _attr(element, "wholeName") or " ".join(
        _attr(element, part)
        for part in ("firstName", "middleName", "lastName")
        if element.get(part)
    )
    language = _attr(element, "nameLanguage").upper()
    party.add_name(
        whole,
        weak=_attr(element, "strong") == "false",
        primary=language in _LATIN_LANGUAGES,
    )
    party.note("gender", element.get("gender"))
    party.note("position", element.get("function"))
    party.note("title", element.get("title"))


def _citizenship(party: ListedParty, element: etree._Element, notices: list[Record]) -> None:
    code, name = _country(element)
    party.add_nationality(code or name)


def _date_parts(element: etree._Element) -> str:
    """``year-month-day`` from the separate attributes, as far as they are known."""
    parts: list[str] = []
    for key in ("year", "monthOfYear", "dayOfMonth"):
        value = _attr(element, key)
        if value in ("", "0"):
            break
        parts.append(value.zfill(2))
    return "-".join(parts)


def _birthdate(party: ListedParty, element: etree._Element, notices: list[Record]) -> None:
    written = _attr(element, "birthdate") or _date_parts(element)
    calendar = _attr(element, "calendarType") or "GREGORIAN"
    iso = lenient_date(written, notices) if written and calendar == "GREGORIAN" else None
    span = "/".join(filter(None, (_attr(element, "yearRangeFrom"), _attr(element, "yearRangeTo"))))
    text = iso or written or span
    if text and calendar != "GREGORIAN":
        text = f"{text} ({calendar.lower()} calendar)"
    if text and _attr(element, "circa") == "true":
        text = f"circa {text}"
    party.add_birth(iso, text)
    _, country = _country(element)
    place = (_attr(element, key) for key in ("city", "place", "region"))
    party.note("birth_place", ", ".join(part for part in (*place, country) if part))


def _address(party: ListedParty, element: etree._Element, notices: list[Record]) -> None:
    code, country = _country(element)
    po_box = _attr(element, "poBox")
    street = _attr(element, "street")
    box = f"P.O. Box {po_box}" if po_box else ""
    locality = (_attr(element, key) for key in ("city", "zipCode", "region", "place"))
    party.add_address((street, box, *locality, country), code, node=bool(street or po_box))
    for child in element:
        if local(child.tag) == "contactInfo":
            party.note(f"contact_{_attr(child, 'key').lower()}", child.get("value"))


def _identification(party: ListedParty, element: etree._Element, notices: list[Record]) -> None:
    person = party.kind == "Person"
    code = _attr(element, "identificationTypeCode").lower()
    scheme = _DOCUMENT_SCHEMES.get(code) or ("national-id" if person else "reg")
    country, _ = _country(element)
    label = _attr(element, "identificationTypeDescription")
    for number in (element.get("number"), element.get("latinNumber")):
        party.add_identifier(
            listed_identifier(scheme, number, country=country, label=label, person=person)
        )


_HANDLERS: dict[str, Handler] = {
    "remark": _remark,
    "additionalInformation": _additional,
    "regulation": _regulation,
    "nameAlias": _name_alias,
    "citizenship": _citizenship,
    "birthdate": _birthdate,
    "address": _address,
    "identification": _identification,
}


def _kind(element: etree._Element, notices: list[Record]) -> str:
    for child in element:
        if local(child.tag) == "subjectType":
            code = _attr(child, "code").lower() or _attr(child, "classificationCode").lower()
            if code in _KINDS:
                return _KINDS[code]
            notices.append(Notice("unknown_subject_type", code))
    return "LegalEntity"


def _party(element: etree._Element, notices: list[Record]) -> ListedParty:
    """The party of one ``sanctionEntity``; ValueError when it has no id or no name."""
    logical_id = _attr(element, "logicalId")
    if not logical_id:
        raise ValueError("sanctionEntity without logicalId")
    party = ListedParty(logical_id, _kind(element, notices))
    party.add_identifier(f"eu:{logical_id}")
    party.add_identifier(listed_identifier("un", element.get("unitedNationId"), country=None))
    party.note("eu_reference_number", element.get("euReferenceNumber"))
    for child in element:
        handler = _HANDLERS.get(local(child.tag))
        if handler is not None:
            handler(party, child, notices)
    if not party.named:
        raise ValueError(f"sanctionEntity {logical_id} has no nameAlias with a name")
    party.listed_on = lenient_date(element.get("designationDate"), notices) or party.listed_on
    party.delisted_on = lenient_date(element.get("delistingDate"), notices)
    party.note("designation_details", element.get("designationDetails"), listing=True)
    return party


_EU_EXPORT = ListXml(
    "export", {"sanctionEntity": "/export/sanctionEntity"}, "@logicalId='{}'", "EU", "EU FSF"
)


@loader(
    "eu-xml",
    description="EU Financial Sanctions Files XML export v1.1 (<export>/<sanctionEntity>)",
    default_dataset="eu-fsf",
    snapshot=True,
)
def read_eu(source: SourceFile) -> Iterator[Record]:
    yield from _EU_EXPORT.read(source, _party)

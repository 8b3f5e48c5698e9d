"""``ofac-xml``: OFAC's ``sdnList`` XML (``sdn.xml``, ``consolidated.xml``; FORMATS.md §1.2).

Each ``sdnEntry`` becomes one party, read one entry at a time: its names and strong/weak aliases,
the structured ``idList`` (the same labels as the legacy remark items), addresses, nationalities,
dates and places of birth, vessel details, the remark text, and one OFAC listing. Elements are
matched by local name, so the older and newer namespaces both read. Mapping: docs/loaders/ofac.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from loaders import loader
from loaders._listed import ListXml, clean
from loaders._ofac_remarks import (
    AUTHORITY,
    KINDS,
    OfacParty,
    apply,
    apply_any,
    apply_remarks,
    default_dataset,
    list_name,
)
from ownergraph.model import Notice, Record, SourceFile
from ownergraph.model.values import country_code

_STREET = ("address1", "address2", "address3")
_PLACE = ("city", "stateOrProvince", "postalCode")
_VESSEL = {"callSign": "call_sign", "vesselType": "vessel_type", "tonnage": "tonnage",
           "grossRegisteredTonnage": "gross_registered_tonnage",
           "vesselOwner": "vessel_owner"}  # fmt: skip
# Repeated facts about a person, each with the element holding its value.
_PERSONAL = (
    ("nationalityList/{*}nationality", "country", "nationality"),
    ("citizenshipList/{*}citizenship", "country", "citizen"),
    ("dateOfBirthList/{*}dateOfBirthItem", "dateOfBirth", "DOB"),
    ("placeOfBirthList/{*}placeOfBirthItem", "placeOfBirth", "POB"),
)


def _text(element: etree._Element, path: str) -> str:
    return clean(element.findtext("{*}" + path))


def _full_name(element: etree._Element) -> str:
    """``LAST, First`` as the legacy files write a person's name; the whole name otherwise."""
    return ", ".join(filter(None, (_text(element, "lastName"), _text(element, "firstName"))))


def _main_first(elements: list[etree._Element]) -> list[etree._Element]:
    return sorted(elements, key=lambda element: _text(element, "mainEntry") != "true")


def _party(element: etree._Element, notices: list[Record]) -> OfacParty:
    """The party of one ``sdnEntry``; ValueError when it has no numeric uid or no lastName."""
    uid = _text(element, "uid")
    if not uid.isdigit():
        raise ValueError(f"sdnEntry without a numeric uid ({uid!r})")
    if not _text(element, "lastName"):
        raise ValueError(f"sdnEntry {uid} has no lastName")
    sdn_type = _text(element, "sdnType").lower()
    party = OfacParty(uid, KINDS.get(sdn_type, "LegalEntity"), notices=notices)
    if sdn_type not in KINDS:
        notices.append(Notice("unknown_type", sdn_type))
    party.add_name(_full_name(element), primary=True)
    party.add_identifier(f"ofac:{uid}")
    party.note("title", _text(element, "title"))
    for programme in element.iterfind("{*}programList/{*}program"):
        party.add_programme(programme.text)
    for aka in element.iterfind("{*}akaList/{*}aka"):
        party.add_name(_full_name(aka), weak=_text(aka, "category") == "weak")
    for address in element.iterfind("{*}addressList/{*}address"):
        country = _text(address, "country")
        parts = [_text(address, name) for name in (*_STREET, *_PLACE)]
        street = any(parts[: len(_STREET)])
        party.add_address((*parts, country), country_code(country), node=street)
    for path, value, label in _PERSONAL:
        for item in _main_first(element.findall("{*}" + path)):
            apply(party, label, _text(item, value))
    for document in element.iterfind("{*}idList/{*}id"):
        issuer = country_code(_text(document, "idCountry"))
        apply_any(party, _text(document, "idType"), _text(document, "idNumber"), issuer)
    vessel = element.find("{*}vesselInfo")
    if vessel is not None:
        details = {key: _text(vessel, name) for name, key in _VESSEL.items()}
        party.add_vessel(details, _text(vessel, "vesselFlag"))
    apply_remarks(party, _text(element, "remarks"))
    return party


@loader(
    "ofac-xml",
    description="OFAC sdnList XML (sdn.xml, consolidated.xml)",
    default_dataset=default_dataset,
    snapshot=True,
)
def read_ofac_xml(source: SourceFile) -> Iterator[Record]:
    sdn_list = ListXml(
        "sdnList", {"sdnEntry": "/sdnList/sdnEntry"}, "uid={}", AUTHORITY, list_name(source)
    )
    yield from sdn_list.read(source, _party)

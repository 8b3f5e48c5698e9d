"""``un-xml``: the UN Security Council Consolidated List XML (``CONSOLIDATED_LIST``, FORMATS.md §4).

Each ``INDIVIDUAL`` becomes a Person and each ``ENTITY`` an Organization, with the UN reference
number as a ``un:`` identifier and one UN listing under its ``UN_LIST_TYPE``.
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from loaders import loader
from loaders._listed import ListedParty, ListXml, clean, lenient_date, listed_identifier
from loaders._xml import local
from ownergraph.model import Record, SourceFile
from ownergraph.model.values import country_code, fold, parse_date

_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_ADDRESS_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")
# TYPE_OF_DOCUMENT is written in English, French or Spanish.
_PASSPORT_WORDS = frozenset({"passport", "passeport", "pasaporte"})
_ORIGINAL_SCRIPT = "original script:"


def _text(element: etree._Element, path: str) -> str:
    return clean(element.findtext(path))


def _values(element: etree._Element, name: str) -> list[str]:
    return [clean(value.text) for value in element.findall(f"{name}/VALUE") if clean(value.text)]


def _quiet_date(written: str) -> str | None:
    """A date read from a free-text note, or None: notes are often not dates at all."""
    try:
        return parse_date(written)
    except ValueError:
        return None


def birth_date(element: etree._Element, notices: list[Record]) -> tuple[str | None, str]:
    """ISO value (if any) and wording of one ``INDIVIDUAL_DATE_OF_BIRTH`` ('' when empty).

    Shapes: EXACT with DATE or YEAR, APPROXIMATELY with YEAR, BETWEEN with FROM_YEAR and TO_YEAR,
    each possibly with a NOTE; a NOTE alone (``Nov. 1973``, ``30-35 years old``); or nothing.
    A NOTE that completes the date (``Sep.`` beside YEAR 1958) is read into it.
    """
    kind, note, year = (_text(element, name) for name in ("TYPE_OF_DATE", "NOTE", "YEAR"))
    span = "/".join(filter(None, (_text(element, "FROM_YEAR"), _text(element, "TO_YEAR"))))
    iso: str | None = None
    if day := _text(element, "DATE"):
        iso = lenient_date(day, notices)
    elif note and not span and (iso := _quiet_date(f"{note} {year}".strip())):
        note = ""
    elif year:
        iso = lenient_date(year, notices)
    wording = iso or span
    if wording and kind == "APPROXIMATELY":
        wording = f"circa {wording}"
    if note:
        wording = f"{wording} ({note})" if wording else note
    return iso, wording


def _document(party: ListedParty, element: etree._Element) -> None:
    kind = " ".join(filter(None, (_text(element, f"TYPE_OF_DOCUMENT{n}") for n in ("", "2"))))
    number = _text(element, "NUMBER")
    issuer = _text(element, "ISSUING_COUNTRY") or _text(element, "COUNTRY_OF_ISSUE")
    scheme = "passport" if _PASSPORT_WORDS & set(fold(kind).split()) else "national-id"
    party.add_identifier(
        listed_identifier(scheme, number, country=country_code(issuer), label=kind, person=True)
    )
    details = "; ".join(
        filter(None, (issuer, *(_text(element, n) for n in ("DATE_OF_ISSUE", "NOTE"))))
    )
    if kind or number:
        party.note("documents", f"{kind}: {number}" + (f" ({details})" if details else ""))


def _alias(party: ListedParty, element: etree._Element) -> None:
    weak = _text(element, "QUALITY").lower() == "low"
    party.add_name(_text(element, "ALIAS_NAME"), weak=weak)
    note = _text(element, "NOTE")
    if note.lower().startswith(_ORIGINAL_SCRIPT):
        party.add_name(note[len(_ORIGINAL_SCRIPT) :], weak=weak)


def _person(party: ListedParty, element: etree._Element, notices: list[Record]) -> None:
    for nationality in _values(element, "NATIONALITY"):
        party.add_nationality(nationality)
    for key, name in (("title", "TITLE"), ("position", "DESIGNATION")):
        for value in _values(element, name):
            party.note(key, value)
    party.note("gender", _text(element, "GENDER"))
    for birth in element.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        party.add_birth(*birth_date(birth, notices))
    for place in element.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
        parts = (_text(place, name) for name in ("CITY", "STATE_PROVINCE", "COUNTRY"))
        party.note("birth_place", ", ".join(filter(None, parts)))
    for document in element.findall("INDIVIDUAL_DOCUMENT"):
        _document(party, document)


def _party(element: etree._Element, notices: list[Record]) -> ListedParty:
    """The party of one INDIVIDUAL or ENTITY; ValueError when it has no DATAID or no name."""
    tag = local(element.tag)
    data_id = _text(element, "DATAID")
    if not data_id:
        raise ValueError(f"{tag} without DATAID")
    party = ListedParty(data_id, "Person" if tag == "INDIVIDUAL" else "Organization")
    full_name = " ".join(filter(None, (_text(element, name) for name in _NAME_PARTS)))
    party.add_name(full_name, primary=True)
    party.add_name(_text(element, "NAME_ORIGINAL_SCRIPT"))
    for alias in element.findall(f"{tag}_ALIAS"):
        _alias(party, alias)
    if not party.named:
        raise ValueError(f"{tag} {data_id} has no name")
    party.add_identifier(listed_identifier("un", _text(element, "REFERENCE_NUMBER"), country=None))
    for address in element.findall(f"{tag}_ADDRESS"):
        parts = [_text(address, name) for name in _ADDRESS_PARTS]
        party.add_address(parts, country_code(parts[-1]), node=bool(parts[0]))
    if tag == "INDIVIDUAL":
        _person(party, element, notices)
    party.note("remarks", _text(element, "COMMENTS1"))
    party.note("last_updated", max(_values(element, "LAST_DAY_UPDATED"), default=""))
    party.note("list_type", _text(element, "LIST_TYPE/VALUE"), listing=True)
    party.add_programme(_text(element, "UN_LIST_TYPE"))
    party.listed_on = lenient_date(_text(element, "LISTED_ON"), notices)
    party.delisted_on = lenient_date(_text(element, "DELISTED_ON"), notices)
    return party


_CONSOLIDATED_LIST = ListXml(
    "CONSOLIDATED_LIST",
    {
        "INDIVIDUAL": "/CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL",
        "ENTITY": "/CONSOLIDATED_LIST/ENTITIES/ENTITY",
    },
    "DATAID={}",
    "UN",
    "UN SC Consolidated",
)


@loader(
    "un-xml",
    description="UN Security Council Consolidated List XML (CONSOLIDATED_LIST)",
    default_dataset="un-sc",
    snapshot=True,
)
def read_un(source: SourceFile) -> Iterator[Record]:
    yield from _CONSOLIDATED_LIST.read(source, _party)

"""What the three OFAC loaders share: the vocabulary of OFAC's labelled facts and the party built.

OFAC states the same facts under the same labels in every format: as ``Label value (Country)``
items of the legacy ``Remarks`` text (``Tax ID No. 7731084175 (Russia)``), as ``idType`` in the
sdnList XML, and as feature and document type names in the Advanced XML (and the US Consolidated
Screening List's ``ids`` column uses them too). :func:`apply` maps one labelled fact onto an
:class:`OfacParty`; the label tables below are the one place that says what each label means, for
the three OFAC loaders and ``csl-csv``. Mapping and quirks: docs/loaders/ofac.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from loaders._listed import ListedParty, clean, listed_identifier
from ownergraph.errors import UnreadableFileError
from ownergraph.model import Entity, Link, Listing, Notice, Provenance, Record, SourceFile
from ownergraph.model.identifiers import valid_lei
from ownergraph.model.values import country_code, fold, parse_date

AUTHORITY = "OFAC"
SDN_DATASET = "ofac-sdn"
CONSOLIDATED_DATASET = "ofac-consolidated"
"""Default datasets of the legacy CSV and sdnList XML loaders: SDN list, Consolidated list."""

KINDS = {"individual": "Person", "entity": "Organization", "": "Organization",
         "vessel": "Vessel", "aircraft": "Airplane"}  # fmt: skip
"""Entry type (``SDN_Type`` / ``sdnType``, lower case; ``-0-`` is empty) -> entity schema.

An entry that is not a person, vessel or aircraft is an Organization, and becomes a Company when
it carries a register number (see :class:`ListedParty`)."""

# Labels of numbers that are identifiers, by scheme.
_SCHEMES: dict[str, tuple[str, ...]] = {
    "tax": ("Tax ID No.", "V.A.T. Number", "R.F.C.", "RFC", "NIT #", "RUC #", "C.U.I.T.",
            "US FEIN", "Italian Fiscal Code", "RTN"),
    "reg": ("Registration Number", "Registration ID", "Company Number",
            "Public Registration Number", "Business Registration Number",
            "Business Registration Document #",
            "Commercial Registry Number", "C.R. No.", "Certificate of Incorporation Number",
            "Unified Social Credit Code (USCC)", "United Social Credit Code Certificate (USCCC)",
            "Chamber of Commerce Number", "Trade License No.", "Enterprise Number",
            "Economic Register Number (CBLS)", "Central Registration System Number",
            "Folio Mercantil No.", "Matricula Mercantil No", "Registered Charity No."),
    "okpo": ("Government Gazette Number",),
    "lei": ("Legal Entity Number",),
    "imo": ("Vessel Registration Identification",),
    "swift": ("SWIFT/BIC",),
    "gb-coh": ("UK Company Number",),
    "passport": ("Passport", "Diplomatic Passport", "British National Overseas Passport"),
    "national-id": ("National ID No.", "Identification Number", "Cedula No.", "C.U.R.P.", "D.N.I.",
                    "Personal ID Card", "Turkish Identification Number", "SSN", "Kenyan ID No.",
                    "Bosnian Personal ID No.", "Moroccan Personal ID No.", "Numero de Identidad",
                    "Citizen's Card Number", "Residency Number", "C.U.I.", "I.F.E.",
                    "Credencial electoral", "Electoral Registry No.", "LE Number"),
}  # fmt: skip

# Labels of facts about the sanction rather than the party: properties of the listing.
_LISTING_PROPERTIES = {
    "Additional Sanctions Information": "additional_sanctions_information",
    "Secondary sanctions risk": "secondary_sanctions_risk",
    "Transactions Prohibited For Persons Owned or Controlled By U.S. Financial Institutions":
        "transactions_prohibited",
    "Executive Order 13662 Directive Determination": "directive",
    "Executive Order 14024 Directive Information": "directive_information",
    "Executive Order 13846 information": "eo13846_information",
    "CAATSA Section 235 Information": "caatsa_235_information",
    "PEESA Information": "peesa_information",
    "Listing Date": "listing_date",
    "Effective Date": "effective_date",
    "For more information on directives, please visit the following link": "directives_url",
    "For more information, please see": "information_url",
    "For more information, please reference the following link": "information_url",
}  # fmt: skip

# Labels of other facts about the party: entity properties.
_ENTITY_PROPERTIES = {
    "Gender": "gender", "POB": "birth_place", "Place of Birth": "birth_place",
    "Website": "website", "Email Address": "email", "Email": "email", "Phone Number": "phone",
    "Telephone": "phone", "Telephone No.": "phone", "Fax": "fax", "Fax No.": "fax",
    "BIK (RU)": "bik", "MMSI": "mmsi", "License": "license", "D-U-N-S Number": "duns",
    "Target Type": "target_type", "Organization Type": "organization_type",
    "Digital Currency Address": "digital_currency_address", "Position": "position",
    "Nationality of Registration": "registration_country", "Vessel Year of Build": "year_built",
    "Other Vessel Flag": "other_vessel_flag", "Former Vessel Flag": "former_vessel_flag",
    "Other Vessel Call Sign": "other_call_sign", "Other Vessel Type": "other_vessel_type",
    "Aircraft Construction Number (also called L/N or S/N or F/N)": "aircraft_construction_number",
    "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_serial_number",
    "Aircraft Manufacture Date": "aircraft_manufacture_date", "Aircraft Model": "aircraft_model",
    "Aircraft Operator": "aircraft_operator", "Aircraft Tail Number": "aircraft_tail_number",
    "Previous Aircraft Tail Number": "previous_aircraft_tail_number",
    "Aircraft Mode S Transponder Code": "aircraft_mode_s",
}  # fmt: skip

_DOCUMENT = re.compile(
    r"^(?P<number>.+?)(?:\s+\((?P<country>[^()]+)\))?(?:\s+(?:issued|expires)\b.*)?$"
)
# Brackets after a number name a region ("0582030 (Connecticut)"); brackets inside it are part
# of it (Hong Kong "K357514(4)", Myanmar "13/Ta Ta Na (Naing)019077").
_BRACKETS = re.compile(r"(?:\s+\([^()]*\))+$")
Action = Callable[["OfacParty", str, str, str | None], None]
"""What a label records: (party, label, value, ISO country)."""
_RANGE = re.compile(r"\bto\b", re.IGNORECASE)


@dataclass
class OfacParty(ListedParty):
    """A listed party as OFAC describes it: a :class:`ListedParty` plus OFAC's extra facts.

    Identity documents are kept as written until the party is complete, because a number
    without a country (``Registration ID 1027700342890``) is read in the light of the party's own
    country. ``notices`` may be a list the caller also holds and yields.
    """

    documents: dict[tuple[str, str, str | None], None] = field(default_factory=dict)
    """(label, number as written, ISO country or None)."""
    incorporation_date: str | None = None
    flag: str | None = None
    linked_to: dict[str, None] = field(default_factory=dict)
    """Names of the parties a ``Linked To:`` item points at."""
    notices: list[Record] = field(default_factory=list)

    def country(self) -> str | None:
        """A vessel's or aircraft's flag first, else as for every listed party."""
        return self.flag or super().country()

    def add_vessel(self, details: dict[str, str], flag: str) -> None:
        """Vessel columns (call sign, type, tonnages, owner) as properties; the flag as country."""
        if not (flag or any(details.values())):
            return
        for key, value in details.items():
            self.note(key, value)
        self.note("vessel_flag", flag)
        self.flag = self.flag or country_code(flag)

    def records(
        self,
        authority: str,
        list_name: str,
        provenance: Provenance,
        seen: set[str],
        *,
        listed: bool = True,
    ) -> Iterator[Entity | Link | Listing]:
        """The party's records (see :meth:`ListedParty.records`) and one link per ``Linked To``.

        ``listed=False`` leaves the listing out, for formats that list parties separately.
        """
        fallback, person = self.country(), self.kind == "Person"
        for label, number, country in self.documents:
            self.add_identifier(document_identifier(label, number, country or fallback, person))
        for record in super().records(authority, list_name, provenance, seen):
            if isinstance(record, Entity) and record.id == self.id:
                record = replace(record, incorporation_date=self.incorporation_date)
            elif isinstance(record, Listing) and not listed:
                continue
            yield record
        for name in self.linked_to:
            yield Link(
                id=f"{self.id}>ASSOCIATE>{fold(name)}",
                type="ASSOCIATE",
                source=self.id,
                target=None,
                target_name=name,
                properties={"relation": "Linked To"},
                provenance=provenance,
            )


def is_consolidated(path: Path) -> bool:
    """Whether a file is of OFAC's Consolidated (non-SDN) list: ``cons_prim.csv``, ``cons*.xml``."""
    return path.name.lower().startswith("cons")


def default_dataset(path: Path) -> str:
    """``ofac-consolidated`` for a file of the Consolidated list, else ``ofac-sdn``."""
    return CONSOLIDATED_DATASET if is_consolidated(path) else SDN_DATASET


def list_name(source: SourceFile) -> str:
    """``SDN``, or ``Non-SDN`` for the consolidated list's files (``cons_prim.csv``, ``cons*.xml``).

    The consolidated list must not share a dataset with the SDN list: each file is a complete
    list, so loading one would withdraw every listing of the other.
    """
    if not is_consolidated(source.path):
        return "SDN"
    if source.dataset == SDN_DATASET:
        raise UnreadableFileError(
            source.path,
            f"this is OFAC's consolidated (non-SDN) list; loaded into the {SDN_DATASET!r} dataset "
            f"it would withdraw every SDN listing: load it with --dataset {CONSOLIDATED_DATASET}",
        )
    return "Non-SDN"


def is_identifier_label(label: str) -> bool:
    """Whether OFAC's ``label`` (``Tax ID No.``, ``SWIFT/BIC``...) names an identifier."""
    return clean(label).rstrip(" -:").casefold() in _SCHEME_OF


def document_identifier(label: str, number: str, country: str | None, person: bool) -> str | None:
    """``scheme:value`` for a number under an identifier label (None when it has no number).

    Russian numbers become ``inn:``/``ogrn:`` when their check digits say so (via
    :func:`listed_identifier`); ``Government Gazette Number`` is the Russian OKPO code, and the
    Ukrainian EDRPOU code elsewhere; a ``Legal Entity Number`` that is not a valid LEI is a
    register number; ``IMO 9339301`` under any label is an IMO number.
    """
    scheme = _SCHEME_OF[clean(label).rstrip(" -:").casefold()]
    if number.upper().startswith("IMO"):
        scheme = "imo"  # also written under "Identification Number"
    not_okpo = scheme == "okpo" and country not in (None, "RU")
    if not_okpo or (scheme == "lei" and not valid_lei(number.strip().upper())):
        scheme = "reg"
    elif scheme == "reg" and country == "GB" and label.casefold() == "company number":
        scheme = "gb-coh"
    elif scheme == "swift":
        number = number.replace(" ", "")
    return listed_identifier(scheme, number, country=country, label=label, person=person)


def exact_date(text: str) -> str | None:
    """The (partial) ISO value of a date OFAC gives exactly; None for ``circa`` and ranges.

    Raises ValueError for wording that is no date at all.
    """
    wording = clean(text)
    if wording.lower().startswith("circa") or _RANGE.search(wording):
        return None
    return parse_date(wording)


def property_key(label: str) -> str:
    """Property name for a label no table knows (``Passport Booklet`` -> ``passport_booklet``)."""
    return "_".join(fold(label).split())


def apply(party: OfacParty, label: str, value: str, country: str | None = None) -> bool:
    """Record one labelled fact on ``party``; False (nothing recorded) for an unknown label.

    ``country`` is the ISO country given beside the value in structured formats; in remark text
    it is the ``(Country)`` after a number.
    """
    label = clean(label).rstrip(" -:")
    value = clean(value)
    if not value:
        return True
    action = _ACTIONS.get(label.casefold())
    if action is None:
        return False
    action(party, label, value, country)
    return True


def apply_any(party: OfacParty, label: str, value: str, country: str | None = None) -> None:
    """:func:`apply`, keeping a fact under an unknown label as a property named after it."""
    if not apply(party, label, value, country):
        party.note(property_key(label.rstrip(" -:")), value)


def apply_remarks(party: OfacParty, remarks: str) -> None:
    """Read the ``;``-separated items of a remark text; keep the whole text as ``remarks``.

    Items with an unknown label or none (titles such as ``Minister of Defense``) stay only in the
    kept text. ``(Linked To: X)`` in parentheses is the sdnList XML's way of writing the item.
    """
    text = clean(remarks)
    party.note("remarks", text)
    for item in text.removesuffix(".").split("; "):
        item = item.strip()
        if item.startswith("(") and item.endswith(")"):
            item = item[1:-1]
        if match := _ITEM.match(item):
            apply(party, match["label"], match["value"])


def document_number(value: str) -> tuple[str, str | None]:
    """The number of a document as OFAC writes it, and the ISO country in brackets after it:
    ``7731084175 (Russia)`` -> ``("7731084175", "RU")``."""
    match = _DOCUMENT.match(value)
    written, named = (match["number"], match["country"]) if match else (value, None)
    # Other brackets name a region ("0582030 (Connecticut) (United States)"): kept in remarks.
    return _BRACKETS.sub("", written).strip() or written, country_code(named)


def _document(party: OfacParty, label: str, value: str, country: str | None) -> None:
    number, named = document_number(value)
    party.documents[(label, number, country or named)] = None


def _birth(party: OfacParty, label: str, value: str, country: str | None) -> None:
    try:
        iso = exact_date(value)
    except ValueError as error:
        party.notices.append(Notice("unreadable_date", f"{label}: {error}"))
        iso = None
    # An exact date is worded by its ISO value; circa, ranges and non-dates as written.
    party.add_birth(iso, None if iso else value)


def _established(party: OfacParty, label: str, value: str, country: str | None) -> None:
    try:
        iso = exact_date(value)
    except ValueError:
        iso = None
    if iso and party.incorporation_date is None:
        party.incorporation_date = iso
    elif not iso:
        party.note("established", value)


def _nationality(party: OfacParty, label: str, value: str, country: str | None) -> None:
    party.add_nationality(country or value)


def _weak_alias(party: OfacParty, label: str, value: str, country: str | None) -> None:
    party.add_name(value, weak=True)


def _linked(party: OfacParty, label: str, value: str, country: str | None) -> None:
    party.linked_to[value] = None


def _property(key: str, *, listing: bool) -> Action:
    def note(party: OfacParty, label: str, value: str, country: str | None) -> None:
        party.note(key, value, listing=listing)

    return note


_SCHEME_OF = {label.casefold(): scheme for scheme, labels in _SCHEMES.items() for label in labels}
_ACTIONS: dict[str, Action] = {
    **dict.fromkeys(_SCHEME_OF, _document),
    **{label.casefold(): _property(key, listing=True)
       for label, key in _LISTING_PROPERTIES.items()},
    **{label.casefold(): _property(key, listing=False)
       for label, key in _ENTITY_PROPERTIES.items()},
    **dict.fromkeys(("dob", "birthdate"), _birth),
    **dict.fromkeys(("nationality", "citizen", "nationality country", "citizenship country"),
                    _nationality),
    "organization established date": _established,
    **dict.fromkeys(("a.k.a.", "f.k.a.", "n.k.a."), _weak_alias),
    "linked to": _linked,
}  # fmt: skip
"""Every known label (case-folded) -> what it records."""

# A remark item: an optional "alt." (a second value), a known label, then ":", " - " or a space.
_ITEM = re.compile(
    r"(?:alt\.\s+)?(?P<label>"
    + "|".join(re.escape(label) for label in sorted(_ACTIONS, key=len, reverse=True))
    + r")(?:\s*:\s*|\s+-\s+|\s+)(?P<value>.+)$",
    re.IGNORECASE,
)

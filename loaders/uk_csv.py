"""``uk-csv``: the OFSI Consolidated List CSV ("ConList", 2022 format; FORMATS.md §3).

The file starts with a ``Last Updated,dd/mm/yyyy`` line above the header, and has one row per
*name*: the rows of one designated party share its ``Group ID`` and become one party with all
those names, one UK listing under its regime, and the identifiers found in its columns and in the
``(Label):value`` items of ``Other Information``.

Rows of one group are consecutive in the published file, so each party is built as soon as its
rows end. A first pass over the file notes the Group IDs whose rows are scattered (it keeps only
the IDs); the rows of those groups alone are held until the end of the file, so memory grows with
the number of groups plus the rows of scattered groups, not with the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from loaders import loader
from loaders._csv import Row, read_rows
from loaders._listed import ListedParty, clean, lenient_date, listed_identifier
from ownergraph.errors import UnreadableFileError
from ownergraph.model import Notice, Record, Reject, SourceFile
from ownergraph.model.values import country_code, fold

REQUIRED = ("Group ID", "Name 6")
_NAME_COLUMNS = tuple(f"Name {number}" for number in (1, 2, 3, 4, 5, 6))
_ADDRESS_COLUMNS = tuple(f"Address {number}" for number in range(1, 7))
_KINDS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
# Numbered values share one cell: "(1) Afghanistan (2) Pakistan".
_NUMBERED = re.compile(r"\(\d+\)")
_DOB = re.compile(r"(\d{1,2}|-+)/(\d{1,2}|-+)/(\d{4})")
# Other Information is a run of "(Label):value" items, e.g. "(UK Sanctions List Ref):RUS0296."
_LABEL = re.compile(r"\(([A-Za-z][^()]{0,60}?)\)\s*:")
_LABELLED_IDS = {
    "uk_sanctions_list_ref": "uk-ref", "un_ref": "un", "business_reg_no": "reg",
    "business_registration_number_s": "reg", "imo_number": "imo",
}  # fmt: skip


def _date_line(source: SourceFile, fields: list[str]) -> bool:
    """Whether the first row is OFSI's ``Last Updated,dd/mm/yyyy`` line above the header.

    The FCDO's UK Sanctions List CSV starts with a ``Report Date`` line instead: refused, since it
    is another layout.
    """
    label = fields[0].strip().lower() if fields else ""
    if label.startswith("report date"):
        raise UnreadableFileError(
            source.path, "this is the FCDO UK Sanctions List CSV; uk-csv reads the OFSI ConList"
        )
    return label == "last updated" and len([cell for cell in fields if cell.strip()]) <= 2


def _rows(source: SourceFile) -> Iterator[Row | Reject]:
    return read_rows(source, required=REQUIRED, title=partial(_date_line, source))


def _scattered_groups(source: SourceFile) -> set[str]:
    """Group IDs whose rows are not all consecutive."""
    finished: set[str] = set()
    scattered: set[str] = set()
    current: str | None = None
    for row in _rows(source):
        group = "" if isinstance(row, Reject) else row.get("Group ID")
        if group and group != current:
            if group in finished:
                scattered.add(group)
            if current is not None:
                finished.add(current)
            current = group
    return scattered


def _items(text: str) -> list[str]:
    return [clean(item) for item in _NUMBERED.split(text) if clean(item)]


def _birth_date(text: str, notices: list[Record]) -> str | None:
    """``dd/mm/yyyy`` where an unknown day or month is ``00`` (or dashes)."""
    match = _DOB.fullmatch(text)
    if match is None:
        return lenient_date(text, notices)
    day, month, year = match.groups()
    known = [year]
    if month.isdigit() and int(month):
        known.append(month)
        if day.isdigit() and int(day):
            known.append(day)
    return lenient_date("-".join(part.zfill(2) for part in known), notices)


def _other_information(party: ListedParty, text: str) -> None:
    pieces = _LABEL.split(text)
    party.note("other_information", pieces[0].strip(" ."))
    for label, value in zip(pieces[1::2], pieces[2::2], strict=True):
        key = "_".join(fold(label).split())
        if key not in _LABELLED_IDS:
            party.note(key, value)
            continue
        # An identifier is the first word; the "." after it separates items, free text may follow.
        number, _, rest = clean(value).partition(" ")
        scheme = _LABELLED_IDS[key]
        party.add_identifier(listed_identifier(scheme, number.rstrip("."), country=party.country()))
        party.note("other_information", rest)


def _address(party: ListedParty, row: Row) -> None:
    lines = [row.get(column) for column in _ADDRESS_COLUMNS]
    postcode, country = row.get("Post/Zip Code"), row.get("Country")
    # Lines are free text; a postcode or a house number tells a street address from a bare town.
    specific = bool(postcode) or any(char.isdigit() for line in lines for char in line)
    party.add_address((*lines, postcode, country), country_code(country), node=specific)


def _person(party: ListedParty, row: Row, notices: list[Record]) -> None:
    for nationality in _items(row.get("Nationality")):
        party.add_nationality(nationality)
    for written in _items(row.get("DOB")):
        iso = _birth_date(written, notices)
        party.add_birth(iso, None if iso else written)
    place = (row.get("Town of Birth"), row.get("Country of Birth"))
    party.note("birth_place", ", ".join(filter(None, place)))
    for number in _items(row.get("Passport Number")):
        party.add_identifier(listed_identifier("passport", number, country=None))
    party.note("passport_details", row.get("Passport Details"))
    label = row.get("National Identification Details")
    country = country_code(next(iter(_items(row.get("Nationality"))), ""))
    for number in _items(row.get("National Identification Number")):
        party.add_identifier(
            listed_identifier("national-id", number, country=country, label=label, person=True)
        )
    party.note("national_id_details", label)
    for position in _items(row.get("Position")):
        party.note("position", position)


class _Group:
    """The rows of one Group ID, gathered into one party."""

    def __init__(self, group_id: str, row: Row) -> None:
        self.line, self.raw = row.line, row.raw
        self.notices: list[Record] = []
        group_type = row.get("Group Type")
        kind = _KINDS.get(fold(group_type))
        if kind is None:
            self.notices.append(Notice("unknown_group_type", group_type, row.line))
        self.party = ListedParty(group_id, kind or "LegalEntity")
        self.party.add_identifier(f"uk:{group_id}")
        self.last_updated = ""

    def add(self, row: Row) -> None:
        party, notices = self.party, self.notices
        alias_type, quality = fold(row.get("Alias Type")), fold(row.get("Alias Quality"))
        full_name = " ".join(filter(None, (row.get(column) for column in _NAME_COLUMNS)))
        primary = alias_type == "primary name"
        party.add_name(full_name, weak=quality.startswith("low"), primary=primary)
        party.add_name(row.get("Name Non-Latin Script"))
        party.note("title", row.get("Title"))
        if party.kind == "Person":
            _person(party, row, notices)
        _address(party, row)
        _other_information(party, row.get("Other Information"))
        party.add_programme(row.get("Regime"))
        listed = lenient_date(row.get("Listed On"), notices)
        designated = lenient_date(row.get("UK Sanctions List Date Designated"), notices)
        party.listed_on = party.listed_on or designated or listed
        party.note("ofsi_listed_on", listed, listing=True)
        updated = lenient_date(row.get("Last Updated"), notices) or ""
        self.last_updated = max(self.last_updated, updated)

    def records(self, source: SourceFile, seen: set[str]) -> Iterator[Record]:
        yield from self.notices
        party = self.party
        if not party.named:
            reason = f"group {party.id} has no name in any row"
            yield Reject(reason, line=self.line, location=f"Group ID {party.id}", raw=self.raw)
            return
        party.note("last_updated", self.last_updated)
        yield from party.records("UK", "OFSI Consolidated", source.provenance(self.line), seen)


@loader(
    "uk-csv",
    description="UK OFSI Consolidated List CSV (ConList, one row per name, grouped by Group ID)",
    default_dataset="uk-sanctions",
    snapshot=True,
)
def read_uk(source: SourceFile) -> Iterator[Record]:
    scattered = _scattered_groups(source)
    held: dict[str, _Group] = {}
    current: _Group | None = None
    seen: set[str] = set()
    for row in _rows(source):
        if isinstance(row, Reject):
            yield row
            continue
        group_id = row.get("Group ID")
        if not group_id:
            yield Reject("row without a Group ID", line=row.line, raw=row.raw)
            continue
        if group_id in scattered:
            group = held.get(group_id) or held.setdefault(group_id, _Group(group_id, row))
        elif current is None or current.party.id != group_id:
            if current is not None:
                yield from current.records(source, seen)
            group = current = _Group(group_id, row)
        else:
            group = current
        group.add(row)
    if current is not None:
        yield from current.records(source, seen)
    for group in held.values():
        yield from group.records(source, seen)

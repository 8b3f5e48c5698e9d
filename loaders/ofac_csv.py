"""``ofac-csv``: OFAC's legacy flat files, ``sdn.csv`` (or ``cons_prim.csv``) and its side tables.

The main file is streamed row by row. The side tables found beside it (``add.csv``, ``alt.csv``,
``sdn_comments.csv``; ``cons_add.csv``... for the consolidated list) are indexed by ``ent_num`` in
memory first: they are a few MB even for the full list, and OFAC does not promise their order.
Side rows whose entry is not in the main file are kept as rejects. Mapping: docs/loaders/ofac.md.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from loaders import loader
from loaders._csv import raw_text
from loaders._listed import RAW_LIMIT
from loaders._ofac_remarks import (
    AUTHORITY,
    KINDS,
    OfacParty,
    apply_remarks,
    default_dataset,
    is_consolidated,
    list_name,
)
from ownergraph.errors import UnreadableFileError
from ownergraph.model import Notice, Record, Reject, SourceFile
from ownergraph.model.values import country_code

REMARKS_LIMIT = 1000
"""Characters OFAC keeps in ``Remarks``; the rest of a longer remark is in the comments file."""
_NULL = "-0-"
_FALLBACK = "ofac-windows-1252"


def _windows_1252(error: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as Windows-1252, the encoding of older OFAC files."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("cp1252", errors="replace"), error.end


codecs.register_error(_FALLBACK, _windows_1252)


@dataclass(frozen=True, slots=True)
class _Table:
    """One of the four files of a list: its name and its number of columns."""

    name: str
    width: int


@dataclass(frozen=True, slots=True)
class _Layout:
    main: _Table
    addresses: _Table
    aliases: _Table
    comments: _Table


_SDN = _Layout(_Table("sdn.csv", 12), _Table("add.csv", 6), _Table("alt.csv", 5),
               _Table("sdn_comments.csv", 2))  # fmt: skip
_CONSOLIDATED = _Layout(_Table("cons_prim.csv", 12), _Table("cons_add.csv", 6),
                        _Table("cons_alt.csv", 5), _Table("cons_comments.csv", 2))  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Row:
    """A well-formed row: its physical line and its fields as written."""

    line: int
    raw: tuple[str, ...]

    @property
    def values(self) -> list[str]:
        """The fields stripped, with ``-0-`` read as ''."""
        return [_value(text) for text in self.raw]


def _value(text: str) -> str:
    text = text.strip()
    return "" if text == _NULL else text


def _open(source: SourceFile, path: Path) -> IO[str]:
    handle = source.open_binary(None if path == source.path else path)
    return io.TextIOWrapper(handle, encoding="utf-8-sig", errors=_FALLBACK, newline="")


def _problem(fields: list[str], width: int) -> str | None:
    if len(fields) != width:
        return f"row has {len(fields)} fields, expected {width}"
    if not fields[0].strip().isdigit():
        return f"ent_num {fields[0].strip()!r} is not a number"
    return None


def _read_table(
    source: SourceFile, path: Path, table: _Table, *, required: bool
) -> Iterator[_Row | Reject]:
    """The rows of one headerless OFAC file, or a Reject for each malformed one.

    A file whose first record is malformed is not this file at all, and one whose last record is
    malformed was cut short: both are unreadable, since loading them would withdraw listings.
    """
    pending: Reject | None = None
    started = False
    with _open(source, path) as handle:
        # The Ctrl-Z (0x1A) OFAC writes after the last record is no data.
        reader = csv.reader((line.replace("\x1a", "") for line in handle), strict=True)
        while True:
            problem: str | None
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                fields, problem = [], f"malformed CSV: {error}"
            else:
                if len(fields) < 2 and not "".join(fields).strip():
                    continue
                problem = _problem(fields, table.width)
            if problem and not started:
                raise UnreadableFileError(path, f"not an OFAC {table.name} file: {problem}")
            started = True
            if pending is not None:
                yield pending
                pending = None
            if problem:
                raw = raw_text(fields)[:RAW_LIMIT] or None
                pending = Reject(problem, line=reader.line_num, raw=raw, file=str(path))
            else:
                yield _Row(reader.line_num, tuple(fields))
    if pending is not None:
        raise UnreadableFileError(path, f"last record is malformed ({pending.reason}): truncated?")
    if required and not started:
        raise UnreadableFileError(path, f"empty file: no {table.name} records")


@dataclass
class _SideTable:
    """The rows of a side file by ``ent_num``; rows never taken are orphans."""

    table: _Table
    path: Path | None
    rows: dict[str, list[_Row]] = field(default_factory=dict)

    def read(self, source: SourceFile) -> Iterator[Record]:
        """Index the file; yield its rejects, or a notice when it is not there."""
        if self.path is None:
            yield Notice("missing_file", f"{self.table.name} not found beside {source.path.name}")
            return
        for row in _read_table(source, self.path, self.table, required=False):
            if isinstance(row, Reject):
                yield row
            else:
                self.rows.setdefault(row.raw[0].strip(), []).append(row)

    def take(self, ent_num: str) -> list[_Row]:
        return self.rows.pop(ent_num, [])

    def orphans(self, main: str) -> Iterator[Record]:
        """Each row left over: counted as ``orphaned`` and kept in the rejects table."""
        for ent_num, rows in self.rows.items():
            for row in rows:
                yield Notice("orphaned", f"{self.table.name} line {row.line}", row.line)
                yield Reject(
                    f"orphan {self.table.name} row: ent_num {ent_num} is not in {main}",
                    line=row.line,
                    location=f"ent_num={ent_num}",
                    raw=raw_text(row.raw)[:RAW_LIMIT],
                    file=str(self.path),
                )
        self.rows.clear()


def _beside(main: Path, layout: _Layout) -> dict[str, Path]:
    """The layout's side files present in the main file's folder (names in any case)."""
    wanted = {table.name for table in (layout.addresses, layout.aliases, layout.comments)}
    return {path.name.lower(): path for path in main.parent.iterdir()
            if path.name.lower() in wanted}  # fmt: skip


def side_files(main: Path) -> list[Path]:
    """The side files this loader reads beside ``main`` (for progress and the bulk decision)."""
    layout = _CONSOLIDATED if is_consolidated(main) else _SDN
    return sorted(_beside(main, layout).values())


class _CsvList:
    """One load: the side tables indexed, then the main file streamed entry by entry."""

    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.list_name = list_name(source)
        self.layout = _CONSOLIDATED if is_consolidated(source.path) else _SDN
        found = _beside(source.path, self.layout)
        self.addresses, self.aliases, self.comments = (
            _SideTable(table, found.get(table.name))
            for table in (self.layout.addresses, self.layout.aliases, self.layout.comments)
        )
        self.entries: set[str] = set()
        self.address_nodes: set[str] = set()

    def records(self) -> Iterator[Record]:
        for side in (self.addresses, self.aliases, self.comments):
            yield from side.read(self.source)
        for row in _read_table(self.source, self.source.path, self.layout.main, required=True):
            if isinstance(row, Reject):
                yield row
                continue
            values = row.values
            problem = self._invalid(values)
            if problem:
                yield Reject(problem, line=row.line, raw=raw_text(row.raw)[:RAW_LIMIT])
                continue
            party = self._party(row.line, values, row.raw[11])
            yield from party.notices
            provenance = self.source.provenance(f"ent_num={party.id}")
            yield from party.records(AUTHORITY, self.list_name, provenance, self.address_nodes)
        for side in (self.addresses, self.aliases, self.comments):
            yield from side.orphans(self.source.path.name)

    def _invalid(self, values: list[str]) -> str | None:
        ent_num, name = values[:2]
        if ent_num in self.entries:
            return f"duplicate ent_num {ent_num}"
        if not name:
            return "empty SDN_Name"
        self.entries.add(ent_num)
        return None

    def _party(self, line: int, values: list[str], raw_remarks: str) -> OfacParty:
        (ent_num, name, sdn_type, programmes, title, call_sign, vessel_type, tonnage, grt, flag,
         owner, remarks) = values  # fmt: skip
        party = OfacParty(ent_num, KINDS.get(sdn_type.lower(), "LegalEntity"))
        if sdn_type.lower() not in KINDS:
            party.notices.append(Notice("unknown_type", sdn_type, line))
        party.add_name(name, primary=True)
        party.add_identifier(f"ofac:{ent_num}")
        for programme in programmes.split("] ["):
            party.add_programme(programme.strip("[] "))
        party.note("title", title)
        details = {"call_sign": call_sign, "vessel_type": vessel_type, "tonnage": tonnage,
                   "gross_registered_tonnage": grt, "vessel_owner": owner}  # fmt: skip
        party.add_vessel(details, flag)
        for address in self.addresses.take(ent_num):
            street, city, country, note = address.values[2:]
            party.add_address((street, city, country), country_code(country), node=bool(street))
            party.note("address_remarks", note)
        for alias in self.aliases.take(ent_num):
            party.add_name(alias.values[3])
        apply_remarks(party, self._remarks(party, raw_remarks, remarks))
        return party

    def _remarks(self, party: OfacParty, raw: str, remarks: str) -> str:
        """The remark with its overflow from the comments file appended.

        Overflow only continues a remark cut at the limit; beside a shorter remark it belongs to
        another version of the list, and is kept apart rather than glued onto the wrong text.
        """
        overflow = "".join(row.raw[1] for row in self.comments.take(party.id))
        if not overflow:
            return remarks
        if len(raw) >= REMARKS_LIMIT:
            return raw + overflow
        party.notices.append(Notice("unjoined_overflow", f"ent_num {party.id}"))
        party.note("remarks_overflow", overflow)
        return remarks


@loader(
    "ofac-csv",
    description="OFAC legacy CSV: sdn.csv (or cons_prim.csv) with add/alt/comments beside it",
    default_dataset=default_dataset,
    snapshot=True,
    companions=side_files,
)
def read_ofac_csv(source: SourceFile) -> Iterator[Record]:
    yield from _CsvList(source).records()

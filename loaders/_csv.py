"""Reading delimited text row by row with line numbers, header mapping and row-level rejects.

Shared by the CSV loaders; every malformed row becomes a :class:`Reject` carrying its line and raw
text, and the reader moves on to the next row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ownergraph.errors import UnreadableFileError
from ownergraph.model import Reject, SourceFile

csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True, slots=True)
class Header:
    """A file's column names (after ``--map``), shared by all its rows."""

    names: tuple[str, ...]
    index: dict[str, int] = field(default_factory=dict)
    _extras: dict[frozenset[str], tuple[tuple[str, int], ...]] = field(default_factory=dict)
    _positions: dict[tuple[str, ...], tuple[int, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for position, name in enumerate(self.names):
            self.index.setdefault(name, position)

    def extras(self, known: frozenset[str]) -> tuple[tuple[str, int], ...]:
        """Columns outside ``known``, with their positions (computed once per file)."""
        if known not in self._extras:
            self._extras[known] = tuple(
                (name, position) for position, name in enumerate(self.names) if name not in known
            )
        return self._extras[known]

    def positions(self, columns: tuple[str, ...]) -> tuple[int, ...]:
        """Where each of ``columns`` is; -1 for a column the file lacks (computed once)."""
        if columns not in self._positions:
            self._positions[columns] = tuple(self.index.get(name, -1) for name in columns)
        return self._positions[columns]


@dataclass(frozen=True, slots=True)
class Row:
    """One data row: its physical line number (of its last line) and its fields."""

    line: int
    fields: list[str]
    header: Header

    def get(self, column: str) -> str:
        """The stripped value of ``column``, '' when the file has no such column."""
        position = self.header.index.get(column)
        return "" if position is None else self.fields[position].strip()

    def pick(self, columns: tuple[str, ...]) -> list[str]:
        """Stripped values of ``columns`` in that order ('' for absent ones): one call per row."""
        fields = self.fields
        return [fields[i].strip() if i >= 0 else "" for i in self.header.positions(columns)]

    def extras(self, known: frozenset[str]) -> dict[str, str]:
        """Non-empty values of the columns a loader does not know: kept as properties."""
        fields = self.fields
        return {name: fields[i] for name, i in self.header.extras(known) if fields[i].strip()}

    @property
    def values(self) -> dict[str, str]:
        return dict(zip(self.header.names, self.fields, strict=True))

    @property
    def raw(self) -> str:
        return raw_text(self.fields)


def raw_text(fields: Iterable[str], delimiter: str = ",") -> str:
    """Re-serialise parsed fields as one CSV line, for the rejects table."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(list(fields))
    return buffer.getvalue()


def read_rows(
    source: SourceFile,
    *,
    required: Iterable[str] = (),
    path: Path | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    skip_repeated_header: bool = True,
    title: Callable[[list[str]], bool] | None = None,
) -> Iterator[Row | Reject]:
    """Yield the rows of a headed CSV file (``--map`` renames applied) or rejects for bad rows.

    Header names are stripped of surrounding spaces. A header without a ``required`` column makes
    the whole file unreadable; a row with the wrong number of fields is rejected.

    ``title`` recognises a title line above the header (OFSI's ``Last Updated,28/02/2026``): given
    the fields of the first row, True skips that row and reads the header from the next one. It
    may raise :class:`UnreadableFileError` to refuse the file. Line numbers stay those of the file.
    """
    target = path or source.path
    mapping: Mapping[str, str] = source.column_map or {}
    with source.open_text(path, encoding=encoding) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header_raw = next(reader)
            if title is not None and title(header_raw):
                header_raw = next(reader)
        except StopIteration:
            raise UnreadableFileError(target, "empty file, no header row") from None
        except csv.Error as error:
            raise UnreadableFileError(target, f"unreadable header: {error}") from None
        header = Header(tuple(mapping.get(name.strip(), name.strip()) for name in header_raw))
        missing = [column for column in required if column not in header.index]
        if missing:
            raise UnreadableFileError(
                target, f"header lacks required column(s) {', '.join(missing)}"
            )
        width = len(header.names)
        stripped_header = [name.strip() for name in header_raw]
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield Reject(f"malformed CSV: {error}", line=reader.line_num, file=str(target))
                continue
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue
            if (
                skip_repeated_header
                and fields[0].strip() == stripped_header[0]
                and [f.strip() for f in fields] == stripped_header
            ):
                continue
            if len(fields) != width:
                yield Reject(
                    f"row has {len(fields)} fields, the header has {width}",
                    line=reader.line_num,
                    raw=raw_text(fields, delimiter),
                    file=str(target),
                )
                continue
            yield Row(reader.line_num, fields, header)

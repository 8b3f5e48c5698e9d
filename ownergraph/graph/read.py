"""Reading the workspace columns the graph needs as numpy arrays, on two connections at once.

Record ids never cross into Python: every record carries the integer key of each id it names
(``record_keys``, workspace migration 2), so ends and parties are read as numbers. Each chunk of
rows is one query whose ``group_concat`` SQLite fills in C, one string per column, which is
parsed by compiled code: integers (keys, codes) as comma-separated text, a few nanoseconds a
value, where a row cursor costs a hundred; dates by :func:`_iso_days`, which leaves anything but
a valid ``YYYY-MM-DD`` to numpy (:func:`days`).

Numbers with a fraction are the slow case both ways (SQLite prints a REAL in hundreds of
nanoseconds, and parsing it back costs as much), so SQLite sends a decimal with at most three
places (shares, values, quantities: nearly all of them) as an integer count of thousandths, after
checking that ``count / 1000`` gives back exactly the stored double; the rare others are fetched
as text by a second query. Either way the value is the one a text round trip gives.

Queries on different tables run in two threads, each with its own connection: SQLite and the
compiled parser release the GIL, so the two cores scan in parallel.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from ownergraph.graph.csr import OPEN_END, OPEN_START, IntArray
from ownergraph.workspace import Workspace

_CHUNK = 262144
_SEP = "\x1f"
"""ASCII unit separator between text values of a column chunk; ids never contain it (checked)."""
_SLOW_DAY = -(2**31) + 1
"""Day placeholder of a date the compiled parser leaves to numpy."""
_NULL = -(2**62)
"""Thousandths placeholder of a NULL number."""
_ODD = -(2**62) + 1
"""Thousandths placeholder of a number that is not a whole count of thousandths."""


@dataclass(frozen=True, slots=True)
class Column:
    """One column to read: an SQL expression over the table (aliased ``t``) and its kind.

    ``int``: an integer expression, never NULL; ``real``: a number or NULL (NaN); ``start`` and
    ``end``: an ISO date, partial dates widened to the first or last day, NULL or bad open;
    ``text``: a string, NULL as ``""``.
    """

    sql: str
    kind: str = "int"

    @property
    def aggregate(self) -> str:
        """The ``group_concat`` that carries the column (see :func:`_decode`)."""
        x = self.sql
        if self.kind == "text":
            return f"group_concat(COALESCE({x}, ''), char(31))"
        if self.kind in ("start", "end"):
            return f"CAST(group_concat(COALESCE({x}, ''), char(31)) AS BLOB)"
        if self.kind == "real":
            x = f"CASE WHEN {x} IS NULL THEN {_NULL} WHEN {self.exact} THEN {self.thousandths} " \
                f"ELSE {_ODD} END"  # fmt: skip
        return f"CAST(group_concat({x}, ',') AS BLOB)"

    @property
    def thousandths(self) -> str:
        """SQL: the nearest count of thousandths of a non-negative number (a negative one gets a
        wrong count, which :attr:`exact` turns away: negatives are rare, and so take the text)."""
        return f"CAST({self.sql} * 1000 + 0.5 AS INTEGER)"

    @property
    def exact(self) -> str:
        """SQL: the count of thousandths gives back the stored double exactly, divided as numpy
        divides it; below 1e12, so that it has at most 15 digits, as SQLite's text has."""
        return f"({self.sql} < 1e12 AND {self.thousandths} / 1000.0 = {self.sql})"


def _decode(column: Column, text: Any, count: int, odd: Callable[[Column], str]) -> Any:
    """One chunk of a column from its aggregate; ``odd`` fetches the text of the chunk's
    numbers that are not whole thousandths."""
    if column.kind == "text":
        values = (text or "").split(_SEP) if count else []
        if len(values) != count:
            raise ValueError(f"a value of {column.sql} contains U+001F")
        return values
    if column.kind in ("start", "end"):
        buffer = np.frombuffer(text or b"", dtype=np.uint8)
        day = _iso_days(buffer, count, OPEN_START if column.kind == "start" else OPEN_END,
                        _SLOW_DAY)  # fmt: skip
        slow = np.flatnonzero(day == _SLOW_DAY)
        if len(slow):
            words = bytes(text).decode("utf-8").split(_SEP)
            day[slow] = days([words[i] for i in slow.tolist()], end=column.kind == "end")
        return day
    numbers = _integers(text, count)
    if column.kind == "int":
        return numbers
    result = numbers / 1000.0
    result[numbers == _NULL] = np.nan
    rest = np.flatnonzero(numbers == _ODD)
    if len(rest):
        result[rest] = np.fromstring(odd(column), sep=",")
    return result


def days(values: list[str], *, end: bool) -> IntArray:
    """Day numbers of ISO dates, widening partial ones (``"2023"`` starts on 2023-01-01 and ends
    on 2023-12-31, ``"2023-05"`` likewise for the month); empty or bad -> open."""
    text = np.array(values, dtype="U10")
    lengths = np.char.str_len(text)
    found_days = np.full(len(text), OPEN_END if end else OPEN_START, dtype=np.int64)
    for length, unit in ((4, "Y"), (7, "M"), (10, "D")):
        chosen = lengths == length
        if not chosen.any():
            continue
        try:
            parsed = text[chosen].astype(f"datetime64[{unit}]")
        except ValueError:
            parsed = np.array(
                [_one_date(v, unit) for v in text[chosen]], dtype=f"datetime64[{unit}]"
            )
        if end and unit != "D":
            # The last day of the year or month: the first day of the next one, minus one.
            parsed = (parsed + 1).astype("datetime64[D]") - 1
        found = parsed.astype("datetime64[D]").astype(np.int64)
        known = ~np.isnat(parsed)
        found_days[np.flatnonzero(chosen)[known]] = found[known]
    return found_days.astype(np.int32)


def _one_date(value: str, unit: str) -> Any:
    """One date parsed alone (after the whole column failed), NaT when it is not a date."""
    try:
        return np.array([value]).astype(f"datetime64[{unit}]")[0]
    except ValueError:
        return np.array(["NaT"]).astype(f"datetime64[{unit}]")[0]


def _integers(text: bytes | None, count: int) -> npt.NDArray[np.int64]:
    values: npt.NDArray[np.int64] = _parse_integers(np.frombuffer(text or b"", np.uint8), count)
    return values


@njit(cache=True, nogil=True)
def _parse_integers(buffer: Any, count: int) -> Any:
    """``count`` comma-separated decimal integers from ``buffer`` (ASCII)."""
    out = np.empty(count, dtype=np.int64)
    position = 0
    size = len(buffer)
    for i in range(count):
        negative = position < size and buffer[position] == 45
        if negative:
            position += 1
        value = 0
        start = position
        while position < size and 48 <= buffer[position] <= 57:
            value = value * 10 + (buffer[position] - 48)
            position += 1
        if position == start or (position < size and buffer[position] != 44):
            raise ValueError("a column chunk did not parse as integers")
        out[i] = -value if negative else value
        position += 1
    if position < size:
        raise ValueError("a column chunk has more values than rows")
    return out


def table(
    connection: sqlite3.Connection, name: str, columns: Sequence[Column], where: str = "1"
) -> list[Any]:
    """Columns of table ``name`` (aliased ``t``) over the rows matching ``where``, in rowid
    order: an int64 array per ``int``, ``start`` or ``end`` column, float64 per ``real``, a
    list of strings per ``text``."""
    rows = f"FROM {name} AS t WHERE t.rowid >= ? AND t.rowid < ? AND ({where})"
    sql = f"SELECT count(*), {', '.join(column.aggregate for column in columns)} {rows}"
    low, high = connection.execute(f"SELECT min(rowid), max(rowid) FROM {name}").fetchone()
    parts: list[list[Any]] = [[] for _ in columns]
    for start in range(int(low or 0), int(high or -1) + 1, _CHUNK):
        count, *texts = connection.execute(sql, (start, start + _CHUNK)).fetchone()
        if not count:
            continue

        def odd(column: Column, start: int = start) -> str:
            query = f"SELECT group_concat({column.sql}, ',') {rows} AND NOT " \
                    f"({column.sql} IS NULL OR {column.exact})"  # fmt: skip
            text: str = connection.execute(query, (start, start + _CHUNK)).fetchone()[0]
            return text

        for i, column in enumerate(columns):
            parts[i].append(_decode(column, texts[i], count, odd))
    return [_joined(column, chunks) for column, chunks in zip(columns, parts, strict=True)]


def _joined(column: Column, chunks: list[Any]) -> Any:
    if column.kind == "text":
        return [value for chunk in chunks for value in chunk]
    return np.concatenate([np.empty(0, np.float64 if column.kind == "real" else np.int64), *chunks])


@njit(cache=True, nogil=True)
def _iso_days(buffer: Any, count: int, open_day: int, slow_day: int) -> Any:
    """Day numbers of ``count`` dates separated by U+001F in ``buffer`` (UTF-8): ``open_day``
    for an empty one, ``slow_day`` for anything but a valid ``YYYY-MM-DD`` (left to numpy)."""
    out = np.empty(count, dtype=np.int64)
    position = 0
    size = len(buffer)
    for i in range(count):
        if position > size:
            raise ValueError("fewer dates than rows")
        start = position
        while position < size and buffer[position] != 31:
            position += 1
        length = position - start
        position += 1
        if length == 0:
            out[i] = open_day
            continue
        out[i] = slow_day
        if length != 10 or buffer[start + 4] != 45 or buffer[start + 7] != 45:
            continue
        digits = 0
        value = np.empty(8, dtype=np.int64)
        for j, offset in enumerate((0, 1, 2, 3, 5, 6, 8, 9)):
            byte = buffer[start + offset]
            if 48 <= byte <= 57:
                value[j] = byte - 48
                digits += 1
        if digits != 8:
            continue
        year = value[0] * 1000 + value[1] * 100 + value[2] * 10 + value[3]
        month = value[4] * 10 + value[5]
        day = value[6] * 10 + value[7]
        if month < 1 or month > 12 or day < 1 or day > _month_days(year, month):
            continue
        out[i] = _civil_day(year, month, day)
    if position < size:
        raise ValueError("more dates than rows")
    return out


@njit(cache=True, nogil=True)
def _month_days(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@njit(cache=True, nogil=True)
def _civil_day(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)."""
    if month <= 2:
        year -= 1
    era = (year if year >= 0 else year - 399) // 400
    of_era = year - era * 400
    of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    of_cycle = of_era * 365 + of_era // 4 - of_era // 100 + of_year
    return int(era * 146097 + of_cycle - 719468)


def in_parallel(workspace: Workspace, jobs: Sequence[Callable[[Any], Any]]) -> list[Any]:
    """Run each job with a connection of its own, two at a time; a workspace in memory has only
    its own connection, so there they run one after the other."""
    path = str(workspace.path)
    if path == ":memory:" or path.startswith("file:"):
        return [job(workspace.db) for job in jobs]

    def run(job: Callable[[Any], Any]) -> Any:
        connection = sqlite3.connect(path, check_same_thread=False)
        try:
            connection.execute("PRAGMA query_only = 1")
            connection.execute("PRAGMA busy_timeout = 10000")
            # Scans read the file mapped: no copy of each page into SQLite's cache (~10% CPU).
            connection.execute("PRAGMA mmap_size = 4294967296")
            connection.execute("BEGIN")  # one snapshot for all of the job's queries
            return job(connection)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(run, jobs))

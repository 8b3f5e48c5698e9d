"""Reading workspace columns as numpy arrays: the compiled parsers agree with the plain ones, and
the build from integer keys equals a plain string-by-string reading of the record tables."""

from __future__ import annotations

import shutil
import sqlite3
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ownergraph.graph import OPEN_END, OPEN_START, build, day_number
from ownergraph.graph.csr import KINDS
from ownergraph.graph.read import Column, _iso_days, _parse_integers, days, in_parallel, table
from ownergraph.workspace import Workspace

DATES = ["2023-05-01", "", "1969-12-31", "0000-01-01", "9999-12-31", "2024-02-29", "2023-02-29",
         "2023-13-01", "2023-00-10", "2023", "2023-05", "abcd-ef-gh", "1900-02-29", "2000-02-29",
         "2023-5-1", "2023-05-01T10"]  # fmt: skip


@pytest.mark.parametrize("end", [False, True])
def test_compiled_dates_agree_with_numpy_or_leave_the_date_to_it(end: bool) -> None:
    buffer = np.frombuffer("\x1f".join(DATES).encode(), dtype=np.uint8)
    slow = -(2**31) + 1
    fast = _iso_days(buffer, len(DATES), OPEN_END if end else OPEN_START, slow)
    plain = days(DATES, end=end)
    decided = fast != slow
    assert (fast[decided] == plain[decided]).all()
    # Only valid full dates and empty ones are decided without numpy.
    assert [d for d, known in zip(DATES, decided, strict=True) if known] == [
        "2023-05-01",
        "",
        "1969-12-31",
        "0000-01-01",
        "9999-12-31",
        "2024-02-29",
        "2000-02-29",
    ]


def test_integers_parse_with_signs_and_refuse_a_wrong_count() -> None:
    text = np.frombuffer(b"0,-12,4611686018427387904,7", dtype=np.uint8)
    assert _parse_integers(text, 4).tolist() == [0, -12, 4611686018427387904, 7]
    for count in (3, 5):
        with pytest.raises(ValueError):
            _parse_integers(text, count)


def test_numbers_come_back_as_their_stored_doubles(tmp_path: Path) -> None:
    values = [None, 0.0, 12345.678, -2.5, 1 / 3, 1e20, 157868.33, 2.675, -0.001, 5e-324]
    db = sqlite3.connect(tmp_path / "n.db")
    db.execute("CREATE TABLE t (x REAL, d TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?)", [(v, None) for v in values])
    read = table(db, "t", [Column("t.x", "real")])[0]
    # What a text round trip gives (SQLite prints 15 significant digits), NaN for NULL.
    expected = [float(text) if text is not None else np.nan
                for (text,) in db.execute("SELECT CAST(x AS TEXT) FROM t")]  # fmt: skip
    assert np.array_equal(read, np.array(expected), equal_nan=True)


def test_a_chunked_read_keeps_rowid_order_across_chunks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ownergraph.graph.read as read

    monkeypatch.setattr(read, "_CHUNK", 7)
    db = sqlite3.connect(tmp_path / "c.db")
    db.execute("CREATE TABLE t (k INTEGER, d TEXT, s TEXT)")
    db.executemany("INSERT INTO t VALUES (?, ?, ?)",
                   [(i, f"2020-01-{i % 28 + 1:02d}" if i % 3 else "2020", f"s{i}")
                    for i in range(50)])  # fmt: skip
    db.execute("DELETE FROM t WHERE k % 5 = 0")  # gaps in the rowids
    keys, starts, texts = table(db, "t", [Column("t.k"), Column("t.d", "start"),
                                          Column("t.s", "text")], "t.k > 2")  # fmt: skip
    wanted = [i for i in range(50) if i % 5 and i > 2]
    assert keys.tolist() == wanted
    assert texts == [f"s{i}" for i in wanted]
    assert starts.tolist() == [day_number(f"2020-01-{i % 28 + 1:02d}") if i % 3
                               else day_number("2020-01-01") for i in wanted]  # fmt: skip


def _plain_reading(workspace: Workspace, day: str) -> tuple[list[str], Counter[Any]]:
    """The graph from the record tables with no key and no trick: node ids in the documented
    order, and the multiset of edges by entity id with their kind and dates."""

    def canonical(record: str) -> str:
        return canon.get(record, record)

    def days_of(text: str | None, end: bool) -> int:
        if not text:
            return OPEN_END if end else OPEN_START
        return day_number(date.fromisoformat(text))

    canon = dict(workspace.iterate("SELECT entity_id, canonical_id FROM clusters"))
    ids = list(dict.fromkeys(canonical(r) for (r,) in workspace.iterate(
        "SELECT id FROM entities ORDER BY rowid")))  # fmt: skip
    links = list(workspace.iterate(
        "SELECT source_id, target_id, type, start_date, end_date FROM links "
        "WHERE target_id IS NOT NULL ORDER BY rowid"))  # fmt: skip
    shipments = list(workspace.iterate(
        "SELECT exporter_id, importer_id, declarant_id, date FROM shipments "
        "WHERE exporter_id IS NOT NULL AND importer_id IS NOT NULL ORDER BY rowid"))  # fmt: skip
    named = [*(s for s, *_ in links), *(t for _, t, *_ in links),
             *(e for e, *_ in shipments), *(i for _, i, *_ in shipments),
             *(d for *_, d, _ in shipments if d)]  # fmt: skip
    ids = list(dict.fromkeys([*ids, *map(canonical, named)]))
    edges: Counter[Any] = Counter()
    for source, target, kind, start, end in links:
        edges[(canonical(source), canonical(target), kind, days_of(start, False),
               days_of(end, True))] += 1  # fmt: skip
    for exporter, importer, _, when in shipments:
        start = days_of(when, False)
        edges[(canonical(exporter), canonical(importer), "SHIPPED_TO", start,
               OPEN_END if start == OPEN_START else start)] += 1  # fmt: skip
    return ids, edges


def test_the_build_equals_a_plain_reading_of_the_records(
    resolved_world: tuple[Path, dict[str, Any]],
) -> None:
    with Workspace(resolved_world[0]) as workspace:
        graph = build(workspace, as_of="2025-01-01")
        ids, edges = _plain_reading(workspace, "2025-01-01")
    assert graph.ids == ids
    shipped = KINDS.index("SHIPPED_TO")
    ours = Counter(
        (graph.ids[s], graph.ids[t], KINDS[k], int(a), int(b))
        for s, t, k, a, b in zip(graph.source, graph.target, graph.kind, graph.start, graph.end,
                                 strict=True)
        if KINDS[k] != "DECLARED"
    )  # fmt: skip
    assert ours == edges
    assert (graph.kind == shipped).sum() == sum(n for e, n in edges.items() if e[2] == "SHIPPED_TO")


def test_reading_on_two_connections_gives_what_one_gives(
    resolved_world: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    shutil.copy(resolved_world[0], tmp_path / "w.db")
    jobs = [lambda c, t=t: table(c, t, [Column("t.key")])[0].tolist()
            for t in ("entity_nodes", "link_edges", "shipment_edges", "record_keys")]  # fmt: skip
    with Workspace(tmp_path / "w.db") as workspace:
        together = in_parallel(workspace, jobs)
        alone = [job(workspace.db) for job in jobs]
    assert together == alone
    assert all(together)

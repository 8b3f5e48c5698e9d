"""Integer record keys and the narrow graph tables (migration 2): an old workspace upgrades, and
the triggers keep the copies in step with every write."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ownergraph.graph import build
from ownergraph.model import Entity, Link, Provenance, Shipment
from ownergraph.workspace import Workspace
from ownergraph.workspace.migrations import MIGRATIONS

STAMP = "2026-01-01T00:00:00+00:00"


def _version_1(path: Path) -> None:
    """A workspace as schema 1 wrote it, with records, a link to an id without a record, a
    shipment without a declarant and a resolution."""
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version = 1")
    prov = ("f.csv", "1", None, 1, STAMP)
    db.executemany(
        "INSERT INTO entities (id, dataset, schema, name, country, data, source_file, record, "
        "source_url, load_id, loaded_at) VALUES (?, 'd', ?, ?, ?, '{}', ?, ?, ?, ?, ?)",
        [("d:B", "Company", "Bereke", "KZ", *prov), ("d:A", "Company", "Alfa", "CY", *prov),
         ("d:B2", "LegalEntity", "BEREKE", None, *prov)],
    )  # fmt: skip
    db.executemany(
        "INSERT INTO links (id, dataset, type, source_id, target_id, share_low, share_high, "
        "share_known, start_date, data, source_file, record, source_url, load_id, loaded_at) "
        "VALUES (?, 'd', ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?)",
        [("d:L1", "OWNS", "d:A", "d:B", 60.0, 60.0, 1, "2022", *prov),
         ("d:L2", "ASSOCIATE", "d:GHOST", "d:A", None, None, 0, None, *prov),
         ("d:L3", "OWNS", "d:A", None, None, None, 0, None, *prov)],
    )  # fmt: skip
    db.execute(
        "INSERT INTO shipments (id, dataset, date, exporter_id, importer_id, declarant_id, hs6, "
        "value, data, source_file, record, source_url, load_id, loaded_at) "
        "VALUES ('d:S1', 'd', '2023-05-01', 'd:A', 'd:B2', NULL, '854231', 10.5, '{}', "
        "?, ?, ?, ?, ?)",
        prov,
    )
    db.execute(
        "INSERT INTO clusters (entity_id, canonical_id, resolved_at) "
        "VALUES ('d:B', 'd:B', 'x'), ('d:B2', 'd:B', 'x')"
    )
    db.commit()
    db.close()


def _keys(workspace: Workspace) -> dict[str, int]:
    return {row["id"]: row["key"] for row in workspace.query("SELECT id, key FROM record_keys")}


def test_an_old_workspace_is_upgraded_with_its_keys_and_copies(tmp_path: Path) -> None:
    _version_1(tmp_path / "old.db")
    with Workspace(tmp_path / "old.db") as workspace:
        assert workspace.schema_version == len(MIGRATIONS)
        keys = _keys(workspace)
        # Entity records first, in the order they were stored; then ids only others name.
        assert [keys["d:B"], keys["d:A"], keys["d:B2"]] == [1, 2, 3]
        assert keys["d:GHOST"] == 4
        assert [tuple(row) for row in workspace.query("SELECT * FROM entity_nodes")] == [
            (1, "Company", "KZ"), (2, "Company", "CY"), (3, "LegalEntity", None)]  # fmt: skip
        edges = [tuple(row) for row in workspace.query(
            "SELECT type, source_key, target_key, start_date, share_low, id FROM link_edges "
            "ORDER BY key")]  # fmt: skip
        assert edges == [("OWNS", 2, 1, "2022", 60.0, "d:L1"),
                         ("ASSOCIATE", 4, 2, None, None, "d:L2"),
                         ("OWNS", 2, None, None, None, "d:L3")]  # fmt: skip
        assert tuple(
            workspace.query(
                "SELECT exporter_key, importer_key, declarant_key, hs6 FROM shipment_edges"
            )[0]
        ) == (2, 3, None, "854231")
        assert {tuple(row) for row in workspace.query("SELECT * FROM cluster_keys")} == {
            (1, 1), (3, 1)}  # fmt: skip
        graph = build(workspace, as_of="2025-01-01")
    assert graph.ids == ["d:B", "d:A", "d:GHOST"]
    edges = {(graph.ids[s], graph.ids[t]) for s, t in zip(graph.source, graph.target, strict=True)}
    assert edges == {("d:A", "d:B"), ("d:GHOST", "d:A")}  # the link to a name only is skipped


def _entity(record: str, name: str, country: str = "KZ") -> Entity:
    return Entity(id=record, schema="Company", name=name, country=country,
                  provenance=Provenance("d", "f.csv", record))  # fmt: skip


def _link(record: str, source: str, target: str, start: str | None = None) -> Link:
    return Link(id=record, type="OWNS", source=source, target=target, start_date=start,
                provenance=Provenance("d", "f.csv", record))  # fmt: skip


def _write(workspace: Workspace, *records: Any) -> None:
    load = workspace.begin_load("d", "test", "f.csv")
    workspace.write_batch(load, "d", "f.csv", list(records))
    workspace.finish_load(load, "done", {})


def test_a_changed_link_keeps_its_position_and_follows_its_new_end(workspace: Workspace) -> None:
    _write(workspace, _entity("A", "Alfa"), _entity("B", "Bereke"),
           _link("L1", "A", "B"), _link("L2", "B", "A"))  # fmt: skip
    _write(workspace, _link("L1", "A", "C", start="2024-01-01"))  # an upsert that changes it
    keys = _keys(workspace)
    rows = [tuple(row) for row in workspace.query(
        "SELECT id, source_key, target_key, start_date FROM link_edges ORDER BY key")]  # fmt: skip
    assert rows == [("d:L1", keys["d:A"], keys["d:C"], "2024-01-01"),
                    ("d:L2", keys["d:B"], keys["d:A"], None)]  # fmt: skip


def test_a_changed_entity_and_shipment_are_copied_again(workspace: Workspace) -> None:
    shipment = Shipment(id="S1", date="2023-01-01", exporter="A", importer="B",
                        value=1.5, provenance=Provenance("d", "f.csv", "S1"))  # fmt: skip
    _write(workspace, _entity("A", "Alfa"), _entity("B", "Bereke"), shipment)
    changed = Shipment(id="S1", date="2023-02-01", exporter="A", importer="B",
                       declarant="X", value=2.5,
                       provenance=Provenance("d", "f.csv", "S1"))  # fmt: skip
    _write(workspace, _entity("A", "Alfa", country="DE"), changed)
    keys = _keys(workspace)
    assert tuple(workspace.query("SELECT country FROM entity_nodes WHERE key = ?",
                                 (keys["d:A"],))[0]) == ("DE",)  # fmt: skip
    assert [tuple(row) for row in workspace.query(
        "SELECT date, declarant_key, value FROM shipment_edges")] == [
        ("2023-02-01", keys["d:X"], 2.5)]  # fmt: skip


def test_deleted_records_leave_the_copies(workspace: Workspace) -> None:
    _write(workspace, _entity("A", "Alfa"), _entity("B", "Bereke"), _link("L1", "A", "B"))
    with workspace.transaction() as db:
        db.execute("INSERT INTO clusters (entity_id, canonical_id, resolved_at) "
                   "VALUES ('d:B', 'd:A', 'x')")  # fmt: skip
    assert workspace.query("SELECT count(*) FROM cluster_keys")[0][0] == 1
    with workspace.transaction() as db:
        db.execute("DELETE FROM links")
        db.execute("DELETE FROM entities WHERE id = 'd:B'")
        db.execute("DELETE FROM clusters")
    assert workspace.query("SELECT count(*) FROM link_edges")[0][0] == 0
    assert workspace.query("SELECT count(*) FROM cluster_keys")[0][0] == 0
    assert [row[0] for row in workspace.query("SELECT key FROM entity_nodes")] == [
        _keys(workspace)["d:A"]]  # fmt: skip


def test_keys_are_never_reused_or_renumbered(workspace: Workspace) -> None:
    _write(workspace, _entity("A", "Alfa"), _link("L1", "A", "B"))
    before = _keys(workspace)
    # A self-loop names one id twice; an insert with its own conflict clause keeps the keys.
    with workspace.transaction() as db:
        db.execute(
            "INSERT OR REPLACE INTO links (id, dataset, type, source_id, target_id, data, "
            "source_file, record, load_id, loaded_at) "
            "VALUES ('d:L2', 'd', 'OWNS', 'd:C', 'd:C', '{}', 'f', '1', 1, 'x')"
        )
    after = _keys(workspace)
    assert {record: after[record] for record in before} == before
    assert after["d:C"] == max(before.values()) + 1


def _cluster_keys(db: sqlite3.Connection) -> list[tuple[Any, ...]]:
    return db.execute("SELECT * FROM cluster_keys ORDER BY entity_key").fetchall()


def test_replacing_the_resolution_keeps_cluster_keys_as_the_triggers_would(tmp_path: Path) -> None:
    _version_1(tmp_path / "bulk.db")
    _version_1(tmp_path / "rows.db")
    rows = [("d:A", "d:A", "[]", STAMP), ("d:B2", "d:A", "[]", STAMP),
            ("d:NEW", "d:A", "[]", STAMP)]  # fmt: skip
    with Workspace(tmp_path / "bulk.db") as bulk, Workspace(tmp_path / "rows.db") as by_row:
        bulk.replace_clusters(rows)
        with by_row.transaction() as db:  # what any other writer does: the triggers run
            db.execute("DELETE FROM clusters")
            db.executemany("INSERT INTO clusters VALUES (?, ?, ?, ?)", rows)
        assert _cluster_keys(bulk.db) == _cluster_keys(by_row.db)
        keys = "SELECT id, key FROM record_keys ORDER BY key"
        assert bulk.db.execute(keys).fetchall() == by_row.db.execute(keys).fetchall()
        assert len(_cluster_keys(bulk.db)) == 3
        # The triggers are back: a later row-by-row write is still mirrored.
        with bulk.transaction() as db:
            db.execute("DELETE FROM clusters WHERE entity_id = 'd:NEW'")
        assert len(_cluster_keys(bulk.db)) == 2


def test_a_failed_replacement_changes_nothing(tmp_path: Path) -> None:
    _version_1(tmp_path / "w.db")
    with Workspace(tmp_path / "w.db") as workspace:
        before = _cluster_keys(workspace.db)
        triggers = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
        count = workspace.db.execute(triggers).fetchone()
        with pytest.raises(sqlite3.IntegrityError):  # d:A twice
            workspace.replace_clusters([("d:A", "d:A", "[]", STAMP), ("d:A", "d:B", "[]", STAMP)])
        assert _cluster_keys(workspace.db) == before
        assert workspace.db.execute(triggers).fetchone() == count

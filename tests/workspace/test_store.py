"""The workspace file: schema versions, idempotent upserts, derived name and identifier indexes."""

from pathlib import Path

import pytest

from ownergraph.errors import WorkspaceError
from ownergraph.model import Entity, Provenance
from ownergraph.workspace import Workspace
from ownergraph.workspace.migrations import SCHEMA_VERSION


def _entity(name: str = "ТОО «Береке Трейд»", **changes: object) -> Entity:
    values: dict[str, object] = {
        "id": "E1",
        "schema": "Company",
        "name": name,
        "aliases": ("Bereke Treid LLP",),
        "country": "KZ",
        "identifiers": ("bin:230340355717",),
        "provenance": Provenance("ds", "file.csv", "2"),
    }
    values.update(changes)
    return Entity(**values)  # type: ignore[arg-type]


def test_a_new_workspace_is_at_the_current_schema_in_wal_mode(tmp_path: Path) -> None:
    with Workspace(tmp_path / "w.db") as ws:
        assert ws.schema_version == SCHEMA_VERSION
        assert ws.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_workspace_from_a_newer_ownergraph_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    with Workspace(path) as ws:
        ws.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(WorkspaceError, match="upgrade ownergraph"):
        Workspace(path)


def test_opening_a_missing_workspace_without_create_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="no workspace"):
        Workspace(tmp_path / "missing.db", create=False)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    path.write_text("this is not a database" * 100)
    with pytest.raises(WorkspaceError, match="not a usable workspace"):
        Workspace(path)


def test_writing_the_same_record_twice_changes_nothing(workspace: Workspace) -> None:
    load = workspace.begin_load("ds", "test", "file.csv")
    first = workspace.write_batch(load, "ds", "file.csv", [_entity()])
    second = workspace.write_batch(load, "ds", "file.csv", [_entity()])
    assert (first.inserted, first.updated) == (1, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 1)


def test_a_changed_record_is_updated_and_its_names_follow(workspace: Workspace) -> None:
    load = workspace.begin_load("ds", "test", "file.csv")
    workspace.write_batch(load, "ds", "file.csv", [_entity()])
    counts = workspace.write_batch(
        load, "ds", "file.csv", [_entity(aliases=("BEREKE TRADE LLP",), identifiers=())]
    )
    assert (counts.inserted, counts.updated) == (0, 1)
    names = {row["name"] for row in workspace.query("SELECT name FROM names")}
    assert names == {"ТОО «Береке Трейд»", "BEREKE TRADE LLP"}
    assert workspace.query("SELECT * FROM identifiers") == []


def test_names_and_identifiers_are_indexed_for_lookup(workspace: Workspace) -> None:
    load = workspace.begin_load("ds", "test", "file.csv")
    workspace.write_batch(load, "ds", "file.csv", [_entity()])
    keys = {
        row["key"] for row in workspace.query("SELECT key FROM names WHERE entity_id = 'ds:E1'")
    }
    assert keys == {"too bereke treyd", "bereke treid llp"}
    row = workspace.query("SELECT scheme, value FROM identifiers")[0]
    assert (row["scheme"], row["value"]) == ("bin", "230340355717")


def test_an_interrupted_batch_leaves_nothing_behind(workspace: Workspace) -> None:
    class Boom(KeyboardInterrupt):
        pass

    def records():  # type: ignore[no-untyped-def]
        yield _entity()
        raise Boom

    with pytest.raises(Boom), workspace.transaction() as db:
        for record in records():
            db.execute("INSERT INTO datasets VALUES (?, 'x', NULL, 'now', 'now')", (record.id,))
    assert workspace.query("SELECT * FROM datasets WHERE name = 'E1'") == []

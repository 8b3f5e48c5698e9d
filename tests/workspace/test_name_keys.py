"""Names keyed for cross-script search (migration 3): new loads store ``search_key``, and a
workspace written with ``fold`` keys is rewritten when opened, in one transaction."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ownergraph.ingest import load_file
from ownergraph.lookup import search
from ownergraph.model import Entity, Provenance
from ownergraph.model.values import fold, search_key
from ownergraph.workspace import Workspace, migrations
from ownergraph.workspace.rows import dump

ENTITIES = (
    "id,schema,name,aliases,country,identifiers\n"
    "C1,Company,ТОО «Береке Трейд»,ЖШС «Береке Сауда»,KZ,bin:230340355717\n"
    "L1,Company,BEREKE TREID TOO,,KZ,\n"
    "D1,Company,Société Générale de Transport,,FR,\n"
)


def _names(workspace: Workspace) -> dict[str, str]:
    return {row["name"]: row["key"] for row in workspace.query("SELECT name, key FROM names")}


def _pairs(workspace: Workspace) -> dict[str, str]:
    return {
        name: key
        for (data,) in workspace.query("SELECT data FROM entities")
        for name, key in json.loads(data).get("names", [])
    }


@pytest.fixture
def old_workspace(tmp_path: Path) -> tuple[Path, Path]:
    """(workspace, the file it was loaded from): a workspace as ownergraph wrote it before
    migration 3, its names keyed by ``fold`` (Cyrillic left in Cyrillic)."""
    source = tmp_path / "entities.csv"
    source.write_text(ENTITIES, encoding="utf-8")
    path = tmp_path / "old.db"
    with Workspace(path) as workspace:
        load_file(workspace, "entities-csv", source, dataset="x", progress=False)
        with workspace.transaction() as db:
            for entity, data in db.execute("SELECT id, data FROM entities").fetchall():
                payload = json.loads(data)
                payload["names"] = [[name, fold(name)] for name, _ in payload["names"]]
                db.execute("UPDATE entities SET data = ? WHERE id = ?", (dump(payload), entity))
        workspace.db.execute("PRAGMA user_version = 2")
        assert _names(workspace)["ТОО «Береке Трейд»"] == "тоо береке треид"
        assert search(workspace, "Bereke")[0].id == "x:L1"
        assert len(search(workspace, "Bereke")) == 1
    return path, source


def test_a_load_keys_every_name_in_latin(workspace: Workspace) -> None:
    load = workspace.begin_load("x", "test", "f.csv")
    entity = Entity(id="E1", schema="Company", name="ТОО «Береке Трейд»",
                    aliases=("Αθηναϊκή",), provenance=Provenance("x", "f.csv", "1"))  # fmt: skip
    workspace.write_batch(load, "x", "f.csv", [entity])
    assert _names(workspace) == {"ТОО «Береке Трейд»": "too bereke treyd", "Αθηναϊκή": "athenaike"}
    assert _pairs(workspace) == _names(workspace)


def test_opening_an_old_workspace_rewrites_its_name_keys(old_workspace: tuple[Path, Path]) -> None:
    path, _ = old_workspace
    with Workspace(path) as workspace:
        assert workspace.schema_version == len(migrations.MIGRATIONS) == 3
        names = _names(workspace)
        assert names == {name: search_key(name) for name in names}
        assert names["ТОО «Береке Трейд»"] == "too bereke treyd"
        assert names["ЖШС «Береке Сауда»"] == "zhshs bereke sauda"
        assert _pairs(workspace) == names
        assert [view.id for view in search(workspace, "Bereke")] == ["x:C1", "x:L1"]
        assert [view.id for view in search(workspace, "Береке Треид")] == ["x:L1"]
        # Identifiers, which the same trigger rewrites, are all still there.
        assert [tuple(row) for row in workspace.query("SELECT * FROM identifiers")] == [
            ("x:C1", "bin", "230340355717")
        ]


def test_reloading_a_file_after_the_upgrade_changes_nothing(
    old_workspace: tuple[Path, Path],
) -> None:
    path, source = old_workspace
    with Workspace(path) as workspace:
        summary = load_file(workspace, "entities-csv", source, dataset="x", progress=False)
    assert (summary.inserted, summary.updated, summary.unchanged) == (0, 0, 3)


def test_an_interrupted_upgrade_changes_nothing_and_the_next_open_completes_it(
    old_workspace: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _ = old_workspace
    calls: list[str] = []

    def interrupted(name: str) -> str:
        calls.append(name)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return search_key(name)

    monkeypatch.setattr(migrations, "CHUNK", 1)  # the first rows are rewritten, then Ctrl-C
    monkeypatch.setattr(migrations, "search_key", interrupted)
    with pytest.raises(KeyboardInterrupt):
        Workspace(path)
    monkeypatch.undo()
    db = sqlite3.connect(path)  # not as a Workspace, which would upgrade it
    assert db.execute("PRAGMA user_version").fetchone()[0] == 2
    assert dict(db.execute("SELECT name, key FROM names"))["ТОО «Береке Трейд»"] == (
        "тоо береке треид"
    )
    db.close()
    with Workspace(path) as workspace:
        assert workspace.schema_version == 3
        assert _names(workspace)["ТОО «Береке Трейд»"] == "too bereke treyd"

"""``neo4j push``: the graph arrives whole, a second push writes nothing, and a push after the
workspace changed leaves exactly the graph a fresh push of the changed workspace makes."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo4j
import pytest

from ownergraph.backends.neo4j import Settings
from ownergraph.backends.neo4j.cypher import statement
from ownergraph.backends.neo4j.push import PushSummary, push, wipe
from ownergraph.ingest import load_file
from ownergraph.model.values import fold, search_key
from ownergraph.resolve import judgements
from ownergraph.resolve.run import resolve
from ownergraph.workspace import Workspace
from ownergraph.workspace.rows import dump

pytestmark = pytest.mark.neo4j


def snapshot(driver: neo4j.Driver, database: str) -> dict[str, Any]:
    """Every pushed node and relationship with its content hash, labels and ends."""
    with driver.session(database=database) as session:
        nodes = {
            (row["id"], row["hash"], tuple(sorted(row["labels"])))
            for row in session.run(statement("push/state_entities"))
        }
        relationships = {
            (row["type"], row["id"], row["hash"], row["source"], row["target"])
            for row in session.run(statement("push/state_relationships"))
        }
        listings = {
            (row["id"], row["hash"], row["entity"])
            for row in session.run(statement("push/state_listings"))
        }
    return {"nodes": nodes, "relationships": relationships, "listings": listings}


def push_path(path: Path, driver: neo4j.Driver, database: str) -> PushSummary:
    with Workspace(path) as ws:
        return push(ws, driver, database)


def test_a_second_push_writes_nothing(
    push_workspace: Callable[[Path], PushSummary],
    resolved_world: tuple[Path, dict[str, Any]],
    neo4j_driver: neo4j.Driver,
    neo4j_settings: Settings,
) -> None:
    first = push_workspace(resolved_world[0])
    assert first.written > 0
    again = push_path(resolved_world[0], neo4j_driver, neo4j_settings.database)
    assert again.written == 0
    assert sum(count.deleted for count in again.counts.values()) == 0
    assert again.rows == first.written


def test_small_batches_push_the_same_graph(
    push_workspace: Callable[[Path], PushSummary],
    resolved_samples: Path,
    neo4j_driver: neo4j.Driver,
    neo4j_settings: Settings,
) -> None:
    push_workspace(resolved_samples)
    expected = snapshot(neo4j_driver, neo4j_settings.database)
    push_workspace(resolved_samples)  # wipes first
    wipe(neo4j_driver, neo4j_settings.database)
    with Workspace(resolved_samples) as ws:
        push(ws, neo4j_driver, neo4j_settings.database,
             batch={"entity": 7, "listing": 3, "relationship": 11, "delete": 5})  # fmt: skip
    assert snapshot(neo4j_driver, neo4j_settings.database) == expected


def _rename(world: Path, folder: Path) -> Path:
    """entities.csv of the world with one firm renamed and one record gone."""
    rows = list(csv.DictReader((world / "entities.csv").open(encoding="utf-8")))
    rows[0]["name"] = rows[0]["name"] + " Holding"
    changed = folder / "entities.csv"
    with changed.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return changed


def test_an_incremental_push_leaves_what_a_fresh_push_makes(
    tmp_path: Path,
    push_workspace: Callable[[Path], PushSummary],
    resolved_world: tuple[Path, dict[str, Any]],
    neo4j_driver: neo4j.Driver,
    neo4j_settings: Settings,
) -> None:
    path = tmp_path / "world.db"
    shutil.copy(resolved_world[0], path)
    push_workspace(path)
    database = neo4j_settings.database
    before = snapshot(neo4j_driver, database)
    with Workspace(path) as ws:
        # A renamed firm, a merge undone by a judgement, a link and a shipment deleted.
        load_file(ws, "entities-csv", _rename(resolved_world[0].parent / "world", tmp_path),
                  dataset="synthetic", progress=False)  # fmt: skip
        merged = ws.query(
            "SELECT canonical_id, min(entity_id) AS a, max(entity_id) AS b FROM clusters "
            "GROUP BY canonical_id HAVING count(*) = 2 ORDER BY canonical_id LIMIT 1"
        )[0]
        judgements.judge(ws, merged["a"], merged["b"], "different")
        resolve(ws, progress=False)
        link = ws.query("SELECT id FROM links WHERE target_id IS NOT NULL ORDER BY id LIMIT 1")
        shipment = ws.query("SELECT id FROM shipments ORDER BY id LIMIT 1")
        with ws.transaction() as db:
            db.execute("DELETE FROM links WHERE id = ?", (link[0][0],))
            db.execute("DELETE FROM shipments WHERE id = ?", (shipment[0][0],))
    summary = push_path(path, neo4j_driver, database)
    after = snapshot(neo4j_driver, database)
    assert summary.counts["relationship"].deleted >= 2
    assert 0 < summary.written < len(before["nodes"]) + len(before["relationships"])
    ids = {node[0] for node in after["nodes"]}
    assert {merged["a"], merged["b"]} <= ids, "the undone merge gives two entities again"
    assert link[0][0] not in {rel[1] for rel in after["relationships"]}
    push_workspace(path)  # wiped, then pushed afresh
    assert snapshot(neo4j_driver, database) == after


def test_a_push_restores_a_graph_edited_by_hand(
    push_workspace: Callable[[Path], PushSummary],
    resolved_samples: Path,
    neo4j_driver: neo4j.Driver,
    neo4j_settings: Settings,
) -> None:
    """The server's own hashes are the push state: whatever happened to the database, the next
    push brings it back in step with the workspace."""
    push_workspace(resolved_samples)
    expected = snapshot(neo4j_driver, neo4j_settings.database)
    some = sorted(expected["nodes"])[:3]
    with neo4j_driver.session(database=neo4j_settings.database) as session:
        session.run(statement("push/delete_entities"), ids=[node[0] for node in some]).consume()
    summary = push_path(resolved_samples, neo4j_driver, neo4j_settings.database)
    assert summary.counts["entity"].written == 3
    assert snapshot(neo4j_driver, neo4j_settings.database) == expected


def test_an_entity_too_big_for_the_text_index_is_still_found(
    tmp_path: Path,
    push_workspace: Callable[[Path], PushSummary],
    neo4j_settings: Settings,
) -> None:
    from ownergraph.backends.neo4j.backend import Neo4jBackend

    identifiers = ";".join(f"reg:{number:08d}-a-rather-long-registration" for number in range(2000))
    (tmp_path / "entities.csv").write_text(
        f'id,schema,name,identifiers\nbig,Company,Big Broker,"{identifiers}"\n'
        "small,Company,Small Trader,reg:1\n",
        encoding="utf-8",
    )
    path = tmp_path / "big.db"
    with Workspace(path) as ws:
        load_file(ws, "entities-csv", tmp_path / "entities.csv", dataset="x", progress=False)
    push_workspace(path)
    backend = Neo4jBackend.connect(neo4j_settings)
    try:
        assert backend.find("reg:00001999-a-rather-long-registration") == "x:big"
        assert backend.find("reg:1") == "x:small"
        assert [hit["id"] for hit in backend.search("broker")["results"]] == ["x:big"]
    finally:
        backend.close()


def test_a_push_after_the_name_key_upgrade_leaves_no_old_key_on_the_server(
    tmp_path: Path,
    push_workspace: Callable[[Path], PushSummary],
    resolved_world: tuple[Path, dict[str, Any]],
    neo4j_driver: neo4j.Driver,
    neo4j_settings: Settings,
) -> None:
    """A workspace keyed by ``fold`` (before migration 3) was pushed; once opened it is
    upgraded, and the next push rewrites the entities whose keys changed, and nothing else."""
    from ownergraph.backends.neo4j.backend import Neo4jBackend
    from ownergraph.lookup import search

    path = tmp_path / "world.db"
    shutil.copy(resolved_world[0], path)
    with Workspace(path) as ws, ws.transaction() as db:
        for entity, data in db.execute("SELECT id, data FROM entities").fetchall():
            payload = json.loads(data)
            if payload.get("names"):
                payload["names"] = [[name, fold(name)] for name, _ in payload["names"]]
                db.execute("UPDATE entities SET data = ? WHERE id = ?", (dump(payload), entity))
        renamed = sorted({(name, key) for name, key in db.execute("SELECT name, key FROM names")
                          if key != search_key(name)})[:40]  # fmt: skip
    assert renamed, "the world has names in Cyrillic"
    before = push_workspace(path)  # what an older ownergraph pushed
    database = neo4j_settings.database
    backend = Neo4jBackend.connect(neo4j_settings)
    try:
        for _, old in renamed:
            assert backend.reader.rows("entity_by_name_key", key=old), old
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA user_version = 2")
        db.close()
        summary = push_path(path, neo4j_driver, database)  # opening it upgrades it
        assert 0 < summary.counts["entity"].written < before.counts["entity"].written
        assert summary.counts["relationship"].written == summary.counts["listing"].written == 0
        for name, old in renamed:
            assert not backend.reader.rows("entity_by_name_key", key=old), old
            assert backend.reader.rows("entity_by_name_key", key=search_key(name)), name
        latin = search_key(renamed[0][0])  # a Cyrillic name, written in Latin
        with Workspace(path) as ws:
            local = [view.id for view in search(ws, latin, limit=50)]
        assert local
        assert [hit["id"] for hit in backend.search(latin, limit=50)["results"]] == local
    finally:
        backend.close()
    after = snapshot(neo4j_driver, database)
    push_workspace(path)  # wiped, then pushed afresh: the same nodes with the same hashes
    assert snapshot(neo4j_driver, database) == after

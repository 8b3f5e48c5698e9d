"""The shared loading machinery: idempotent re-runs, interruption, snapshots, summaries."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from loaders import loader
from ownergraph.errors import InputError
from ownergraph.generate.world import generate
from ownergraph.ingest import LoadSummary, load_file
from ownergraph.model import Entity, Listing, Notice, Record, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
TABLES = ("entities", "links", "listings", "shipments", "names", "identifiers")


@loader("test-interrupted", description="raises KeyboardInterrupt after two batches")
def read_interrupted(source: SourceFile) -> Iterator[Record]:
    for number in range(25):
        if number == 20:
            raise KeyboardInterrupt
        yield Entity(
            id=f"E{number}", schema="Company", name=f"Firm {number}",
            provenance=source.provenance(number),
        )  # fmt: skip


@loader("test-snapshot", description="one listed firm per line", snapshot=True)
def read_snapshot(source: SourceFile) -> Iterator[Record]:
    with source.open_text() as handle:
        for number, line in enumerate(handle, 1):
            name = line.strip()
            provenance = source.provenance(number)
            yield Entity(id=name, schema="Company", name=name, provenance=provenance)
            yield Listing(
                id=name, entity=name, authority="OFAC", list_name="SDN", provenance=provenance
            )
            yield Notice("seen")


def _snapshot(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Table contents without load bookkeeping (load ids and times differ between runs)."""
    db = sqlite3.connect(path)
    try:
        result = {}
        for table in TABLES:
            columns = [
                row[1]
                for row in db.execute(f"PRAGMA table_info({table})")
                if row[1] not in ("load_id", "loaded_at")
            ]
            result[table] = db.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY {', '.join(columns)}"
            ).fetchall()
        return result
    finally:
        db.close()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("world")
    generate(outdir, seed=3, size=2000, shipments=60_000)
    return outdir


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "parsing in a child"])
def test_loading_the_same_files_twice_changes_nothing(
    world: Path, tmp_path: Path, parallel: bool
) -> None:
    path = tmp_path / "w.db"
    names = ("entities", "links", "listings")
    with Workspace(path) as workspace:
        for name in names:
            load_file(
                workspace, f"{name}-csv", world / f"{name}.csv", parallel=parallel, progress=False
            )
        before = _snapshot(path)
        again = [
            load_file(
                workspace, f"{name}-csv", world / f"{name}.csv", parallel=parallel, progress=False
            )
            for name in names
        ]
    assert all(s.inserted == 0 and s.updated == 0 and s.unchanged == s.records for s in again)
    assert _snapshot(path) == before


def test_a_load_killed_mid_way_is_consistent_and_a_rerun_completes_it(
    world: Path, tmp_path: Path
) -> None:
    killed, clean = tmp_path / "killed.db", tmp_path / "clean.db"
    command = [sys.executable, "-m", "ownergraph.cli", "--workspace", str(killed), "load",
               "shipments-csv", str(world / "shipments.csv")]  # fmt: skip
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    records = 0
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
        try:
            db = sqlite3.connect(killed, timeout=1)
            row = db.execute("SELECT records FROM loads ORDER BY id DESC LIMIT 1").fetchone()
            db.close()
        except sqlite3.OperationalError:
            continue
        records = row[0] if row else 0
        if records > 0:
            break
    assert process.poll() is None, "the load finished before it could be interrupted"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = _snapshot(killed)
    assert 0 < len(partial["shipments"]) < 60_000
    # Batches are whole: every stored shipment has its parties.
    party_ids = {row[0] for row in partial["entities"]}
    with Workspace(killed) as workspace:
        for row in workspace.query("SELECT exporter_id, importer_id FROM shipments"):
            assert row[0] in party_ids and row[1] in party_ids
        rerun = load_file(workspace, "shipments-csv", world / "shipments.csv", progress=False)
        statuses = [row[0] for row in workspace.query("SELECT status FROM loads ORDER BY id")]
    assert statuses == ["interrupted", "done"]
    assert rerun.unchanged > 0 and rerun.inserted > 0
    with Workspace(clean) as workspace:
        load_file(workspace, "shipments-csv", world / "shipments.csv", progress=False)
    assert _snapshot(killed) == _snapshot(clean)


@pytest.mark.parametrize("parallel", [False, True], ids=["one process", "parsing in a child"])
def test_ctrl_c_marks_the_load_interrupted_and_keeps_committed_batches(
    tmp_path: Path, workspace: Workspace, parallel: bool
) -> None:
    path = tmp_path / "input.txt"
    path.write_text("x")
    with pytest.raises(KeyboardInterrupt):
        load_file(
            workspace, "test-interrupted", path, batch_size=8, parallel=parallel, progress=False
        )
    assert workspace.query("SELECT count(*) FROM entities")[0][0] == 16
    assert workspace.query("SELECT status FROM loads")[0][0] == "interrupted"


def test_a_full_list_withdraws_listings_it_no_longer_has(
    tmp_path: Path, workspace: Workspace
) -> None:
    path = tmp_path / "list.txt"
    path.write_text("ALFA\nBETA\n")
    first = load_file(workspace, "test-snapshot", path, dataset="l", progress=False)
    path.write_text("ALFA\n")
    second = load_file(workspace, "test-snapshot", path, dataset="l", progress=False)
    rows = dict(workspace.query("SELECT entity_id, withdrawn_on FROM listings").__iter__())
    assert (first.withdrawn, second.withdrawn) == (0, 1)
    assert rows["l:ALFA"] is None and rows["l:BETA"] is not None
    assert workspace.query("SELECT count(*) FROM entities")[0][0] == 2, "entities stay"
    assert second.notices["seen"] == 1
    path.write_text("ALFA\nBETA\n")
    third = load_file(workspace, "test-snapshot", path, dataset="l", progress=False)
    assert third.updated == 1
    assert (
        workspace.query("SELECT withdrawn_on FROM listings WHERE entity_id = 'l:BETA'")[0][0]
        is None
    )


def test_a_bulk_load_builds_the_same_workspace_with_its_indexes(
    world: Path, tmp_path: Path
) -> None:
    bulk, plain = tmp_path / "bulk.db", tmp_path / "plain.db"
    for path, mode in ((bulk, True), (plain, False)):
        with Workspace(path) as workspace:
            load_file(
                workspace, "shipments-csv", world / "shipments.csv", bulk=mode, progress=False
            )
    assert _snapshot(bulk) == _snapshot(plain)
    indexes = "SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name"
    with Workspace(bulk) as one, Workspace(plain) as other:
        assert one.query(indexes) and [tuple(r) for r in one.query(indexes)] == [
            tuple(r) for r in other.query(indexes)
        ]


def test_indexes_dropped_by_a_crashed_bulk_load_are_rebuilt_on_open(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    with Workspace(path) as workspace:
        workspace.defer_indexes()
        assert not workspace.query("SELECT 1 FROM sqlite_master WHERE name = 'names_key'")
    # The process "crashed" here: the next open restores every index.
    with Workspace(path) as workspace:
        assert workspace.query("SELECT 1 FROM sqlite_master WHERE name = 'names_key'")
        assert workspace.query("SELECT count(*) FROM deferred_indexes")[0][0] == 0


def test_notices_from_every_batch_of_a_parallel_load_are_counted(
    tmp_path: Path, workspace: Workspace
) -> None:
    path = tmp_path / "list.txt"
    path.write_text("".join(f"FIRM{number}\n" for number in range(30)))
    summary = load_file(
        workspace, "test-snapshot", path, batch_size=8, parallel=True, progress=False
    )
    assert summary.notices["seen"] == 30


def test_a_loader_error_in_the_child_process_reaches_the_caller(
    tmp_path: Path, workspace: Workspace
) -> None:
    path = tmp_path / "entities.csv"
    path.write_text("id,schema\nK1,Company\n")
    with pytest.raises(InputError, match="lacks required column"):
        load_file(workspace, "entities-csv", path, parallel=True, progress=False)
    assert workspace.query("SELECT status, error FROM loads")[0][0] == "failed"


def test_both_modes_write_the_same_rejects(tmp_path: Path) -> None:
    text = "id,name,incorporation_date\nK1,Alfa,2020-01-01\nK2,,2020\nK3,Beta,2020-02-30\n"
    (tmp_path / "entities.csv").write_text(text)
    found = []
    for parallel in (False, True):
        with Workspace(tmp_path / f"{parallel}.db") as workspace:
            summary = load_file(
                workspace, "entities-csv", tmp_path / "entities.csv", parallel=parallel,
                progress=False,
            )  # fmt: skip
            rejects = workspace.query("SELECT file, line, reason, raw FROM rejects ORDER BY line")
            found.append(([tuple(row) for row in rejects], summary.records, summary.rejected))
    assert found[0] == found[1]
    assert found[0][1:] == (1, 2)

"""``neo4j push --export-csv``: neo4j-admin import files holding exactly the graph a push writes."""

from __future__ import annotations

import csv
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from ownergraph.backends.neo4j import Settings, connect
from ownergraph.backends.neo4j import export as csv_export
from ownergraph.backends.neo4j.cypher import statement
from ownergraph.backends.neo4j.elements import Canonical, entities, relationships, stub_ids
from ownergraph.backends.neo4j.push import PushSummary, push
from ownergraph.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "neo4j-test-server"


def test_every_property_a_push_sets_has_a_typed_column(resolved_samples: Path) -> None:
    with Workspace(resolved_samples) as ws:
        canonical = Canonical(ws)
        stubs = stub_ids(ws)
        node_props = {key for e in entities(ws, canonical, stubs) for key in e.row["props"]}
        rel_props: dict[str, set[str]] = {}
        for element in relationships(ws, canonical):
            rel_props.setdefault(element.row["type"], set()).update(element.row["props"])
    assert node_props - {"id"} == {name for name, _ in csv_export.ENTITY_COLUMNS}
    assert rel_props["SHIPPED_TO"] == {name for name, _ in csv_export.SHIPMENT_COLUMNS}
    assert rel_props["DECLARED"] == {name for name, _ in csv_export.DECLARED_COLUMNS}
    assert rel_props["OWNS"] == {name for name, _ in csv_export.LINK_COLUMNS}


def test_the_files_hold_one_row_per_node_and_relationship(
    tmp_path: Path, resolved_world: tuple[Path, dict[str, Any]]
) -> None:
    with Workspace(resolved_world[0]) as ws:
        summary = csv_export.export_csv(ws, tmp_path / "csv")
        canonical = Canonical(ws)
        counted = sum(1 for _ in relationships(ws, canonical))
    files = summary.files
    assert files["lists.csv"] == files["listings.csv"]
    assert files["links.csv"] + files["shipments.csv"] + files["declared.csv"] == counted
    with (tmp_path / "csv" / "entities.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["id:ID(Entity-ID)", ":LABEL", "name"]
    assert len(rows) - 1 == files["entities.csv"]
    assert all(row[1].split("\x1f")[0] == "Entity" for row in rows[1:])
    assert "neo4j-admin database import full" in (tmp_path / "csv" / "import.sh").read_text()


@pytest.fixture
def imported_server(
    tmp_path: Path, resolved_world: tuple[Path, dict[str, Any]]
) -> Iterator[Settings]:
    """A second test server whose database neo4j-admin imported from the world's CSV files."""
    if not os.environ.get("NEO4J_TEST_SERVER_DIR"):
        reason = "needs the Neo4j test server's jars (scripts/neo4j-test-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)  # CI starts the server: a missing one is a failure there
        pytest.skip(reason)
    with Workspace(resolved_world[0]) as ws:
        csv_export.export_csv(ws, tmp_path / "csv")
    home = tmp_path / "home"
    started = subprocess.run(
        [str(SCRIPT), "start", "--dir", str(home), "--heap", "256m", "--pagecache", "64m",
         "--import", str(tmp_path / "csv")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    values = dict(
        line.removeprefix("export ").split("=", 1) for line in started.stdout.splitlines()
    )
    try:
        yield Settings(
            uri=values["NEO4J_URI"],
            username=values["NEO4J_USERNAME"],
            password=values["NEO4J_PASSWORD"],
        )
    finally:
        subprocess.run([str(SCRIPT), "stop", "--dir", str(home)], capture_output=True, check=False)


@pytest.mark.neo4j
@pytest.mark.slow
def test_neo4j_admin_imports_the_graph_a_push_writes(
    imported_server: Settings,
    push_workspace: Callable[[Path], PushSummary],
    resolved_world: tuple[Path, dict[str, Any]],
    neo4j_driver: neo4j.Driver,
    neo4j_settings: Settings,
) -> None:
    push_workspace(resolved_world[0])
    with connect(imported_server) as imported:
        assert _state(imported, "neo4j") == _state(neo4j_driver, neo4j_settings.database)
        with Workspace(resolved_world[0]) as ws:
            again = push(ws, imported, "neo4j")
    assert again.written == 0, "a push after the import finds everything in place"


def _state(driver: neo4j.Driver, database: str) -> dict[str, Any]:
    with driver.session(database=database) as session:
        return {
            name: {tuple(sorted(map(str, row.values()))) for row in session.run(statement(name))}
            for name in ("push/state_entities", "push/state_listings", "push/state_relationships")
        }

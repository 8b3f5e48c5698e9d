"""Shared test builders: a fresh workspace per test, paths to fixtures, a loader runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ownergraph.ingest import LoadSummary, load_file
from ownergraph.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    """The folder of real sample files (provenance in tests/fixtures/README.md)."""
    return FIXTURES


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """An empty workspace file in the test's temporary folder."""
    with Workspace(tmp_path / "test.db") as ws:
        yield ws


@pytest.fixture
def load(workspace: Workspace) -> Callable[..., LoadSummary]:
    """Load a file into the test workspace: ``load("entities-csv", path, dataset="x")``."""

    def run(format_name: str, path: Path, **options: object) -> LoadSummary:
        return load_file(workspace, format_name, Path(path), progress=False, **options)  # type: ignore[arg-type]

    return run


@pytest.fixture(scope="session")
def resolved_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """A generated world (seed 3, 600 firms: three planted chains, decoys, 50%-rule cases)
    loaded and resolved once per test run: (workspace path, truth). Open it read-only in spirit:
    tests that change it must copy the file first."""
    from ownergraph.demo import WORLD_FILES
    from ownergraph.generate.world import generate
    from ownergraph.resolve.run import resolve

    folder = tmp_path_factory.mktemp("resolved-world")
    truth = generate(folder / "world", seed=3, size=600)
    with Workspace(folder / "world.db") as ws:
        for format_name, name in WORLD_FILES:
            load_file(ws, format_name, folder / "world" / name, dataset="synthetic",
                      progress=False)  # fmt: skip
        resolve(ws, progress=False)
    return folder / "world.db", truth


@pytest.fixture
def big_workspace(tmp_path: Path) -> Callable[[int, int, int], Path]:
    """A workspace of ``entities`` companies, ``links`` OWNS links and ``shipments`` shipments
    between them, written straight into the tables (as a load would leave them), for tests of
    how exports scale: ``big_workspace(entities, links, shipments)``."""

    def build(entities: int, links: int, shipments: int) -> Path:
        path = tmp_path / f"big-{entities}-{links}-{shipments}.db"
        stamp = "2024-01-01T00:00:00+00:00"
        with Workspace(path) as workspace:
            db = workspace.db
            db.execute("BEGIN")
            db.execute(
                "INSERT INTO loads (id, dataset, format, file, started_at, status) "
                "VALUES (1, 'big', 'links-csv', 'big.csv', ?, 'done')",
                (stamp,),
            )
            db.executemany(
                "INSERT INTO entities (id, dataset, schema, name, country, data, source_file, "
                "record, load_id, loaded_at) VALUES (?, 'big', 'Company', ?, 'DE', ?, "
                "'big.csv', ?, 1, ?)",
                (
                    (f"big:E{i}", f"Firm {i} GmbH",
                     f'{{"names":[["Firm {i} GmbH","firm {i} gmbh"]]}}', str(i), stamp)
                    for i in range(entities)
                ),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO links (id, dataset, type, source_id, target_id, share_low, "
                "share_high, share_known, start_date, data, source_file, record, load_id, "
                "loaded_at) VALUES (?, 'big', 'OWNS', ?, ?, 60, 60, 1, '2020-01-01', '{}', "
                "'big.csv', ?, 1, ?)",
                (
                    (f"big:L{i}", f"big:E{i % entities}", f"big:E{(i * 7 + 1) % entities}",
                     str(i), stamp)
                    for i in range(links)
                ),
            )  # fmt: skip
            db.executemany(
                "INSERT INTO shipments (id, dataset, date, exporter_id, importer_id, "
                "declarant_id, hs_code, hs6, chpl_tier, description, quantity, unit, value, "
                "currency, data, source_file, record, load_id, loaded_at) VALUES (?, 'big', "
                "'2023-05-01', ?, ?, ?, '854231', '854231', '1', 'chips', 10, 'pcs', 1000.5, "
                "'USD', '{}', 'ship.csv', ?, 1, ?)",
                (
                    (f"big:S{i}", f"big:E{i % entities}", f"big:E{(i * 3 + 2) % entities}",
                     f"big:E{i % 17}", str(i), stamp)
                    for i in range(shipments)
                ),
            )  # fmt: skip
            db.execute("COMMIT")
        return path

    return build

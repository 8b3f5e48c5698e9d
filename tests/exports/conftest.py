"""Export fixtures: the resolved generated world (tests/conftest.py's ``resolved_world``, seed 3,
600 firms, three planted chains), real trace and paths documents from it, the selections built
from them, and a builder of large synthetic workspaces for the streaming tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ownergraph.backends import PathQuery, TraceQuery
from ownergraph.backends.local import LocalBackend
from ownergraph.exports.model import Subgraph
from ownergraph.exports.selection import around, from_document
from ownergraph.workspace import Workspace

World = tuple[Path, dict[str, Any]]


@pytest.fixture(scope="module")
def world_workspace(resolved_world: World) -> Iterator[Workspace]:
    with Workspace(resolved_world[0]) as workspace:
        yield workspace


@pytest.fixture(scope="module")
def trace_document(world_workspace: Workspace) -> dict[str, Any]:
    """``trace --json`` of the world, best five paths (listed and blocked-by-extension ends)."""
    return LocalBackend(world_workspace).trace(TraceQuery(limit=5))


@pytest.fixture(scope="module")
def paths_document(world_workspace: Workspace, resolved_world: World) -> dict[str, Any]:
    """``paths --json --k 3`` from the first planted chain's supplier to its end user."""
    chain = resolved_world[1]["chains"][0]
    return LocalBackend(world_workspace).paths(
        f"synthetic:{chain['supplier']}", f"synthetic:{chain['end_user']}",
        PathQuery(mode="k", k=3, max_hops=5),
    )  # fmt: skip


@pytest.fixture(scope="module")
def trace_subgraph(world_workspace: Workspace, trace_document: dict[str, Any]) -> Subgraph:
    return from_document(trace_document, world_workspace)


@pytest.fixture(scope="module")
def around_subgraph(world_workspace: Workspace, resolved_world: World) -> Subgraph:
    """Two hops around the first planted chain's trader (a transit-country intermediary)."""
    trader = resolved_world[1]["chains"][0]["trader"]
    return around(world_workspace, [f"synthetic:{trader}"], 2)


def _fill(path: Path, entities: int, links: int, shipments: int) -> Path:
    """A workspace of ``entities`` companies, ``links`` OWNS links and ``shipments`` shipments
    between them, written straight into the tables (as a load would leave them)."""
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
            "INSERT INTO entities VALUES "
            "(?, 'big', 'Company', ?, 'DE', ?, 'big.csv', ?, NULL, 1, ?)",
            (
                (f"big:E{i}", f"Firm {i} GmbH", f'{{"names":[["Firm {i} GmbH","firm {i} gmbh"]]}}',
                 str(i), stamp)
                for i in range(entities)
            ),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO links (id, dataset, type, source_id, target_id, share_low, share_high, "
            "share_known, start_date, data, source_file, record, load_id, loaded_at) "
            "VALUES (?, 'big', 'OWNS', ?, ?, 60, 60, 1, '2020-01-01', '{}', 'big.csv', ?, 1, ?)",
            (
                (f"big:L{i}", f"big:E{i % entities}", f"big:E{(i * 7 + 1) % entities}", str(i),
                 stamp)
                for i in range(links)
            ),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO shipments (id, dataset, date, exporter_id, importer_id, declarant_id, "
            "hs_code, hs6, chpl_tier, description, quantity, unit, value, currency, data, "
            "source_file, record, load_id, loaded_at) VALUES (?, 'big', '2023-05-01', ?, ?, ?, "
            "'854231', '854231', '1', 'chips', 10, 'pcs', 1000.5, 'USD', '{}', 'ship.csv', "
            "?, 1, ?)",
            (
                (f"big:S{i}", f"big:E{i % entities}", f"big:E{(i * 3 + 2) % entities}",
                 f"big:E{i % 17}", str(i), stamp)
                for i in range(shipments)
            ),
        )  # fmt: skip
        db.execute("COMMIT")
    return path


@pytest.fixture
def big_workspace(tmp_path: Path) -> Callable[[int, int, int], Path]:
    """Build a synthetic workspace file: ``big_workspace(entities, links, shipments)``."""

    def build(entities: int, links: int, shipments: int) -> Path:
        return _fill(tmp_path / f"big-{entities}-{links}-{shipments}.db", entities, links,
                     shipments)  # fmt: skip

    return build

"""Export fixtures: the resolved generated world (tests/conftest.py's ``resolved_world``, seed 3,
600 firms, three planted chains), real trace and paths documents from it, the selections built
from them, and a builder of large synthetic workspaces for the streaming tests."""

from __future__ import annotations

from collections.abc import Iterator
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

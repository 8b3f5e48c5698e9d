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

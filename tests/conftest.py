"""Shared test builders: a fresh workspace per test, paths to fixtures, a loader runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

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

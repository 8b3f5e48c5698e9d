"""The Neo4j server for the ``neo4j`` tests: one driver per run, an empty database per test.

The server is the one ``NEO4J_URI`` names, started by ``scripts/neo4j-test-server`` (``.ci/run``
does it). Tests wipe its database, so a server the script did not start is used only with
``OWNERGRAPH_NEO4J_TESTS_MAY_WIPE=1``. Without a usable server the tests skip with one reason; with
``CI=true`` they fail instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import neo4j
import pytest

from ownergraph.backends.neo4j.push import PushSummary, wipe
from ownergraph.backends.neo4j.settings import Settings, connect

FIXTURES = Path(__file__).parent.parent / "fixtures"


def _unusable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI needs the Neo4j test server: {reason}", pytrace=False)
    pytest.skip(f"no Neo4j test server: {reason}")


@pytest.fixture(scope="session")
def neo4j_settings() -> Settings:
    """Settings of the test server; skips (fails in CI) when there is none."""
    if not os.environ.get("NEO4J_URI"):
        _unusable('NEO4J_URI is not set (eval "$(scripts/neo4j-test-server start)")')
    if not (
        os.environ.get("NEO4J_TEST_SERVER_DIR")
        or os.environ.get("OWNERGRAPH_NEO4J_TESTS_MAY_WIPE") == "1"
    ):
        _unusable(
            "NEO4J_URI is not a server of scripts/neo4j-test-server; tests wipe it, so set "
            "OWNERGRAPH_NEO4J_TESTS_MAY_WIPE=1 to allow that"
        )
    return Settings.from_env()


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_settings: Settings) -> Iterator[neo4j.Driver]:
    """One checked driver for the whole run."""
    try:
        driver = connect(neo4j_settings)
    except Exception as error:  # any reason at all: report it in one line
        _unusable(str(error))
        raise
    with driver:
        yield driver


@pytest.fixture
def neo4j_db(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> Iterator[Settings]:
    """An empty database (nodes and relationships; the schema stays) for one test."""
    wipe(neo4j_driver, neo4j_settings.database)
    yield neo4j_settings


SAMPLES = (
    ("ofac-csv", "ofac/sdn_subset/sdn.csv"), ("ofac-advanced", "ofac/cons_advanced_subset.xml"),
    ("eu-xml", "eu/fsf_export_handmade.xml"), ("uk-csv", "uk/ConList_handmade.csv"),
    ("un-xml", "un/UN_consolidated_2026-02-27_subset.xml"), ("csl-csv", "us_csl/csl_subset.csv"),
    ("ftm", "opensanctions/t1_entities.ftm.jsonl"),
    ("ftm", "opensanctions/zala_entities.ftm.jsonl"),
    ("ftm", "opensanctions/economic_activity.ftm.jsonl"), ("gleif-lei", "gleif/lei-data.xml"),
    ("gleif-rr", "gleif/rr-data.xml"), ("gleif-rr", "gleif/repex-data.xml"),
    ("ch-companies", "companies_house/BasicCompanyData_sample.csv"),
    ("ch-psc", "companies_house/psc_snapshot_sample.jsonl"), ("bods", "bods/tecido.json"),
    ("bods", "bods/levent.json"), ("bods", "bods/joint-ownership.json"),
    ("bods", "bods/indirect-ownership.json"), ("icij", "icij/nodes-entities.csv"),
)  # fmt: skip
"""Real samples of tests/fixtures (provenance in its README) that the differential tests load."""


@pytest.fixture(scope="session")
def resolved_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every real sample of :data:`SAMPLES` loaded into one workspace and resolved, once per
    run: sanctions lists, registries, ownership and customs records side by side."""
    from ownergraph.ingest import load_file
    from ownergraph.resolve.run import resolve
    from ownergraph.workspace import Workspace

    path = tmp_path_factory.mktemp("resolved-samples") / "samples.db"
    with Workspace(path) as ws:
        for format_name, name in SAMPLES:
            load_file(ws, format_name, FIXTURES / name, progress=False)
        resolve(ws, progress=False)
    return path


@pytest.fixture(scope="session")
def push_workspace(
    neo4j_driver: neo4j.Driver, neo4j_settings: Settings
) -> Callable[[Path], PushSummary]:
    """Wipe the test database and push a workspace file into it."""
    from ownergraph.backends.neo4j.push import push
    from ownergraph.workspace import Workspace

    def run(path: Path) -> PushSummary:
        wipe(neo4j_driver, neo4j_settings.database)
        with Workspace(path) as ws:
            return push(ws, neo4j_driver, neo4j_settings.database)

    return run

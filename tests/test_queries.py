"""Cypher files ship with the package and are found at run time (editable and wheel installs)."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ownergraph import queries
from ownergraph.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def test_named_queries_load_and_split_into_statements() -> None:
    assert "schema" in queries.names()
    statements = queries.statements("schema")
    assert statements[0].startswith("CREATE CONSTRAINT entity_id")
    assert all("//" not in statement for statement in statements)


def test_an_unknown_query_name_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no Cypher query named 'nope'"):
        queries.text("nope")


def test_the_installed_package_finds_its_cypher_files_outside_the_checkout(tmp_path: Path) -> None:
    script = (
        "import ownergraph, ownergraph.queries as q; print(ownergraph.__file__); print(q.names())"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "schema" in result.stdout


@pytest.mark.slow
def test_a_built_wheel_carries_the_cypher_files_and_finds_them(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next((tmp_path / "dist").glob("ownergraph-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        members = archive.namelist()
    assert "ownergraph/cypher/schema.cypher" in members
    sources = {
        str(path.relative_to(ROOT))
        for folder in ("ownergraph", "loaders")
        for path in (ROOT / folder).rglob("*.py")
    }
    assert sources <= set(members), "a package is missing from pyproject's packages list"
    assert "ownergraph/data/chpl_hs6_2024-02.csv" in members
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    script = (
        "import ownergraph, ownergraph.queries as q, ownergraph.model.chpl as c;"
        "print(ownergraph.__file__); print(q.names()); print(len(c.chpl_tiers()))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(target)},
    )  # fmt: skip
    first, names, tiers = result.stdout.splitlines()
    assert first.startswith(str(target))
    assert "schema" in names
    assert tiers == "50"

"""The command line on Neo4j: ``neo4j push``, ``neo4j query`` and ``--backend neo4j``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ownergraph.backends.neo4j import Settings
from ownergraph.backends.neo4j.push import PushSummary
from ownergraph.cli import main

pytestmark = pytest.mark.neo4j


@pytest.fixture
def run(neo4j_settings: Settings) -> Callable[..., Any]:
    """Run the CLI with the test server's settings; returns the result."""

    def invoke(*args: str) -> Any:
        env = {
            "NEO4J_URI": neo4j_settings.uri,
            "NEO4J_USERNAME": neo4j_settings.username,
            "NEO4J_PASSWORD": neo4j_settings.password,
            "NEO4J_DATABASE": neo4j_settings.database,
        }
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return invoke


def test_push_reports_what_it_wrote_and_is_idempotent(
    neo4j_db: Settings, run: Callable[..., Any], resolved_samples: Path
) -> None:
    first = run("--workspace", str(resolved_samples), "neo4j", "push", "--json", "-q")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["written"] > 0
    second = run("--workspace", str(resolved_samples), "neo4j", "push", "--json", "-q")
    assert json.loads(second.stdout)["written"] == 0
    assert neo4j_db.password not in first.output + second.output


def test_analysis_commands_print_the_same_json_on_both_backends(
    push_workspace: Callable[[Path], PushSummary],
    run: Callable[..., Any],
    resolved_world: tuple[Path, dict[str, Any]],
) -> None:
    path, truth = resolved_world
    push_workspace(path)
    chain = truth["chains"][0]
    supplier, end_user = f"synthetic:{chain['supplier']}", f"synthetic:{chain['end_user']}"
    commands = [
        ["search", "bereke"],
        ["show", end_user],
        ["paths", supplier, end_user, "--all", "--max-hops", "4"],
        ["trace", "--limit", "5"],
        ["brokers", "--top", "5"],
        ["sanctioned-by-extension", "--regime", "eu"],
    ]
    for command in commands:
        local = run("--workspace", str(path), *command, "--json")
        remote = run("--workspace", str(path), "--backend", "neo4j", *command, "--json")
        assert local.exit_code == 0, local.output
        assert remote.exit_code == 0, remote.output
        assert json.loads(remote.stdout) == json.loads(local.stdout), command


def test_query_runs_a_named_query_with_parameters(
    push_workspace: Callable[[Path], PushSummary],
    run: Callable[..., Any],
    resolved_world: tuple[Path, dict[str, Any]],
) -> None:
    push_workspace(resolved_world[0])
    listed = run("neo4j", "query")
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert "paths_shortest" in names and "schema" not in names
    found = run("neo4j", "query", "entity_by_record", "--param", "record=synthetic:C0000001",
                "--json")  # fmt: skip
    assert json.loads(found.stdout)["rows"] == [{"id": "synthetic:C0000001"}]
    table = run("neo4j", "query", "paths_shortest", "-p", "source=synthetic:C0000001",
                "-p", "target=synthetic:C0000002", "-p", "max_hops=8", "-p", "types=null",
                "-p", "day=null", "-p", "countries=null", "-p", "min_share=null")  # fmt: skip
    assert table.exit_code == 0, table.output


def test_query_refuses_unknown_names_and_missing_parameters(
    neo4j_db: Settings, run: Callable[..., Any]
) -> None:
    unknown = run("neo4j", "query", "push/wipe")
    assert unknown.exit_code == 2
    assert "no library query named 'push/wipe'" in unknown.output
    missing = run("neo4j", "query", "entity_by_record")
    assert missing.exit_code == 2
    assert "Neo4j refused the query" in missing.output and "record" in missing.output


def test_a_backend_without_a_server_is_one_clear_error(resolved_samples: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--workspace", str(resolved_samples), "--backend", "neo4j", "search", "bank"],
        env={"NEO4J_URI": "bolt://127.0.0.1:9", "NEO4J_PASSWORD": "s3cret-pw"},
    )
    assert result.exit_code == 2
    assert "cannot reach Neo4j at bolt://127.0.0.1:9" in result.output
    assert "s3cret-pw" not in result.output

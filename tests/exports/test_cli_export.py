"""``ownergraph export`` through the command line: each selection, and bad input answered with
one sentence, exit code 2 and no file left behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from ownergraph.cli import main

World = tuple[Path, dict[str, Any]]


def run(world: World, *args: str) -> Result:
    return CliRunner().invoke(main, ["--workspace", str(world[0]), "export", *args])


def test_export_around_an_entity_writes_the_file_and_says_where(
    resolved_world: World, tmp_path: Path
) -> None:
    trader = f"synthetic:{resolved_world[1]['chains'][0]['trader']}"
    out = tmp_path / "around.gexf"
    result = run(resolved_world, "--around", trader, "--hops", "1", "--type", "SHIPPED_TO",
                 "--format", "gexf", "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and f"wrote {out}" in result.output


def test_export_from_a_saved_trace_writes_the_report_pair(
    resolved_world: World, trace_document: dict[str, Any], tmp_path: Path
) -> None:
    saved = tmp_path / "trace.json"
    saved.write_text(json.dumps(trace_document), encoding="utf-8")
    result = run(resolved_world, "--from-json", str(saved), "--format", "report",
                 "-o", str(tmp_path / "out" / "report.md"))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.md"]


def test_an_empty_selection_is_refused_and_leaves_no_file(
    resolved_world: World, tmp_path: Path
) -> None:
    saved = tmp_path / "none.json"
    saved.write_text('{"query": {}, "paths": []}', encoding="utf-8")
    out = tmp_path / "new" / "empty.gexf"
    result = run(resolved_world, "--from-json", str(saved), "--format", "gexf", "-o", str(out))
    assert result.exit_code == 2
    assert "selection is empty" in result.output
    assert not out.exists() and not out.parent.exists()


def test_an_unknown_format_is_a_usage_error(resolved_world: World, tmp_path: Path) -> None:
    result = run(resolved_world, "--all", "--format", "dot", "-o", str(tmp_path / "x.dot"))
    assert result.exit_code == 2
    assert "'dot' is not one of" in result.output
    assert not list(tmp_path.iterdir())


def test_an_unwritable_output_is_refused_with_exit_code_2(
    resolved_world: World, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run(resolved_world, "--all", "--format", "csv", "-o", str(blocker / "out"))
    assert result.exit_code == 2
    assert "cannot write" in result.output
    assert blocker.read_text() == "not a folder"


def test_a_selection_must_be_chosen_once(resolved_world: World, tmp_path: Path) -> None:
    result = run(resolved_world, "--all", "--around", "x", "--format", "csv", "-o", str(tmp_path))
    assert result.exit_code == 2
    assert "choose one selection" in result.output


def test_the_report_needs_a_saved_result(resolved_world: World, tmp_path: Path) -> None:
    result = run(resolved_world, "--all", "--format", "report", "-o", str(tmp_path / "r.md"))
    assert result.exit_code == 2
    assert "--from-json" in result.output


def test_a_brokers_document_is_refused(resolved_world: World, tmp_path: Path) -> None:
    saved = tmp_path / "brokers.json"
    saved.write_text('{"brokers": []}', encoding="utf-8")
    result = run(resolved_world, "--from-json", str(saved), "--format", "csv",
                 "-o", str(tmp_path / "out"))  # fmt: skip
    assert result.exit_code == 2
    assert "brokers document" in result.output
    assert not (tmp_path / "out").exists()


def test_an_unknown_entity_is_a_usage_error(resolved_world: World, tmp_path: Path) -> None:
    result = run(resolved_world, "--around", "Nobody Whatsoever Holdings", "--format", "csv",
                 "-o", str(tmp_path / "out"))  # fmt: skip
    assert result.exit_code == 2
    assert "no entity matches" in result.output

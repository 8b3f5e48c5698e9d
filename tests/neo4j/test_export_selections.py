"""``ownergraph export --backend neo4j`` writes the local backend's files.

The same workspace (the generated world with planted chains, and the real samples of
tests/fixtures, resolved) is exported through the command line from the workspace and, after a
push, from the test server, for each selection (``--around`` with and without filters,
``--from-json`` of a saved trace and paths result, ``--all``) and several formats; the files are
compared byte for byte, except where the two legitimately differ:

- ``--all`` streams in each store's own order (the workspace's storage order, the server's id
  order), so its rows, FtM lines and graph elements are compared as sorted collections;
- ``--all``'s title names where the graph came from (the workspace file, the database), and it
  appears in the graph formats' descriptions; it is replaced before comparing;
- an XLSX workbook is a zip with timestamps: its cells are compared, sheet by sheet;
- the HTML viewer and the report say when they were written (to the second): that time is
  blanked.
"""

from __future__ import annotations

import csv
import json
import re
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import openpyxl
import pytest
from click.testing import CliRunner

from ownergraph.backends import PathQuery, TraceQuery
from ownergraph.backends.local import LocalBackend
from ownergraph.backends.neo4j import Settings
from ownergraph.cli import main

pytestmark = pytest.mark.neo4j

World = tuple[Path, dict[str, Any]]


@pytest.fixture(scope="module")
def pushed_world(push_workspace: Callable[[Path], Any], resolved_world: World) -> World:
    push_workspace(resolved_world[0])
    return resolved_world


@pytest.fixture(scope="module")
def saved(pushed_world: World, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A saved ``trace --json`` (best eight paths) and ``paths --json --k 3`` of the world."""
    folder = tmp_path_factory.mktemp("saved")
    chain = pushed_world[1]["chains"][0]
    local = LocalBackend.open(pushed_world[0])
    try:
        documents = {
            "trace": local.trace(TraceQuery(limit=8)),
            "paths": local.paths(
                f"synthetic:{chain['supplier']}", f"synthetic:{chain['end_user']}",
                PathQuery(mode="k", k=3, max_hops=5),
            ),
        }  # fmt: skip
    finally:
        local.close()
    files = {}
    for name, document in documents.items():
        files[name] = folder / f"{name}.json"
        files[name].write_text(json.dumps(document, default=str), encoding="utf-8")
    return files


def export_both(world: Path, out: Path, *args: str) -> tuple[Path, Path]:
    """Export with ``args`` from the workspace and from the server; the two outputs."""
    outputs = []
    for backend in ("local", "neo4j"):
        target = out / backend
        target.mkdir(parents=True, exist_ok=True)
        name = "out" if "--format" not in args else _name(args[args.index("--format") + 1])
        result = CliRunner().invoke(
            main,
            ["--workspace", str(world), "--backend", backend, "export", *args, "-o",
             str(target / name)],
        )  # fmt: skip
        assert result.exit_code == 0, (backend, result.output)
        outputs.append(target)
    return outputs[0], outputs[1]


def _name(format_name: str) -> str:
    return {"csv": "tables", "neo4j-csv": "import", "report": "report.md"}.get(
        format_name, f"graph.{format_name}"
    )


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def assert_same_files(local: Path, remote: Path) -> None:
    ours, theirs = files_of(local), files_of(remote)
    assert sorted(theirs) == sorted(ours)
    assert ours, "nothing was written"
    for name, content in ours.items():
        if name.endswith(".xlsx"):
            assert cells(remote / name) == cells(local / name), name
        else:
            assert written_at(theirs[name]) == written_at(content), name


WRITTEN_AT = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d")


def written_at(content: bytes) -> bytes:
    return WRITTEN_AT.sub(b"<written at>", content)


def cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(path, read_only=True)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook}


AROUND = [
    ("plain", []),
    ("shipments on a day", ["--type", "SHIPPED_TO", "--type", "DECLARED", "--as-of",
                            "2023-06-30"]),
    ("ownership onward", ["--type", "OWNS", "--type", "CONTROLS", "--directed", "--min-share",
                          "25"]),
    ("through countries", ["--country", "KZ,AE,TR,AM,RU,DE,IT"]),
]  # fmt: skip


@pytest.mark.parametrize("format_name", ["csv", "neo4j-csv", "ftm", "gexf", "graphml", "cyjs"])
@pytest.mark.parametrize(("case", "filters"), AROUND, ids=[case for case, _ in AROUND])
def test_around_an_entity_writes_the_same_files(
    pushed_world: World, tmp_path: Path, format_name: str, case: str, filters: list[str]
) -> None:
    trader = f"synthetic:{pushed_world[1]['chains'][0]['trader']}"
    local, remote = export_both(pushed_world[0], tmp_path, "--around", trader, "--hops", "2",
                                *filters, "--format", format_name)  # fmt: skip
    assert_same_files(local, remote)


def test_around_several_seeds_with_the_html_viewer_and_a_workbook(
    pushed_world: World, tmp_path: Path
) -> None:
    chain = pushed_world[1]["chains"][1]
    seeds = ["--around", f"synthetic:{chain['supplier']}", "--around",
             f"synthetic:{chain['end_user']}"]  # fmt: skip
    for format_name in ("html", "xlsx"):
        local, remote = export_both(pushed_world[0], tmp_path / format_name, *seeds, "--hops",
                                    "1", "--format", format_name)  # fmt: skip
        assert_same_files(local, remote)


@pytest.mark.parametrize("document", ["trace", "paths"])
@pytest.mark.parametrize("format_name", ["report", "csv", "ftm", "gexf", "html", "xlsx"])
def test_a_saved_result_writes_the_same_files(
    pushed_world: World, saved: dict[str, Path], tmp_path: Path, document: str, format_name: str
) -> None:
    local, remote = export_both(pushed_world[0], tmp_path, "--from-json", str(saved[document]),
                                "--format", format_name)  # fmt: skip
    assert_same_files(local, remote)


def test_the_saved_trace_cites_stakes_and_brokers_read_from_the_server(
    pushed_world: World, saved: dict[str, Path], tmp_path: Path
) -> None:
    """The server answers what the document does not carry: the owners' stakes behind a 50%
    proof and the declarations (so the comparison above is not of two copies of the document)."""
    _, remote = export_both(pushed_world[0], tmp_path, "--from-json", str(saved["trace"]),
                            "--format", "csv")  # fmt: skip
    with (remote / "tables" / "edges.csv").open(encoding="utf-8") as handle:
        types = {row["type"] for row in csv.DictReader(handle)}
    assert {"SHIPPED_TO", "DECLARED"} <= types
    with (remote / "tables" / "nodes.csv").open(encoding="utf-8") as handle:
        nodes = list(csv.DictReader(handle))
    assert any(row["listings"] for row in nodes), "listings come from the server's Listing nodes"


def test_an_unknown_seed_on_the_server_is_bad_input(pushed_world: World, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["--workspace", str(pushed_world[0]), "--backend", "neo4j", "export", "--around",
         "no such firm whatsoever 123", "--format", "gexf", "-o", str(tmp_path / "x.gexf")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "no entity matches" in result.output


WHOLE_TITLE = re.compile(rb"the whole graph of [^<\"\n]*")


def sorted_lines(path: Path) -> list[bytes]:
    """A CSV file's header and its sorted lines; any other file's sorted lines."""
    lines = path.read_bytes().splitlines(keepends=True)
    if path.suffix == ".csv":
        return [lines[0], *sorted(lines[1:])]
    return sorted(lines)


def graph_elements(path: Path) -> tuple[list[Any], list[Any]]:
    graph = nx.read_gexf(path, version="1.3") if path.suffix == ".gexf" else (
        nx.read_graphml(path))  # fmt: skip
    nodes = sorted((node, sorted(data.items())) for node, data in graph.nodes(data=True))
    edges = sorted(
        (source, target, sorted((k, str(v)) for k, v in data.items() if k != "id"))
        for source, target, data in graph.edges(data=True)
    )
    return nodes, edges


@pytest.mark.parametrize("world_name", ["world", "samples"])
def test_the_whole_graph_streams_the_same_facts(
    push_workspace: Callable[[Path], Any],
    resolved_world: World,
    resolved_samples: Path,
    tmp_path: Path,
    world_name: str,
) -> None:
    world = resolved_world[0] if world_name == "world" else resolved_samples
    push_workspace(world)
    for format_name in ("csv", "neo4j-csv", "ftm"):
        local, remote = export_both(world, tmp_path / format_name, "--all", "--as-of",
                                    "2024-06-30", "--format", format_name)  # fmt: skip
        ours, theirs = files_of(local), files_of(remote)
        assert sorted(theirs) == sorted(ours)
        for name in ours:
            if not name.endswith(".txt"):
                assert sorted_lines(remote / name) == sorted_lines(local / name), name
            else:
                assert theirs[name] == ours[name], name
    for format_name in ("gexf", "graphml"):
        local, remote = export_both(world, tmp_path / format_name, "--all", "--format",
                                    format_name)  # fmt: skip
        path = f"graph.{format_name}"
        assert graph_elements(remote / path) == graph_elements(local / path)
        described = [WHOLE_TITLE.findall((side / path).read_bytes()) for side in (local, remote)]
        assert described[1] == [b"the whole graph of Neo4j database 'neo4j'"] * len(described[0])


def peak_export(settings: Settings, workspace: Path, out: Path) -> int:
    """Python's peak memory while exporting the whole pushed graph as CSV from the server."""
    from ownergraph.backends.neo4j import open as open_neo4j
    from ownergraph.exports import export
    from ownergraph.exports.selection import ExportRequest

    backend = open_neo4j(settings)
    try:
        tracemalloc.start()
        try:
            export(backend.export_selection(ExportRequest(everything=True)), "csv", out)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    finally:
        backend.close()


def test_the_whole_graph_streams_from_the_server_in_flat_memory(
    push_workspace: Callable[[Path], Any],
    neo4j_settings: Settings,
    big_workspace: Callable[[int, int, int], Path],
    tmp_path: Path,
) -> None:
    """Four times the entities, links and shipments: no more memory (a page at a time)."""
    peaks = []
    for scale in (1, 4):
        workspace = big_workspace(1500 * scale, 4000 * scale, 2000 * scale)
        push_workspace(workspace)
        peaks.append(peak_export(neo4j_settings, workspace, tmp_path / f"out-{scale}"))
        with (tmp_path / f"out-{scale}" / "edges.csv").open(encoding="utf-8") as handle:
            types = Counter(row["type"] for row in csv.DictReader(handle))
        assert types["OWNS"] == 4000 * scale and types["SHIPPED_TO"] == 2000 * scale
        assert types["DECLARED"] > 0
    small, large = peaks
    assert large < small * 1.2 + 500_000, (small, large)


def test_the_whole_graph_of_an_empty_database_is_refused(
    neo4j_db: Settings, resolved_world: World, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        ["--workspace", str(resolved_world[0]), "--backend", "neo4j", "export", "--all",
         "--format", "csv", "-o", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "is empty: run 'ownergraph neo4j push' first" in result.output
    assert not (tmp_path / "out").exists()

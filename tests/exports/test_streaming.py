"""Whole-graph CSV and Neo4j exports stream: Python memory does not grow with the graph (the
benchmark, bench/bench_export.py, measures a million edges)."""

from __future__ import annotations

import csv
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from ownergraph.exports import export
from ownergraph.exports.whole import WholeGraph
from ownergraph.workspace import Workspace


def peak_export(database: Path, format_name: str, out: Path) -> int:
    with Workspace(database) as workspace:
        tracemalloc.start()
        try:
            export(WholeGraph(workspace), format_name, out)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


@pytest.mark.parametrize("format_name", ["csv", "neo4j-csv"])
def test_a_four_times_larger_graph_needs_no_more_memory_to_export(
    big_workspace: Callable[[int, int, int], Path], tmp_path: Path, format_name: str
) -> None:
    small = big_workspace(500, 4_000, 2_000)
    large = big_workspace(500, 16_000, 8_000)
    peak_small = peak_export(small, format_name, tmp_path / "small")
    peak_large = peak_export(large, format_name, tmp_path / "large")
    assert peak_large < peak_small * 1.2 + 500_000, (peak_small, peak_large)


def test_the_streamed_csv_has_every_edge_once(
    big_workspace: Callable[[int, int, int], Path], tmp_path: Path
) -> None:
    database = big_workspace(500, 3_000, 1_000)
    export(WholeGraph(Workspace(database)), "csv", tmp_path / "out")
    with (tmp_path / "out" / "edges.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    kinds = {kind: sum(r["type"] == kind for r in rows) for kind in ("OWNS", "SHIPPED_TO")}
    assert kinds == {"OWNS": 3_000, "SHIPPED_TO": 1_000}
    assert len({r["id"] for r in rows}) == len(rows)

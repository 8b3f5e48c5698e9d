"""The graph kept beside the workspace: reused while the workspace is unchanged, rebuilt after
a load or a resolution, with sanctioned flags for the day asked."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from ownergraph.graph import build, cache, load_graph
from ownergraph.ingest import load_file
from ownergraph.resolve.run import resolve
from ownergraph.workspace import Workspace


@pytest.fixture
def copied(resolved_world: tuple[Path, dict[str, Any]], tmp_path: Path) -> Path:
    target = tmp_path / "world.db"
    shutil.copy(resolved_world[0], target)
    return target


def same(a: Any, b: Any) -> bool:
    arrays = (
        *("source", "target", "kind", "start", "end", "out_ptr", "in_ptr", "in_edge"),
        *("shipment_edge", "shipment_day", "shipment_hs6", "declared_count", "sanctioned"),
    )
    return a.ids == b.ids and all(np.array_equal(getattr(a, n), getattr(b, n)) for n in arrays)


def test_a_cached_graph_equals_a_fresh_build(copied: Path) -> None:
    with Workspace(copied) as workspace:
        first = load_graph(workspace, as_of="2025-01-01")
        assert cache.cache_path(workspace).exists()
        again = load_graph(workspace, as_of="2025-01-01")
        assert same(again, build(workspace, as_of="2025-01-01"))
        assert same(first, again)


def test_the_cache_is_reused_while_nothing_changes(
    copied: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Workspace(copied) as workspace:
        load_graph(workspace)
        calls = []
        monkeypatch.setattr(cache, "build", lambda *a, **k: calls.append(1) or build(*a, **k))
        load_graph(workspace)
        assert calls == []
        load_graph(workspace, fresh=True)
        assert calls == [1]


def test_sanctioned_flags_follow_the_day_asked(copied: Path) -> None:
    with Workspace(copied) as workspace:
        load_graph(workspace, as_of="2025-01-01")
        before = load_graph(workspace, as_of="2021-01-01")  # from the cache
        after = load_graph(workspace, as_of="2025-01-01")
        # The world's listings start after the invasion: none is active in 2021.
        assert not before.sanctioned.any()
        assert after.sanctioned.sum() == build(workspace, as_of="2025-01-01").sanctioned.sum()
        assert after.sanctioned.any()


def test_a_new_load_or_resolution_invalidates_it(
    copied: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = tmp_path / "extra.csv"
    # Two records of one new firm: the next resolution merges them, which changes the graph.
    extra.write_text(
        "id,schema,name,country,registration_number\n"
        "NEW1,Company,Newly Loaded LLP,KZ,123456\nNEW2,Company,Newly Loaded LLP,KZ,123456\n",
        "utf-8",
    )
    extra_links = tmp_path / "links.csv"
    extra_links.write_text("source,target,type\nNEW1,synthetic:C0000001,OWNS\n", "utf-8")
    with Workspace(copied) as workspace:
        old = load_graph(workspace)
        load_file(workspace, "entities-csv", extra, dataset="extra", progress=False)
        load_file(workspace, "links-csv", extra_links, dataset="extra", progress=False)
        grown = load_graph(workspace)
        assert "extra:NEW1" in grown.index and "extra:NEW1" not in old.index
        calls = []
        monkeypatch.setattr(cache, "build", lambda *a, **k: calls.append(1) or build(*a, **k))
        resolve(workspace, progress=False)
        load_graph(workspace)
        assert calls == [1]


def test_a_damaged_or_unwritable_cache_falls_back_to_building(copied: Path) -> None:
    with Workspace(copied) as workspace:
        path = cache.cache_path(workspace)
        path.write_bytes(b"not a numpy file")
        graph = load_graph(workspace, as_of="2025-01-01")
        assert same(graph, build(workspace, as_of="2025-01-01"))
        path.unlink()
        path.mkdir()  # a folder where the file should go: the write fails, the graph still comes
        assert same(load_graph(workspace, as_of="2025-01-01"),
                    build(workspace, as_of="2025-01-01"))  # fmt: skip

"""Path functions over the compact graph give the same answers as networkx."""

from __future__ import annotations

import random
from itertools import pairwise
from pathlib import Path as FilePath

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ownergraph.analyses.paths import (
    all_simple_paths,
    k_shortest_paths,
    neighbourhood,
    shortest_path,
)
from ownergraph.generate.world import generate
from ownergraph.graph import OPEN_END, OPEN_START, CSRGraph, build, day_number, to_networkx
from ownergraph.graph.build import assemble
from ownergraph.ingest import load_file
from ownergraph.model.schema import LINK_KINDS
from ownergraph.workspace import Workspace

KINDS = list(LINK_KINDS)
Edge = tuple[int, int, int, int, int]  # source, target, kind, start day, end day


def make_graph(nodes: int, edges: list[Edge]) -> CSRGraph:
    """A CSRGraph straight from an edge list (no workspace), nodes named N0, N1, ..."""
    links = np.array(
        [[s, t, k, start, end, np.nan, np.nan] for s, t, k, start, end in edges]
    ).reshape(-1, 7)
    return assemble(
        [f"N{i:03d}" for i in range(nodes)], np.zeros(nodes, np.int8),
        np.full(nodes, -1, np.int16), (), np.zeros(nodes, np.bool_), "2024-01-01", links,
        np.empty((0, 8)), np.empty((0, 5)), (),
    )  # fmt: skip


def reference(graph: CSRGraph, *, directed: bool, keep: np.ndarray | None = None) -> nx.Graph:
    """The simple networkx graph paths are compared on (parallel edges and self-loops dropped)."""
    result: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    result.add_nodes_from(range(graph.node_count))
    for edge, (s, t) in enumerate(zip(graph.source.tolist(), graph.target.tolist(), strict=True)):
        if s != t and (keep is None or keep[edge]):
            result.add_edge(s, t)
    return result


def nx_distance(ref: nx.Graph, s: int, t: int) -> int | None:
    try:
        return int(nx.shortest_path_length(ref, s, t))
    except nx.NetworkXNoPath:
        return None


def assert_walkable(ref: nx.Graph, nodes: list[int] | tuple[int, ...]) -> None:
    assert len(set(nodes)) == len(nodes)
    assert all(ref.has_edge(u, v) for u, v in pairwise(nodes))


def compare_everything(graph: CSRGraph, pairs: list[tuple[int, int]], directed: bool) -> None:
    ref = reference(graph, directed=directed)
    for s, t in pairs:
        expected = nx_distance(ref, s, t)
        got = shortest_path(graph, s, t, max_hops=6, directed=directed)
        if expected is None or expected > 6:
            assert got is None
        else:
            assert got is not None and len(got) - 1 == expected and got[0] == s and got[-1] == t
            assert_walkable(ref, got)
        if s == t:
            continue
        ours = {p.nodes for p in all_simple_paths(graph, s, t, max_hops=4, directed=directed)}
        theirs = {tuple(p) for p in nx.all_simple_paths(ref, s, t, cutoff=4)}
        assert ours == theirs
        compare_k_shortest(graph, ref, s, t, directed)
        hood = neighbourhood(graph, s, 2, directed=directed).tolist()
        assert hood == sorted(nx.single_source_shortest_path_length(ref, s, cutoff=2))


def compare_k_shortest(graph: CSRGraph, ref: nx.Graph, s: int, t: int, directed: bool) -> None:
    k = 5
    ours = [p.nodes for p in k_shortest_paths(graph, s, t, k, max_hops=8, directed=directed)]
    theirs: list[tuple[int, ...]] = []
    if nx.has_path(ref, s, t):
        for path in nx.shortest_simple_paths(ref, s, t):
            if len(path) - 1 > 8 or len(theirs) == k:
                break
            theirs.append(tuple(path))
    assert [len(p) for p in ours] == [len(p) for p in theirs]
    if ours:
        # Ties at the last length may be broken differently; everything shorter must agree.
        longest = len(ours[-1])
        assert {p for p in ours if len(p) < longest} == {p for p in theirs if len(p) < longest}
        for path in ours:
            assert_walkable(ref, path)


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[int, list[Edge]]:
    nodes = draw(st.integers(2, 12))
    node = st.integers(0, nodes - 1)
    edge = st.tuples(node, node, st.integers(0, 3), st.just(OPEN_START), st.just(OPEN_END))
    return nodes, draw(st.lists(edge, max_size=30))


@settings(max_examples=150, deadline=None)
@given(random_graphs(), st.booleans())
def test_random_small_graphs_agree_with_networkx(
    world: tuple[int, list[Edge]], directed: bool
) -> None:
    nodes, edges = world
    graph = make_graph(nodes, edges)
    pairs = [(s, t) for s in range(nodes) for t in range(nodes)][:40]
    compare_everything(graph, pairs, directed)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> CSRGraph:
    """The seeded synthetic world of 1,000 companies (about 3,500 nodes, 5,000 edges)."""
    folder: FilePath = tmp_path_factory.mktemp("world")
    generate(folder, seed=11, size=1000)
    with Workspace(folder / "w.db") as workspace:
        for name in ("entities", "links", "listings", "shipments"):
            load_file(workspace, f"{name}-csv", folder / f"{name}.csv", progress=False,
                      dataset="synthetic")  # fmt: skip
        return build(workspace, as_of="2025-01-01")


@pytest.mark.parametrize("directed", [False, True])
def test_a_generated_world_agrees_with_networkx(generated: CSRGraph, directed: bool) -> None:
    rng = random.Random(5)
    ref = reference(generated, directed=False)
    pairs = []
    for _ in range(40):
        s = rng.randrange(generated.node_count)
        near = list(nx.single_source_shortest_path_length(ref, s, cutoff=3))
        pairs.append((s, rng.choice(near)))  # close pairs, so there are paths to compare
        pairs.append((s, rng.randrange(generated.node_count)))
    compare_everything(generated, pairs, directed)


def test_to_networkx_paths_are_the_same_as_on_the_csr_graph(generated: CSRGraph) -> None:
    multi = to_networkx(generated)
    simple = nx.Graph(multi.to_undirected())
    simple.remove_edges_from(nx.selfloop_edges(simple))
    rng = random.Random(2)
    for _ in range(30):
        s, t = rng.randrange(generated.node_count), rng.randrange(generated.node_count)
        a, b = generated.ids[s], generated.ids[t]
        expected = nx.shortest_path_length(simple, a, b) if nx.has_path(simple, a, b) else None
        got = shortest_path(generated, a, b, max_hops=32)
        assert (None if got is None else len(got) - 1) == expected


def square_with_cycle() -> CSRGraph:
    """A owns B, B owns A (a cycle); B ships to C twice; C officer of D until 2022-12-31."""
    owns, shipped, officer = (
        KINDS.index("OWNS"),
        KINDS.index("SHIPPED_TO"),
        KINDS.index("OFFICER_OF"),
    )
    return make_graph(
        4,
        [
            (0, 1, owns, OPEN_START, OPEN_END),
            (1, 0, owns, OPEN_START, OPEN_END),
            (1, 2, shipped, day_number("2023-01-05"), day_number("2023-01-05")),
            (1, 2, shipped, day_number("2023-03-05"), day_number("2023-03-05")),
            (2, 3, officer, OPEN_START, day_number("2022-12-31")),
            (0, 0, owns, OPEN_START, OPEN_END),  # a self-loop left by a merge
        ],
    )


def test_ownership_cycles_terminate() -> None:
    graph = square_with_cycle()
    assert shortest_path(graph, 0, 1, directed=True) == [0, 1]
    assert shortest_path(graph, 1, 0, directed=True) == [1, 0]
    assert [p.nodes for p in all_simple_paths(graph, 0, 3, directed=True)] == [(0, 1, 2, 3)]
    assert [p.nodes for p in k_shortest_paths(graph, 0, 3, 10)] == [(0, 1, 2, 3)]


def test_parallel_edges_are_listed_on_their_hop() -> None:
    graph = square_with_cycle()
    (path,) = all_simple_paths(graph, 0, 2)
    assert path.nodes == (0, 1, 2)
    owns_both_ways = {e for e in range(graph.edge_count) if graph.kind[e] == KINDS.index("OWNS")
                      and graph.source[e] != graph.target[e]}  # fmt: skip
    assert set(path.edges[0]) == owns_both_ways
    assert len(path.edges[1]) == 2  # two shipments
    assert len(path) == 2


def test_link_type_filter_blocks_other_links() -> None:
    graph = square_with_cycle()
    assert shortest_path(graph, 0, 3, link_types={"OWNS", "OFFICER_OF"}) is None
    assert shortest_path(graph, 0, 2, link_types={"OWNS", "SHIPPED_TO"}) == [0, 1, 2]
    assert neighbourhood(graph, 0, 5, link_types={"OWNS"}).tolist() == [0, 1]


def test_as_of_keeps_only_links_valid_that_day() -> None:
    graph = square_with_cycle()
    assert shortest_path(graph, 0, 3, as_of="2022-06-01") is None  # no shipment yet
    assert shortest_path(graph, 0, 3, as_of="2023-01-05") is None  # officer gone by then
    assert shortest_path(graph, 0, 2, as_of="2023-03-05") == [0, 1, 2]
    (path,) = all_simple_paths(graph, 0, 2, as_of="2023-03-05")
    assert len(path.edges[1]) == 1  # only that day's shipment


def test_direction_is_followed_only_when_asked() -> None:
    graph = square_with_cycle()
    assert shortest_path(graph, 3, 0) == [3, 2, 1, 0]
    assert shortest_path(graph, 3, 0, directed=True) is None
    assert neighbourhood(graph, 2, 1, directed=True).tolist() == [2, 3]


def test_max_hops_bounds_the_answer() -> None:
    graph = square_with_cycle()
    assert shortest_path(graph, 0, 3, max_hops=2) is None
    assert shortest_path(graph, 0, 3, max_hops=3) == [0, 1, 2, 3]
    assert all_simple_paths(graph, 0, 3, max_hops=2) == []


@pytest.mark.parametrize("hops", [0, -1, 33])
def test_max_hops_out_of_range_is_a_value_error(hops: int) -> None:
    with pytest.raises(ValueError, match="max_hops must be between 1 and 32"):
        shortest_path(square_with_cycle(), 0, 1, max_hops=hops)


def test_all_simple_paths_refuses_more_than_eight_hops() -> None:
    with pytest.raises(ValueError, match="between 1 and 8"):
        all_simple_paths(square_with_cycle(), 0, 1, max_hops=9)


def test_unknown_nodes_and_link_types_are_refused() -> None:
    graph = square_with_cycle()
    with pytest.raises(KeyError, match="no node 9"):
        shortest_path(graph, 0, 9)
    with pytest.raises(KeyError, match="no entity 'X'"):
        shortest_path(graph, "X", 0)
    with pytest.raises(ValueError, match="unknown link type"):
        shortest_path(graph, 0, 1, link_types={"OWNED"})


def test_nodes_can_be_named_by_entity_id() -> None:
    graph = square_with_cycle()
    assert shortest_path(graph, "N000", "N002") == [0, 1, 2]


def shares_and_countries() -> CSRGraph:
    """Owner 0 (RU) holds 60% of 1 (CY) and 20% of 2 (KZ); both hold 100% of 3 (RU)."""
    owns = KINDS.index("OWNS")
    rows = [(0, 1, 60.0), (0, 2, 20.0), (1, 3, 100.0), (2, 3, 100.0)]
    links = np.array(
        [[s, t, owns, OPEN_START, OPEN_END, share, share] for s, t, share in rows]
    ).reshape(-1, 7)
    return assemble(
        ["N000", "N001", "N002", "N003"], np.zeros(4, np.int8),
        np.array([0, 1, 2, 0], np.int16), ("RU", "CY", "KZ"), np.zeros(4, np.bool_),
        "2024-01-01", links, np.empty((0, 8)), np.empty((0, 5)), (),
    )  # fmt: skip


def test_min_share_walks_only_large_enough_stakes() -> None:
    graph = shares_and_countries()
    every = {p.nodes for p in all_simple_paths(graph, 0, 3, max_hops=2, directed=True)}
    assert every == {(0, 1, 3), (0, 2, 3)}
    big = {p.nodes for p in all_simple_paths(graph, 0, 3, max_hops=2, directed=True,
                                             min_share=50)}  # fmt: skip
    assert big == {(0, 1, 3)}
    assert shortest_path(graph, 0, 2, min_share=50) == [0, 1, 3, 2]


def test_the_country_filter_spares_the_ends() -> None:
    graph = shares_and_countries()
    # Through Kazakhstan only: the Cypriot holding is avoided; the Russian ends may be anywhere.
    kazakh = [p.nodes for p in k_shortest_paths(graph, 0, 3, 5, countries=["KZ"])]
    assert kazakh == [(0, 2, 3)]
    # A neighbourhood's only ends are its seeds: the Russian firm 3 is beyond the filter.
    assert neighbourhood(graph, 0, 2, countries=["CY"]).tolist() == [0, 1]

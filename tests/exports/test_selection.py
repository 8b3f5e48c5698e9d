"""Selections: what --around, --from-json and --all pick, checked against networkx on the same
compact graph, and every edge carrying its citation."""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import pytest

from ownergraph.errors import InputError
from ownergraph.exports.model import Subgraph
from ownergraph.exports.selection import Filters, around, from_document
from ownergraph.exports.whole import WholeGraph
from ownergraph.graph import build, to_networkx
from ownergraph.workspace import Workspace


def edge_keys(edges: Any) -> Counter[tuple[str, str, str]]:
    return Counter((edge.type, edge.source, edge.target) for edge in edges)


@pytest.fixture(scope="module")
def reference(world_workspace: Workspace) -> nx.MultiDiGraph:
    return to_networkx(build(world_workspace))


def test_around_selects_the_same_nodes_and_edges_as_networkx(
    around_subgraph: Subgraph, reference: nx.MultiDiGraph
) -> None:
    seed = around_subgraph.seeds[0]
    ball = nx.ego_graph(reference.to_undirected(as_view=True), seed, radius=2)
    assert set(around_subgraph.nodes) == set(ball)
    induced = reference.subgraph(ball)
    want = Counter((d["type"], u, v) for u, v, d in induced.edges(data=True))
    assert edge_keys(around_subgraph.edges) == want


def test_every_exported_fact_cites_its_source_record(around_subgraph: Subgraph) -> None:
    for edge in around_subgraph.edges:
        assert edge.records, edge.id
        for record in edge.records:
            assert record["id"] and record["dataset"] and record["source_file"] and record["record"]


def test_around_with_a_link_type_keeps_only_that_type(
    world_workspace: Workspace, around_subgraph: Subgraph
) -> None:
    seed = around_subgraph.seeds[0]
    trade = around(world_workspace, [seed], 2, Filters(link_types=("SHIPPED_TO",)))
    assert {edge.type for edge in trade.edges} == {"SHIPPED_TO"}
    assert set(trade.nodes) < set(around_subgraph.nodes)


def test_around_as_of_keeps_only_shipments_of_that_day(
    world_workspace: Workspace, around_subgraph: Subgraph
) -> None:
    seed = around_subgraph.seeds[0]
    day = next(e.attributes["date"] for e in around_subgraph.edges if e.type == "SHIPPED_TO")
    dated = around(world_workspace, [seed], 2, Filters(as_of=day))
    shipments = [edge for edge in dated.edges if edge.type == "SHIPPED_TO"]
    assert shipments and all(edge.attributes["date"] == day for edge in shipments)


def test_an_unknown_seed_is_an_input_error(world_workspace: Workspace) -> None:
    with pytest.raises(InputError, match="no entity matches"):
        around(world_workspace, ["Nobody Whatsoever Holdings"], 1)


def test_a_trace_document_selects_its_paths_brokers_and_proof_owners(
    trace_document: dict[str, Any], trace_subgraph: Subgraph
) -> None:
    on_paths = {node["id"] for path in trace_document["paths"] for node in path["nodes"]}
    brokers = {b["id"] for path in trace_document["paths"] for b in path.get("declarants", [])}
    owners = {
        step["owner"]
        for path in trace_document["paths"]
        for verdict in path["target"].get("verdicts", [])
        for step in verdict["proof"]
    }
    assert owners, "the five best paths include one blocked by extension"
    assert set(trace_subgraph.nodes) == on_paths | brokers | owners
    assert [mark.nodes for mark in trace_subgraph.paths] == [
        tuple(node["id"] for node in path["nodes"]) for path in trace_document["paths"]
    ]
    ids = {edge.id for edge in trace_subgraph.edges}
    cited = {
        r["id"] for path in trace_document["paths"] for e in path["edges"] for r in e["records"]
    }
    assert cited <= ids
    assert {edge.type for edge in trace_subgraph.edges} >= {"SHIPPED_TO", "DECLARED", "OWNS"}


def test_a_document_without_the_workspace_still_selects_its_paths(
    trace_document: dict[str, Any],
) -> None:
    alone = from_document(trace_document)
    first = trace_document["paths"][0]["nodes"][0]
    assert alone.nodes[first["id"]].name == first["name"]
    assert len(alone.paths) == len(trace_document["paths"])


def test_a_brokers_document_is_not_an_export_input() -> None:
    with pytest.raises(InputError, match="brokers document"):
        from_document({"brokers": []})


def test_the_whole_graph_streams_the_same_nodes_and_edges_as_networkx(
    world_workspace: Workspace, reference: nx.MultiDiGraph
) -> None:
    whole = WholeGraph(world_workspace)
    nodes = list(whole.iter_nodes())
    assert sorted(node.id for node in nodes) == sorted(reference)
    assert {n.id: n.schema for n in nodes} == dict(reference.nodes(data="schema"))
    assert {n.id: n.country for n in nodes} == dict(reference.nodes(data="country"))
    assert {n.id: n.sanctioned for n in nodes} == dict(reference.nodes(data="sanctioned"))
    want = Counter((d["type"], u, v) for u, v, d in reference.edges(data=True))
    assert edge_keys(whole.iter_edges()) == want

"""Building the compact graph from a workspace, and its networkx twin."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ownergraph.generate.world import generate
from ownergraph.graph import OPEN_END, OPEN_START, CSRGraph, build, day_number, to_networkx
from ownergraph.workspace import Workspace

ENTITIES = (
    "id,schema,name,aliases,country,identifiers\n"
    "A,Company,Alfa Holding Ltd,,CY,\n"
    "B,Company,Bereke Trade LLP,,KZ,bin:230340355717\n"
    "B2,LegalEntity,BEREKE TRADE,,,\n"
    "R,Company,Granit JSC,,RU,inn:7731084175\n"
    "P,Person,Ivan Petrov,,RU,\n"
)
LINKS = (
    "source,target,type,share,role,start_date,end_date,source_url\n"
    "A,B,OWNS,60,,2022,,\n"
    "P,B2,OFFICER_OF,,director,2022-05,2023-06,\n"
    "B,R,OWNS,25-50,,2021-03-04,2023,\n"
    "R,A,CONTROLS,,,,,\n"
    "GHOST,R,ASSOCIATE,,,,,\n"
)
LISTINGS = (
    "entity_id,authority,list,programmes,listed_on,delisted_on,source_url\n"
    "R,OFAC,SDN,RUSSIA-EO14024,2022-03-31,,\n"
    "B2,UK,UK,RUS,2023-01-01,2024-01-01,\n"
)
SHIPMENTS = (
    "declaration_id,date,exporter_name,exporter_country,exporter_id,importer_name,"
    "importer_country,importer_id,declarant_name,declarant_country,declarant_id,hs_code,"
    "description,quantity,unit,value,currency,origin_country,destination_country,source_url\n"
    "D1,2023-02-01,Chipmaker GmbH,DE,,Bereke Trade LLP,KZ,bin:230340355717,Broker One,KZ,,"
    "8542310000,chips,100,pcs,5000,USD,DE,KZ,\n"
    "D2,2023-03-01,Chipmaker GmbH,DE,,Bereke Trade LLP,KZ,bin:230340355717,Broker One,KZ,,"
    "8471300000,laptops,5,pcs,9000,USD,DE,KZ,\n"
    "D3,,Bereke Trade LLP,KZ,bin:230340355717,Granit JSC,RU,inn:7731084175,,,,"
    "8542310000,chips,100,pcs,,USD,DE,RU,\n"
)


@pytest.fixture
def small(tmp_path: Path, workspace: Workspace, load: Callable[..., object]) -> Workspace:
    """A five-record world plus shipments, with B2 merged into B by resolution."""
    for name, text in (("entities", ENTITIES), ("links", LINKS), ("listings", LISTINGS),
                       ("shipments", SHIPMENTS)):  # fmt: skip
        (tmp_path / f"{name}.csv").write_text(text, encoding="utf-8")
        load(f"{name}-csv", tmp_path / f"{name}.csv", dataset="t")
    with workspace.transaction() as db:
        db.execute(
            "INSERT INTO clusters (entity_id, canonical_id, resolved_at) VALUES "
            "('t:B', 't:B', 'now'), ('t:B2', 't:B', 'now')"
        )
    return workspace


def _edges(graph: CSRGraph) -> Counter[tuple[str, str, int]]:
    return Counter(
        (graph.ids[s], graph.ids[t], int(k))
        for s, t, k in zip(graph.source, graph.target, graph.kind, strict=True)
    )


def _kind(name: str) -> int:
    from ownergraph.model.schema import LINK_KINDS

    return list(LINK_KINDS).index(name)


def test_a_merged_record_s_edges_land_on_its_canonical_node(small: Workspace) -> None:
    graph = build(small, as_of="2023-06-01")
    assert "t:B2" not in graph.index
    edges = _edges(graph)
    assert edges[("t:P", "t:B", _kind("OFFICER_OF"))] == 1
    assert edges[("t:A", "t:B", _kind("OWNS"))] == 1


def test_counts_of_nodes_and_edges_by_kind(small: Workspace) -> None:
    graph = build(small, as_of="2023-06-01")
    kinds = Counter(int(k) for k in graph.kind)
    assert kinds[_kind("SHIPPED_TO")] == 3  # one per shipment
    assert kinds[_kind("OWNS")] == 2 and kinds[_kind("CONTROLS")] == 1
    assert len(graph.shipment_edge) == 3
    # Broker One declared two shipments of the same two parties: two aggregated edges, count 2.
    assert kinds[_kind("DECLARED")] == 2
    assert graph.declared_count.tolist() == [2, 2]
    assert graph.node_count == len(set(graph.ids)) == len(graph.index)


def test_an_id_without_an_entity_record_still_gets_a_node(small: Workspace) -> None:
    graph = build(small)
    ghost = graph.node("t:GHOST")
    assert graph.schema[ghost] == -1 and graph.country[ghost] == -1
    assert _edges(graph)[("t:GHOST", "t:R", _kind("ASSOCIATE"))] == 1


def test_adjacency_arrays_agree_with_the_edge_list(small: Workspace) -> None:
    graph = build(small)
    for node in range(graph.node_count):
        out = graph.out_edges(node)
        assert all(graph.source[e] == node for e in out)
        lo, hi = graph.in_ptr[node], graph.in_ptr[node + 1]
        assert all(graph.target[e] == node for e in graph.in_edge[lo:hi])
        assert (graph.source[graph.in_edge[lo:hi]] == graph.in_source[lo:hi]).all()
    assert graph.out_ptr[-1] == graph.in_ptr[-1] == graph.edge_count


def test_partial_dates_widen_to_the_whole_period(small: Workspace) -> None:
    graph = build(small)
    officer = int(np.flatnonzero(graph.kind == _kind("OFFICER_OF"))[0])
    assert graph.start[officer] == day_number("2022-05-01")
    assert graph.end[officer] == day_number("2023-06-30")
    owns = np.flatnonzero(graph.kind == _kind("OWNS"))
    starts = sorted(int(graph.start[e]) for e in owns)
    assert starts == [day_number("2021-03-04"), day_number("2022-01-01")]
    assert sorted(int(graph.end[e]) for e in owns) == [day_number("2023-12-31"), OPEN_END]
    controls = int(np.flatnonzero(graph.kind == _kind("CONTROLS"))[0])
    assert (graph.start[controls], graph.end[controls]) == (OPEN_START, OPEN_END)


def test_shares_are_intervals_and_nan_when_unknown(small: Workspace) -> None:
    graph = build(small)
    owns = np.flatnonzero(graph.kind == _kind("OWNS"))
    shares = sorted((float(graph.share_low[e]), float(graph.share_high[e])) for e in owns)
    assert shares == [(25.0, 50.0), (60.0, 60.0)]
    controls = np.flatnonzero(graph.kind == _kind("CONTROLS"))
    assert np.isnan(graph.share_low[controls]).all()


def test_sanctioned_flags_follow_the_as_of_date(small: Workspace) -> None:
    def flagged(day: str) -> set[str]:
        graph = build(small, as_of=day)
        return {graph.ids[i] for i in np.flatnonzero(graph.sanctioned)}

    assert flagged("2022-01-01") == set()
    assert flagged("2023-06-01") == {"t:R", "t:B"}  # B through its merged record B2
    assert flagged("2024-06-01") == {"t:R"}  # B2's listing was delisted


def test_node_attributes_prefer_the_specific_schema_and_a_known_country(small: Workspace) -> None:
    graph = build(small)
    node = graph.node("t:B")
    assert graph.countries[graph.country[node]] == "KZ"
    with pytest.raises(KeyError, match="no entity"):
        graph.node("t:B2")


def test_shipment_attributes_are_aligned_to_their_edges(small: Workspace) -> None:
    graph = build(small)
    nx_graph = to_networkx(graph)
    rows = sorted(
        ((data["date"] or ""), data["hs6"], data["chpl_tier"], data["value"], data["quantity"])
        for _, _, data in nx_graph.edges(data=True)
        if data["type"] == "SHIPPED_TO"
    )
    assert rows[0][0] == "" and rows[0][3] is None  # D3: no date, no value
    assert [row[1] for row in rows] == ["854231", "854231", "847130"]
    assert rows[1][2] == "1" and rows[2][2] is None
    assert rows[1][4] == 100.0
    edge = int(graph.shipment_edge[0])
    assert graph.kind[edge] == _kind("SHIPPED_TO") and graph.shipment_row(edge) == 0
    assert graph.shipment_row(int(np.flatnonzero(graph.kind == _kind("OWNS"))[0])) == -1


def _assert_same(graph: CSRGraph) -> None:
    nx_graph = to_networkx(graph)
    assert list(nx_graph.nodes) == graph.ids
    theirs = Counter((u, v, data["type"]) for u, v, data in nx_graph.edges(data=True))
    ours = Counter(
        (graph.ids[s], graph.ids[t], list(_all_kinds())[k])
        for s, t, k in zip(graph.source, graph.target, graph.kind, strict=True)
    )
    assert theirs == ours
    for node, data in nx_graph.nodes(data=True):
        assert data["sanctioned"] == bool(graph.sanctioned[graph.index[node]])


def _all_kinds() -> list[str]:
    from ownergraph.model.schema import LINK_KINDS

    return list(LINK_KINDS)


def test_to_networkx_has_the_same_nodes_and_edges(small: Workspace) -> None:
    _assert_same(build(small))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, dict[str, object]]:
    """The seeded synthetic world of 1,000 companies, loaded as dataset ``synthetic``."""
    from ownergraph.ingest import load_file

    folder = tmp_path_factory.mktemp("world")
    truth = generate(folder, seed=7, size=1000)
    workspace = Workspace(folder / "w.db")
    for name in ("entities", "links", "listings", "shipments"):
        load_file(workspace, f"{name}-csv", folder / f"{name}.csv", progress=False,
                  dataset="synthetic")  # fmt: skip
    return workspace, truth


def test_a_generated_world_has_every_link_and_shipment(
    generated: tuple[Workspace, dict[str, object]],
) -> None:
    workspace, truth = generated
    graph = build(workspace, as_of="2025-01-01")
    counts = truth["counts"]
    assert isinstance(counts, dict)
    kinds = Counter(int(k) for k in graph.kind)
    links = workspace.query("SELECT count(*) FROM links WHERE target_id IS NOT NULL")[0][0]
    assert sum(n for k, n in kinds.items() if k < _kind("SHIPPED_TO")) == links
    assert kinds[_kind("SHIPPED_TO")] == counts["shipments"]
    entities = workspace.query("SELECT count(*) FROM entities")[0][0]
    assert graph.node_count == entities  # every edge end is a loaded record here
    listed = truth["listed"]
    assert isinstance(listed, list)
    assert {graph.ids[i] for i in np.flatnonzero(graph.sanctioned)} == {
        f"synthetic:{entity}" for entity in listed
    }
    _assert_same(graph)

"""FtM round trip: ``export --all --format ftm`` then ``load ftm`` into an empty workspace gives
the same graph: the same nodes (schema, country, sanctioned), the same links with their dates and
shares, the same shipments (date, HS-6, CHPL tier, value, declarant) and the same declarations.

Two things FtM cannot say are left out of the comparison, as docs/exports.md explains: a
shipment's quantity (FtM's customs declaration has no quantity; it travels in ``summary``), and
duplicate ``REGISTERED_AT`` links between the same two entities (FtM's ``addressEntity`` lists an
address once), so those are compared as a set.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
from click.testing import CliRunner

from ownergraph.cli import main
from ownergraph.exports.ftm import IDENTIFIER_PROPERTIES, ftm_id
from ownergraph.graph import build, to_networkx
from ownergraph.workspace import Workspace

World = tuple[Path, dict[str, Any]]


def _number(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def summary(graph: nx.MultiDiGraph, name: Callable[[str], str]) -> dict[str, Any]:
    """What the comparison looks at, with node ids mapped by ``name``."""
    edges: Counter[tuple[Any, ...]] = Counter()
    addresses = set()
    for u, v, d in graph.edges(data=True):
        ends = (name(u), name(v))
        if d["type"] == "REGISTERED_AT":
            addresses.add(ends)
            continue
        fields = ["type", "start_date", "end_date", "share_low", "share_high", "count", "date",
                  "hs6", "chpl_tier", "value"]  # fmt: skip
        row = tuple(_number(d.get(field)) for field in fields)
        declarant = d.get("declarant")
        edges[(*ends, *row, name(declarant) if declarant else None)] += 1
    nodes = {
        name(node): (data["schema"], data["country"], data["sanctioned"])
        for node, data in graph.nodes(data=True)
    }
    return {"nodes": nodes, "edges": edges, "addresses": addresses}


def test_export_then_load_ftm_gives_the_same_graph(resolved_world: World, tmp_path: Path) -> None:
    runner = CliRunner()
    exported = tmp_path / "world.ftm.jsonl"
    result = runner.invoke(main, ["--workspace", str(resolved_world[0]), "export", "--all",
                                  "--format", "ftm", "-o", str(exported)])  # fmt: skip
    assert result.exit_code == 0, result.output
    copy = tmp_path / "copy.db"
    result = runner.invoke(main, ["--workspace", str(copy), "load", "ftm", str(exported),
                                  "--dataset", "copy"])  # fmt: skip
    assert result.exit_code == 0, result.output
    with Workspace(resolved_world[0]) as workspace:
        original = summary(to_networkx(build(workspace)), lambda entity: ftm_id(entity))
    with Workspace(copy) as workspace:
        assert not workspace.query("SELECT 1 FROM rejects LIMIT 1")
        again = summary(to_networkx(build(workspace)), lambda entity: entity.split(":", 1)[1])
    assert again["nodes"] == original["nodes"]
    assert again["edges"] == original["edges"]
    assert again["addresses"] == original["addresses"]
    kinds = {key[2] for key in original["edges"]}
    assert {"OWNS", "OFFICER_OF", "SHIPPED_TO", "DECLARED"} <= kinds


def test_ftm_entities_keep_their_names_identifiers_and_source_records(
    resolved_world: World, tmp_path: Path
) -> None:
    from ownergraph.exports import export
    from ownergraph.exports.selection import around
    from ownergraph.ingest import load_file
    from ownergraph.lookup import entity_view

    trader = f"synthetic:{resolved_world[1]['chains'][0]['trader']}"
    with Workspace(resolved_world[0]) as workspace:
        before = entity_view(workspace, trader)
        (path,) = export(around(workspace, [trader], 0), "ftm", tmp_path / "one.ftm.jsonl")
    with Workspace(tmp_path / "one.db") as workspace:
        load_file(workspace, "ftm", path, dataset="one", progress=False)
        after = entity_view(workspace, f"one:{ftm_id(trader)}")
        properties = workspace.query("SELECT data FROM entities WHERE id = ?", (after.id,))[0][0]
    assert (after.name, after.schema, after.country) == (before.name, before.schema, before.country)
    assert set(after.aliases) == set(before.aliases)
    # Schemes FtM has a property for come back through it; the others (a Kazakh BIN) are written
    # as FtM's idNumber "scheme:value", which the loader reads back as that identifier.
    with_property = {i for i in before.identifiers if i.split(":")[0] in IDENTIFIER_PROPERTIES}
    assert with_property < set(before.identifiers)  # the trader has a BIN: both ways are tried
    assert set(after.identifiers) == set(before.identifiers)
    assert trader in properties  # the original id, as one of the referents


def test_every_link_kind_survives_the_ftm_round_trip(tmp_path: Path) -> None:
    from ownergraph.exports import export
    from ownergraph.exports.model import Edge, Node, Subgraph
    from ownergraph.ingest import load_file
    from ownergraph.model.schema import LINK_KINDS

    def node(entity: str, schema: str) -> Node:
        return Node(entity, entity.title(), schema, "DE", False, sources=[{"id": entity}])

    nodes = {n.id: n for n in (node("x:a", "Person"), node("x:b", "Company"),
                               node("x:c", "Company"), node("x:addr", "Address"))}  # fmt: skip
    edges = []
    for kind in LINK_KINDS:
        if kind == "SHIPPED_TO":
            attributes: dict[str, Any] = {"date": "2023-03-14", "hs_code": "854231",
                                          "value": 10.0, "declarant": "x:a"}  # fmt: skip
        else:
            attributes = {"start_date": "2021", "share": "25-50" if kind == "OWNS" else None}
        target = "x:addr" if kind == "REGISTERED_AT" else "x:c"
        edges.append(Edge(f"x:{kind}", kind, "x:b", target, attributes, [{"id": f"x:{kind}"}]))
    (path,) = export(Subgraph(nodes, edges), "ftm", tmp_path / "kinds.ftm.jsonl")
    with Workspace(tmp_path / "kinds.db") as workspace:
        load_file(workspace, "ftm", path, dataset="k", progress=False)
        graph = to_networkx(build(workspace))
    name = {f"k:{ftm_id(entity)}": entity for entity in nodes}
    found: dict[str, set[tuple[str, str]]] = {}
    for u, v, d in graph.edges(data=True):
        found.setdefault(d["type"], set()).add((name[u], name[v]))
    expected = {kind: {("x:b", "x:addr" if kind == "REGISTERED_AT" else "x:c")}
                for kind in LINK_KINDS}  # fmt: skip
    expected["DECLARED"] = {("x:a", "x:b"), ("x:a", "x:c")}  # both parties' goods declared
    assert found == expected
    owns = next(d for _, _, d in graph.edges(data=True) if d["type"] == "OWNS")
    assert (owns["share_low"], owns["share_high"], owns["start_date"]) == (25.0, 50.0, "2021-01-01")

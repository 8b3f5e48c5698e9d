"""Each format written and parsed back by a real reader (networkx's GEXF, GraphML and Cytoscape
readers, csv, openpyxl, lxml, followthemoney), then compared with the selection it came from."""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from lxml import etree

from ownergraph.errors import InputError
from ownergraph.exports import export
from ownergraph.exports.model import Subgraph
from ownergraph.exports.neo4j_csv import NODE_HEADER, RELATIONSHIP_HEADER


def lanes(subgraph: Subgraph) -> dict[tuple[str, str, str], int]:
    return {(lane.source, lane.target, lane.type): lane.weight for lane in subgraph.lanes()}


def test_gexf_reads_back_with_networkx_as_the_selection(
    trace_subgraph: Subgraph, tmp_path: Path
) -> None:
    (path,) = export(trace_subgraph, "gexf", tmp_path / "trace.gexf")
    graph = nx.read_gexf(path, version="1.3")
    assert set(graph) == set(trace_subgraph.nodes)
    for node in trace_subgraph.nodes.values():
        data = graph.nodes[node.id]
        assert (data["label"], data["schema"], data["sanctioned"]) == (
            node.name, node.schema, node.sanctioned)  # fmt: skip
    read = {(u, v, d["type"]): d["weight"] for u, v, d in graph.edges(data=True)}
    assert read == lanes(trace_subgraph)
    on_path = [d for _, _, d in graph.edges(data=True) if d.get("on_path")]
    assert on_path and all(d["type"] in ("SHIPPED_TO", "OWNS", "OFFICER_OF") for d in on_path)


def test_gexf_gives_each_lane_its_dates_as_disjoint_spells(
    trace_subgraph: Subgraph, tmp_path: Path
) -> None:
    (path,) = export(trace_subgraph, "gexf", tmp_path / "trace.gexf")
    root = etree.parse(str(path)).getroot()
    ns = {"g": "http://gexf.net/1.3"}
    assert root.get("version") == "1.3"
    assert root.find("g:graph", ns).get("mode") == "dynamic"
    shipped = root.xpath("//g:edge[@kind='SHIPPED_TO']", namespaces=ns)
    assert shipped
    for edge in shipped:
        spells = [(s.get("start"), s.get("end")) for s in edge.xpath("g:spells/g:spell",
                                                                    namespaces=ns)]  # fmt: skip
        assert spells and spells == sorted(spells)
        assert all(end < start for (_, end), (start, _) in itertools.pairwise(spells))


def test_graphml_reads_back_with_networkx_as_the_selection(
    around_subgraph: Subgraph, tmp_path: Path
) -> None:
    (path,) = export(around_subgraph, "graphml", tmp_path / "around.graphml")
    graph = nx.read_graphml(path, force_multigraph=True)
    assert set(graph) == set(around_subgraph.nodes)
    assert {n: d["name"] for n, d in graph.nodes(data=True)} == {
        n.id: n.name for n in around_subgraph.nodes.values()
    }
    read = {(u, v, d["type"]): d["weight"] for u, v, d in graph.edges(data=True)}
    assert read == lanes(around_subgraph)
    assert {n for n, d in graph.nodes(data=True) if d.get("seed")} == set(around_subgraph.seeds)


def test_cytoscape_json_reads_back_with_networkx_as_the_selection(
    trace_subgraph: Subgraph, tmp_path: Path
) -> None:
    (path,) = export(trace_subgraph, "cyjs", tmp_path / "trace.cyjs")
    document = json.loads(path.read_text("utf-8"))
    graph = nx.cytoscape_graph(document)
    assert set(graph) == set(trace_subgraph.nodes)
    read = {(u, v, d["type"]): d["weight"] for u, v, d in graph.edges(data=True)}
    assert read == lanes(trace_subgraph)


def test_csv_has_one_row_a_node_and_one_row_a_fact_with_its_citation(
    around_subgraph: Subgraph, tmp_path: Path
) -> None:
    written = export(around_subgraph, "csv", tmp_path / "out")
    assert [p.name for p in written] == ["nodes.csv", "edges.csv"]
    with (tmp_path / "out" / "nodes.csv").open(encoding="utf-8") as handle:
        nodes = {row["id"]: row for row in csv.DictReader(handle)}
    assert set(nodes) == set(around_subgraph.nodes)
    assert all(nodes[n.id]["name"] == n.name for n in around_subgraph.nodes.values())
    with (tmp_path / "out" / "edges.csv").open(encoding="utf-8") as handle:
        edges = list(csv.DictReader(handle))
    assert Counter(r["id"] for r in edges) == Counter(e.id for e in around_subgraph.edges)
    facts = [row for row in edges if row["type"] != "DECLARED"]
    assert all(row["dataset"] and row["source_file"] and row["record"] for row in facts)


def test_xlsx_has_a_sheet_per_kind_and_a_sources_sheet(
    trace_subgraph: Subgraph, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    (path,) = export(trace_subgraph, "xlsx", tmp_path / "trace.xlsx")
    book = load_workbook(path, read_only=True)
    kinds = {n.schema for n in trace_subgraph.nodes.values()} | {
        e.type for e in trace_subgraph.edges
    }
    assert set(book.sheetnames) == kinds | {"sources"}
    assert book.sheetnames[-1] == "sources"
    shipped = list(book["SHIPPED_TO"].iter_rows(values_only=True))
    header = shipped[0]
    assert len(shipped) - 1 == sum(e.type == "SHIPPED_TO" for e in trace_subgraph.edges)
    names = {n.id: n.name for n in trace_subgraph.nodes.values()}
    for row in shipped[1:]:
        data = dict(zip(header, row, strict=True))
        assert data["source_name"] == names[data["source"]]
    sources = {row[0] for row in book["sources"].iter_rows(min_row=2, values_only=True)}
    cited = {r["id"] for e in trace_subgraph.edges if e.type != "DECLARED" for r in e.records}
    assert cited <= sources


def test_neo4j_csv_headers_are_in_the_neo4j_admin_format(
    around_subgraph: Subgraph, tmp_path: Path
) -> None:
    export(around_subgraph, "neo4j-csv", tmp_path / "neo4j")
    typed = re.compile(r"^(:?[A-Za-z_0-9]*(:(ID|LABEL|START_ID|END_ID|TYPE|float|int|boolean|"
                       r"string\[\]))?)$")  # fmt: skip
    with (tmp_path / "neo4j" / "entities.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == NODE_HEADER and all(typed.match(c) for c in NODE_HEADER)
    ids = {row[0] for row in rows[1:]}
    assert ids == set(around_subgraph.nodes)
    assert all(row[1].split(";")[0] == "Entity" for row in rows[1:])
    with (tmp_path / "neo4j" / "relationships.csv").open(encoding="utf-8") as handle:
        relationships = list(csv.reader(handle))
    assert tuple(relationships[0]) == RELATIONSHIP_HEADER
    assert all(typed.match(c) for c in RELATIONSHIP_HEADER)
    assert len(relationships) - 1 == len(around_subgraph.edges)
    assert all(row[0] in ids and row[1] in ids for row in relationships[1:])
    assert "neo4j-admin database import full" in (tmp_path / "neo4j" / "README.txt").read_text()


def test_ftm_lines_are_valid_followthemoney_entities(
    trace_subgraph: Subgraph, tmp_path: Path
) -> None:
    ftm = pytest.importorskip("followthemoney")
    (path,) = export(trace_subgraph, "ftm", tmp_path / "trace.ftm.jsonl")
    schemata = Counter()
    for line in path.read_text("utf-8").splitlines():
        data = json.loads(line)
        proxy = ftm.model.get_proxy(data, cleaned=False)
        schemata[proxy.schema.name] += 1
        for name, values in data["properties"].items():
            prop = proxy.schema.get(name)
            assert prop is not None, f"{data['schema']} has no property {name}"
            assert all(prop.type.validate(value) for value in values), (name, values)
    assert schemata["EconomicActivity"] == sum(e.type == "SHIPPED_TO" for e in trace_subgraph.edges)
    assert schemata["Sanction"] == sum(len(n.listings) for n in trace_subgraph.nodes.values())


def test_the_report_cites_every_fact_of_every_path(
    trace_document: dict[str, Any], trace_subgraph: Subgraph, tmp_path: Path
) -> None:
    markdown, page = export(trace_subgraph, "report", tmp_path / "report.md")
    text = markdown.read_text("utf-8")
    first = trace_document["paths"][0]
    supplier = first["nodes"][0]
    assert f"**{supplier['name']}** ({supplier['country']}) shipped" in text
    assert "holds 51%" in text and "listed: OFAC SDN" in text
    assert "Entity-resolution merges" in text
    html = etree.HTML(page.read_text("utf-8"))
    evidence = html.xpath("//h2[text()='Evidence']/following-sibling::table[1]")[0]
    cited = {row.xpath("string(td[3])") for row in evidence.xpath(".//tr[td]")}
    for path in trace_document["paths"]:
        for edge in path["edges"]:
            assert {record["id"] for record in edge["records"]} <= cited


def test_the_report_of_bare_paths_leaves_out_what_the_document_lacks(
    paths_document: dict[str, Any], world_workspace: Any, tmp_path: Path
) -> None:
    from ownergraph.exports.selection import from_document

    bare = {"paths": [{"nodes": p["nodes"], "edges": p["edges"]} for p in paths_document["paths"]]}
    markdown, _ = export(from_document(bare, world_workspace), "report", tmp_path / "bare")
    text = markdown.read_text("utf-8")
    assert text.count("## Path ") == len(paths_document["paths"])
    assert "score" not in text and "Why this path ranks" not in text
    assert "### Sanctioned entities on this path" in text  # the end user's listings, cited


def test_the_report_needs_paths_not_a_neighbourhood(
    around_subgraph: Subgraph, tmp_path: Path
) -> None:
    with pytest.raises(InputError, match="--from-json"):
        export(around_subgraph, "report", tmp_path / "report.md")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_a_picture_of_a_trace_is_an_image(
    trace_subgraph: Subgraph, tmp_path: Path, kind: str
) -> None:
    (path,) = export(trace_subgraph, kind, tmp_path / f"trace.{kind}")
    if kind == "png":
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert etree.parse(str(path)).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_the_html_page_embeds_everything_it_needs(trace_subgraph: Subgraph, tmp_path: Path) -> None:
    (path,) = export(trace_subgraph, "html", tmp_path / "trace.html")
    page = path.read_text("utf-8")
    assert "Cytoscape Consortium" in page
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", page)
    data = json.loads(etree.HTML(page).xpath("//script[@id='og-data']")[0].text)
    assert {n["data"]["id"] for n in data["elements"]["nodes"]} == set(trace_subgraph.nodes)
    assert len(data["paths"]) == len(trace_subgraph.paths)


def test_write_trace_outputs_gives_the_demo_its_view_and_report(
    world_workspace: Any, trace_document: dict[str, Any], tmp_path: Path
) -> None:
    from ownergraph.exports import write_trace_outputs

    page, report = write_trace_outputs(world_workspace, trace_document, tmp_path / "demo")
    assert (page.name, report.name) == ("trace.html", "trace-report.md")
    assert report.with_suffix(".html").exists()
    assert "Cytoscape Consortium" in page.read_text("utf-8")

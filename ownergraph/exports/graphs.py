"""Graph-file exports: GEXF 1.3 (Gephi), GraphML (yEd, Cytoscape desktop) and Cytoscape.js JSON.

Each draws one edge a :class:`~ownergraph.exports.model.Lane` (all facts of one type between two
entities), weighted by its facts; GEXF gives each lane its facts' dates as spells, so Gephi's
timeline shows when an ownership held or shipments ran. Node attributes: label (name), schema,
country, sanctioned, aliases, identifiers, listings, and whether the node is a seed of the
selection or on an emphasised path.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from lxml import etree

from ownergraph import __version__
from ownergraph.exports.model import Lane, Node, Selection, Subgraph
from ownergraph.exports.tables import listing_text

GEXF_NS = "http://gexf.net/1.3"
VIZ_NS = "http://gexf.net/1.3/viz"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

NODE_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("schema", "string"), ("country", "string"), ("sanctioned", "boolean"),
    ("aliases", "string"), ("identifiers", "string"), ("listings", "string"),
    ("seed", "boolean"), ("on_path", "boolean"),
)  # fmt: skip
"""Node attributes of the graph formats, with their GEXF/GraphML types."""
EDGE_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("type", "string"), ("count", "integer"), ("share", "string"), ("role", "string"),
    ("first_date", "string"), ("last_date", "string"), ("value", "double"),
    ("chpl_tier", "string"), ("hs6", "string"), ("on_path", "boolean"),
)  # fmt: skip
_COLOURS = {
    "sanctioned": (220, 38, 38),
    "Person": (37, 99, 235),
    "Address": (148, 163, 184),
    None: (100, 116, 139),
}
_DEFAULT_COLOUR = (15, 118, 110)


def node_attributes(node: Node, subgraph: Subgraph, on_path: set[str]) -> dict[str, Any]:
    return {
        "schema": node.schema,
        "country": node.country,
        "sanctioned": node.sanctioned,
        "aliases": "; ".join(node.aliases) or None,
        "identifiers": "; ".join(node.identifiers) or None,
        "listings": "; ".join(listing_text(listing) for listing in node.listings) or None,
        "seed": node.id in subgraph.seeds,
        "on_path": node.id in on_path,
    }


def lane_attributes(lane: Lane, on_path: set[str]) -> dict[str, Any]:
    summary = lane.summary()
    summary["on_path"] = any(edge.id in on_path for edge in lane.edges)
    return {name: summary.get(name) for name, _ in EDGE_ATTRIBUTES}


def colour(node: Node) -> tuple[int, int, int]:
    if node.sanctioned:
        return _COLOURS["sanctioned"]
    return _COLOURS.get(node.schema, _DEFAULT_COLOUR)


def _gexf_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_gexf(selection: Selection, path: Path) -> list[Path]:
    """GEXF 1.3: labels, attributes, colours, lane weights, ``kind`` = link type, spells."""
    subgraph = selection.materialise()
    path_nodes, path_edges = subgraph.on_path()
    lanes = subgraph.lanes()
    spells = {lane.id: lane.spells() for lane in lanes}
    dynamic = any(spells.values())
    gexf = f"{{{GEXF_NS}}}"
    with etree.xmlfile(str(path), encoding="utf-8") as xml:
        xml.write_declaration()
        root_attributes = {
            "version": "1.3",
            f"{{{XSI_NS}}}schemaLocation": f"{GEXF_NS} {GEXF_NS}/gexf.xsd",
        }
        nsmap = {None: GEXF_NS, "viz": VIZ_NS, "xsi": XSI_NS}
        with xml.element(f"{gexf}gexf", root_attributes, nsmap=nsmap):
            meta = etree.Element(f"{gexf}meta", lastmodifieddate=date.today().isoformat())
            etree.SubElement(meta, f"{gexf}creator").text = f"ownergraph {__version__}"
            etree.SubElement(meta, f"{gexf}description").text = subgraph.title
            xml.write(meta)
            graph = {"defaultedgetype": "directed", "mode": "dynamic" if dynamic else "static"}
            if dynamic:
                graph["timeformat"] = "date"
            with xml.element(f"{gexf}graph", graph):
                for kind, attributes in (("node", NODE_ATTRIBUTES), ("edge", EDGE_ATTRIBUTES)):
                    declared = etree.Element(f"{gexf}attributes", {"class": kind})
                    for name, type_name in attributes:
                        etree.SubElement(declared, f"{gexf}attribute", id=name, title=name,
                                         type=type_name)  # fmt: skip
                    xml.write(declared)
                with xml.element(f"{gexf}nodes"):
                    for node in subgraph.iter_nodes():
                        element = etree.Element(f"{gexf}node", id=node.id, label=node.name)
                        _attvalues(element, node_attributes(node, subgraph, path_nodes))
                        red, green, blue = colour(node)
                        etree.SubElement(element, f"{{{VIZ_NS}}}color", r=str(red),
                                         g=str(green), b=str(blue))  # fmt: skip
                        xml.write(element)
                with xml.element(f"{gexf}edges"):
                    for lane in lanes:
                        element = etree.Element(
                            f"{gexf}edge", id=lane.id, source=lane.source, target=lane.target,
                            label=lane.label, weight=str(float(lane.weight)), kind=lane.type,
                        )  # fmt: skip
                        _attvalues(element, lane_attributes(lane, path_edges))
                        if spells[lane.id]:
                            holder = etree.SubElement(element, f"{gexf}spells")
                            for start, end in spells[lane.id] or []:
                                spell = etree.SubElement(holder, f"{gexf}spell")
                                if start:
                                    spell.set("start", start)
                                if end:
                                    spell.set("end", end)
                        xml.write(element)
    return [path]


def _attvalues(element: Any, values: dict[str, Any]) -> None:
    holder = etree.SubElement(element, f"{{{GEXF_NS}}}attvalues")
    for name, value in values.items():
        if value is not None:
            etree.SubElement(holder, f"{{{GEXF_NS}}}attvalue", {"for": name,
                             "value": _gexf_value(value)})  # fmt: skip


def write_graphml(selection: Selection, path: Path) -> list[Path]:
    """GraphML with typed keys: ``label``/``name`` on nodes (what yEd and Cytoscape show),
    the node and lane attributes, ``weight`` on edges."""
    subgraph = selection.materialise()
    path_nodes, path_edges = subgraph.on_path()
    graphml = "{http://graphml.graphdrawing.org/xmlns}"
    types = {"string": "string", "boolean": "boolean", "integer": "int", "double": "double"}
    node_keys = [("label", "string"), ("name", "string"), *NODE_ATTRIBUTES]
    edge_keys = [("label", "string"), ("weight", "double"), *EDGE_ATTRIBUTES]
    with etree.xmlfile(str(path), encoding="utf-8") as xml:
        xml.write_declaration()
        nsmap = {None: graphml[1:-1], "xsi": XSI_NS}
        location = {f"{{{XSI_NS}}}schemaLocation": "http://graphml.graphdrawing.org/xmlns "
                    "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"}  # fmt: skip
        with xml.element(f"{graphml}graphml", location, nsmap=nsmap):
            for owner, keys in (("node", node_keys), ("edge", edge_keys)):
                for name, type_name in keys:
                    xml.write(etree.Element(f"{graphml}key", {
                        "id": f"{owner[0]}_{name}", "for": owner, "attr.name": name,
                        "attr.type": types[type_name],
                    }))  # fmt: skip
            with xml.element(f"{graphml}graph", id="ownergraph", edgedefault="directed"):
                for node in subgraph.iter_nodes():
                    element = etree.Element(f"{graphml}node", id=node.id)
                    values = {"label": node.name, "name": node.name,
                              **node_attributes(node, subgraph, path_nodes)}  # fmt: skip
                    _data(element, "n", values)
                    xml.write(element)
                for lane in subgraph.lanes():
                    element = etree.Element(f"{graphml}edge", id=lane.id, source=lane.source,
                                            target=lane.target)  # fmt: skip
                    values = {"label": lane.label, "weight": float(lane.weight),
                              **lane_attributes(lane, path_edges)}  # fmt: skip
                    _data(element, "e", values)
                    xml.write(element)
    return [path]


def _data(element: Any, prefix: str, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if value is not None:
            item = etree.SubElement(element, "{http://graphml.graphdrawing.org/xmlns}data",
                                    key=f"{prefix}_{name}")  # fmt: skip
            item.text = _gexf_value(value)


def cytoscape_elements(subgraph: Subgraph, *, records: bool = False) -> dict[str, Any]:
    """Cytoscape.js ``elements``: node and lane ``data``; with ``records``, each node's
    properties, listings and sources and each lane's facts with their citations (the HTML
    viewer shows them)."""
    path_nodes, path_edges = subgraph.on_path()
    nodes = []
    for node in subgraph.iter_nodes():
        # "value" is the node key networkx's cytoscape reader uses; Cytoscape ignores it.
        data = {"id": node.id, "value": node.id, "label": node.name, "name": node.name,
                **node_attributes(node, subgraph, path_nodes)}  # fmt: skip
        if records:
            data.update(
                {"properties": node.properties, "listings": node.listings,
                 "sources": node.sources, "aliases_list": node.aliases,
                 "identifiers_list": node.identifiers}
            )  # fmt: skip
        nodes.append({"data": _present(data)})
    edges = []
    for lane in subgraph.lanes():
        data = {"id": lane.id, "key": lane.type, "source": lane.source, "target": lane.target,
                "label": lane.label, "weight": lane.weight,
                **lane_attributes(lane, path_edges)}  # fmt: skip
        if records:
            data["facts"] = [edge.as_dict() for edge in lane.edges]
        edges.append({"data": _present(data)})
    return {"nodes": nodes, "edges": edges}


def _present(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


def cytoscape_document(subgraph: Subgraph) -> dict[str, Any]:
    """The Cytoscape.js JSON document (also what Cytoscape desktop imports as ``.cyjs``)."""
    return {
        "format_version": "1.0",
        "generated_by": f"ownergraph {__version__}",
        "target_cytoscapejs_version": "~3.30",
        # Read by networkx.cytoscape_graph: one edge a lane, lanes of several types may be parallel.
        "directed": True,
        "multigraph": True,
        "data": {"name": subgraph.title, "query": subgraph.query, "as_of": subgraph.as_of},
        "elements": cytoscape_elements(subgraph),
    }


def write_cyjs(selection: Selection, path: Path) -> list[Path]:
    document = cytoscape_document(selection.materialise())
    with path.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=1, default=str)
    return [path]

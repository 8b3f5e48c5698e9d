"""A static picture (PNG or SVG) of a small subgraph, for quick sharing.

Drawn by networkx with matplotlib (headless ``Agg``): names as labels, sanctioned entities red,
CHPL shipments orange, path edges thick, the link type on each edge.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import networkx as nx

from ownergraph.errors import InputError
from ownergraph.exports.graphs import colour
from ownergraph.exports.model import Selection, Subgraph

MAX_NODES = 300
"""Largest selection drawn: beyond it the picture is a hairball; use html or gexf."""


def _positions(subgraph: Subgraph, graph: nx.MultiDiGraph) -> dict[str, Any]:
    if subgraph.paths:
        # Each path a row, left to right, so a chain reads like the sentence in the report.
        positions: dict[str, Any] = {}
        for row, path in enumerate(subgraph.paths):
            for column, node in enumerate(path.nodes):
                positions.setdefault(node, (float(column), -float(row)))
        rest = [node for node in graph if node not in positions]
        if rest:
            placed = nx.spring_layout(graph, pos=positions, fixed=list(positions), seed=7)
            positions.update({node: placed[node] for node in rest})
        return positions
    return dict(nx.spring_layout(graph, seed=7, k=1.5 / max(len(graph), 1) ** 0.5))


def write_picture(selection: Selection, path: Path, image_format: str) -> list[Path]:
    """Draw the selection into ``path`` as ``png`` or ``svg``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    subgraph = selection.materialise()
    if len(subgraph.nodes) > MAX_NODES:
        raise InputError(
            f"{len(subgraph.nodes):,} entities are too many for a picture (at most {MAX_NODES}); "
            f"narrow the selection, or export html or gexf"
        )
    graph = nx.MultiDiGraph()
    graph.add_nodes_from(subgraph.nodes)
    lanes = subgraph.lanes()
    _, on_path = subgraph.on_path()
    for lane in lanes:
        graph.add_edge(lane.source, lane.target, key=lane.type)
    positions = _positions(subgraph, graph)
    size = max(6.0, min(24.0, 2.0 + len(graph) ** 0.5 * 1.6))
    figure, axes = plt.subplots(figsize=(size * 1.4, size))
    try:
        nodes = list(subgraph.nodes.values())
        nx.draw_networkx_nodes(
            graph, positions, ax=axes, nodelist=[n.id for n in nodes], node_size=260,
            node_color=[tuple(c / 255 for c in colour(n)) for n in nodes],
            edgecolors=["#4338ca" if n.id in {x for p in subgraph.paths for x in p.nodes}
                        else "#334155" for n in nodes],
        )  # fmt: skip
        for lane in lanes:
            chpl = lane.type == "SHIPPED_TO" and any(e.attributes.get("chpl_tier")
                                                     for e in lane.edges)  # fmt: skip
            emphasised = any(edge.id in on_path for edge in lane.edges)
            nx.draw_networkx_edges(
                graph, positions, ax=axes, edgelist=[(lane.source, lane.target)],
                width=3.5 if emphasised else 1.0 + min(lane.weight, 10) * 0.2,
                edge_color="#ea580c" if chpl else "#4338ca" if emphasised else "#94a3b8",
                style="dashed" if lane.type == "DECLARED" else "solid",
                arrows=True, arrowsize=12, connectionstyle="arc3,rad=0.08", node_size=260,
            )  # fmt: skip
        labels = {n.id: f"{n.name[:40]}\n({n.country or '?'})" for n in nodes}
        nx.draw_networkx_labels(graph, positions, labels, ax=axes, font_size=7,
                                verticalalignment="top")  # fmt: skip
        edge_labels = {(lane.source, lane.target): lane.label for lane in lanes
                       if lane.source != lane.target}  # fmt: skip
        nx.draw_networkx_edge_labels(graph, positions, edge_labels, ax=axes, font_size=6,
                                     font_color="#475569")  # fmt: skip
        axes.set_title(subgraph.title, fontsize=10)
        axes.margins(0.15)
        axes.set_axis_off()
        figure.savefig(path, format=image_format, dpi=150, bbox_inches="tight")
    finally:
        plt.close(figure)
    return [path]

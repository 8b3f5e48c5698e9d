"""The self-contained HTML viewer: one file with Cytoscape.js and the subgraph embedded.

It opens without network access: the graph library (``assets/cytoscape.min.js``, MIT, version and
source in docs/exports.md), the page's code and the data are all inside. Pan, zoom, search,
click a node or an edge for its properties and the records that source it; sanctioned entities,
CHPL shipments and the paths of a trace are emphasised.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ownergraph import __version__
from ownergraph.errors import InputError
from ownergraph.exports.graphs import cytoscape_elements
from ownergraph.exports.model import Selection, Subgraph

MAX_NODES = 5000
"""Largest selection the viewer takes: a browser draws more, but nobody can read it."""
_COSE_NODES = 1500


def asset(name: str) -> str:
    """A file of the ``assets`` folder shipped with the package."""
    return resources.files("ownergraph.exports").joinpath("assets", name).read_text("utf-8")


def _layout(subgraph: Subgraph) -> dict[str, Any]:
    if subgraph.paths:
        roots = list(dict.fromkeys(path.nodes[0] for path in subgraph.paths if path.nodes))
        return {"name": "breadthfirst", "roots": roots, "directed": False, "spacingFactor": 1.1,
                "animate": False}  # fmt: skip
    if len(subgraph.nodes) <= _COSE_NODES:
        return {"name": "cose", "animate": False, "randomize": False, "nodeRepulsion": 400000,
                "idealEdgeLength": 90, "nodeOverlap": 20, "gravity": 0.3, "numIter": 1500,
                "componentSpacing": 80}  # fmt: skip
    return {"name": "concentric", "animate": False}


def viewer_data(subgraph: Subgraph) -> dict[str, Any]:
    """What the page draws: elements with their facts and citations, the paths, the layout."""
    lanes = {edge.id: lane.id for lane in subgraph.lanes() for edge in lane.edges}
    return {
        "title": subgraph.title,
        "as_of": subgraph.as_of,
        "query": subgraph.query,
        "generated": f"ownergraph {__version__}, {datetime.now(UTC).isoformat(timespec='seconds')}",
        "elements": cytoscape_elements(subgraph, records=True),
        "paths": [
            {
                "label": path.label,
                "nodes": list(path.nodes),
                "lanes": list(dict.fromkeys(lanes[e] for e in path.edges if e in lanes)),
            }
            for path in subgraph.paths
        ],
        "layout": _layout(subgraph),
    }


def render(subgraph: Subgraph) -> str:
    """The page as text."""
    if len(subgraph.nodes) > MAX_NODES:
        raise InputError(
            f"{len(subgraph.nodes):,} entities are too many for the HTML viewer (at most "
            f"{MAX_NODES:,}); narrow the selection, or export gexf for Gephi"
        )
    # "<" escaped in the JSON so no text in the data can close the script element.
    data = json.dumps(viewer_data(subgraph), ensure_ascii=False, default=str).replace(
        "<", "\\u003c"
    )
    page = asset("viewer.html")
    title = subgraph.title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        page.replace("__OG_TITLE__", title)
        .replace("__OG_CYTOSCAPE__", asset("cytoscape.min.js"))
        .replace("__OG_DATA__", data)
    )


def write_html(selection: Selection, path: Path) -> list[Path]:
    path.write_text(render(selection.materialise()), encoding="utf-8")
    return [path]

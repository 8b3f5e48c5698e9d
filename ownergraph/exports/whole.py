"""The whole graph as a selection (``--all``): every node and edge, streamed from the workspace.

Kept apart from ``selection`` so that a streaming export imports no graph or path machinery.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ownergraph.exports.edges import all_edges
from ownergraph.exports.entities import all_nodes
from ownergraph.exports.model import Edge, EmptySelection, Node, Subgraph
from ownergraph.workspace import Workspace


class WholeGraph:
    """Every node and edge of the workspace's resolved graph, streamed."""

    def __init__(self, workspace: Workspace, as_of: str | None = None) -> None:
        self.workspace = workspace
        self.as_of = as_of
        self.day = as_of or date.today().isoformat()
        self.title = f"the whole graph of {workspace.path.name}"
        if not workspace.query("SELECT 1 FROM entities LIMIT 1") and not workspace.query(
            "SELECT 1 FROM shipments LIMIT 1"
        ):
            raise EmptySelection(f"the workspace {workspace.path} is empty: load some data first")

    def iter_nodes(self) -> Iterator[Node]:
        return all_nodes(self.workspace, self.day)

    def iter_edges(self) -> Iterator[Edge]:
        return all_edges(self.workspace)

    def materialise(self) -> Subgraph:
        nodes = {node.id: node for node in self.iter_nodes()}
        return Subgraph(nodes, list(self.iter_edges()), title=self.title, as_of=self.as_of,
                        query={"all": True, "as_of": self.as_of})  # fmt: skip

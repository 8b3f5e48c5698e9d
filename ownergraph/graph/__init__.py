"""The resolved graph in compact numpy arrays (CSR), built from a workspace; networkx on request."""

from ownergraph.graph.build import build, to_networkx
from ownergraph.graph.cache import load as load_graph
from ownergraph.graph.csr import OPEN_END, OPEN_START, CSRGraph, day_number, day_text

__all__ = [
    "OPEN_END",
    "OPEN_START",
    "CSRGraph",
    "build",
    "day_number",
    "day_text",
    "load_graph",
    "to_networkx",
]

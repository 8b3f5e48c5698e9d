"""The compact in-process graph: numpy arrays in CSR layout over resolved (canonical) entities.

Layout (all arrays are numpy; ``n`` nodes, ``m`` edges, ``k`` shipments):

- nodes ``0..n-1`` are canonical entity ids (``ids``, ``index`` maps back; order: see ``build``);
  ``schema`` (int8, position in ``ENTITY_KINDS``, -1 unknown), ``country`` (int16, position in
  ``countries``, -1 unknown), ``sanctioned`` (bool: an active listing on ``as_of``).
- edges ``0..m-1`` are sorted by source node, so the out-adjacency of node ``v`` is simply the
  edge range ``out_ptr[v]:out_ptr[v+1]`` and ``target`` doubles as the out-neighbour array (no
  separate out-edge-id array: that keeps the structure under 40 bytes an edge). ``kind`` is the
  position of the link type in ``LINK_KINDS`` (int8); ``start``/``end`` are days since
  1970-01-01 (int32) with ``OPEN_START``/``OPEN_END`` for open or unknown ends; ``share_low`` and
  ``share_high`` are percentages (float32, NaN when unknown).
- the in-adjacency of ``v`` is ``in_source[in_ptr[v]:in_ptr[v+1]]`` (the neighbours) with the
  matching edge ids in ``in_edge``.
- shipments: one ``SHIPPED_TO`` edge per shipment record; the shipment attributes live in arrays of
  length ``k`` ordered by edge id, with ``shipment_edge`` (ascending) the edge each row belongs to
  (:meth:`CSRGraph.shipment_row` finds the row of an edge by binary search).
- ``DECLARED`` edges are aggregated: one per distinct (declarant, party) pair, spanning the first
  to the last shipment day, with the number of shipments in ``declared_count`` (ordered by edge id,
  ``declared_edge`` ascending). One edge per shipment would multiply a broker's edges by its
  volume without adding any path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from ownergraph.model.schema import ENTITY_KINDS, LINK_KINDS

OPEN_START = int(np.iinfo(np.int32).min)
"""Start day of a link with no (known) start: valid since forever."""
OPEN_END = int(np.iinfo(np.int32).max)
"""End day of a link with no (known) end: still valid."""
EPOCH = date(1970, 1, 1)

SCHEMAS: tuple[str, ...] = tuple(ENTITY_KINDS)
KINDS: tuple[str, ...] = tuple(LINK_KINDS)

IntArray = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]


def day_number(value: str | date) -> int:
    """Days since 1970-01-01 of an ISO date (``date`` or ``"YYYY-MM-DD"``)."""
    when = value if isinstance(value, date) else date.fromisoformat(value)
    return (when - EPOCH).days


def day_text(day: int) -> str | None:
    """The ISO date of a day number, or None for the open sentinels."""
    if day in (OPEN_START, OPEN_END):
        return None
    return (EPOCH + timedelta(days=int(day))).isoformat()


@dataclass(frozen=True, eq=False)
class CSRGraph:
    """A resolved ownership and trade graph in compact arrays; see the module docstring."""

    ids: list[str]
    index: dict[str, int]
    schema: npt.NDArray[np.int8]
    country: npt.NDArray[np.int16]
    countries: tuple[str, ...]
    sanctioned: npt.NDArray[np.bool_]
    as_of: str
    source: IntArray
    target: IntArray
    kind: npt.NDArray[np.int8]
    start: IntArray
    end: IntArray
    share_low: npt.NDArray[np.float32]
    share_high: npt.NDArray[np.float32]
    out_ptr: npt.NDArray[np.integer[Any]]
    in_ptr: npt.NDArray[np.integer[Any]]
    in_source: IntArray
    in_edge: IntArray
    shipment_edge: IntArray
    shipment_day: IntArray
    shipment_hs6: IntArray
    shipment_tier: npt.NDArray[np.int8]
    shipment_value: npt.NDArray[np.float32]
    shipment_quantity: npt.NDArray[np.float32]
    shipment_declarant: IntArray
    tiers: tuple[str, ...]
    declared_edge: IntArray
    declared_count: IntArray
    scratch: dict[str, Any] = field(default_factory=dict, repr=False)
    """Reusable per-graph work arrays for the path functions (not thread-safe)."""

    @property
    def node_count(self) -> int:
        return len(self.ids)

    @property
    def edge_count(self) -> int:
        return int(self.source.shape[0])

    def node(self, entity_id: str) -> int:
        """The node index of a canonical entity id; :class:`KeyError` if it is not in the graph."""
        try:
            return self.index[entity_id]
        except KeyError:
            raise KeyError(f"no entity {entity_id!r} in the graph") from None

    def out_edges(self, node: int) -> range:
        """Edge ids leaving ``node`` (edges are sorted by source)."""
        return range(int(self.out_ptr[node]), int(self.out_ptr[node + 1]))

    def shipment_rows(self, edges: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Rows of the shipment arrays for ``SHIPPED_TO`` edge ids (which must be shipments).

        The ids are cast to the array's own width first: searching int64 values in the int32
        array would make numpy convert the whole array, a million entries, on every call."""
        wanted = np.asarray(edges).astype(self.shipment_edge.dtype, copy=False)
        return np.searchsorted(self.shipment_edge, wanted)

    def declared_rows(self, edges: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """Rows of ``declared_count`` for ``DECLARED`` edge ids (see :meth:`shipment_rows`)."""
        wanted = np.asarray(edges).astype(self.declared_edge.dtype, copy=False)
        return np.searchsorted(self.declared_edge, wanted)

    def shipment_row(self, edge: int) -> int:
        """Row of the shipment arrays for a ``SHIPPED_TO`` edge, or -1 for other edges."""
        row = int(self.shipment_rows([edge])[0])
        ok = row < len(self.shipment_edge) and self.shipment_edge[row] == edge
        return row if ok else -1

    def declared_row(self, edge: int) -> int:
        """Row of ``declared_count`` for a ``DECLARED`` edge, or -1 for other edges."""
        row = int(self.declared_rows([edge])[0])
        ok = row < len(self.declared_edge) and self.declared_edge[row] == edge
        return row if ok else -1

    def array_bytes(self) -> int:
        """Bytes held in numpy arrays (everything except the id strings and the index dict)."""
        return sum(
            value.nbytes
            for name, value in vars(self).items()
            if isinstance(value, np.ndarray) and name != "scratch"
        )

    def edge_bytes(self) -> int:
        """Bytes of the edge structure: topology, link attributes and both adjacencies."""
        names = ("source", "target", "kind", "start", "end", "share_low", "share_high",
                 "out_ptr", "in_ptr", "in_source", "in_edge")  # fmt: skip
        return sum(int(getattr(self, name).nbytes) for name in names)

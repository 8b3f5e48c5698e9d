"""What every export writes: nodes (resolved entities) and edges (sourced facts), with citations.

An edge is one sourced fact, as in the compact graph: a link record, a shipment record
(``SHIPPED_TO``), or the shipments one declarant filed for one party (``DECLARED``, one edge per
pair). Table formats (CSV, XLSX, Neo4j, FtM) write one row or entity per edge; graph formats
(GEXF, GraphML, Cytoscape, HTML, pictures) draw one :class:`Lane` per (type, source, target),
weighted by its facts, with their dates as spells.

A :class:`Selection` is anything that yields nodes and then edges; :class:`Subgraph` is the
in-memory one (``--around``, ``--from-json``), and the whole graph streams (``whole.WholeGraph``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from ownergraph.errors import InputError
from ownergraph.model.schema import LINK_KINDS

CITATION_FIELDS = ("dataset", "source_file", "record", "source_url", "loaded_at")
"""Where a fact comes from: as :data:`ownergraph.evidence.CITATION_FIELDS`, plus the record id."""
LINK_ATTRIBUTES = ("share", "role", "start_date", "end_date")
SHIPMENT_ATTRIBUTES = (
    "date", "hs_code", "hs6", "chpl_tier", "description", "quantity", "unit", "value", "currency",
    "origin_country", "destination_country", "declarant",
)  # fmt: skip
DECLARED_ATTRIBUTES = ("start_date", "end_date", "count")
ENTITY_PROPERTIES = (
    "incorporation_date", "dissolution_date", "birth_date", "nationality", "address", "topics",
)  # fmt: skip
"""Entity properties every export knows by name; the others travel as ``properties``."""


class EmptySelection(InputError):
    """The selection has no node: nothing to export."""


@dataclass(slots=True)
class Node:
    """A resolved entity: the JSON contract's entity view, its properties, listings and sources.

    ``schema`` is None for a stub: an id that links or shipments name but no record describes.
    """

    id: str
    name: str
    schema: str | None
    country: str | None
    sanctioned: bool
    aliases: list[str] = field(default_factory=list)
    identifiers: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    listings: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    """One citation a record merged into the entity: ``id`` and :data:`CITATION_FIELDS`."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "schema": self.schema,
            "country": self.country,
            "sanctioned": self.sanctioned,
            "aliases": self.aliases,
            "identifiers": self.identifiers,
            "properties": self.properties,
            "listings": self.listings,
            "sources": self.sources,
        }


@dataclass(slots=True)
class Edge:
    """One sourced fact between two resolved entities, in the link's own direction."""

    id: str
    type: str
    source: str
    target: str
    attributes: dict[str, Any] = field(default_factory=dict)
    """:data:`LINK_ATTRIBUTES`, :data:`SHIPMENT_ATTRIBUTES` or :data:`DECLARED_ATTRIBUTES`."""
    records: list[dict[str, Any]] = field(default_factory=list)
    """Citations: the record itself, or for ``DECLARED`` the shipments declared."""

    @property
    def start(self) -> str | None:
        value = self.attributes.get("date") or self.attributes.get("start_date")
        return str(value) if value else None

    @property
    def end(self) -> str | None:
        value = self.attributes.get("date") or self.attributes.get("end_date")
        return str(value) if value else None

    @property
    def weight(self) -> int:
        """How many facts this edge stands for (the shipments of a ``DECLARED`` edge)."""
        return int(self.attributes.get("count") or 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "source": self.source,
            "target": self.target,
            **self.attributes,
            "records": self.records,
        }


@dataclass(frozen=True, slots=True)
class PathMark:
    """A path of a trace or paths result, to emphasise: its nodes and the edges it relies on."""

    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    label: str


class Selection(Protocol):
    """What writers read: nodes first, then edges (both may stream)."""

    title: str

    def iter_nodes(self) -> Iterator[Node]: ...

    def iter_edges(self) -> Iterator[Edge]: ...

    def materialise(self) -> Subgraph: ...


@dataclass
class Subgraph:
    """A selection held in memory: nodes by id, edges, and what to emphasise."""

    nodes: dict[str, Node]
    edges: list[Edge]
    title: str = "ownergraph export"
    query: dict[str, Any] = field(default_factory=dict)
    as_of: str | None = None
    seeds: list[str] = field(default_factory=list)
    paths: list[PathMark] = field(default_factory=list)
    document: dict[str, Any] | None = None
    """The paths or trace document the selection came from (the report reads it)."""

    def iter_nodes(self) -> Iterator[Node]:
        return iter(self.nodes.values())

    def iter_edges(self) -> Iterator[Edge]:
        return iter(self.edges)

    def materialise(self) -> Subgraph:
        return self

    def lanes(self) -> list[Lane]:
        return lanes(self.edges)

    def on_path(self) -> tuple[set[str], set[str]]:
        """Node ids and edge ids on any emphasised path."""
        nodes = {node for path in self.paths for node in path.nodes}
        edges = {edge for path in self.paths for edge in path.edges}
        return nodes, edges


@dataclass(slots=True)
class Lane:
    """All facts of one type from one entity to another: one drawn edge, weighted."""

    type: str
    source: str
    target: str
    edges: list[Edge] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.source}>{self.type}>{self.target}"

    @property
    def label(self) -> str:
        return LINK_KINDS[self.type].label if self.type in LINK_KINDS else self.type.lower()

    @property
    def weight(self) -> int:
        return sum(edge.weight for edge in self.edges)

    def spells(self) -> list[tuple[str | None, str | None]] | None:
        """The dates of the facts as disjoint (start, end) intervals, ISO dates, None for open.

        None when some fact has no date at all: the lane then exists at every time. Partial
        dates widen to the whole period, as in the compact graph.
        """
        intervals = []
        for edge in self.edges:
            start, end = edge.start, edge.end
            if start is None and end is None:
                return None
            intervals.append((widen(start, end=False), widen(end, end=True)))
        return merge_intervals(intervals)

    def summary(self) -> dict[str, Any]:
        """Attributes of the lane for graph formats: counts, dates, shares, roles, trade totals."""
        first = [e.start for e in self.edges if e.start]
        last = [e.end for e in self.edges if e.end]
        data: dict[str, Any] = {
            "type": self.type,
            "label": self.label,
            "count": self.weight,
            "first_date": min(first) if first else None,
            "last_date": max(last) if last else None,
        }
        shares = _distinct(e.attributes.get("share") for e in self.edges)
        roles = _distinct(e.attributes.get("role") for e in self.edges)
        data["share"] = "; ".join(shares) if shares else None
        data["role"] = "; ".join(roles) if roles else None
        if self.type == "SHIPPED_TO":
            values = [e.attributes.get("value") for e in self.edges]
            data["value"] = sum(float(v) for v in values if v is not None) if any(
                v is not None for v in values
            ) else None  # fmt: skip
            tiers = _distinct(e.attributes.get("chpl_tier") for e in self.edges)
            data["chpl_tier"] = min(tiers) if tiers else None
            data["hs6"] = "; ".join(_distinct(e.attributes.get("hs6") for e in self.edges)) or None
        return data


def _distinct(values: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(value) for value in values if value not in (None, "")))


def lanes(edges: Iterable[Edge]) -> list[Lane]:
    """Edges grouped by (type, source, target), in order of first appearance."""
    found: dict[tuple[str, str, str], Lane] = {}
    for edge in edges:
        key = (edge.type, edge.source, edge.target)
        if key not in found:
            found[key] = Lane(edge.type, edge.source, edge.target)
        found[key].edges.append(edge)
    return list(found.values())


def widen(value: str | None, *, end: bool) -> str | None:
    """A partial ISO date as a full one: the first day of its period, or the last with ``end``.

    >>> widen("2023", end=True), widen("2023-02", end=False), widen(None, end=True)
    ('2023-12-31', '2023-02-01', None)
    """
    if not value:
        return None
    if len(value) == 4:
        return f"{value}-12-31" if end else f"{value}-01-01"
    if len(value) == 7:
        return f"{value}-31" if end else f"{value}-01"
    return value[:10]


def merge_intervals(
    intervals: Iterable[tuple[str | None, str | None]],
) -> list[tuple[str | None, str | None]]:
    """Union of closed date intervals (None: open at that end), sorted and disjoint.

    Gephi refuses overlapping spells, and a trade lane has one interval a shipment.

    >>> merge_intervals([("2023-01-01", "2023-01-01"), (None, "2022-05-01"), ("2023-01-01", None)])
    [(None, '2022-05-01'), ('2023-01-01', None)]
    """
    low, high = "", "\uffff"
    ordered = sorted(((start or low, end or high) for start, end in intervals))
    merged: list[list[str]] = []
    for start, end in ordered:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start or None, None if end == high else end) for start, end in merged]


def verdicts(target: Any) -> list[dict[str, Any]]:
    """The 50%-rule verdicts of a path's target: ``verdicts`` as ``trace`` writes them, or one
    verdict from the ``regimes`` and ``proof`` keys."""
    if not isinstance(target, dict):
        return []
    if isinstance(target.get("verdicts"), list):
        return list(target["verdicts"])
    if target.get("proof"):
        regimes = ", ".join(target.get("regimes") or [])
        return [{"regime": regimes, "status": target.get("status"), "proof": target["proof"]}]
    return []

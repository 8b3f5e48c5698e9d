"""Building the compact graph from a workspace, and handing it to users as networkx.

The workspace keeps integer-keyed copies of what the graph needs (``record_keys``,
``entity_nodes``, ``link_edges``, ``shipment_edges``, ``cluster_keys``; workspace migration 2),
read as numpy arrays by :mod:`ownergraph.graph.read`; record ids never cross into Python except
the node ids. Nodes are numbered and edges sorted with numpy and counting sorts; no per-edge
Python object is made.

Choices worth knowing:
- nodes are every entity record's canonical id, in the order of the records' keys (the order they
  were stored, unless an edge named the id first), then every other id an edge or shipment names
  (without an entity record); links without a ``target_id`` (only a name) are skipped, and so
  are listings of ids that are in no record and no edge.
- a link whose two ends resolution merged into one entity stays, as a self-loop: it is still a
  sourced fact ("X owns X" often marks a data error worth seeing); path searches never use it.
- partial dates widen to the whole period: ``"2023"`` starts on 2023-01-01 and ends on 2023-12-31,
  ``"2023-05"`` on 2023-05-01 and 2023-05-31; unknown or unparseable ends are open.
- a shipment with no date is valid on every day; its ``SHIPPED_TO`` edge has both ends open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt

from ownergraph.graph.csr import (
    KINDS,
    OPEN_END,
    OPEN_START,
    SCHEMAS,
    CSRGraph,
    Int64Array,
    day_text,
)
from ownergraph.graph.kernels import first_appearances, first_known, stable_order
from ownergraph.graph.read import Column, in_parallel, table
from ownergraph.model.chpl import chpl_tiers
from ownergraph.workspace import Workspace

_SHIPPED = KINDS.index("SHIPPED_TO")
_DECLARED = KINDS.index("DECLARED")


def _codes(column: str, names: Iterable[str]) -> str:
    """SQL mapping a text column to its position in ``names`` (-1 otherwise)."""
    cases = " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(names))
    return f"CASE {column} {cases} ELSE -1 END"


_TIERS = tuple(sorted(set(chpl_tiers().values())))
_KNOWN = ", ".join(f"'{name}'" for name in KINDS)
_LINKS = [
    Column("t.source_key"), Column("t.target_key"), Column(_codes("t.type", KINDS)),
    Column("t.start_date", "start"), Column("t.end_date", "end"),
    Column("t.share_low", "real"), Column("t.share_high", "real"),
]  # fmt: skip
_SHIPMENTS = [
    Column("t.exporter_key"), Column("t.importer_key"),
    Column("COALESCE(t.declarant_key, 0)"),  # 0 is no key: a shipment without a declarant
    Column("t.date", "start"), Column("COALESCE(CAST(t.hs6 AS INTEGER), -1)"),
    Column(_codes("t.chpl_tier", _TIERS)), Column("t.value", "real"), Column("t.quantity", "real"),
]  # fmt: skip
_ENTITIES = [Column("t.key"), Column(_codes("t.schema", SCHEMAS)), Column("t.country", "text")]
_CLUSTERS = [Column("t.entity_key"), Column("t.canonical_key")]
_RECORD_KEYS = [Column("t.key"), Column("t.id", "text")]


def _read_links(connection: Any) -> list[Any]:
    return table(connection, "link_edges", _LINKS,
                 f"t.target_key IS NOT NULL AND t.type IN ({_KNOWN})")  # fmt: skip


def _read_shipments(connection: Any) -> list[Any]:
    return table(connection, "shipment_edges", _SHIPMENTS,
                 "t.exporter_key IS NOT NULL AND t.importer_key IS NOT NULL")  # fmt: skip


def _read_entities(connection: Any) -> list[Any]:
    """Keys, schema codes, and country codes with their vocabulary."""
    keys, schema, countries = table(connection, "entity_nodes", _ENTITIES)
    return [keys, schema, *_country_codes(countries)]


def _read_keys(connection: Any) -> list[Any]:
    """Cluster keys (record, canonical), and every record key with its id (an object array)."""
    keys, ids = table(connection, "record_keys", _RECORD_KEYS)
    # A record that is its own canonical record needs no row: every key maps to itself first.
    clusters = table(connection, "cluster_keys", _CLUSTERS, "t.entity_key != t.canonical_key")
    return [*clusters, keys, np.array(ids, dtype=object)]


@dataclass(frozen=True, slots=True)
class _Nodes:
    """Canonical node numbering: the canonical ids of entity records in the order of the records'
    keys, then the ids that only edges name, in the order the edges name them.

    Numbering in key order (not sorted by id) avoids sorting a million strings; it is the same
    for the same workspace. Everything here is by record key (``record_keys``)."""

    canon: Int64Array
    """Per record key, the key of its canonical id (itself when resolution did not merge it)."""
    node: Int64Array
    """Per record key, its node number (-1: not a node; key 0 is "no record")."""
    keys: Int64Array
    """Per node, the key of its canonical id."""

    @classmethod
    def number(
        cls, record_keys: Int64Array, clusters: tuple[Int64Array, Int64Array],
        records: Int64Array, ends: Sequence[Int64Array],
    ) -> _Nodes:  # fmt: skip
        """Number the nodes: ``records`` are the keys of the entity records in key order,
        ``ends`` the keys the edges name (0: none), in the order they name them."""
        canon = np.arange(int(record_keys.max(initial=0)) + 1, dtype=np.int64)
        canon[clusters[0]] = clusters[1]
        seen = np.zeros(len(canon), dtype=np.bool_)
        seen[0] = True  # key 0: no record (a shipment without a declarant)
        own = first_appearances(canon[records], seen)
        extra = first_appearances(canon[np.concatenate([np.empty(0, np.int64), *ends])], seen)
        node = np.full(len(canon), -1, dtype=np.int64)
        node[own] = np.arange(len(own))
        node[extra] = np.arange(len(own), len(own) + len(extra))
        return cls(canon, node, np.concatenate([own, extra]))

    def of(self, keys: Int64Array) -> Int64Array:
        """Node numbers of record keys (-1 for key 0: no record)."""
        found: Int64Array = self.node[self.canon[keys]]
        return found


def _country_codes(names: list[str]) -> tuple[Int64Array, tuple[str, ...]]:
    """Codes of a column of country names: positions in their sorted vocabulary, -1 for none."""
    vocabulary = tuple(sorted(set(names) - {""}))
    lookup = {name: code for code, name in enumerate(vocabulary)}
    lookup[""] = -1
    codes = np.fromiter(map(lookup.__getitem__, names), dtype=np.int64, count=len(names))
    return codes, vocabulary


def _node_attributes(
    node: Int64Array, schema: Int64Array, country: Int64Array, canonical: npt.NDArray[np.bool_],
    count: int,
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int16]]:  # fmt: skip
    """Schema and country per node: the first record that knows, the canonical record first.

    As in ``lookup.entity_view``, a specific schema beats ``LegalEntity``.
    """
    schema_out = np.full(count, -1, dtype=np.int8)
    country_out = np.full(count, -1, dtype=np.int16)
    if canonical.all():
        # Unresolved: one record per node, nothing to choose.
        schema_out[node], country_out[node] = schema, country
        return schema_out, country_out
    vague = SCHEMAS.index("LegalEntity")
    for values, unknown, out in (
        (schema, (schema == vague) * 1 + (schema < 0) * 2, schema_out),
        (country, (country < 0) * 1, country_out),
    ):
        # Known values first, then the canonical record, then the first record stored.
        first_known(node, unknown * 2 + ~canonical, values, out)
    return schema_out, country_out


def sanctioned_nodes(
    workspace: Workspace, index: dict[str, int], day: str
) -> npt.NDArray[np.bool_]:
    """Per node of ``index``: whether its entity has a listing active on ``day``."""
    rows = workspace.iterate(
        "SELECT DISTINCT COALESCE(c.canonical_id, l.entity_id) FROM listings l "
        "LEFT JOIN clusters c ON c.entity_id = l.entity_id "
        "WHERE (l.listed_on IS NULL OR l.listed_on <= ?) "
        "AND (l.delisted_on IS NULL OR l.delisted_on > ?) "
        "AND (l.withdrawn_on IS NULL OR l.withdrawn_on > ?)",
        (day, day, day),
    )
    flags = np.zeros(len(index), dtype=np.bool_)
    flags[[index[entity] for (entity,) in rows if entity in index]] = True
    return flags


def _declared(shipments: Sequence[npt.NDArray[Any]], nodes: int) -> list[npt.NDArray[Any]]:
    """One DECLARED edge per (declarant, party) pair: first and last day, shipment count.

    ``shipments`` are the columns of :func:`assemble`'s shipment rows; returns the columns
    declarant, party, first day, last day, count.
    """
    declarant = shipments[2].astype(np.int64)
    has = declarant >= 0
    pairs_from = np.concatenate([declarant[has], declarant[has]])
    pairs_to = np.concatenate([shipments[0][has], shipments[1][has]]).astype(np.int64)
    days = np.concatenate([shipments[3][has], shipments[3][has]]).astype(np.int64)
    key = pairs_from * nodes + pairs_to
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    if len(ordered) == 0:
        return [np.empty(0, np.int64) for _ in range(5)]
    first = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    unique = ordered[first]
    counts = np.diff(np.append(first, len(ordered)))
    sorted_days = days[order]
    # Open (unknown) days must not decide the span: swap the sentinel for the other extreme.
    low = np.minimum.reduceat(np.where(sorted_days == OPEN_START, OPEN_END, sorted_days), first)
    high = np.maximum.reduceat(sorted_days, first)
    low = np.where(low == OPEN_END, OPEN_START, low)
    high = np.where(high == OPEN_START, OPEN_END, high)
    return [unique // nodes, unique % nodes, low, high, counts]


def build(workspace: Workspace, *, as_of: str | None = None) -> CSRGraph:
    """Build the compact graph of the workspace's resolved entities.

    Parameters
    ----------
    workspace : Workspace
        The workspace to read; resolution's ``clusters`` table decides the nodes.
    as_of : str, optional
        ISO date for the ``sanctioned`` flags (default: today).

    Returns
    -------
    CSRGraph
    """
    day = as_of or date.today().isoformat()
    date.fromisoformat(day)  # a bad date fails here, with the value in the message
    # Longest first, so that the two connections finish about together.
    links, shipments, keys, entities = in_parallel(
        workspace, [_read_links, _read_shipments, _read_keys, _read_entities]
    )
    cluster_entity, cluster_canonical, record_keys, record_ids = keys
    nodes = _Nodes.number(
        record_keys, (cluster_entity, cluster_canonical), entities[0],
        [links[0], links[1], shipments[0], shipments[1], shipments[2]],
    )  # fmt: skip
    positions = np.zeros(len(nodes.canon), dtype=np.int64)
    positions[record_keys] = np.arange(len(record_keys))
    ids: list[str] = record_ids[positions[nodes.keys]].tolist()
    index = dict(zip(ids, range(len(ids)), strict=True))
    schema, country = _node_attributes(
        nodes.of(entities[0]), entities[1], entities[2], nodes.canon[entities[0]] == entities[0],
        len(ids),
    )  # fmt: skip
    countries = entities[3]
    link_columns = [nodes.of(links[0]), nodes.of(links[1]), *links[2:]]
    ship_columns = [nodes.of(shipments[0]), nodes.of(shipments[1]), nodes.of(shipments[2]),
                    *shipments[3:]]  # fmt: skip
    return _from_columns(
        ids,
        schema,
        country,
        countries,
        sanctioned_nodes(workspace, index, day),
        day,
        link_columns,
        ship_columns,
        _declared(ship_columns, len(ids)),
        _TIERS,
        index,
    )


def assemble(
    ids: list[str],
    schema: npt.NDArray[np.int8],
    country: npt.NDArray[np.int16],
    countries: tuple[str, ...],
    sanctioned: npt.NDArray[np.bool_],
    day: str,
    links: npt.NDArray[np.float64],
    shipments: npt.NDArray[np.float64],
    declared: npt.NDArray[np.float64],
    tiers: tuple[str, ...],
    *,
    index: dict[str, int] | None = None,
) -> CSRGraph:
    """A :class:`CSRGraph` from row arrays: what :func:`build` reads from a workspace, and what
    the Neo4j backend fetches for a bounded subgraph.

    Rows (float64, -1 for a missing node, NaN for an unknown number): ``links`` source, target,
    kind, start day, end day, share low, share high; ``shipments`` exporter, importer, declarant,
    day, HS-6, tier code, value, quantity; ``declared`` declarant, party, first day, last day,
    count. Edges are concatenated in that order, sorted by source and indexed both ways.
    """
    return _from_columns(
        ids, schema, country, countries, sanctioned, day,
        [links[:, i] for i in range(7)], [shipments[:, i] for i in range(8)],
        [declared[:, i] for i in range(5)],
        tiers, index if index is not None else {entity: i for i, entity in enumerate(ids)},
    )  # fmt: skip


def _from_columns(
    ids: list[str],
    schema: npt.NDArray[np.int8],
    country: npt.NDArray[np.int16],
    countries: tuple[str, ...],
    sanctioned: npt.NDArray[np.bool_],
    day: str,
    links: Sequence[npt.NDArray[Any]],
    shipments: Sequence[npt.NDArray[Any]],
    declared: Sequence[npt.NDArray[Any]],
    tiers: tuple[str, ...],
    index: dict[str, int],
) -> CSRGraph:
    """:func:`assemble` from the columns of its rows (any numeric dtype)."""
    n_links, n_ships, n_declared = len(links[0]), len(shipments[0]), len(declared[0])
    nodes = len(ids)
    nan = np.full(n_ships + n_declared, np.nan, dtype=np.float32)
    source = np.concatenate([links[0], shipments[0], declared[0]]).astype(np.int32)
    target = np.concatenate([links[1], shipments[1], declared[1]]).astype(np.int32)
    kind = np.concatenate(
        [links[2].astype(np.int8), np.full(n_ships, _SHIPPED, np.int8),
         np.full(n_declared, _DECLARED, np.int8)]
    )  # fmt: skip
    ship_day = shipments[3]
    ship_end = np.where(ship_day == OPEN_START, OPEN_END, ship_day)
    start = np.concatenate([links[3], ship_day, declared[2]]).astype(np.int32)
    end = np.concatenate([links[4], ship_end, declared[3]]).astype(np.int32)
    low = np.concatenate([links[5].astype(np.float32), nan])
    high = np.concatenate([links[6].astype(np.float32), nan])
    order = stable_order(source, nodes)
    new_id = np.empty(len(order), dtype=np.int64)
    new_id[order] = np.arange(len(order))
    # The rows of shipments and DECLARED edges in edge order: where the sorted order has them.
    ship_order = order[(order >= n_links) & (order < n_links + n_ships)] - n_links
    ship_edge = new_id[n_links : n_links + n_ships]
    decl_order = order[order >= n_links + n_ships] - n_links - n_ships
    decl_edge = new_id[n_links + n_ships :]
    source, target = source[order], target[order]
    in_edge = stable_order(target, nodes).astype(np.int32)

    def ship(column: int, dtype: type) -> npt.NDArray[Any]:
        values: npt.NDArray[Any] = np.asarray(shipments[column])[ship_order].astype(dtype)
        return values

    return CSRGraph(
        ids=ids,
        index=index,
        schema=schema,
        country=country,
        countries=countries,
        sanctioned=sanctioned,
        as_of=day,
        source=source,
        target=target,
        kind=kind[order],
        start=start[order],
        end=end[order],
        share_low=low[order],
        share_high=high[order],
        out_ptr=_pointers(source, nodes),
        in_ptr=_pointers(target, nodes),
        in_source=source[in_edge],
        in_edge=in_edge,
        shipment_edge=ship_edge[ship_order].astype(np.int32),
        shipment_day=ship(3, np.int32),
        shipment_hs6=ship(4, np.int32),
        shipment_tier=ship(5, np.int8),
        shipment_value=ship(6, np.float32),
        shipment_quantity=ship(7, np.float32),
        shipment_declarant=ship(2, np.int32),
        tiers=tiers,
        declared_edge=decl_edge[decl_order].astype(np.int32),
        declared_count=declared[4][decl_order].astype(np.int32),
    )


def _pointers(ends: npt.NDArray[np.int32], nodes: int) -> npt.NDArray[np.integer[Any]]:
    """CSR row pointers; int32 while the edge count fits, which halves them."""
    dtype = np.int32 if len(ends) < 2**31 else np.int64
    pointers: npt.NDArray[np.integer[Any]] = np.zeros(nodes + 1, dtype=dtype)
    np.cumsum(np.bincount(ends, minlength=nodes), out=pointers[1:])
    return pointers


def _float(value: np.floating[Any]) -> float | None:
    return None if np.isnan(value) else float(value)


def to_networkx(graph: CSRGraph) -> nx.MultiDiGraph:
    """The graph as a networkx ``MultiDiGraph`` keyed by canonical entity id.

    Nodes carry ``schema``, ``country`` and ``sanctioned``; each edge's key is its edge id and it
    carries ``type``, ``start_date``/``end_date`` (ISO or None), ``share_low``/``share_high``
    (None when unknown), the shipment fields on ``SHIPPED_TO`` edges and ``count`` on
    ``DECLARED`` edges.
    """
    result = nx.MultiDiGraph(as_of=graph.as_of)
    for node, entity in enumerate(graph.ids):
        code, place = int(graph.schema[node]), int(graph.country[node])
        result.add_node(
            entity,
            schema=SCHEMAS[code] if code >= 0 else None,
            country=graph.countries[place] if place >= 0 else None,
            sanctioned=bool(graph.sanctioned[node]),
        )
    extras = _edge_extras(graph)
    for edge in range(graph.edge_count):
        result.add_edge(
            graph.ids[graph.source[edge]],
            graph.ids[graph.target[edge]],
            key=edge,
            type=KINDS[graph.kind[edge]],
            start_date=day_text(int(graph.start[edge])),
            end_date=day_text(int(graph.end[edge])),
            share_low=_float(graph.share_low[edge]),
            share_high=_float(graph.share_high[edge]),
            **extras.get(edge, {}),
        )
    return result


def _edge_extras(graph: CSRGraph) -> dict[int, dict[str, Any]]:
    extras: dict[int, dict[str, Any]] = {}
    for row, edge in enumerate(graph.shipment_edge.tolist()):
        tier, hs6, declarant = (
            int(graph.shipment_tier[row]),
            int(graph.shipment_hs6[row]),
            int(graph.shipment_declarant[row]),
        )
        extras[edge] = {
            "date": day_text(int(graph.shipment_day[row])),
            "hs6": f"{hs6:06d}" if hs6 >= 0 else None,
            "chpl_tier": graph.tiers[tier] if tier >= 0 else None,
            "value": _float(graph.shipment_value[row]),
            "quantity": _float(graph.shipment_quantity[row]),
            "declarant": graph.ids[declarant] if declarant >= 0 else None,
        }
    for row, edge in enumerate(graph.declared_edge.tolist()):
        extras[edge] = {"count": int(graph.declared_count[row])}
    return extras

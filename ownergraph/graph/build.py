"""Building the compact graph from a workspace, and handing it to users as networkx.

Each table is read a chunk of rows at a time as one string per column (SQLite's ``group_concat``),
split in C and parsed by numpy (dates, numbers) or mapped through one dict lookup per id (record id
-> canonical id -> node number); no per-edge Python object outlives the read.

Choices worth knowing:
- nodes are every entity record's canonical id, in the order the records are stored, then every
  other id an edge or shipment names (without an entity record); links without a ``target_id``
  (only a name) are skipped, and so are listings of ids that are in no record and no edge.
- a link whose two ends resolution merged into one entity stays, as a self-loop: it is still a
  sourced fact ("X owns X" often marks a data error worth seeing); path searches never use it.
- partial dates widen to the whole period: ``"2023"`` starts on 2023-01-01 and ends on 2023-12-31,
  ``"2023-05"`` on 2023-05-01 and 2023-05-31; unknown or unparseable ends are open.
- a shipment with no date is valid on every day; its ``SHIPPED_TO`` edge has both ends open.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from itertools import repeat
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
    IntArray,
    day_text,
)
from ownergraph.model.chpl import chpl_tiers
from ownergraph.workspace import Workspace

_CHUNK = 262144
_SEP = "\x1f"
"""ASCII unit separator between values of a column chunk; ids never contain it (checked)."""
_SHIPPED = KINDS.index("SHIPPED_TO")
_DECLARED = KINDS.index("DECLARED")


def _codes(column: str, names: Iterable[str]) -> str:
    """SQL mapping a text column to its position in ``names`` (-1 otherwise)."""
    cases = " ".join(f"WHEN '{name}' THEN {code}" for code, name in enumerate(names))
    return f"CASE {column} {cases} ELSE -1 END"


def _scan(workspace: Workspace, table: str, columns: Sequence[str], where: str = "1") -> list[Any]:
    """Columns of ``table`` in rowid order: a list of strings (NULL as ``""``) for each text
    column, a float64 array (NULL as NaN) for each column written ``"#<sql>"``.

    Each chunk of rowids is one query whose ``group_concat`` aggregates SQLite fills in C; Python
    then splits one long string per column, or numpy parses it, also in C, instead of building a
    tuple per row, which is what makes reading several times faster than a row cursor.
    """
    bounds = workspace.query(f"SELECT min(rowid), max(rowid) FROM {table}")[0]
    numeric = [column.startswith("#") for column in columns]
    parts: list[list[Any]] = [[] for _ in columns]
    aggregates = ", ".join(
        f"group_concat(COALESCE({c[1:]}, 'nan'), char(31))"
        if number
        else f"group_concat(COALESCE({c}, ''), char(31))"
        for c, number in zip(columns, numeric, strict=True)
    )
    sql = f"SELECT count(*), {aggregates} FROM {table} WHERE rowid >= ? AND rowid < ? AND ({where})"
    for low in range(int(bounds[0] or 0), int(bounds[1] or -1) + 1, _CHUNK):
        for count, *texts in workspace.iterate(sql, (low, low + _CHUNK)):
            if not count:
                continue
            for i, text in enumerate(texts):
                values = np.fromstring(text, sep=_SEP) if numeric[i] else text.split(_SEP)
                if len(values) != count:
                    raise ValueError(f"a value in {table}.{columns[i]} contains U+001F")
                parts[i].append(values)
    return [
        np.concatenate([np.empty(0), *chunks]) if number else [v for chunk in chunks for v in chunk]
        for chunks, number in zip(parts, numeric, strict=True)
    ]


def _days(values: list[str], *, end: bool) -> IntArray:
    """Day numbers of ISO dates, widening partial ones (module docstring); empty or bad -> open."""
    text = np.array(values, dtype="U10")
    lengths = np.char.str_len(text)
    days = np.full(len(text), OPEN_END if end else OPEN_START, dtype=np.int64)
    for length, unit in ((4, "Y"), (7, "M"), (10, "D")):
        chosen = lengths == length
        if not chosen.any():
            continue
        try:
            parsed = text[chosen].astype(f"datetime64[{unit}]")
        except ValueError:
            parsed = np.array(
                [_one_date(v, unit) for v in text[chosen]], dtype=f"datetime64[{unit}]"
            )
        if end and unit != "D":
            # The last day of the year or month: the first day of the next one, minus one.
            parsed = (parsed + 1).astype("datetime64[D]") - 1
        found = parsed.astype("datetime64[D]").astype(np.int64)
        known = ~np.isnat(parsed)
        days[np.flatnonzero(chosen)[known]] = found[known]
    return days.astype(np.int32)


def _one_date(value: str, unit: str) -> Any:
    """One date parsed alone (after the whole column failed), NaT when it is not a date."""
    try:
        return np.array([value]).astype(f"datetime64[{unit}]")[0]
    except ValueError:
        return np.array(["NaT"]).astype(f"datetime64[{unit}]")[0]


class _Nodes:
    """Canonical node numbering: entity records in workspace order, then ids only edges name.

    Numbering in the order records were stored (not sorted by id) avoids sorting a million
    strings; it is the same for the same workspace.
    """

    def __init__(self, workspace: Workspace) -> None:
        self.canon = dict(workspace.iterate("SELECT entity_id, canonical_id FROM clusters"))
        self.records, self.schema_names, self.country_names = _scan(
            workspace, "entities", ["id", "schema", "country"]
        )
        # dict.fromkeys keeps the first appearance of each canonical id, in order.
        self.index = {
            entity: i for i, entity in enumerate(dict.fromkeys(self.canonical(self.records)))
        }
        self.ids = list(self.index)

    def canonical(self, records: list[str]) -> list[str]:
        if not self.canon:
            return records
        get = self.canon.get
        return [get(record, record) for record in records]

    def numbers(self, records: list[str]) -> IntArray:
        """Node numbers of record ids, adding a node for any id without an entity record; -1 for
        an empty id (no declarant)."""
        canonical = self.canonical(records)
        get = self.index.get
        found = np.fromiter(map(get, canonical, repeat(-1)), dtype=np.int32, count=len(canonical))
        for position in np.flatnonzero(found < 0).tolist():
            entity = canonical[position]
            if entity:
                found[position] = self.index.setdefault(entity, len(self.ids))
                if found[position] == len(self.ids):
                    self.ids.append(entity)
        return found


def _codes_of(
    names: list[str], known: tuple[str, ...] | None = None
) -> tuple[Int64Array, tuple[str, ...]]:
    """Codes of a column of names: positions in ``known``, or in the sorted distinct names."""
    values, inverse = np.unique(np.array(names, dtype=str), return_inverse=True)
    vocabulary = tuple(str(v) for v in values if v)
    table = known if known is not None else vocabulary
    lookup = np.array(
        [table.index(str(v)) if str(v) in table else -1 for v in values], dtype=np.int64
    )
    return lookup[inverse.reshape(-1)] if len(values) else np.empty(0, np.int64), vocabulary


def _node_attributes(
    nodes: _Nodes,
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int16], tuple[str, ...]]:
    """Schema and country per node: the first record that knows, the canonical record first.

    As in ``lookup.entity_view``, a specific schema beats ``LegalEntity``.
    """
    node = nodes.numbers(nodes.records).astype(np.int64)
    schema, _ = _codes_of(nodes.schema_names, SCHEMAS)
    country, countries = _codes_of(nodes.country_names)
    count = len(nodes.ids)
    schema_out = np.full(count, -1, dtype=np.int8)
    country_out = np.full(count, -1, dtype=np.int16)
    if not nodes.canon:
        # Unresolved: one record per node, nothing to choose.
        schema_out[node], country_out[node] = schema, country
        return schema_out, country_out, countries
    canonical = np.array(
        [nodes.ids[n] == r for n, r in zip(node.tolist(), nodes.records, strict=True)]
    )
    vague = SCHEMAS.index("LegalEntity")
    for values, unknown, out in (
        (schema, (schema == vague) * 1 + (schema < 0) * 2, schema_out),
        (country, (country < 0) * 1, country_out),
    ):
        # Sort each node's records: known values first, then the canonical record; take the first.
        order = np.lexsort((~canonical, unknown, node))
        first = np.unique(node[order], return_index=True)[1]
        out[node[order][first]] = values[order][first]
    return schema_out, country_out, countries


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


_LINK_COLUMNS = [
    "source_id", "target_id", "#" + _codes("type", KINDS), "start_date", "end_date",
    "#CASE WHEN share_known THEN share_low END", "#CASE WHEN share_known THEN share_high END",
]  # fmt: skip
_SHIPMENT_COLUMNS = [
    "exporter_id", "importer_id", "declarant_id", "date", "#COALESCE(CAST(hs6 AS INTEGER), -1)",
    "#" + _codes("chpl_tier", sorted(set(chpl_tiers().values()))), "#value", "#quantity",
]  # fmt: skip


def _links(raw: list[Any], nodes: _Nodes) -> npt.NDArray[np.float64]:
    """Link rows: source, target, kind, start, end, share low, share high."""
    columns: list[npt.NDArray[Any]] = [
        nodes.numbers(raw[0]), nodes.numbers(raw[1]), raw[2],
        _days(raw[3], end=False), _days(raw[4], end=True), raw[5], raw[6],
    ]  # fmt: skip
    return np.column_stack(columns).astype(np.float64).reshape(-1, 7)


def _shipments(raw: list[Any], nodes: _Nodes, tiers: tuple[str, ...]) -> npt.NDArray[np.float64]:
    """Shipment rows: exporter, importer, declarant (-1), day, HS-6 (-1), tier, value, quantity."""
    columns: list[npt.NDArray[Any]] = [
        nodes.numbers(raw[0]), nodes.numbers(raw[1]), nodes.numbers(raw[2]),
        _days(raw[3], end=False), raw[4],
        raw[5],
        raw[6], raw[7],
    ]  # fmt: skip
    return np.column_stack(columns).astype(np.float64).reshape(-1, 8)


def _declared(shipments: npt.NDArray[np.float64], nodes: int) -> npt.NDArray[np.float64]:
    """One DECLARED edge per (declarant, party) pair: first and last day, shipment count.

    Rows: declarant, party, first day, last day, count.
    """
    declarant = shipments[:, 2].astype(np.int64)
    has = declarant >= 0
    pairs_from = np.concatenate([declarant[has], declarant[has]])
    pairs_to = np.concatenate([shipments[has, 0], shipments[has, 1]]).astype(np.int64)
    days = np.concatenate([shipments[has, 3], shipments[has, 3]]).astype(np.int64)
    key = pairs_from * nodes + pairs_to
    order = np.argsort(key, kind="stable")
    unique, first, counts = np.unique(key[order], return_index=True, return_counts=True)
    if len(unique) == 0:
        return np.empty((0, 5))
    sorted_days = days[order]
    # Open (unknown) days must not decide the span: swap the sentinel for the other extreme.
    low = np.minimum.reduceat(np.where(sorted_days == OPEN_START, OPEN_END, sorted_days), first)
    high = np.maximum.reduceat(sorted_days, first)
    low = np.where(low == OPEN_END, OPEN_START, low)
    high = np.where(high == OPEN_START, OPEN_END, high)
    return np.column_stack([unique // nodes, unique % nodes, low, high, counts]).astype(np.float64)


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
    tiers = tuple(sorted(set(chpl_tiers().values())))
    known = ", ".join(f"'{name}'" for name in KINDS)
    raw_links = _scan(workspace, "links", _LINK_COLUMNS,
                      f"target_id IS NOT NULL AND type IN ({known})")  # fmt: skip
    raw_shipments = _scan(workspace, "shipments", _SHIPMENT_COLUMNS,
                          "exporter_id IS NOT NULL AND importer_id IS NOT NULL")  # fmt: skip
    nodes = _Nodes(workspace)
    links = _links(raw_links, nodes)
    del raw_links  # the strings are the biggest thing in memory here
    shipments = _shipments(raw_shipments, nodes, tiers)
    del raw_shipments
    # After the edges, which may have added nodes that have no entity record.
    schema, country, countries = _node_attributes(nodes)
    sanctioned = sanctioned_nodes(workspace, nodes.index, day)
    declared = _declared(shipments, len(nodes.ids))
    return assemble(
        nodes.ids,
        schema,
        country,
        countries,
        sanctioned,
        day,
        links,
        shipments,
        declared,
        tiers,
        index=nodes.index,
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
    n_links, n_ships = len(links), len(shipments)
    nan = np.full(n_ships + len(declared), np.nan)
    source = np.concatenate([links[:, 0], shipments[:, 0], declared[:, 0]]).astype(np.int32)
    target = np.concatenate([links[:, 1], shipments[:, 1], declared[:, 1]]).astype(np.int32)
    kind = np.concatenate(
        [links[:, 2], np.full(n_ships, _SHIPPED), np.full(len(declared), _DECLARED)]
    ).astype(np.int8)
    start = np.concatenate([links[:, 3], shipments[:, 3], declared[:, 2]])
    ship_end = np.where(shipments[:, 3] == OPEN_START, OPEN_END, shipments[:, 3])
    end = np.concatenate([links[:, 4], ship_end, declared[:, 3]])
    low = np.concatenate([links[:, 5], nan]).astype(np.float32)
    high = np.concatenate([links[:, 6], nan]).astype(np.float32)
    order = np.argsort(source, kind="stable")
    new_id = np.empty(len(order), dtype=np.int64)
    new_id[order] = np.arange(len(order))
    ship_edge = new_id[n_links : n_links + n_ships]
    ship_order = np.argsort(ship_edge)
    decl_edge = new_id[n_links + n_ships :]
    decl_order = np.argsort(decl_edge)
    nodes = len(ids)
    source, target = source[order], target[order]
    in_edge = np.argsort(target, kind="stable").astype(np.int32)
    ship = shipments[ship_order]
    return CSRGraph(
        ids=ids,
        index=index if index is not None else {entity: i for i, entity in enumerate(ids)},
        schema=schema,
        country=country,
        countries=countries,
        sanctioned=sanctioned,
        as_of=day,
        source=source,
        target=target,
        kind=kind[order],
        start=start[order].astype(np.int32),
        end=end[order].astype(np.int32),
        share_low=low[order],
        share_high=high[order],
        out_ptr=_pointers(source, nodes),
        in_ptr=_pointers(target, nodes),
        in_source=source[in_edge],
        in_edge=in_edge,
        shipment_edge=ship_edge[ship_order].astype(np.int32),
        shipment_day=ship[:, 3].astype(np.int32),
        shipment_hs6=ship[:, 4].astype(np.int32),
        shipment_tier=ship[:, 5].astype(np.int8),
        shipment_value=ship[:, 6].astype(np.float32),
        shipment_quantity=ship[:, 7].astype(np.float32),
        shipment_declarant=ship[:, 2].astype(np.int32),
        tiers=tiers,
        declared_edge=decl_edge[decl_order].astype(np.int32),
        declared_count=declared[decl_order, 4].astype(np.int32),
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

"""Export edges: sourced facts from ``evidence.edge_records`` dicts, or streamed from the workspace.

``SHIPPED_TO`` is one edge a shipment, ``DECLARED`` one edge a (declarant, party) pair citing the
shipments declared, every other type one edge a link record: the compact graph's edges, with
their record ids and citations put back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ownergraph.exports.entities import rows
from ownergraph.exports.model import (
    CITATION_FIELDS,
    LINK_ATTRIBUTES,
    SHIPMENT_ATTRIBUTES,
    Edge,
)
from ownergraph.lookup import share_text
from ownergraph.model.schema import LINK_KINDS
from ownergraph.workspace import Workspace

Canonical = Callable[[str], str]


def record_citation(record: dict[str, Any]) -> dict[str, Any]:
    return {"id": record.get("id"), **{name: record.get(name) for name in CITATION_FIELDS}}


def fact_edge(record: dict[str, Any], source: str, target: str, canonical: Canonical) -> Edge:
    """The edge of one link or shipment record (an ``edge_records`` dict) between resolved ends."""
    if record["type"] == "SHIPPED_TO":
        attributes = {name: record.get(name) for name in SHIPMENT_ATTRIBUTES if name != "declarant"}
        declarant = record.get("declarant_id")
        attributes["declarant"] = canonical(declarant) if declarant else None
    else:
        attributes = {name: record.get(name) for name in LINK_ATTRIBUTES}
    return Edge(str(record["id"]), record["type"], source, target, attributes,
                [record_citation(record)])  # fmt: skip


def declared_edge(declarant: str, party: str, shipments: Iterable[dict[str, Any]]) -> Edge:
    """The ``DECLARED`` edge of a declarant and a party: first and last day, count, citations."""
    cited = list({record["id"]: record_citation(record) for record in shipments}.values())
    days = sorted(str(record["date"]) for record in shipments if record.get("date"))
    return Edge(
        declared_id(declarant, party),
        "DECLARED",
        declarant,
        party,
        {"start_date": days[0] if days else None, "end_date": days[-1] if days else None,
         "count": len(cited)},
        cited,
    )  # fmt: skip


def declared_id(declarant: str, party: str) -> str:
    return f"{declarant}>DECLARED>{party}"


def _canon(column: str, alias: str) -> tuple[str, str]:
    """SQL for a record id column mapped to its resolved entity, and the join it needs."""
    return (
        f"COALESCE({alias}.canonical_id, {column})",
        f"LEFT JOIN clusters {alias} ON {alias}.entity_id = {column}",
    )


def all_edges(workspace: Workspace) -> Iterator[Edge]:
    """Every edge of the graph, streamed in storage order (no sort, no per-graph state)."""
    known = ", ".join(f"'{name}'" for name in LINK_KINDS)
    source, join_source = _canon("l.source_id", "a")
    target, join_target = _canon("l.target_id", "b")
    for row in rows(
        workspace,
        f"SELECT l.*, {source} AS s, {target} AS t FROM links l {join_source} {join_target} "
        f"WHERE l.target_id IS NOT NULL AND l.type IN ({known})",
    ):
        attributes = {
            "share": share_text(row), "role": row["role"],
            "start_date": row["start_date"], "end_date": row["end_date"],
        }  # fmt: skip
        yield Edge(row["id"], row["type"], row["s"], row["t"], attributes, [_cite(row)])
    exporter, join_exporter = _canon("s.exporter_id", "a")
    importer, join_importer = _canon("s.importer_id", "b")
    declarant, join_declarant = _canon("s.declarant_id", "d")
    for row in rows(
        workspace,
        f"SELECT s.*, {exporter} AS e, {importer} AS i, "
        f"CASE WHEN s.declarant_id IS NULL THEN NULL ELSE {declarant} END AS d "
        f"FROM shipments s {join_exporter} {join_importer} {join_declarant} "
        f"WHERE s.exporter_id IS NOT NULL AND s.importer_id IS NOT NULL",
    ):
        attributes = {name: row[name] for name in SHIPMENT_ATTRIBUTES if name != "declarant"}
        attributes["declarant"] = row["d"]
        yield Edge(row["id"], "SHIPPED_TO", row["e"], row["i"], attributes, [_cite(row)])
    yield from _all_declared(workspace)


def _all_declared(workspace: Workspace) -> Iterator[Edge]:
    """One edge a (declarant, party) pair; the shipments are cited by their own edges."""
    declarant, join_declarant = _canon("s.declarant_id", "d")
    parts = []
    for column in ("exporter_id", "importer_id"):
        party, join_party = _canon(f"s.{column}", "p")
        parts.append(
            f"SELECT {declarant} AS d, {party} AS p, s.date AS date FROM shipments s "
            f"{join_declarant} {join_party} WHERE s.declarant_id IS NOT NULL "
            f"AND s.exporter_id IS NOT NULL AND s.importer_id IS NOT NULL"
        )
    sql = (
        f"SELECT d, p, min(date) AS first, max(date) AS last, count(*) AS n "
        f"FROM ({' UNION ALL '.join(parts)}) GROUP BY d, p"
    )
    # The grouping is SQLite's: spill it to a temporary file rather than hold it in memory.
    workspace.db.execute("PRAGMA temp_store = FILE")
    try:
        for row in rows(workspace, sql):
            yield Edge(
                declared_id(row["d"], row["p"]), "DECLARED", row["d"], row["p"],
                {"start_date": row["first"], "end_date": row["last"], "count": row["n"]}, [],
            )  # fmt: skip
    finally:
        workspace.db.execute("PRAGMA temp_store = MEMORY")


def _cite(row: Any) -> dict[str, Any]:
    return {"id": row["id"], **{name: row[name] for name in CITATION_FIELDS}}

"""Workspace statistics: what is loaded, per dataset, kind of entity and link, and the rejects."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ownergraph.workspace.store import Workspace


@dataclass
class WorkspaceStats:
    path: str
    schema_version: int
    datasets: list[dict[str, Any]] = field(default_factory=list)
    entities: dict[str, int] = field(default_factory=dict)
    links: dict[str, int] = field(default_factory=dict)
    listings: dict[str, int] = field(default_factory=dict)
    shipments: int = 0
    chpl_shipments: int = 0
    rejects: int = 0
    loads: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _counts(workspace: Workspace, sql: str) -> dict[str, int]:
    return {str(row[0]): int(row[1]) for row in workspace.query(sql)}


def collect(workspace: Workspace, *, last_loads: int = 10) -> WorkspaceStats:
    """Counts per dataset, schema, link type and list; rejects of each file's latest load."""
    stats = WorkspaceStats(str(workspace.path), workspace.schema_version)
    per_dataset: dict[str, dict[str, Any]] = {}
    for table in ("entities", "links", "listings", "shipments"):
        for name, count in _counts(
            workspace, f"SELECT dataset, count(*) FROM {table} GROUP BY dataset"
        ).items():
            per_dataset.setdefault(name, {"dataset": name})[table] = count
    latest = (
        "SELECT max(id) FROM loads WHERE status IN ('done', 'failed', 'interrupted') "
        "GROUP BY dataset, file"
    )
    for name, count in _counts(
        workspace, f"SELECT dataset, count(*) FROM rejects WHERE load_id IN ({latest}) GROUP BY 1"
    ).items():
        per_dataset.setdefault(name, {"dataset": name})["rejects"] = count
    stats.datasets = [per_dataset[name] for name in sorted(per_dataset)]
    stats.entities = _counts(workspace, "SELECT schema, count(*) FROM entities GROUP BY 1")
    stats.links = _counts(workspace, "SELECT type, count(*) FROM links GROUP BY 1")
    trade = workspace.query(
        "SELECT count(*), count(declarant_id), count(chpl_tier) FROM shipments"
    )[0]
    stats.shipments, stats.chpl_shipments = int(trade[0]), int(trade[2])
    if trade[0]:
        # Derived from shipments: one SHIPPED_TO per shipment, DECLARED where a broker is named.
        stats.links["SHIPPED_TO"] = int(trade[0])
        stats.links["DECLARED"] = int(trade[1])
    stats.listings = _counts(
        workspace,
        "SELECT authority || ' ' || list_name, count(*) FROM listings "
        "WHERE withdrawn_on IS NULL GROUP BY 1",
    )
    stats.rejects = sum(int(row.get("rejects", 0)) for row in stats.datasets)
    stats.loads = [
        {**dict(row), "notices": json.loads(row["notices"])}
        for row in workspace.query(
            "SELECT id, dataset, format, file, status, started_at, records, inserted, updated, "
            "rejected, withdrawn, notices FROM loads ORDER BY id DESC LIMIT ?",
            (last_loads,),
        )
    ]
    return stats

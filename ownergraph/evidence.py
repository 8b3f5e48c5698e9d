"""The sourced facts behind an edge of the resolved graph, for path output, exports and reports.

The compact graph keeps no record ids (that keeps it under 40 bytes an edge); an edge between two
resolved entities is explained on demand by the workspace rows behind it: the link records between
any member records of the two ends, the shipment records for ``SHIPPED_TO``, and the shipments a
declarant filed for ``DECLARED``. Each fact comes with its citation (dataset, file, record, URL,
load time) so a report can cite it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ownergraph import lookup
from ownergraph.model.schema import LINK_KINDS
from ownergraph.workspace import Workspace

CITATION_FIELDS = ("dataset", "source_file", "record", "source_url", "loaded_at")
LINK_FIELDS = ("role", "start_date", "end_date")
SHIPMENT_FIELDS = (
    "date", "hs_code", "hs6", "chpl_tier", "description", "quantity", "unit", "value",
    "currency", "origin_country", "destination_country", "declarant_id",
)  # fmt: skip


def _marks(ids: Sequence[str]) -> str:
    return ", ".join("?" * len(ids))


def citation(row: Any) -> dict[str, Any]:
    """The citation of one workspace row (entities, links, listings or shipments)."""
    return {key: row[key] for key in CITATION_FIELDS}


def edge_records(
    workspace: Workspace,
    source: str,
    target: str,
    kinds: Iterable[str] | None = None,
    *,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """The workspace records behind the edges from resolved entity ``source`` to ``target``.

    Parameters
    ----------
    workspace : Workspace
    source, target : str
        Canonical (or member) entity ids; the direction is the link's own (owner -> asset,
        exporter -> importer, declarant -> party).
    kinds : iterable of str, optional
        Link types to include (default: every type in ``LINK_KINDS``).
    limit : int
        At most this many records per link type (a busy trade lane has thousands of shipments).

    Returns
    -------
    list of dict
        One dict a record: ``id``, ``type``, ``source``, ``target`` (record ids), the citation
        fields, the share as text for links, and the shipment fields for trade.
    """
    wanted = list(kinds) if kinds is not None else list(LINK_KINDS)
    left = lookup.members(workspace, source)
    right = lookup.members(workspace, target)
    found: list[dict[str, Any]] = []
    plain = [kind for kind in wanted if kind not in ("SHIPPED_TO", "DECLARED")]
    if plain:
        rows = workspace.query(
            f"SELECT * FROM links WHERE source_id IN ({_marks(left)}) "
            f"AND target_id IN ({_marks(right)}) AND type IN ({_marks(plain)}) "
            f"ORDER BY type, start_date, id LIMIT ?",
            (*left, *right, *plain, limit * len(plain)),
        )
        for row in rows:
            found.append(
                {
                    "id": row["id"],
                    "type": row["type"],
                    "source": row["source_id"],
                    "target": row["target_id"],
                    "share": lookup.share_text(row),
                    **{key: row[key] for key in LINK_FIELDS},
                    **citation(row),
                }
            )
    if "SHIPPED_TO" in wanted:
        rows = workspace.query(
            f"SELECT * FROM shipments WHERE exporter_id IN ({_marks(left)}) "
            f"AND importer_id IN ({_marks(right)}) ORDER BY date, id LIMIT ?",
            (*left, *right, limit),
        )
        found.extend(_shipment(row, "SHIPPED_TO", row["exporter_id"], row["importer_id"])
                     for row in rows)  # fmt: skip
    if "DECLARED" in wanted:
        rows = workspace.query(
            f"SELECT * FROM shipments WHERE declarant_id IN ({_marks(left)}) "
            f"AND (exporter_id IN ({_marks(right)}) OR importer_id IN ({_marks(right)})) "
            f"ORDER BY date, id LIMIT ?",
            (*left, *right, *right, limit),
        )
        found.extend(
            _shipment(
                row, "DECLARED", row["declarant_id"],
                row["exporter_id"] if row["exporter_id"] in right else row["importer_id"],
            )
            for row in rows
        )  # fmt: skip
    return found


def _shipment(row: Any, kind: str, source: str, target: str) -> dict[str, Any]:
    return {
        "id": row["id"],
        "type": kind,
        "source": source,
        "target": target,
        "exporter_id": row["exporter_id"],
        "importer_id": row["importer_id"],
        **{key: row[key] for key in SHIPMENT_FIELDS},
        **citation(row),
    }

"""``sanctioned-by-extension`` over a workspace: the 50% rules applied to its resolved entities.

Reads the listings active on a date for one regime and the OWNS/CONTROLS links reachable from the
listed entities (record ids mapped to resolved entities), runs
:func:`~ownergraph.analyses.ownership.blocked_by_extension` and returns the DESIGN.md §7 result.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ownergraph.analyses.ownership import Regime, Stake, Verdict, blocked_by_extension
from ownergraph.errors import InputError
from ownergraph.lookup import view_or_stub
from ownergraph.model import ShareInterval
from ownergraph.workspace import Workspace

REGIMES: dict[Regime, frozenset[str]] = {
    "ofac": frozenset({"OFAC"}),
    "eu": frozenset({"EU"}),
    "uk": frozenset({"UK", "OFSI"}),
}
"""The listing authorities whose designations block under each regime.

UN listings count only through the EU and UK lists that implement them; BIS (Entity List, MEU,
UVL, DPL) and State lists are export controls and other measures, not blocking sanctions.
"""
BLOCKING_LISTS: dict[str, frozenset[str]] = {"OFAC": frozenset({"SDN"})}
"""Authorities only some of whose lists block. OFAC's other lists (``Non-SDN``, ``Consolidated``,
``Sectoral Sanctions Identifications``/``SSI``, ``NS-MBS``, ``CMIC``, ``PLC``, ``FSE``, ``CAP``, as
the loaders name them) restrict dealings without blocking, so only ``SDN`` seeds the OFAC rule."""
_BATCH = 500


@dataclass(frozen=True, slots=True)
class ExtendedEntity:
    """One entity blocked, possibly blocked or controlled by extension, as the contract shows it."""

    view: Mapping[str, Any]
    verdict: Verdict

    def as_dict(self) -> dict[str, Any]:
        return {**self.view, **self.verdict.as_dict()}


@dataclass(frozen=True, slots=True)
class ExtensionResult:
    regime: Regime
    as_of: str
    entities: list[ExtendedEntity] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "regime": self.regime,
            "as_of": self.as_of,
            "entities": [entity.as_dict() for entity in self.entities],
        }


def sanctioned_by_extension(
    workspace: Workspace, regime: str, as_of: str | None = None
) -> ExtensionResult:
    """Entities of ``workspace`` blocked by extension under ``regime`` on ``as_of`` (default today).

    Raises :class:`InputError` for an unknown regime or a date that is not ``YYYY-MM-DD``.
    Entities come strongest first: blocked, controlled, possibly; then by share held.
    """
    name = next((known for known in REGIMES if known == regime), None)
    if name is None:
        raise InputError(f"unknown regime {regime!r}; use one of {', '.join(REGIMES)}")
    day = as_of or date.today().isoformat()
    listed = _listed(workspace, REGIMES[name], day)
    try:
        verdicts = blocked_by_extension(_reachable_stakes(workspace, listed), listed, name, day)
    except ValueError as error:
        raise InputError(str(error)) from None
    ranked = sorted(verdicts.values(), key=verdict_order)
    entities = [ExtendedEntity(view_or_stub(workspace, v.entity), v) for v in ranked]
    return ExtensionResult(name, day, entities)


def _listed(
    workspace: Workspace, authorities: frozenset[str], day: str
) -> dict[str, list[Mapping[str, str]]]:
    """Resolved entity id -> citations of its listings by ``authorities`` active on ``day``.

    Dates compare as text, so a partial ``listed_on`` of "2025" counts from 2025-01-01.
    """
    marks = ", ".join("?" * len(authorities))
    rows = workspace.query(
        f"SELECT * FROM listings WHERE authority IN ({marks}) "
        f"AND (listed_on IS NULL OR listed_on <= ?) AND (delisted_on IS NULL OR delisted_on > ?) "
        f"AND (withdrawn_on IS NULL OR withdrawn_on > ?) ORDER BY id",
        (*sorted(authorities), day, day, day),
    )
    rows = [row for row in rows if blocks(row["authority"], row["list_name"])]
    canonical = _canonical(workspace, {row["entity_id"] for row in rows})
    listed: dict[str, list[Mapping[str, str]]] = {}
    for row in rows:
        citation = {
            "authority": row["authority"],
            "list": row["list_name"],
            "programmes": "; ".join(json.loads(row["programmes"])),
            "listed_on": row["listed_on"],
            "listing": row["id"],
            "dataset": row["dataset"],
            "record": row["record"],
            "source_file": row["source_file"],
            "source_url": row["source_url"],
        }
        entity = canonical.get(row["entity_id"], row["entity_id"])
        listed.setdefault(entity, []).append({k: v for k, v in citation.items() if v})
    return listed


def blocks(authority: str, list_name: str) -> bool:
    lists = BLOCKING_LISTS.get(authority)
    return lists is None or list_name.upper() in lists


def _reachable_stakes(workspace: Workspace, seeds: Iterable[str]) -> Iterator[Stake]:
    """OWNS and CONTROLS stakes of the seeds and of every entity they reach through such links.

    Only these can count: a stake counts when its owner is listed or caught, and a caught entity
    is reached from a listed one. Reading the rest of a registry-sized workspace would be waste.
    """
    seen = set(seeds)
    frontier = sorted(seen)
    while frontier:
        members = _members(workspace, frontier)
        rows = _links_from(workspace, list(members))
        targets = _canonical(workspace, {row["target_id"] for row in rows})
        found: list[str] = []
        for row in rows:
            asset = targets.get(row["target_id"], row["target_id"])
            yield _stake(row, members[row["source_id"]], asset)
            if asset not in seen:
                seen.add(asset)
                found.append(asset)
        frontier = sorted(found)


def _links_from(workspace: Workspace, sources: Sequence[str]) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(sources), _BATCH):
        batch = sources[start : start + _BATCH]
        rows.extend(
            workspace.query(
                f"SELECT * FROM links WHERE source_id IN ({', '.join('?' * len(batch))}) "
                f"AND type IN ('OWNS', 'CONTROLS') AND target_id IS NOT NULL ORDER BY id",
                batch,
            )
        )
    return rows


def _stake(row: Any, owner: str, asset: str) -> Stake:
    share = None
    if row["share_known"]:
        share = ShareInterval(
            row["share_low"], row["share_high"],
            bool(row["share_low_open"]), bool(row["share_high_open"]),
        )  # fmt: skip
    citation = {
        "link": row["id"],
        "dataset": row["dataset"],
        "record": row["record"],
        "source_file": row["source_file"],
        "source_url": row["source_url"],
    }
    return Stake(
        owner, asset, share, row["start_date"], row["end_date"],
        {key: value for key, value in citation.items() if value}, row["type"],
    )  # fmt: skip


def _cluster_rows(workspace: Workspace, column: str, ids: Sequence[str]) -> dict[str, str]:
    """Record id -> resolved entity id for cluster rows whose ``column`` is one of ``ids``."""
    mapping: dict[str, str] = {}
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        mapping.update(
            (row[0], row[1])
            for row in workspace.query(
                f"SELECT entity_id, canonical_id FROM clusters "
                f"WHERE {column} IN ({', '.join('?' * len(batch))})",
                batch,
            )
        )
    return mapping


def _canonical(workspace: Workspace, record_ids: Iterable[str]) -> dict[str, str]:
    """Record id -> resolved entity id, for the records that resolution merged."""
    return _cluster_rows(workspace, "entity_id", sorted(record_ids))


def _members(workspace: Workspace, entities: Sequence[str]) -> dict[str, str]:
    """Record id -> resolved entity id for every record of ``entities`` (each is its own)."""
    return {
        **{entity: entity for entity in entities},
        **_cluster_rows(workspace, "canonical_id", entities),
    }


def verdict_order(verdict: Verdict) -> tuple[int, float, float, str]:
    rank = {"blocked": 0, "controlled": 1, "possibly": 2}[verdict.status]
    return (rank, -verdict.share_low, -verdict.share_high, verdict.entity)

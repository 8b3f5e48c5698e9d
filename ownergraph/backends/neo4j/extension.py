"""``sanctioned-by-extension`` on Neo4j: the shared 50% rules over stakes read from the server.

The listings active on the day come from ``cypher/listed_entities.cypher``, the ownership and
control links reachable from the listed entities from ``cypher/ownership_subgraph.cypher`` (one
query; the database walks the links), and
:func:`~ownergraph.analyses.ownership.blocked_by_extension` decides. Stakes are handed over in
the order the workspace adapter (:mod:`ownergraph.analyses.extension`) reads them, level by level
from the listed entities, so the proofs cite them in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from ownergraph.analyses.extension import (
    REGIMES,
    ExtendedEntity,
    ExtensionResult,
    blocks,
    verdict_order,
)
from ownergraph.analyses.ownership import Stake, blocked_by_extension
from ownergraph.backends.neo4j.reads import Reader, view
from ownergraph.errors import InputError
from ownergraph.model import ShareInterval


def sanctioned_by_extension(reader: Reader, regime: str, as_of: str | None) -> ExtensionResult:
    """As :func:`ownergraph.analyses.extension.sanctioned_by_extension`, from Neo4j."""
    name = next((known for known in REGIMES if known == regime), None)
    if name is None:
        raise InputError(f"unknown regime {regime!r}; use one of {', '.join(REGIMES)}")
    day = as_of or date.today().isoformat()
    listed = listed_entities(reader, sorted(REGIMES[name]), day)
    stakes = list(reachable_stakes(reader, listed))
    try:
        verdicts = blocked_by_extension(stakes, listed, name, day)
    except ValueError as error:
        raise InputError(str(error)) from None
    ranked = sorted(verdicts.values(), key=verdict_order)
    nodes = reader.entities([verdict.entity for verdict in ranked])
    entities = [ExtendedEntity(view(nodes.get(v.entity), v.entity), v) for v in ranked]
    return ExtensionResult(name, day, entities)


def listed_entities(
    reader: Reader, authorities: Sequence[str], day: str
) -> dict[str, list[Mapping[str, str]]]:
    """Entity id -> citations of its blocking listings active on ``day``, by listing id."""
    listed: dict[str, list[Mapping[str, str]]] = {}
    for row in reader.rows("listed_entities", authorities=list(authorities), day=day):
        listing = row["listing"]
        if not blocks(listing["authority"], listing["list"]):
            continue
        citation = {
            "authority": listing["authority"],
            "list": listing["list"],
            "programmes": "; ".join(listing.get("programmes") or []),
            "listed_on": listing.get("listed_on"),
            "listing": listing["id"],
            "dataset": listing.get("dataset"),
            "record": listing.get("record"),
            "source_file": listing.get("source_file"),
            "source_url": listing.get("source_url"),
        }
        listed.setdefault(row["entity"], []).append({k: v for k, v in citation.items() if v})
    return listed


def reachable_stakes(reader: Reader, seeds: Mapping[str, Any]) -> Iterator[Stake]:
    """The stakes reachable from ``seeds``, breadth first from them, each level by link id (the
    order in which the workspace adapter reads them)."""
    if not seeds:
        return
    by_owner: dict[str, list[dict[str, Any]]] = {}
    for row in reader.rows("ownership_subgraph", seeds=sorted(seeds)):
        by_owner.setdefault(row["owner"], []).append(row)
    seen = set(seeds)
    frontier = sorted(seen)
    while frontier:
        rows = sorted(
            (row for owner in frontier for row in by_owner.get(owner, [])),
            key=lambda row: str(row["link"]["id"]),
        )
        found: list[str] = []
        for row in rows:
            yield stake(row)
            if row["asset"] not in seen:
                seen.add(row["asset"])
                found.append(row["asset"])
        frontier = sorted(found)


def stake(row: Mapping[str, Any]) -> Stake:
    """A :class:`Stake` from an OWNS or CONTROLS relationship row of ``ownership_subgraph``."""
    link = row["link"]
    share = None
    if link.get("share_known"):
        share = ShareInterval(
            link.get("share_low"), link.get("share_high"),
            bool(link.get("share_low_open")), bool(link.get("share_high_open")),
        )  # fmt: skip
    citation = {
        "link": link["id"],
        "dataset": link.get("dataset"),
        "record": link.get("record"),
        "source_file": link.get("source_file"),
        "source_url": link.get("source_url"),
    }
    return Stake(
        row["owner"], row["asset"], share, link.get("start_date"), link.get("end_date"),
        {key: value for key, value in citation.items() if value}, row["type"],
    )  # fmt: skip

"""Path documents from Neo4j: the nodes as entity views, each hop's relationships with the source
records behind them, and why merged entities were merged (DESIGN.md §7).

The same document the local backend writes (``LocalBackend._path_document``), with the records
read from the relationships' properties instead of the workspace (:mod:`ownergraph.evidence`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ownergraph.backends.neo4j.reads import Reader, merges_of, view
from ownergraph.evidence import CITATION_FIELDS, LINK_FIELDS

RECORD_LIMIT = 1000
"""Records per relationship type and hop, as :func:`ownergraph.evidence.edge_records`."""
_SHIPMENT_FIELDS = (
    "date", "hs_code", "hs6", "chpl_tier", "description", "quantity", "unit", "value",
    "currency", "origin_country", "destination_country", "declarant_id",
)  # fmt: skip

Hop = tuple[str, str, str]
"""(relationship type, source entity id, target entity id)."""


def record(kind: str, props: Mapping[str, Any], party_exported: bool | None) -> dict[str, Any]:
    """One evidence record as ``evidence.edge_records`` writes it, from a relationship."""
    citation = {key: props.get(key) for key in CITATION_FIELDS}
    if kind in ("SHIPPED_TO", "DECLARED"):
        if kind == "SHIPPED_TO":
            source, target = props["exporter_id"], props["importer_id"]
        else:
            source = props["declarant_id"]
            target = props["exporter_id"] if party_exported else props["importer_id"]
        return {
            "id": props["id"], "type": kind, "source": source, "target": target,
            "exporter_id": props["exporter_id"], "importer_id": props["importer_id"],
            **{key: props.get(key) for key in _SHIPMENT_FIELDS}, **citation,
        }  # fmt: skip
    return {
        "id": props["id"], "type": kind, "source": props["source_id"],
        "target": props["target_id"], "share": props.get("share"),
        **{key: props.get(key) for key in LINK_FIELDS}, **citation,
    }  # fmt: skip


def edge_records(reader: Reader, hop: Hop, limit: int = RECORD_LIMIT) -> list[dict[str, Any]]:
    """The records behind one hop's relationships, ordered as ``evidence.edge_records`` orders
    them, at most ``limit``."""
    kind, source, target = hop
    rows = reader.rows("edge_records", source=source, target=target, type=kind, limit=limit)
    found = [record(kind, row["record"], row["party_exported"]) for row in rows]
    if kind in ("SHIPPED_TO", "DECLARED"):
        found.sort(key=lambda item: (item["date"] or "", item["id"]))
    else:
        found.sort(key=lambda item: (item["start_date"] or "", item["id"]))
    return found


def path_document(
    reader: Reader,
    ids: Sequence[str],
    hops: Sequence[Sequence[Hop]],
    nodes: Mapping[str, dict[str, Any]],
    days: Mapping[int, set[str]] | None = None,
    known: dict[Hop, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The document of one path: ``ids`` its entities, ``hops`` the distinct (type, source,
    target) of each hop's relationships, ``nodes`` the entity nodes by id (``Reader.entities``);
    with ``days``, each hop's shipments are only those of those dates (trace). ``known`` keeps
    the records read for each hop across the paths of one answer, which share many hops."""
    edges = []
    order = {entity: (nodes[entity]["ord"] if entity in nodes else 0) for entity in ids}
    for number, hop in enumerate(hops):
        for kind, source, target in sorted(
            set(hop), key=lambda item: (item[0], order.get(item[1], 0), order.get(item[2], 0))
        ):
            read = known if known is not None else {}
            if (kind, source, target) not in read:
                read[kind, source, target] = edge_records(reader, (kind, source, target))
            records = list(read[kind, source, target])
            if days is not None and kind == "SHIPPED_TO":
                wanted = days.get(number, set())
                records = [item for item in records if item["date"] in wanted]
            edges.append({"type": kind, "source": source, "target": target, "hop": number,
                          "records": records})  # fmt: skip
    merges = [
        {"entity": entity, "records": list(nodes[entity]["records"] or []),
         "explanation": merges_of(nodes[entity])}
        for entity in ids if entity in nodes and len(nodes[entity]["records"] or []) > 1
    ]  # fmt: skip
    return {"nodes": [view(nodes.get(entity), entity) for entity in ids], "edges": edges,
            "score": None, "flags": [], "merges": merges}  # fmt: skip

"""CSV files for ``neo4j-admin database import full``: ``entities.csv`` and ``relationships.csv``.

Headers are in the neo4j-admin format: ``id:ID`` and ``:LABEL`` for nodes (labels ``Entity`` and
the schema name, as ``neo4j push`` writes them), ``:START_ID``, ``:END_ID`` and ``:TYPE`` (the
``LINK_KINDS`` name) for relationships, typed properties such as ``share_low:float`` and
``aliases:string[]``. Arrays use neo4j-admin's default delimiter ``;`` (a ``;`` inside a value
becomes ``,``); line breaks inside values become spaces, so no ``--multiline-fields`` is needed.
Import (docs/exports.md)::

    neo4j-admin database import full --nodes=entities.csv --relationships=relationships.csv neo4j
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ownergraph.exports.model import (
    CITATION_FIELDS,
    ENTITY_PROPERTIES,
    LINK_ATTRIBUTES,
    SHIPMENT_ATTRIBUTES,
    Edge,
    Node,
    Selection,
)
from ownergraph.exports.tables import listing_text
from ownergraph.model import ShareInterval

ENTITY_LABEL = "Entity"
NODE_HEADER: tuple[str, ...] = (
    "id:ID", ":LABEL", "name", "schema", "country", "sanctioned:boolean", "aliases:string[]",
    "identifiers:string[]", "incorporation_date", "dissolution_date", "birth_date", "nationality",
    "address", "topics:string[]", "listings:string[]", "records:string[]",
)  # fmt: skip
_NUMBERS = {"quantity": "float", "value": "float", "count": "int"}
RELATIONSHIP_HEADER: tuple[str, ...] = (
    ":START_ID", ":END_ID", ":TYPE", "id", "share", "share_low:float", "share_high:float",
    *(name for name in LINK_ATTRIBUTES if name != "share"),
    *(f"{name}:{_NUMBERS[name]}" if name in _NUMBERS else name for name in SHIPMENT_ATTRIBUTES),
    "count:int", *CITATION_FIELDS, "records:string[]",
)  # fmt: skip
README = __doc__.split("Import (docs/exports.md)::", 1)[1].strip() + "\n"


def _value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value.replace("\r", " ").replace("\n", " ")
    return value


def _array(values: Iterable[Any]) -> str:
    return ";".join(str(_value(value)).replace(";", ",") for value in values if value is not None)


def node_record(node: Node) -> list[Any]:
    """One ``entities.csv`` row, in :data:`NODE_HEADER` order."""
    labels = [ENTITY_LABEL, *([node.schema] if node.schema else [])]
    props = node.properties
    topics = props.get("topics") or []
    return [
        node.id, ";".join(labels), _value(node.name), _value(node.schema), _value(node.country),
        _value(node.sanctioned), _array(node.aliases), _array(node.identifiers),
        *(_value(props.get(key)) for key in ENTITY_PROPERTIES if key != "topics"),
        _array(topics if isinstance(topics, list) else [topics]),
        _array(listing_text(listing) for listing in node.listings),
        _array(source.get("id") for source in node.sources),
    ]  # fmt: skip


def relationship_record(edge: Edge) -> list[Any]:
    """One ``relationships.csv`` row, in :data:`RELATIONSHIP_HEADER` order."""
    attributes = edge.attributes
    share = ShareInterval.parse(str(attributes.get("share") or ""))
    cited = edge.records[0] if len(edge.records) == 1 else {}
    return [
        edge.source, edge.target, edge.type, edge.id, _value(attributes.get("share")),
        _value(share.low if share else None), _value(share.high if share else None),
        *(_value(attributes.get(name)) for name in LINK_ATTRIBUTES if name != "share"),
        *(_value(attributes.get(name)) for name in SHIPMENT_ATTRIBUTES),
        _value(attributes.get("count")),
        *(_value(cited.get(name)) for name in CITATION_FIELDS),
        _array(record.get("id") for record in edge.records) if len(edge.records) > 1 else "",
    ]  # fmt: skip


def write_neo4j_csv(selection: Selection, folder: Path) -> list[Path]:
    """``entities.csv``, ``relationships.csv`` and ``README.txt`` (the import command)."""
    nodes, relationships = folder / "entities.csv", folder / "relationships.csv"
    with nodes.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(NODE_HEADER)
        writer.writerows(map(node_record, selection.iter_nodes()))
    with relationships.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(RELATIONSHIP_HEADER)
        writer.writerows(map(relationship_record, selection.iter_edges()))
    readme = folder / "README.txt"
    readme.write_text(README, encoding="utf-8")
    return [nodes, relationships, readme]

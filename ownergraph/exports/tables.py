"""Spreadsheet exports: CSV (``nodes.csv`` + ``edges.csv`` in a folder) and XLSX (a sheet per kind
of entity and of link, and a ``sources`` sheet citing every record).

One row a node and one row an edge (a sourced fact, with its citation), streamed: a million-edge
CSV export holds one row at a time. Lists are joined with ``; `` as in the input CSVs.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ownergraph.errors import InputError
from ownergraph.exports.model import (
    CITATION_FIELDS,
    DECLARED_ATTRIBUTES,
    ENTITY_PROPERTIES,
    LINK_ATTRIBUTES,
    SHIPMENT_ATTRIBUTES,
    Edge,
    Node,
    Selection,
)
from ownergraph.model.schema import ENTITY_KINDS

NODE_COLUMNS = (
    "id", "name", "schema", "country", "sanctioned", "aliases", "identifiers",
    *ENTITY_PROPERTIES, "listings", "records", "datasets",
)  # fmt: skip
EDGE_COLUMNS = tuple(
    dict.fromkeys(
        ("id", "type", "source", "target", *LINK_ATTRIBUTES, *SHIPMENT_ATTRIBUTES,
         *DECLARED_ATTRIBUTES, *CITATION_FIELDS, "records")
    )
)  # fmt: skip
"""Columns of ``edges.csv``: a link fills the link columns, a shipment the shipment columns."""
SOURCE_COLUMNS = ("id", "table", *CITATION_FIELDS)
XLSX_ROWS = 1_048_575
"""Data rows an XLSX sheet can hold (Excel's limit, less the header)."""


def text(value: Any) -> Any:
    """A cell: lists joined by ``; ``, everything else as it is."""
    if isinstance(value, list | tuple):
        return "; ".join(str(item) for item in value)
    return value


def listing_text(listing: dict[str, Any]) -> str:
    programmes = ", ".join(listing.get("programmes") or [])
    span = f" from {listing['listed_on']}" if listing.get("listed_on") else ""
    ended = listing.get("delisted_on") or listing.get("withdrawn_on")
    span += f" to {ended}" if ended else ""
    return (
        f"{listing['authority']} {listing['list']}{f' ({programmes})' if programmes else ''}{span}"
    )


def node_row(node: Node) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": node.id,
        "name": node.name,
        "schema": node.schema,
        "country": node.country,
        "sanctioned": node.sanctioned,
        "aliases": text(node.aliases),
        "identifiers": text(node.identifiers),
        "listings": "; ".join(listing_text(listing) for listing in node.listings),
        "records": text([source["id"] for source in node.sources if source.get("id")]),
        "datasets": text(list(dict.fromkeys(s["dataset"] for s in node.sources if s["dataset"]))),
    }
    for key in ENTITY_PROPERTIES:
        row[key] = text(node.properties.get(key))
    return row


def edge_row(edge: Edge) -> dict[str, Any]:
    row: dict[str, Any] = {"id": edge.id, "type": edge.type, "source": edge.source,
                           "target": edge.target, **edge.attributes}  # fmt: skip
    if len(edge.records) == 1:
        row.update({name: edge.records[0].get(name) for name in CITATION_FIELDS})
    else:
        row["records"] = text([record["id"] for record in edge.records])
    return row


def _in_order(rows: Iterable[dict[str, Any]], columns: tuple[str, ...]) -> Iterator[list[Any]]:
    """Rows as lists in ``columns`` order: filling a copy of an ordered blank row keeps the
    order, which is several times faster than looking each column up."""
    blank = dict.fromkeys(columns)
    width = len(columns)
    for row in rows:
        filled = blank.copy()
        filled.update(row)
        yield list(filled.values()) if len(filled) == width else [row.get(c) for c in columns]


def write_csv(selection: Selection, folder: Path) -> list[Path]:
    """``nodes.csv`` and ``edges.csv`` in ``folder``; returns the files written."""
    written = []
    for name, columns, rows in (
        ("nodes.csv", NODE_COLUMNS, map(node_row, selection.iter_nodes())),
        ("edges.csv", EDGE_COLUMNS, map(edge_row, selection.iter_edges())),
    ):
        path = folder / name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(_in_order(rows, columns))
        written.append(path)
    return written


def kind_columns(kind: str) -> tuple[str, ...]:
    """XLSX columns of a link kind's sheet."""
    if kind == "SHIPPED_TO":
        attributes: tuple[str, ...] = SHIPMENT_ATTRIBUTES
    elif kind == "DECLARED":
        attributes = DECLARED_ATTRIBUTES
    else:
        attributes = LINK_ATTRIBUTES
    cite = ("records",) if kind == "DECLARED" else CITATION_FIELDS
    return ("id", "source", "source_name", "target", "target_name", *attributes, *cite)


def write_xlsx(selection: Selection, path: Path) -> list[Path]:
    """One sheet per kind of entity and of link, then ``sources``; streamed (write-only mode)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheets: dict[str, Any] = {}
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    with tempfile.TemporaryFile("w+", newline="", encoding="utf-8") as spool:
        sources = _Sources(csv.writer(spool))

        def append(sheet: str, columns: tuple[str, ...], values: dict[str, Any]) -> None:
            if sheet not in sheets:
                sheets[sheet] = book.create_sheet(sheet)
                sheets[sheet].append(list(columns))
                counts[sheet] = 0
            counts[sheet] += 1
            if counts[sheet] > XLSX_ROWS:
                raise InputError(
                    f"sheet {sheet} would have more rows than XLSX allows ({XLSX_ROWS:,}); "
                    f"export this selection as csv"
                )
            sheets[sheet].append([_cell(values.get(column)) for column in columns])

        for node in selection.iter_nodes():
            names[node.id] = node.name
            append(_node_sheet(node), NODE_COLUMNS, node_row(node))
            sources.add(node.sources, "entities")
            sources.add(node.listings, "listings")
        for edge in selection.iter_edges():
            row = edge_row(edge)
            row["source_name"], row["target_name"] = names.get(edge.source), names.get(edge.target)
            append(edge.type, kind_columns(edge.type), row)
            if edge.type != "DECLARED":
                sources.add(edge.records, "shipments" if edge.type == "SHIPPED_TO" else "links")
        sheet = book.create_sheet("sources")
        sheet.append(list(SOURCE_COLUMNS))
        spool.seek(0)
        for values in csv.reader(spool):
            sheet.append([value or None for value in values])
        book.save(path)
    return [path]


def _node_sheet(node: Node) -> str:
    if node.schema in ENTITY_KINDS:
        return str(node.schema)
    return "unrecorded"


def _cell(value: Any) -> Any:
    value = text(value)
    if isinstance(value, str) and len(value) > 32000:
        return value[:32000] + " ..."  # an XLSX cell holds at most 32,767 characters
    return value


class _Sources:
    """The ``sources`` sheet's rows, once each, spooled to a file until the sheet is written."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer
        self.seen: set[str] = set()

    def add(self, citations: Iterable[dict[str, Any]], table: str) -> None:
        for citation in citations:
            record = citation.get("id")
            if record is None or record in self.seen:
                continue
            self.seen.add(record)
            self.writer.writerow(
                [record, table, *(citation.get(name) or "" for name in CITATION_FIELDS)]
            )

"""``neo4j push --export-csv DIR``: the graph a push writes, as ``neo4j-admin database import
full`` CSV files, for first loads too large to send over Bolt in reasonable time.

The files hold the same nodes, relationships and properties as a push, content hashes included,
so a push after the import finds everything unchanged and only creates the indexes. The import
command for the files is written to ``DIR/import.sh``; docs/neo4j.md explains the steps.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ownergraph.backends.neo4j import elements
from ownergraph.backends.neo4j.elements import Canonical, Element
from ownergraph.workspace import Workspace

ARRAY_DELIMITER = "\x1f"
"""Between the values of a list property: no id, name key or identifier has it (checked)."""
ENTITY_SPACE, LISTING_SPACE = "Entity-ID", "Listing-ID"

# Property columns and their neo4j-admin types, per file. Every property a push sets is here
# (tests check this against the elements).
ENTITY_COLUMNS = (
    ("name", "string"), ("aliases", "string[]"), ("schema", "string"), ("country", "string"),
    ("identifiers", "string[]"), ("records", "string[]"), ("source_datasets", "string[]"),
    ("source_records", "string[]"), ("keys", "string[]"), ("properties", "string"),
    ("merges", "string"), ("stub", "boolean"), ("ord", "long"), ("lookup_records", "string"),
    ("lookup_identifiers", "string"), ("lookup_keys", "string"),
    ("incorporation_date", "string"), ("nationality", "string"), ("loose_links", "string"),
    ("loose_shipments", "string"), ("export_node", "string"), ("hash", "long"),
)  # fmt: skip
LISTING_COLUMNS = (
    ("entity_id", "string"), ("authority", "string"), ("list", "string"),
    ("programmes", "string[]"), ("listed_on", "string"), ("delisted_on", "string"),
    ("withdrawn_on", "string"), ("dataset", "string"), ("source_file", "string"),
    ("record", "string"), ("source_url", "string"), ("loaded_at", "string"), ("seq", "long"),
    ("hash", "long"),
)  # fmt: skip
LINK_COLUMNS = (
    ("id", "string"), ("source_id", "string"), ("target_id", "string"),
    ("target_name", "string"), ("share", "string"), ("share_known", "boolean"),
    ("share_low", "double"), ("share_high", "double"), ("share_low_open", "boolean"),
    ("share_high_open", "boolean"), ("role", "string"), ("start_date", "string"),
    ("end_date", "string"), ("start_day", "long"), ("end_day", "long"), ("seq", "long"),
    ("dataset", "string"),
    ("source_file", "string"), ("record", "string"), ("source_url", "string"),
    ("loaded_at", "string"), ("hash", "long"),
)  # fmt: skip
SHIPMENT_COLUMNS = (
    ("id", "string"), ("exporter_id", "string"), ("importer_id", "string"),
    ("declarant_id", "string"), ("declarant", "string"), ("day", "long"),
    ("start_day", "long"), ("end_day", "long"), ("hs6_code", "long"), ("seq", "long"),
    ("date", "string"),
    ("hs_code", "string"), ("hs6", "string"), ("chpl_tier", "string"),
    ("description", "string"), ("quantity", "double"), ("unit", "string"),
    ("value", "double"), ("currency", "string"), ("origin_country", "string"),
    ("destination_country", "string"), ("dataset", "string"), ("source_file", "string"),
    ("record", "string"), ("source_url", "string"), ("loaded_at", "string"), ("hash", "long"),
)  # fmt: skip
DECLARED_COLUMNS = (
    ("id", "string"), ("count", "long"), ("start_day", "long"), ("end_day", "long"),
    ("start_date", "string"), ("end_date", "string"), ("hash", "long"),
)  # fmt: skip


@dataclass
class ExportSummary:
    directory: Path
    files: dict[str, int] = field(default_factory=dict)
    """File name -> data rows."""
    command: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "directory": str(self.directory),
            "files": self.files,
            "command": shlex.join(self.command),
        }


def _cell(value: Any, kind: str) -> str | None:
    """A value as CSV text; None stays None (an unquoted empty field: no property, where a
    quoted empty field would be an empty string)."""
    if value is None:
        return None
    if kind == "string[]":
        values = [str(item) for item in value]
        if any(ARRAY_DELIMITER in item for item in values):
            raise ValueError(f"a list value contains U+001F: {values!r}")
        return ARRAY_DELIMITER.join(values)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        return repr(float(value))
    return str(value)


def _line(cells: Iterable[str | None]) -> str:
    """One CSV line: every value quoted (quotes doubled), a missing value an empty field."""
    return ",".join("" if c is None else '"' + c.replace('"', '""') + '"' for c in cells) + "\n"


class _File:
    def __init__(self, path: Path, header: Sequence[str]) -> None:
        self.path = path
        self.handle: IO[str] = path.open("w", newline="", encoding="utf-8")
        self.handle.write(_line(header))
        self.rows = 0

    def write(self, cells: Iterable[str | None]) -> None:
        self.handle.write(_line(cells))
        self.rows += 1

    def close(self) -> None:
        self.handle.close()


def _header(columns: Sequence[tuple[str, str]]) -> list[str]:
    return [f"{name}:{kind}" if kind != "string" else name for name, kind in columns]


def _ends() -> list[str]:
    return [f":START_ID({ENTITY_SPACE})", f":END_ID({ENTITY_SPACE})", ":TYPE"]


def _props(element: Element, columns: Sequence[tuple[str, str]]) -> Iterator[str | None]:
    props = element.row["props"]
    return (_cell(props.get(name), kind) for name, kind in columns)


def export_csv(workspace: Workspace, directory: Path) -> ExportSummary:
    """Write the graph of ``workspace`` as neo4j-admin import files into ``directory``.

    Returns the files written (with their row counts) and the import command.
    """
    directory.mkdir(parents=True, exist_ok=True)
    canonical = Canonical(workspace)
    stubs = elements.stub_ids(workspace)
    summary = ExportSummary(directory)
    files = {
        "entities.csv": [f"id:ID({ENTITY_SPACE})", ":LABEL", *_header(ENTITY_COLUMNS)],
        "listings.csv": [f"id:ID({LISTING_SPACE})", ":LABEL", *_header(LISTING_COLUMNS)],
        "lists.csv": [f":START_ID({LISTING_SPACE})", f":END_ID({ENTITY_SPACE})", ":TYPE"],
        "links.csv": [*_ends(), *_header(LINK_COLUMNS)],
        "shipments.csv": [*_ends(), *_header(SHIPMENT_COLUMNS)],
        "declared.csv": [*_ends(), *_header(DECLARED_COLUMNS)],
    }
    opened = {name: _File(directory / name, header) for name, header in files.items()}
    try:
        for element in elements.entities(workspace, canonical, stubs):
            props = element.row["props"]
            labels = ARRAY_DELIMITER.join(["Entity", *element.row["labels"]])
            opened["entities.csv"].write([props["id"], labels, *_props(element, ENTITY_COLUMNS)])
        for element in elements.listings(workspace, canonical, stubs):
            props = element.row["props"]
            opened["listings.csv"].write(
                [props["id"], "Listing", *_props(element, LISTING_COLUMNS)]
            )
            opened["lists.csv"].write([props["id"], element.row["entity"], "LISTS"])
        for element in elements.relationships(workspace, canonical):
            row = element.row
            kind = row["type"]
            name, columns = (
                ("shipments.csv", SHIPMENT_COLUMNS) if kind == "SHIPPED_TO"
                else ("declared.csv", DECLARED_COLUMNS) if kind == "DECLARED"
                else ("links.csv", LINK_COLUMNS)
            )  # fmt: skip
            opened[name].write([row["source"], row["target"], kind, *_props(element, columns)])
    finally:
        for handle in opened.values():
            handle.close()
    summary.files = {name: handle.rows for name, handle in opened.items()}
    summary.command = import_command(directory)
    script = directory / "import.sh"
    script.write_text(
        "#!/bin/sh\n# Import these files into a new database (the server must be stopped);\n"
        "# then start it and run `ownergraph neo4j push`, which adds the indexes.\n"
        + shlex.join(summary.command)
        + "\n",
        encoding="utf-8",
    )
    return summary


def import_command(directory: Path, database: str = "neo4j") -> list[str]:
    """The ``neo4j-admin database import full`` command line for the files in ``directory``."""
    here = directory.resolve()
    return [
        "neo4j-admin", "database", "import", "full", database,
        f"--nodes={here / 'entities.csv'}", f"--nodes={here / 'listings.csv'}",
        f"--relationships={here / 'lists.csv'}", f"--relationships={here / 'links.csv'}",
        f"--relationships={here / 'shipments.csv'}", f"--relationships={here / 'declared.csv'}",
        "--array-delimiter=U+001F", "--multiline-fields=true", "--id-type=string",
        "--overwrite-destination=true",
    ]  # fmt: skip

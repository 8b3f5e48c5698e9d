"""``ownergraph neo4j ...``: push the resolved graph to Neo4j, and run the named query library.

The server comes from ``NEO4J_URI``, ``NEO4J_USERNAME``, ``NEO4J_PASSWORD`` and
``NEO4J_DATABASE`` (``--database`` overrides the last); the password is never printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from ownergraph.cli_common import State, err, errors, json_option, out, pass_state, print_json


@click.group(name="neo4j")
def neo4j_group() -> None:
    """Neo4j: push the resolved graph to a server, run the named Cypher queries."""


@neo4j_group.command()
@click.option("--database", help="Database to write (default: $NEO4J_DATABASE or neo4j).")
@click.option(
    "--export-csv",
    "export_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write neo4j-admin import CSV files into this folder instead of pushing.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@json_option
@pass_state
def push(
    state: State, database: str | None, export_dir: Path | None, quiet: bool, as_json: bool
) -> None:
    """Write the resolved graph to Neo4j: idempotent, and only what changed since last time."""
    from ownergraph.backends.neo4j import Settings, connect
    from ownergraph.backends.neo4j.export import export_csv
    from ownergraph.backends.neo4j.push import push as push_graph

    with errors(), state.open() as workspace:
        if export_dir is not None:
            exported = export_csv(workspace, export_dir)
            if as_json:
                print_json(exported.as_dict())
                return
            rows = ", ".join(f"{name} {count}" for name, count in exported.files.items())
            err.print(f"wrote {export_dir}: {rows}", highlight=False)
            err.print(f"import with: sh {export_dir / 'import.sh'}", highlight=False)
            return
        settings = Settings.from_env(database=database)
        with connect(settings) as driver:
            summary = push_graph(
                workspace, driver, settings.database, console=None if quiet else err
            )
    if as_json:
        print_json(summary.as_dict())
        return
    parts = [
        f"{kind}: {count.written} written, {count.unchanged} unchanged, {count.deleted} deleted"
        for kind, count in summary.counts.items()
    ]
    err.print(
        f"pushed to {settings.where} in {summary.seconds:.1f}s; " + "; ".join(parts),
        highlight=False,
    )


@neo4j_group.command()
@click.argument("name", required=False)
@click.option(
    "--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
    help="A query parameter; VALUE is read as JSON when it parses (3, true, [\"OWNS\"]), "
    "else as text. Repeat for more.",
)  # fmt: skip
@click.option("--database", help="Database to read (default: $NEO4J_DATABASE or neo4j).")
@json_option
def query(name: str | None, params: Sequence[str], database: str | None, as_json: bool) -> None:
    """Run the named read-only query NAME from cypher/ (no NAME: list them)."""
    from ownergraph.backends.neo4j import Settings, library
    from ownergraph.backends.neo4j.backend import Neo4jBackend

    with errors():
        if name is None:
            found = {item: library.describe(item).splitlines()[0] for item in library.names()}
            if as_json:
                print_json({"queries": found})
            else:
                for item, about in found.items():
                    out.print(f"{item:<26} {about.partition(': ')[2] or about}", highlight=False)
            return
        values = library.parameters(params)
        backend = Neo4jBackend.connect(Settings.from_env(database=database))
        try:
            result = library.run(backend.reader, name, values)
        finally:
            backend.close()
    if as_json:
        print_json(result.as_dict())
        return
    if not result.rows:
        err.print("no rows")
        return
    table = Table()
    for column in result.columns:
        table.add_column(column)
    for row in result.rows:
        table.add_row(*(Text(_cell(row[column])) for column in result.columns))
    out.print(table)


def _cell(value: object) -> str:
    import json

    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)

"""``ownergraph export``: a selection of the graph in a file format (docs/exports.md)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ownergraph.cli_common import BadInput, State, country_codes, err, errors, pass_state
from ownergraph.exports import FORMATS, export
from ownergraph.model.schema import LINK_KINDS


def _format_help() -> str:
    lines = [f"  {name:<10} {spec.description}" for name, spec in FORMATS.items()]
    return "\b\nFormats:\n" + "\n".join(lines)


@click.command(epilog=_format_help())
@click.option(
    "--around",
    "seeds",
    multiple=True,
    help="Select the neighbourhood of this entity (id, scheme:value or name; repeatable).",
)
@click.option("--hops", type=int, default=1, show_default=True, help="With --around: how far.")
@click.option(
    "--from-json",
    "document",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Select the paths of a saved 'paths --json' or 'trace --json' result.",
)
@click.option("--all", "everything", is_flag=True, help="Select the whole graph.")
@click.option(
    "--format",
    "format_name",
    required=True,
    type=click.Choice(list(FORMATS)),
    help="Output format (see below).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Output file (a folder for csv and neo4j-csv; FILE.md and FILE.html for report).",
)
@click.option(
    "--type",
    "link_types",
    multiple=True,
    type=click.Choice(list(LINK_KINDS)),
    help="With --around: walk and export only these link types (repeatable).",
)
@click.option("--country", "countries", help="With --around: pass only through these countries.")
@click.option("--min-share", type=float, help="With --around: OWNS links of at least this share.")
@click.option("--directed", is_flag=True, help="With --around: follow links onward only.")
@click.option("--as-of", "as_of", help="Date YYYY-MM-DD: links valid that day; sanctions then.")
@pass_state
def export_command(
    state: State,
    seeds: tuple[str, ...],
    hops: int,
    document: Path | None,
    everything: bool,
    format_name: str,
    output: Path,
    link_types: tuple[str, ...],
    countries: str | None,
    min_share: float | None,
    directed: bool,
    as_of: str | None,
) -> None:
    """Write a selection (--around ENTITY --hops N, --from-json FILE or --all) as FORMAT.

    With --backend neo4j the selection is read from the Neo4j server (docs/neo4j.md).
    """
    chosen = [bool(seeds), document is not None, everything]
    if sum(chosen) != 1:
        raise BadInput("choose one selection: --around ENTITY, --from-json FILE or --all")
    if format_name == "report" and document is None:
        raise BadInput("--format report needs --from-json FILE (a saved trace or paths result)")
    with errors():
        # Imported here: the --help of other commands needs none of the export machinery.
        from ownergraph.exports.selection import ExportRequest, Filters, from_document

        filters = Filters(
            link_types or None, country_codes(countries, "--country"), as_of, min_share, directed
        )
        parsed = _read_json(document) if document is not None else None
        if document is not None and parsed is None:
            raise BadInput(f"--from-json {document}: not a paths or trace document (null)")
        request = ExportRequest(seeds, hops, filters, parsed, everything)
        if (
            parsed is not None
            and state.backend_name == "local"
            and not state.workspace_path.exists()
        ):
            # A saved result carries its entities and citations: no workspace needed.
            written = export(from_document(parsed), format_name, output)
        else:
            if state.backend_name == "local":
                state.open(create=False).close()  # a missing workspace is an error, not a new one
            with state.backend() as backend:
                # Written inside: --all streams from the backend while the file is written.
                written = export(backend.export_selection(request), format_name, output)
    for path in written:
        err.print(f"wrote {path}", highlight=False)


def _read_json(path: Path | None) -> object:
    if path is None:
        raise BadInput("--from-json needs a file")
    try:
        with path.open(encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        raise BadInput(f"--from-json {path}: {error.strerror or error}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise BadInput(f"--from-json {path}: not JSON ({error})") from None

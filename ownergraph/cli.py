"""The ``ownergraph`` command: a thin click layer over the library (DESIGN.md §7).

Results go to stdout (a table, or JSON with ``--json``), progress and messages to stderr. Errors are
one sentence; exit code 2 for bad input or usage, 1 for internal failures, 130 when interrupted.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.table import Table

import loaders
from ownergraph import __version__, cli_analyses, cli_export, cli_neo4j, ingest
from ownergraph.backends import BACKENDS
from ownergraph.cli_common import (
    BadInput,
    State,
    err,
    errors,
    json_option,
    out,
    pass_state,
    print_json,
)
from ownergraph.errors import InputError
from ownergraph.workspace import Workspace, default_path
from ownergraph.workspace.stats import collect


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--workspace",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Workspace file (default: $OWNERGRAPH_WORKSPACE or ./ownergraph.db).",
)
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    default="local",
    show_default=True,
    envvar="OWNERGRAPH_BACKEND",
    help="Where query commands run: the workspace here, or the Neo4j server of NEO4J_URI.",
)
@click.option("--verbose", "-v", is_flag=True, help="More messages on stderr.")
@click.version_option(__version__, prog_name="ownergraph")
@click.pass_context
def main(ctx: click.Context, workspace: Path | None, backend: str, verbose: bool) -> None:
    """Corporate-ownership and trade graph analyser for sanctions-evasion investigations."""
    ctx.obj = State(workspace or default_path(), verbose, backend)


def _format_help() -> str:
    lines = ["Formats:"]
    lines += [f"  {name:<14} {spec.description}" for name, spec in loaders.formats().items()]
    return "\n\n".join(["\b\n" + "\n".join(lines)])


def _read_map(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"--map {path}: {error}") from error
    columns = document.get("columns")
    if not isinstance(columns, dict) or not all(
        isinstance(value, str) for value in columns.values()
    ):
        raise InputError(f"--map {path}: needs a [columns] table of 'source column' = 'field'")
    return {str(key): value for key, value in columns.items()}


class _LoadCommand(click.Command):
    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_paragraph()
        formatter.write_text(_format_help())


@main.command(cls=_LoadCommand)
@click.argument("format_name", metavar="FORMAT")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dataset", help="Dataset name (default: the format's, or the file's folder).")
@click.option(
    "--map",
    "map_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="TOML file renaming source columns onto our fields (CSV formats).",
)
@click.option("--source-url", help="URL to cite for records that carry none of their own.")
@json_option
@pass_state
def load(
    state: State,
    format_name: str,
    files: Sequence[Path],
    dataset: str | None,
    map_file: Path | None,
    source_url: str | None,
    as_json: bool,
) -> None:
    """Load FILE... of FORMAT into the workspace (idempotent; bad records go to rejects)."""
    summaries = []
    with errors():
        loaders.get(format_name)
        column_map = _read_map(map_file)
        with state.open(create=True) as workspace:
            for path in files:
                try:
                    summary = ingest.load_file(
                        workspace,
                        format_name,
                        path,
                        dataset=dataset,
                        column_map=column_map,
                        source_url=source_url,
                        console=err,
                    )
                except KeyboardInterrupt:
                    err.print(
                        f"[yellow]interrupted[/]: {path} partly loaded; committed batches are "
                        "kept, run the same command again to complete it"
                    )
                    sys.exit(130)
                summaries.append(summary)
                if not as_json:
                    _print_summary(summary)
                if state.verbose and summary.rejected:
                    _print_rejects(workspace, summary.load_id)
    if as_json:
        print_json({"loads": [summary.as_dict() for summary in summaries]})


def _print_rejects(workspace: Workspace, load_id: int, limit: int = 20) -> None:
    rows = workspace.query(
        "SELECT file, line, location, reason FROM rejects WHERE load_id = ? ORDER BY id LIMIT ?",
        (load_id, limit),
    )
    for row in rows:
        place = f"line {row['line']}" if row["line"] is not None else row["location"] or "?"
        err.print(f"  rejected {row['file']} {place}: {row['reason']}", highlight=False)


def _print_summary(summary: ingest.LoadSummary) -> None:
    notices = ", ".join(f"{code} {count}" for code, count in sorted(summary.notices.items()))
    line = (
        f"{summary.file} -> {summary.dataset}: {summary.records} records "
        f"({summary.inserted} new, {summary.updated} updated, {summary.unchanged} unchanged), "
        f"{summary.rejected} rejected"
    )
    if summary.withdrawn:
        line += f", {summary.withdrawn} listings withdrawn"
    if notices:
        line += f"; notices: {notices}"
    err.print(line, highlight=False)
    if summary.rejected:
        err.print(
            f"  see them with --verbose, or in the workspace: SELECT * FROM rejects WHERE "
            f"load_id = {summary.load_id}",
            highlight=False,
        )


@main.command()
@json_option
@pass_state
def stats(state: State, as_json: bool) -> None:
    """Counts per dataset, kind of entity, link type and list; rejects; recent loads."""
    with errors(), state.open() as workspace:
        result = collect(workspace)
    if as_json:
        print_json(result.as_dict())
        return
    table = Table(title=f"Workspace {result.path}", title_justify="left")
    for column in ("dataset", "entities", "links", "listings", "shipments", "rejects"):
        table.add_column(column, justify="left" if column == "dataset" else "right")
    for row in result.datasets:
        table.add_row(row["dataset"], *(str(row.get(key, 0)) for key in (
            "entities", "links", "listings", "shipments", "rejects")))  # fmt: skip
    out.print(table)
    for title, counts in (
        ("Entities", result.entities),
        ("Links", result.links),
        ("Active listings", result.listings),
    ):
        if counts:
            shown = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))
            out.print(f"{title}: {shown}", highlight=False)
    if result.shipments:
        out.print(f"Shipments: {result.shipments} ({result.chpl_shipments} CHPL goods)")


@main.command()
@click.argument("name")
@click.option("--country", help="Only entities of this country (code or name).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@json_option
@pass_state
def search(state: State, name: str, country: str | None, limit: int, as_json: bool) -> None:
    """Find entities by NAME (case-, accent- and script-insensitive; every word must appear)."""
    with state.backend() as backend:
        hits = backend.search(name, country=country, limit=limit)["results"]
    if as_json:
        print_json({"results": hits})
        return
    if not hits:
        err.print(f"no entity matches {name!r}")
        return
    table = Table()
    for column in ("score", "id", "name", "schema", "country", "sanctioned"):
        table.add_column(column)
    for hit in hits:
        table.add_row(
            f"{hit['score']:.2f}", hit["id"], hit["name"], hit["schema"], hit["country"] or "",
            "yes" if hit["sanctioned"] else "",
        )  # fmt: skip
    out.print(table)


@main.command()
@click.argument("entity")
@json_option
@pass_state
def show(state: State, entity: str, as_json: bool) -> None:
    """Show ENTITY (an id, a scheme:value identifier or a name): properties, links, sources."""
    with state.backend() as backend:
        detail = backend.show(entity)
    if as_json:
        print_json(detail)
        return
    out.print(
        f"[bold]{detail['name']}[/] ({detail['schema']}, {detail['country'] or 'no country'}) "
        f"{detail['id']}"
    )
    if detail["sanctioned"]:
        out.print("[bold red]SANCTIONED[/]")
    for label in ("aliases", "identifiers"):
        if detail[label]:
            out.print(f"{label}: {'; '.join(detail[label])}", highlight=False)
    for key, value in detail["properties"].items():
        out.print(f"{key}: {value}", highlight=False)
    out.print(
        "sources: " + "; ".join(f"{s['dataset']} record {s['record']}" for s in detail["sources"]),
        highlight=False,
    )
    if detail["listings"]:
        table = Table(title="Listings", title_justify="left")
        for column in ("authority", "list", "programmes", "listed on", "delisted/withdrawn"):
            table.add_column(column)
        for row in detail["listings"]:
            table.add_row(
                row["authority"], row["list"], ", ".join(row["programmes"]),
                row["listed_on"] or "", row["delisted_on"] or row["withdrawn_on"] or "",
            )  # fmt: skip
        out.print(table)
    if detail["links"]:
        table = Table(title="Links", title_justify="left")
        for column in ("type", "dir", "other", "share", "role", "from", "to"):
            table.add_column(column)
        for row in detail["links"]:
            other = row["other_name"] or row["other"] or ""
            table.add_row(
                row["type"], row["direction"], f"{other} ({row['other'] or 'unresolved'})",
                row["share"] or "", row["role"] or "", row["start_date"] or "",
                row["end_date"] or "",
            )  # fmt: skip
        out.print(table)
    if detail["merges"]:
        table = Table(title="Merged records and why", title_justify="left")
        for column in ("record", "with", "evidence"):
            table.add_column(column)
        for merge in detail["merges"]:
            evidence = merge.get("judgement") or ", ".join(
                f"{key} {value:+g}" for key, value in merge.get("features", {}).items()
            )
            table.add_row(merge["left"], merge["right"], f"{evidence}")
        out.print(table)
    if detail["shipment_count"]:
        count, shown = detail["shipment_count"], len(detail["shipments"])
        out.print(f"Shipments: {count} (first {shown} below)")
        table = Table()
        for column in ("date", "exporter", "importer", "hs", "CHPL", "value"):
            table.add_column(column)
        for row in detail["shipments"]:
            value = f"{row['value']:,.0f} {row['currency'] or ''}" if row["value"] else ""
            table.add_row(
                row["date"] or "", row["exporter_id"] or "", row["importer_id"] or "",
                row["hs_code"] or "", row["chpl_tier"] or "", value,
            )  # fmt: skip
        out.print(table)


@main.command()
@click.option(
    "--threshold", default=0.9, show_default=True, type=click.FloatRange(0.5, 0.999),
    help="Match probability at or above which two records are merged.",
)  # fmt: skip
@json_option
@pass_state
def resolve(state: State, threshold: float, as_json: bool) -> None:
    """Link records of the same firm or person across sources (judgements always win)."""
    from ownergraph.resolve.run import resolve as run_resolution

    with errors(), state.open() as workspace:
        summary = run_resolution(workspace, threshold=threshold, console=err)
    if as_json:
        print_json(summary.as_dict())
        return
    err.print(
        f"{summary.records} records, {summary.candidate_pairs} candidate pairs, "
        f"{summary.matches} matches, {summary.vetoed} vetoed by conflicting evidence, "
        f"{summary.judgements} judgements: {summary.merges} merges into {summary.clusters} "
        f"multi-record entities ({summary.seconds:.1f}s)",
        highlight=False,
    )


@main.command()
@click.argument("names", nargs=-1)
@click.option(
    "--file", "names_file", type=click.File("r", encoding="utf-8"),
    help="Also screen the names of this file, one a line ('-' reads standard input).",
)  # fmt: skip
@click.option(
    "--dataset", "datasets", multiple=True,
    help="Screen against this dataset's records (repeatable; default: every listed record).",
)  # fmt: skip
@click.option("--cutoff", default=0.8, show_default=True, type=click.FloatRange(0.5, 1.0))
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@json_option
@pass_state
def screen(
    state: State,
    names: tuple[str, ...],
    names_file: Any,
    datasets: tuple[str, ...],
    cutoff: float,
    limit: int,
    as_json: bool,
) -> None:
    """Screen NAMES against the sanctions lists in the workspace, across scripts and spellings."""
    from ownergraph.screen import screen_names

    queries = [*names, *(line.strip() for line in names_file or () if line.strip())]
    if not queries:
        raise BadInput("give names to screen, or --file")
    with errors(), state.open() as workspace:
        report = screen_names(
            workspace, queries, datasets=datasets, cutoff=cutoff, limit=limit, console=err
        )
    if as_json:
        print_json(report)
        return
    table = Table()
    for column in ("query", "score", "entity", "matched name", "lists"):
        table.add_column(column)
    for result in report["results"]:
        for hit in result["hits"] or [None]:
            if hit is None:
                table.add_row(result["query"], "", "", "no hit", "")
                continue
            name = hit["name"] + (" (weak alias)" if hit["weak"] else "")
            table.add_row(
                result["query"], f"{hit['score']:.2f}", hit["entity"], name, ", ".join(hit["lists"])
            )
    out.print(table)
    err.print(
        f"{len(report['results'])} names screened against {report['records']} records",
        highlight=False,
    )


@main.command()
@click.argument("left")
@click.argument("right")
@click.argument("verdict", type=click.Choice(["same", "different", "unsure", "retract"]))
@json_option
@pass_state
def judge(state: State, left: str, right: str, verdict: str, as_json: bool) -> None:
    """Record that records LEFT and RIGHT are the same entity, or not; 'retract' withdraws it.

    Judgements are stored with author ($OWNERGRAPH_AUTHOR or the login name) and time, and
    obeyed by every later 'resolve'.
    """
    from ownergraph.resolve import judgements

    with errors(), state.open() as workspace:
        if verdict == "retract":
            withdrawn = judgements.retract(workspace, left, right)
            result: dict[str, Any] = {"retracted": withdrawn}
        else:
            result = asdict(judgements.judge(workspace, left, right, verdict))
    if as_json:
        print_json(result)
    else:
        err.print(
            f"{verdict}: {left} / {right}; run 'ownergraph resolve' to apply", highlight=False
        )


@main.command(name="judgements")
@click.option("--history", is_flag=True, help="Include retracted judgements.")
@json_option
@pass_state
def list_judgements(state: State, history: bool, as_json: bool) -> None:
    """List the human judgements (export with --json)."""
    from ownergraph.resolve import judgements

    with errors(), state.open() as workspace:
        found = judgements.judgements(workspace, history=history)
    if as_json:
        print_json({"judgements": [asdict(item) for item in found]})
        return
    table = Table()
    for column in ("left", "right", "verdict", "author", "created", "retracted"):
        table.add_column(column)
    for item in found:
        table.add_row(item.left, item.right, item.verdict, item.author, item.created_at,
                      item.retracted_at or "")  # fmt: skip
    out.print(table)


@main.command(name="sanctioned-by-extension")
@click.option(
    "--regime", type=click.Choice(["ofac", "eu", "uk"]), required=True,
    help="ofac: 50% or more, aggregated; eu: the same plus control; uk: more than 50%.",
)  # fmt: skip
@click.option("--as-of", "as_of", help="Date YYYY-MM-DD (default: today).")
@json_option
@pass_state
def sanctioned_by_extension_command(
    state: State, regime: str, as_of: str | None, as_json: bool
) -> None:
    """Entities blocked by extension (the 50% rules), with the share held and a proof."""
    with state.backend() as backend:
        result = backend.sanctioned_by_extension(regime, as_of)
    if as_json:
        print_json(result)
        return
    if not result["entities"]:
        err.print(f"nothing is blocked by extension under {regime} on {result['as_of']}")
        return
    table = Table(title=f"{regime.upper()} as of {result['as_of']}", title_justify="left")
    for column in ("status", "share", "missing", "id", "name", "country", "explanation"):
        table.add_column(column)
    for entity in result["entities"]:
        low, high = entity["share"]["low"], entity["share"]["high"]
        share = f"{low:g}" + (f"-{high:g}" if high != low else "")
        missing = entity["missing"]
        table.add_row(
            entity["status"], share, "" if missing is None else f"{missing:g}",
            entity["id"], entity["name"], entity["country"] or "", entity["explanation"],
        )  # fmt: skip
    out.print(table)


@main.command()
@click.option("--seed", default=1, show_default=True, help="Random seed (same seed, same world).")
@click.option(
    "--size",
    default=1000,
    show_default=True,
    type=click.IntRange(200),
    help="Number of companies (persons add a quarter).",
)
@click.option("--shipments", type=click.IntRange(0), help="Number of shipments (default: size).")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
def generate(seed: int, size: int, shipments: int | None, outdir: Path) -> None:
    """Write a synthetic world with planted evasion chains into OUTDIR (CSV + truth.json)."""
    from ownergraph.generate.world import generate as write_world

    truth = write_world(outdir, seed=seed, size=size, shipments=shipments)
    counts = ", ".join(f"{count} {name}" for name, count in truth["counts"].items())
    err.print(f"{outdir}: {counts}; {len(truth['chains'])} planted chains in truth.json")


@main.command()
@click.option(
    "--dir",
    "directory",
    default="ownergraph-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the demo writes.",
)
@click.option("--seed", default=7, show_default=True)
@click.option("--size", default=3000, show_default=True, type=click.IntRange(200))
def demo(directory: Path, seed: int, size: int) -> None:
    """Run the main job end to end on a generated world, in a fresh workspace."""
    from ownergraph import demo as demo_run

    with errors():
        demo_run.run(directory, seed=seed, size=size, console=out)


for _command in (cli_analyses.paths, cli_analyses.trace, cli_analyses.brokers):
    main.add_command(_command)
main.add_command(cli_export.export_command, name="export")
main.add_command(cli_neo4j.neo4j_group)


if __name__ == "__main__":  # pragma: no cover
    main()

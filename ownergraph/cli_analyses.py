"""The investigators' query commands: ``paths``, ``trace`` and ``brokers`` (DESIGN.md §7).

Each parses its options into a query, asks the backend chosen with ``--backend`` and prints a
table, or the backend's JSON document with ``--json``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from rich.table import Table

from ownergraph.analyses.chains import COALITION, MAX_HOPS, TRANSIT, TraceOptions
from ownergraph.analyses.paths import SHORTEST_HOPS
from ownergraph.backends import REGIME_NAMES, PathQuery, TraceQuery, regimes_of
from ownergraph.cli_common import (
    BadInput,
    State,
    country_codes,
    err,
    errors,
    json_option,
    out,
    pass_state,
    print_json,
)
from ownergraph.model.schema import LINK_KINDS

F = TypeVar("F", bound=Callable[..., Any])


def _date_option(function: F) -> F:
    return click.option(
        "--as-of", "as_of", help="Date YYYY-MM-DD: only links valid that day (default: all)."
    )(function)


@click.command()
@click.argument("source")
@click.argument("target")
@click.option(
    "--max-hops", default=6, show_default=True, type=int,
    help=f"Longest path (1-{SHORTEST_HOPS}; all simple paths: 1-8).",
)  # fmt: skip
@click.option("--k", "k", type=int, help="The K shortest paths instead of one.")
@click.option("--all", "all_paths", is_flag=True, help="Every simple path up to --max-hops.")
@click.option(
    "--type", "link_types", multiple=True, type=click.Choice(list(LINK_KINDS)),
    help="Walk only these link types (repeatable; default all).",
)  # fmt: skip
@click.option("--country", "countries", help="Pass only through entities of these countries.")
@click.option("--min-share", type=float, help="Walk OWNS links only with at least this share.")
@click.option("--directed", is_flag=True, help="Follow links from owner/exporter onward only.")
@_date_option
@json_option
@pass_state
def paths(
    state: State,
    source: str,
    target: str,
    max_hops: int,
    k: int | None,
    all_paths: bool,
    link_types: tuple[str, ...],
    countries: str | None,
    min_share: float | None,
    directed: bool,
    as_of: str | None,
    as_json: bool,
) -> None:
    """Paths between SOURCE and TARGET (ids, scheme:value identifiers or names)."""
    if k is not None and all_paths:
        raise BadInput("use either --k or --all, not both")
    if k is not None and k < 1:
        raise BadInput(f"--k must be at least 1, not {k}")
    with errors():
        query = PathQuery(
            mode="all" if all_paths else "k" if k else "shortest",
            k=k or 1,
            max_hops=max_hops,
            link_types=link_types or None,
            countries=country_codes(countries, "--country"),
            min_share=min_share,
            as_of=as_of,
            directed=directed,
        )
    with state.backend() as backend:
        document = backend.paths(source, target, query)
    if as_json:
        print_json(document)
        return
    if not document["paths"]:
        err.print(f"no path of at most {max_hops} hops between {source!r} and {target!r}")
        return
    for number, path in enumerate(document["paths"], start=1):
        _print_path(number, path)


def _trace_options(function: F) -> F:
    options = [
        click.option(
            "--from-countries", default=",".join(sorted(COALITION)), show_default="coalition",
            help="Suppliers' countries (comma-separated codes).",
        ),
        click.option(
            "--transit", default=",".join(sorted(TRANSIT)), show_default="KZ,KG,AM,GE,AE,...",
            help="Third countries whose intermediaries raise the transit flag.",
        ),
        click.option("--supplier", "suppliers", multiple=True,
                     help="Start only from this entity (repeatable)."),
        click.option("--max-hops", default=4, show_default=True, type=int,
                     help=f"Longest chain (1-{MAX_HOPS})."),
        click.option("--window", "window_days", default=365, show_default=True, type=int,
                     help="Most days between consecutive shipments of a chain."),
        click.option("--goods-match", type=click.Choice(["hs6", "hs4", "hs2", "any"]),
                     default="hs4", show_default=True,
                     help="How alike the goods of consecutive shipments must be."),
        click.option("--regime", "regimes", default=",".join(REGIME_NAMES), show_default=True,
                     help="50% rules adding targets sanctioned by extension (or 'none')."),
        click.option("--per-supplier", default=200, show_default=True, type=int,
                     help="Search budget: paths followed from each supplier."),
        _date_option,
    ]  # fmt: skip
    for option in reversed(options):
        function = option(function)
    return function


def _trace_query(settings: dict[str, Any], limit: int | None) -> TraceQuery:
    from_countries = country_codes(settings["from_countries"], "--from-countries") or ()
    transit = country_codes(settings["transit"], "--transit") or ()
    try:
        options = TraceOptions(
            from_countries=frozenset(from_countries),
            transit_countries=frozenset(transit),
            max_hops=settings["max_hops"],
            as_of=settings["as_of"],
            window_days=settings["window_days"],
            goods_match=settings["goods_match"],
            paths_per_supplier=settings["per_supplier"],
            suppliers=tuple(settings["suppliers"]),
        )
    except ValueError as error:
        raise BadInput(str(error)) from None
    with errors():
        return TraceQuery(options, regimes_of(settings["regimes"]), limit)


@click.command()
@_trace_options
@click.option("--limit", default=50, show_default=True, type=click.IntRange(0),
              help="Paths shown (0: all).")  # fmt: skip
@json_option
@pass_state
def trace(state: State, /, limit: int, as_json: bool, **settings: Any) -> None:
    """Chains from suppliers in the coalition to sanctioned entities, ranked by evidence."""
    query = _trace_query(settings, limit or None)
    with state.backend() as backend:
        document = backend.trace(query)
    if as_json:
        print_json(document)
        return
    summary = document["summary"]
    err.print(
        f"{summary['paths']} paths ({summary['chains']} supplier -> target chains) from "
        f"{summary['suppliers']} suppliers to {summary['targets']} sanctioned entities",
        highlight=False,
    )
    if summary["truncated_suppliers"]:
        err.print(f"search budget reached for {len(summary['truncated_suppliers'])} suppliers; "
                  f"raise --per-supplier to see more")  # fmt: skip
    for number, path in enumerate(document["paths"], start=1):
        _print_path(number, path)


@click.command()
@_trace_options
@click.option("--top", default=20, show_default=True, type=click.IntRange(1))
@json_option
@pass_state
def brokers(state: State, /, top: int, as_json: bool, **settings: Any) -> None:
    """Intermediaries and customs brokers ranked by the sanctioned chains they serve."""
    query = _trace_query(settings, None)
    with state.backend() as backend:
        document = backend.brokers(query, top)
    if as_json:
        print_json(document)
        return
    if not document["brokers"]:
        err.print("no supplier -> sanctioned chain found, so no broker to rank")
        return
    table = Table()
    for column in ("score", "role", "chains", "CHPL value", "on chains", "name", "country"):
        table.add_column(column)
    for broker in document["brokers"]:
        table.add_row(
            f"{broker['score']:.2f}", broker["role"], str(broker["chains"]),
            f"{broker['chpl_value']:,.0f}", f"{broker['chain_shipments']}/{broker['shipments']}",
            broker["name"], broker["country"] or "",
        )  # fmt: skip
    out.print(table)


def _print_path(number: int, path: dict[str, Any]) -> None:
    names = [f"{node['name']} ({node['country'] or '?'})" for node in path["nodes"]]
    score = f" score {path['score']:.2f}" if path.get("score") is not None else ""
    out.print(f"[bold]{number}.{score}[/] " + " -> ".join(names), highlight=False)
    for edge in path["edges"]:
        records = edge["records"]
        first = records[0] if records else {}
        when = first.get("date") or first.get("start_date") or ""
        out.print(
            f"   hop {edge['hop'] + 1}: {edge['source']} {LINK_KINDS[edge['type']].label} "
            f"{edge['target']} ({len(records)} record(s){', from ' + when if when else ''})",
            highlight=False,
        )
    for flag in path.get("flags", []):
        details = ", ".join(f"{key}={value}" for key, value in flag["evidence"].items())
        out.print(f"   [yellow]{flag['flag']}[/] {flag['weight']:+.2f}: {details}",
                  highlight=False)  # fmt: skip
    for merge in path.get("merges", []):
        out.print(f"   relies on merge: {merge['entity']} = {', '.join(merge['records'])}",
                  highlight=False)  # fmt: skip

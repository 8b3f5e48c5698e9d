"""The end-to-end demo: generate a world, load it into a fresh workspace, show what is found.

It grows with the project: each analysis adds its step here, so ``make demo`` always shows the
main job as it stands.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rich.console import Console

from ownergraph import ingest, lookup
from ownergraph.exports import write_trace_outputs
from ownergraph.generate.world import generate
from ownergraph.resolve.evaluate import evaluate
from ownergraph.resolve.run import resolve
from ownergraph.workspace import Workspace
from ownergraph.workspace.stats import collect

DEMO_PATHS = 20
"""Chains drawn in the demo's HTML view and report (the trace finds and ranks them all)."""
WORLD_FILES = (
    ("entities-csv", "entities.csv"),
    ("links-csv", "links.csv"),
    ("listings-csv", "listings.csv"),
    ("shipments-csv", "shipments.csv"),
)


@dataclass
class DemoResult:
    workspace: Path
    world: Path
    loads: list[ingest.LoadSummary] = field(default_factory=list)
    truth: dict[str, Any] = field(default_factory=dict)
    trace: dict[str, Any] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)


def bundled_samples() -> Iterator[tuple[str, Path]]:
    """Real public samples shipped with the package, as (format, path), for formats we read."""
    import loaders

    known = loaders.formats()
    root = resources.files("ownergraph").joinpath("data/samples")
    index = root.joinpath("index.txt")
    if not index.is_file():
        return
    for line in index.read_text("utf-8").splitlines():
        format_name, _, name = line.partition(" ")
        if format_name in known and name:
            yield format_name, Path(str(root.joinpath(name.strip())))


def run(directory: Path, *, seed: int = 7, size: int = 3000, console: Console) -> DemoResult:
    """Generate, load and summarise; returns what was done for tests and callers."""
    directory.mkdir(parents=True, exist_ok=True)
    world = directory / "world"
    database = directory / "ownergraph.db"
    for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        stale.unlink(missing_ok=True)
    console.rule("[bold]1. A synthetic world")
    truth = generate(world, seed=seed, size=size)
    console.print(
        f"seed {seed}: {truth['counts']['entities']} entities, {truth['counts']['links']} links, "
        f"{truth['counts']['shipments']} shipments, {len(truth['chains'])} planted evasion chains "
        f"-> {world}"
    )
    result = DemoResult(database, world, truth=truth)
    console.rule("[bold]2. Loading into the workspace")
    with Workspace(database) as workspace:
        for format_name, name in WORLD_FILES:
            result.loads.append(
                ingest.load_file(
                    workspace, format_name, world / name, dataset="synthetic", console=console
                )
            )
        for format_name, path in bundled_samples():
            result.loads.append(ingest.load_file(workspace, format_name, path, console=console))
        for summary in result.loads:
            console.print(
                f"{summary.format:<14} {Path(summary.file).name:<28} {summary.records:>7} records"
                f" {summary.rejected:>3} rejected  ({summary.seconds:.2f}s)",
                highlight=False,
            )
        stats = collect(workspace)
        console.print(
            "entities: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.entities.items()))
        )
        console.print("links: " + ", ".join(f"{k} {v}" for k, v in sorted(stats.links.items())))
        console.print(f"shipments: {stats.shipments} ({stats.chpl_shipments} of CHPL goods)")
        console.rule("[bold]3. Entity resolution")
        resolution = resolve(workspace, progress=False)
        scores = evaluate(workspace, world, "synthetic")
        console.print(
            f"{resolution.records} records -> {resolution.merges} merges into "
            f"{resolution.clusters} multi-record entities ({resolution.vetoed} pairs vetoed by "
            f"conflicting identifiers or dates); against the world's truth: precision "
            f"{scores.precision:.3f}, recall {scores.recall:.3f}, F1 {scores.f1:.3f}, "
            f"{scores.conflicting_merges} merges of conflicting identifiers",
            highlight=False,
        )
        spelling = _first_chain(workspace, truth["chains"][0], console)
        result.trace = _trace(workspace, truth, console)
        console.rule("[bold]6. Evidence for journalists")
        shown = {**result.trace, "paths": result.trace["paths"][:DEMO_PATHS]}
        view, report = write_trace_outputs(workspace, shown, directory)
        result.outputs = [view, report]
        console.print(
            f"The best {len(shown['paths'])} chains as an interactive graph (opens offline in any "
            f"browser): {view}\nAs an evidence report citing every record: {report} "
            f"(and {report.with_suffix('.html').name})",
            highlight=False,
        )
    console.rule("[bold]Next")
    console.print(
        f"Workspace: {database}\n"
        f"Try: ownergraph --workspace {database} search {spelling!r}\n"
        f"     ownergraph --workspace {database} show synthetic:{truth['chains'][0]['end_user']}\n"
        f"     ownergraph --workspace {database} trace --limit 5\n"
        f"     ownergraph --workspace {database} brokers --top 10"
    )
    return result


def _first_chain(workspace: Workspace, chain: dict[str, Any], console: Console) -> str:
    console.rule("[bold]4. One planted chain, entity by entity")
    console.print(
        "Each party of the first planted chain, as resolved from registry and customs records "
        "(the path analyses will join them into the chain):"
    )
    for role in ("supplier", "trader", "broker", "importer", "end_user"):
        view = lookup.entity_view(workspace, f"synthetic:{chain[role]}")
        flag = " [bold red]SANCTIONED[/]" if view.sanctioned else ""
        shown = "; ".join(view.aliases[:4]) + (" ..." if len(view.aliases) > 4 else "")
        aliases = f" a.k.a. {shown}" if view.aliases else ""
        console.print(
            f"  {role:<9} {view.name} ({view.country}){aliases} "
            f"[dim]{', '.join(view.identifiers)}; {len(view.sources)} records[/]{flag}",
            highlight=False,
        )
    trader = lookup.entity_view(workspace, f"synthetic:{chain['trader']}")
    spelling = trader.aliases[0] if trader.aliases else trader.name
    hits = lookup.search(workspace, spelling, limit=5)
    console.print(
        f"Searching the Latin spelling {spelling!r} finds {len(hits)} entities: "
        + "; ".join(f"{hit.name} ({hit.id})" for hit in hits),
        highlight=False,
        markup=False,
    )
    return spelling


def _trace(workspace: Workspace, truth: dict[str, Any], console: Console) -> dict[str, Any]:
    """Trace every coalition supplier to the sanctioned end users; show the best chains, where
    the planted ones rank, and the brokers."""
    from ownergraph.backends import TraceQuery
    from ownergraph.backends.local import LocalBackend

    console.rule("[bold]5. Trace: coalition suppliers -> sanctioned end users")
    backend = LocalBackend(workspace)
    document = backend.trace(TraceQuery(limit=None))
    summary = document["summary"]
    console.print(
        f"{summary['paths']} time-respecting paths ({summary['chains']} supplier -> target pairs) "
        f"from {summary['suppliers']} suppliers to {summary['targets']} sanctioned entities "
        f"(listed, or blocked by extension under the OFAC, EU and UK 50% rules)",
        highlight=False,
    )
    order = [[node["id"] for node in path["nodes"]] for path in document["paths"]]
    for chain in truth["chains"]:
        want = [f"synthetic:{entity}" for entity in chain["path"]]
        ranks = [order.index(want[:n]) for n in range(2, len(want) + 1) if want[:n] in order]
        where = f"rank {min(ranks) + 1} of {len(order)}" if ranks else "NOT FOUND"
        console.print(f"  planted chain {chain['chain']} ({chain['kind']}): {where}")
    best = document["paths"][0] if document["paths"] else None
    if best is not None:
        names = " -> ".join(f"{node['name']} ({node['country']})" for node in best["nodes"])
        console.print(f"Best chain, score {best['score']}: {names}", highlight=False)
        for flag in best["flags"]:
            console.print(f"  {flag['flag']:<20} {flag['weight']:+.2f}", highlight=False)
    brokers = backend.brokers(TraceQuery(), 5)["brokers"]
    console.print("Top brokers and intermediaries (chains served, share of their trade on them):")
    for broker in brokers:
        console.print(
            f"  {broker['score']:7.2f}  {broker['name']} ({broker['country']}), {broker['role']}: "
            f"{broker['chains']} chains, {broker['chain_shipments']}/{broker['shipments']} "
            f"shipments",
            highlight=False,
        )
    return document

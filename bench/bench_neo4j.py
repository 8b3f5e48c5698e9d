"""Benchmark: ``neo4j push`` throughput with and without neo4j-rust-ext, and query latency on
Neo4j against the local backend on the same workspace.

    eval "$(scripts/neo4j-test-server start)"
    .venv/bin/python bench/bench_neo4j.py [--entities 1000000] [--workdir DIR] [--pairs 20]
    scripts/neo4j-test-server stop

The workspace is bench/bench_graph.py's seeded world (``entities / 4`` companies, two shipments a
company, customs parties bound to their companies from the generator's truth), cached under
``--workdir`` and shared with that benchmark. The database at ``NEO4J_URI`` is wiped: the script
refuses a server that scripts/neo4j-test-server did not start, unless ``--yes``.

- push: a fresh push into an empty database, in a child process, twice: with the Rust extension
  (as installed) and without it (the same driver with its pure-Python PackStream, which is what
  ``pip uninstall neo4j-rust-ext`` leaves: the child hides the extension's module ``neo4j._rust``
  before the driver is imported, so both runs use the same interpreter, driver and server).
  Reports elements (nodes and relationships) written per second and the ratio; then a second
  push of the unchanged workspace (the incremental no-op).
- latency: shortest paths, all simple paths of at most 4 hops and a trace from 200 suppliers,
  the same queries on the local backend (graph built once, not counted) and on Neo4j; every
  answer is compared (paths: their lengths; trace: the summary). Mean, median and largest time
  a pair.

``--push once`` pushes once with the Rust extension (for the latency part only), ``--push none``
uses what the server holds; ``--queries`` picks the latency queries, ``--suppliers 10,50,200``
runs the trace from several numbers of suppliers, and ``--budget SECONDS`` stops a query kind
after the pair (or supplier count) that takes either backend past it (the 1M world's answers run
to minutes a pair). docs/neo4j.md ("Measured") has the commands and figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_graph import prepare, resolve_by_truth

from ownergraph.analyses.chains import TraceOptions
from ownergraph.backends import PathQuery, TraceQuery
from ownergraph.backends.local import LocalBackend
from ownergraph.backends.neo4j import Settings
from ownergraph.backends.neo4j.backend import Neo4jBackend

_CHILD = """
import json, os, sys, time
if os.environ.get("BENCH_NO_RUST"):
    # The driver picks its PackStream at import: without neo4j._rust it is the pure-Python one.
    sys.modules["neo4j._rust"] = None
import neo4j._codec.packstream.v1 as packstream
from ownergraph.backends.neo4j import Settings, connect
from ownergraph.backends.neo4j.push import push, wipe
from ownergraph.workspace import Workspace
settings = Settings.from_env()
with connect(settings) as driver, Workspace(sys.argv[1]) as ws:
    wipe(driver, settings.database)
    first = push(ws, driver, settings.database)
    again = push(ws, driver, settings.database)
print(json.dumps({"rust": packstream._rust_pack is not None, "first": first.as_dict(),
                  "again": again.as_dict()}))
"""


def push_run(db: Path, rust: bool) -> dict[str, Any]:
    env = {**os.environ}
    if not rust:
        env["BENCH_NO_RUST"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(db)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        sys.exit(f"the push failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.splitlines()[-1]))


def timed(run: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def push_once(db: Path) -> dict[str, Any]:
    """One fresh push with the Rust extension, in this process (the latency part's data)."""
    from ownergraph.backends.neo4j import connect
    from ownergraph.backends.neo4j.push import push, wipe
    from ownergraph.workspace import Workspace

    settings = Settings.from_env()
    with connect(settings) as driver, Workspace(db) as workspace:
        wipe(driver, settings.database)
        return dict(push(workspace, driver, settings.database).as_dict())


def _pairs(local: LocalBackend, pairs: int) -> list[tuple[str, str]]:
    """``pairs`` (source, target) entities 2 to 4 steps apart along links, seeded."""
    graph = local.graph()
    described = {row[0] for row in local.workspace.query("SELECT id FROM entities LIMIT 200000")}
    chooser = random.Random(3)
    chosen: list[tuple[str, str]] = []
    while len(chosen) < pairs:
        node = chooser.randrange(graph.node_count)
        start = node
        for _ in range(chooser.randint(2, 4)):
            out = list(graph.out_edges(node))
            if not out:
                break
            node = int(graph.target[chooser.choice(out)])
        if node != start and {graph.ids[start], graph.ids[node]} <= described:
            chosen.append((graph.ids[start], graph.ids[node]))
    return chosen


def _spread(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    middle = ordered[len(ordered) // 2]
    return (f"mean {1000 * sum(ordered) / len(ordered):9.1f} ms, median {1000 * middle:9.1f} ms, "
            f"max {1000 * ordered[-1]:9.1f} ms")  # fmt: skip


def latency(
    db: Path, pairs: int, kinds: list[str], suppliers: list[int], budget: float | None
) -> None:
    """The same queries on both backends, every answer compared; with ``budget``, a query kind
    stops after the pair (or supplier count) that took either backend past it in total."""
    local = LocalBackend.open(db)
    remote = Neo4jBackend.connect(Settings.from_env())
    local.graph()  # built (or read from its cache) once, not counted
    chosen = _pairs(local, pairs)
    queries = {"shortest": PathQuery(), "all": PathQuery(mode="all", max_hops=4)}
    for kind in kinds:
        if kind not in queries:
            continue
        ours: list[float] = []
        theirs: list[float] = []
        found_paths = 0
        for source, target in chosen:
            seconds, expected = timed(lambda: local.paths(source, target, queries[kind]))  # noqa: B023
            ours.append(seconds)
            seconds, found = timed(lambda: remote.paths(source, target, queries[kind]))  # noqa: B023
            theirs.append(seconds)
            lengths = sorted(len(path["nodes"]) for path in expected["paths"])
            assert sorted(len(path["nodes"]) for path in found["paths"]) == lengths, (
                source,
                target,
            )
            found_paths += len(lengths)
            if budget is not None and max(sum(ours), sum(theirs)) > budget:
                break
        print(f"paths {kind:<8} {len(ours)} pairs ({found_paths} paths), with documents:\n"
              f"  local {_spread(ours)}\n  neo4j {_spread(theirs)}\n"
              f"  neo4j/local (means) {sum(theirs) / sum(ours):6.1f}x", flush=True)  # fmt: skip
    if "trace" not in kinds:
        return
    for count in suppliers:
        chosen_suppliers = tuple(
            row[0]
            for row in local.workspace.query(
                "SELECT DISTINCT c.canonical_id FROM shipments s JOIN clusters c "
                "ON c.entity_id = s.exporter_id ORDER BY c.canonical_id LIMIT ?",
                (count,),
            )
        )
        query = TraceQuery(options=TraceOptions(suppliers=chosen_suppliers), limit=20)
        ours_trace, expected = timed(lambda: local.trace(query))  # noqa: B023
        print(f"trace ({count} suppliers) local {1000 * ours_trace:9.1f} ms "
              f"({expected['summary']['paths']} paths)", flush=True)  # fmt: skip
        theirs_trace, found = timed(lambda: remote.trace(query))  # noqa: B023
        assert found["summary"] == expected["summary"]
        print(f"trace ({count} suppliers) neo4j {1000 * theirs_trace:9.1f} ms  neo4j/local "
              f"{theirs_trace / ours_trace:6.1f}x", flush=True)  # fmt: skip
        if budget is not None and theirs_trace > budget:
            break
    local.close()
    remote.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "ownergraph-bench-graph")  # fmt: skip
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--yes", action="store_true", help="wipe a server the script did not start")
    parser.add_argument(
        "--push",
        choices=("compare", "once", "none"),
        default="compare",
        help="compare: push with and without the Rust extension (the default); once: one push "
        "with it (for the latency part); none: use what the server holds",
    )
    parser.add_argument(
        "--queries",
        default="shortest,all,trace",
        help="latency queries to run, comma-separated (shortest, all, trace)",
    )
    parser.add_argument(
        "--suppliers",
        default="200",
        help="suppliers the trace starts from; several (10,50,200) run in turn",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds per query kind on each backend; stop early past it",
    )
    args = parser.parse_args()
    if not os.environ.get("NEO4J_URI"):
        sys.exit('NEO4J_URI is not set: eval "$(scripts/neo4j-test-server start)" first')
    if not (os.environ.get("NEO4J_TEST_SERVER_DIR") or args.yes):
        sys.exit("NEO4J_URI is not a scripts/neo4j-test-server server; pass --yes to wipe it")
    db = prepare(args.workdir, args.entities)
    resolve_by_truth(db)
    if args.push == "once":
        run = push_once(db)
        print(
            f"push with rust ext: {run['seconds']:.1f} s  {run['rows_per_second']:,.0f} elements/s",
            flush=True,
        )
    if args.push == "compare":
        runs = {rust: push_run(db, rust) for rust in (False, True)}
        for rust, run in runs.items():
            first, again = run["first"], run["again"]
            assert run["rust"] == rust, "the Rust extension is not installed"
            counts = ", ".join(f"{first[k]['written']:,} {k}" for k in ("entity", "listing",
                                                                       "relationship"))  # fmt: skip
            print(f"push {'with' if rust else 'without':<7} rust ext: {first['seconds']:7.1f} s  "
                  f"{first['rows_per_second']:9,.0f} elements/s  ({counts}); second push "
                  f"{again['seconds']:.1f} s, {again['written']} written")  # fmt: skip
        ratio = runs[True]["first"]["rows_per_second"] / runs[False]["first"]["rows_per_second"]
        print(f"push throughput, rust ext / pure Python: {ratio:.2f}x")
    latency(
        db,
        args.pairs,
        args.queries.split(","),
        [int(n) for n in args.suppliers.split(",")],
        args.budget,
    )


if __name__ == "__main__":
    main()

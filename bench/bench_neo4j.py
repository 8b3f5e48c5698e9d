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
  answer is compared (shortest: the length).
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


def latency(db: Path, pairs: int) -> None:
    local = LocalBackend.open(db)
    remote = Neo4jBackend.connect(Settings.from_env())
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
    queries = [("shortest", PathQuery()), ("all simple <= 4", PathQuery(mode="all", max_hops=4))]
    for name, query in queries:
        ours = theirs = 0.0
        for source, target in chosen:
            seconds, expected = timed(lambda: local.paths(source, target, query))  # noqa: B023
            ours += seconds
            seconds, found = timed(lambda: remote.paths(source, target, query))  # noqa: B023
            theirs += seconds
            lengths = [len(path["nodes"]) for path in expected["paths"]]
            assert [len(path["nodes"]) for path in found["paths"]] == lengths, (source, target)
        print(f"paths {name:<16} local {1000 * ours / pairs:9.1f} ms  neo4j "
              f"{1000 * theirs / pairs:9.1f} ms  neo4j/local {theirs / ours:6.1f}x  "
              f"({pairs} pairs, with documents)")  # fmt: skip
    suppliers = tuple(
        row[0]
        for row in local.workspace.query(
            "SELECT DISTINCT c.canonical_id FROM shipments s JOIN clusters c "
            "ON c.entity_id = s.exporter_id ORDER BY c.canonical_id LIMIT 200"
        )
    )
    query = TraceQuery(options=TraceOptions(suppliers=suppliers), limit=20)
    ours, expected = timed(lambda: local.trace(query))
    theirs, found = timed(lambda: remote.trace(query))
    assert found["summary"] == expected["summary"]
    print(f"trace (200 suppliers)  local {1000 * ours:9.1f} ms  neo4j {1000 * theirs:9.1f} ms  "
          f"neo4j/local {theirs / ours:6.1f}x  ({expected['summary']['paths']} paths)")  # fmt: skip
    local.close()
    remote.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "ownergraph-bench-graph")  # fmt: skip
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--yes", action="store_true", help="wipe a server the script did not start")
    parser.add_argument("--skip-push", action="store_true", help="only the latency part")
    args = parser.parse_args()
    if not os.environ.get("NEO4J_URI"):
        sys.exit('NEO4J_URI is not set: eval "$(scripts/neo4j-test-server start)" first')
    if not (os.environ.get("NEO4J_TEST_SERVER_DIR") or args.yes):
        sys.exit("NEO4J_URI is not a scripts/neo4j-test-server server; pass --yes to wipe it")
    db = prepare(args.workdir, args.entities)
    resolve_by_truth(db)
    if not args.skip_push:
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
    latency(db, args.pairs)


if __name__ == "__main__":
    main()

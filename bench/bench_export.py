"""Benchmark: ``export --all --format csv`` of a million-edge workspace against a plain
``csv.writer`` of the same rows.

    .venv/bin/python bench/bench_export.py [--edges 1000000] [--workdir /tmp/bench-export]

The workspace holds ``edges / 10`` companies (a tenth of them merged by resolution into another
record), three quarters of the edges as OWNS links and a quarter as shipments, each declared by
one of a few brokers. The baseline reads the same tables with one plain cursor a table (ends
mapped to resolved entities by the same joins) and writes every row with ``csv.writer``: the
least any CSV export must do. Prints rows/s and peak memory of both, and the ratios.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import measure

from ownergraph.workspace import Workspace

BASELINE = """
import csv, sqlite3
db = sqlite3.connect({db!r})
count = 0
with open({out!r} + "-nodes.csv", "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    for row in db.execute("SELECT * FROM entities"):
        writer.writerow(row); count += 1
with open({out!r} + "-edges.csv", "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    for row in db.execute(
        "SELECT l.*, COALESCE(a.canonical_id, l.source_id), COALESCE(b.canonical_id, l.target_id) "
        "FROM links l LEFT JOIN clusters a ON a.entity_id = l.source_id "
        "LEFT JOIN clusters b ON b.entity_id = l.target_id"
    ):
        writer.writerow(row); count += 1
    for row in db.execute(
        "SELECT s.*, COALESCE(a.canonical_id, s.exporter_id), COALESCE(b.canonical_id, "
        "s.importer_id) FROM shipments s LEFT JOIN clusters a ON a.entity_id = s.exporter_id "
        "LEFT JOIN clusters b ON b.entity_id = s.importer_id"
    ):
        writer.writerow(row); count += 1
RESULT = count
"""
EXPORT = """
from pathlib import Path
from ownergraph.exports import export
from ownergraph.exports.whole import WholeGraph
from ownergraph.workspace import Workspace
with Workspace({db!r}) as workspace:
    written = export(WholeGraph(workspace), "csv", Path({out!r}))
RESULT = sum(1 for path in written for _ in path.open(encoding="utf-8")) - len(written)
"""


def build(path: Path, edges: int) -> None:
    """A workspace of ``edges`` facts, written straight into its tables."""
    entities = max(edges // 10, 100)
    links = edges * 3 // 4
    shipments = edges - links
    stamp = "2024-01-01T00:00:00+00:00"
    with Workspace(path) as workspace:
        db = workspace.db
        db.execute("BEGIN")
        db.execute("INSERT INTO loads (id, dataset, format, file, started_at, status) "
                   "VALUES (1, 'big', 'links-csv', 'big.csv', ?, 'done')", (stamp,))  # fmt: skip
        db.executemany(
            "INSERT INTO entities VALUES "
            "(?, 'big', 'Company', ?, 'DE', ?, 'big.csv', ?, NULL, 1, ?)",
            ((f"big:E{i}", f"Firm {i} GmbH", f'{{"names":[["Firm {i} GmbH","firm {i} gmbh"]],'
              f'"identifiers":["reg:HRB{i}"],"incorporation_date":"2001-02-03"}}', str(i), stamp)
             for i in range(entities)),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO clusters VALUES (?, ?, '[]', ?)",
            ((f"big:E{i}", f"big:E{i - i % 2}", stamp) for i in range(0, entities // 5)),
        )
        db.executemany(
            "INSERT INTO links (id, dataset, type, source_id, target_id, share_low, share_high, "
            "share_known, start_date, data, source_file, record, load_id, loaded_at) "
            "VALUES (?, 'big', 'OWNS', ?, ?, 25, 50, 1, '2020-01-01', '{}', 'big.csv', ?, 1, ?)",
            ((f"big:L{i}", f"big:E{i % entities}", f"big:E{(i * 7 + 1) % entities}", str(i), stamp)
             for i in range(links)),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO shipments (id, dataset, date, exporter_id, importer_id, declarant_id, "
            "hs_code, hs6, chpl_tier, description, quantity, unit, value, currency, data, "
            "source_file, record, load_id, loaded_at) VALUES (?, 'big', '2023-05-01', ?, ?, ?, "
            "'854231', '854231', '1', 'chips', 10, 'pcs', 1000.5, 'USD', '{}', 'ship.csv', "
            "?, 1, ?)",
            ((f"big:S{i}", f"big:E{i % entities}", f"big:E{(i * 3 + 2) % entities}",
              f"big:E{i % 50}", str(i), stamp) for i in range(shipments)),
        )  # fmt: skip
        db.execute("COMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, help="Keep the workspace here between runs.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.workdir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / f"export-{args.edges}.db"
        if not db.exists():
            build(db, args.edges)
        print(f"{args.edges:,} edges, workspace {db.stat().st_size / 2**20:.0f} MiB")
        base = measure(BASELINE.format(db=str(db), out=str(folder / "baseline")))
        ours = measure(EXPORT.format(db=str(db), out=str(folder / "export-csv")))
        for name, run in (("plain csv.writer", base), ("export --all csv", ours)):
            rows = int(run.result)  # type: ignore[call-overload]
            print(f"{name:<17}: {rows:>10,} rows {rows / run.seconds:>10,.0f} rows/s "
                  f"{run.seconds:7.2f} s  peak {run.peak_mib:6.0f} MiB")  # fmt: skip
        print(f"ratio export / baseline: time {ours.seconds / base.seconds:.2f}x, "
              f"peak memory {ours.peak_mib / base.peak_mib:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()

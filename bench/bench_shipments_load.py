"""Benchmark: load N generated shipments (default 1M) against a bare csv.reader pass.

    .venv/bin/python bench/bench_shipments_load.py [--shipments 1000000] [--repeat 1]

Prints rows/s and peak memory of each step and the ratio full load / bare pass (target <= 4x time).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import measure

from ownergraph.generate.world import generate

BARE = """
import csv
with open({path!r}, encoding="utf-8", newline="") as handle:
    RESULT = sum(1 for _ in csv.reader(handle)) - 1
"""
LOAD = """
from pathlib import Path
from ownergraph.ingest import load_file
from ownergraph.workspace import Workspace
with Workspace({db!r}) as workspace:
    summary = load_file(workspace, "shipments-csv", Path({path!r}), progress=False)
RESULT = summary.records
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shipments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        world = Path(folder) / "world"
        size = max(1000, args.shipments // 20)
        generate(world, seed=1, size=size, shipments=args.shipments)
        path = world / "shipments.csv"
        print(
            f"{args.shipments:,} shipments, {path.stat().st_size / 2**20:.0f} MiB, {size:,} firms"
        )
        for attempt in range(args.repeat):
            bare = measure(BARE.format(path=str(path)))
            db = str(Path(folder) / f"w{attempt}.db")
            full = measure(LOAD.format(db=db, path=str(path)))
            rows = int(bare.result)  # type: ignore[call-overload]
            print(
                f"bare csv.reader : {rows / bare.seconds:>10,.0f} rows/s "
                f"{bare.seconds:7.2f} s  peak {bare.peak_mib:6.0f} MiB"
            )
            print(
                f"load_file       : {rows / full.seconds:>10,.0f} rows/s "
                f"{full.seconds:7.2f} s  peak {full.peak_mib:6.0f} MiB  "
                f"({full.result:,} records incl. parties)"
            )
            print(
                f"ratio load/bare : time {full.seconds / bare.seconds:.2f}x (target <= 4x), "
                f"peak memory {full.peak_mib / bare.peak_mib:.2f}x"
            )


if __name__ == "__main__":
    main()

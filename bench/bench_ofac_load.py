"""Benchmark: load the real OFAC sdn.csv (with add/alt/sdn_comments) against a bare csv.reader pass.

    .venv/bin/python bench/bench_ofac_load.py [--folder /work/shared/data/ofac] [--repeat 1]

Each step runs in a fresh Python process (peak memory is that process's own): a bare
``csv.reader`` pass over the four files, the fixed start-up of the loader (imports and the country
name tables, paid once per load whatever the file size), the ``ofac-csv`` loader alone (records
built, nothing written), and ``load_file`` into a new temporary workspace. Prints rows/s and peak
memory of each step and their ratios to the bare pass measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Measurement, measure

FILES = ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
BARE = """
import csv
RESULT = 0
for name in {files!r}:
    with open({folder!r} + "/" + name, encoding="utf-8", newline="") as handle:
        RESULT += sum(1 for _ in csv.reader(handle))
"""
STARTUP = """
import loaders.ofac_csv
from ownergraph.model.values import country_code
RESULT = country_code("Russia")
"""
PARSE = """
from pathlib import Path
from loaders.ofac_csv import read_ofac_csv
from ownergraph.model import SourceFile
RESULT = sum(1 for _ in read_ofac_csv(SourceFile(Path({path!r}), "ofac-sdn")))
"""
LOAD = """
from pathlib import Path
from ownergraph.ingest import load_file
from ownergraph.workspace import Workspace
with Workspace({db!r}) as workspace:
    summary = load_file(workspace, "ofac-csv", Path({path!r}), progress=False)
RESULT = summary.records
"""


def _line(label: str, rows: int, step: Measurement, bare: Measurement, what: str) -> str:
    return (
        f"{label:<16}: {rows / step.seconds:>9,.0f} rows/s {step.seconds:6.2f} s  "
        f"peak {step.peak_mib:5.0f} MiB  time {step.seconds / bare.seconds:5.1f}x  "
        f"memory {step.peak_mib / bare.peak_mib:4.1f}x  ({what})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folder", default="/work/shared/data/ofac")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    folder = Path(args.folder)
    main_file = folder / "sdn.csv"
    size = sum((folder / name).stat().st_size for name in FILES) / 2**20
    print(f"{main_file} with {', '.join(FILES[1:])}: {size:.1f} MiB")
    with tempfile.TemporaryDirectory() as scratch:
        for attempt in range(args.repeat):
            bare = measure(BARE.format(files=FILES, folder=str(folder)))
            startup = measure(STARTUP)
            parse = measure(PARSE.format(path=str(main_file)))
            db = str(Path(scratch) / f"w{attempt}.db")
            full = measure(LOAD.format(db=db, path=str(main_file)))
            rows = int(bare.result)  # type: ignore[call-overload]
            print(
                f"bare csv.reader : {rows / bare.seconds:>9,.0f} rows/s {bare.seconds:6.2f} s  "
                f"peak {bare.peak_mib:5.0f} MiB  ({rows:,} rows in the four files)"
            )
            print(
                f"start-up        : {'':>16} {startup.seconds:6.2f} s  "
                f"peak {startup.peak_mib:5.0f} MiB  (imports, country names; in both below)"
            )
            print(_line("ofac-csv parse", rows, parse, bare, f"{parse.result:,} records"))
            print(_line("load_file", rows, full, bare, f"{full.result:,} records stored"))


if __name__ == "__main__":
    main()

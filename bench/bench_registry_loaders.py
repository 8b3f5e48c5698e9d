"""Benchmark: the ch-psc and gleif-lei loaders against a plain parse of the same generated files.

    .venv/bin/python bench/bench_registry_loaders.py [--records 1000000] [--seed 1]

Writes N PSC snapshot lines and an N-record LEI-CDF 3.1 file with the seeded generator, then runs,
each in a fresh process: a plain pass (``json.loads`` per line; lxml ``iterparse`` clearing each
LEIRecord) and a full ``load_file`` into a fresh workspace. Prints rows/s, peak memory and the
ratio full load / plain pass per format. A format whose loader is not registered is skipped.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Measurement, measure

import loaders
from ownergraph.errors import InputError
from ownergraph.generate.registry_files import LEI_NAMESPACE, write_lei_xml, write_psc_jsonl

PLAIN_JSON = """
import json
RESULT = 0
with open({path!r}, "rb") as handle:
    for line in handle:
        json.loads(line)
        RESULT += 1
"""
PLAIN_XML = """
from lxml import etree
RESULT = 0
for _, element in etree.iterparse({path!r}, events=("end",), tag={tag!r}):
    RESULT += 1
    element.clear()
    while element.getprevious() is not None:
        del element.getparent()[0]
"""
LOAD = """
from pathlib import Path
from ownergraph.ingest import load_file
from ownergraph.workspace import Workspace
with Workspace({db!r}) as workspace:
    summary = load_file(workspace, {format!r}, Path({path!r}), progress=False)
RESULT = [summary.records, summary.rejected]
"""


class Case(NamedTuple):
    format: str
    file: str
    write: Callable[[Path, int, int], None]
    plain: str
    """What the plain pass does, for the report."""
    plain_code: str


CASES = (
    Case("ch-psc", "psc.jsonl", write_psc_jsonl, "json.loads per line", PLAIN_JSON),
    Case("gleif-lei", "lei-data.xml", write_lei_xml, "lxml iterparse + clear", PLAIN_XML),
)


def _available(name: str) -> str | None:
    """Why the loader of ``name`` cannot run, or None when it can."""
    try:
        loaders.get(name)
    except (InputError, ImportError, SyntaxError) as error:
        return str(error)
    return None


def _row(label: str, rows: int, step: Measurement, extra: str = "") -> str:
    return (
        f"  {label:<24}: {rows / step.seconds:>10,.0f} rows/s {step.seconds:8.1f} s  "
        f"peak {step.peak_mib:6.0f} MiB{extra}"
    )


def run(case: Case, folder: Path, records: int, seed: int) -> None:
    """Generate the file of ``case``, then measure its plain pass and its full load."""
    if reason := _available(case.format):
        print(f"{case.format}: skipped, its loader is not available ({reason})")
        return
    path = folder / case.file
    started = time.perf_counter()
    case.write(path, records, seed)
    print(
        f"{case.format}: {records:,} records, {path.stat().st_size / 2**20:,.0f} MiB, "
        f"generated in {time.perf_counter() - started:.1f} s"
    )
    tag = f"{{{LEI_NAMESPACE}}}LEIRecord"
    plain = measure(case.plain_code.format(path=str(path), tag=tag))
    rows = cast(int, plain.result)
    print(_row(case.plain, rows, plain))
    db = folder / f"{case.format}.db"
    full = measure(LOAD.format(db=str(db), format=case.format, path=str(path)))
    stored, rejected = cast("list[int]", full.result)
    print(_row("load_file", rows, full, f"  ({stored:,} records stored, {rejected:,} rejected)"))
    print(
        f"  ratio load/plain        : time {full.seconds / plain.seconds:.1f}x, "
        f"peak memory {full.peak_mib / plain.peak_mib:.1f}x"
    )
    for leftover in folder.glob(f"{case.format}.db*"):
        leftover.unlink()
    path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for case in CASES:
            run(case, Path(folder), args.records, args.seed)


if __name__ == "__main__":
    main()

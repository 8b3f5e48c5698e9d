"""Benchmark: screen 100k generated names and planted aliases against the full real OFAC SDN list.

    .venv/bin/python bench/bench_screening.py [--sdn /work/shared/data/ofac/sdn.csv]
        [--queries 100000] [--planted 2000] [--seed 5] [--baseline-sample 2000]

The SDN (with add.csv, alt.csv and sdn_comments.csv beside it) is loaded with the ``ofac-csv``
loader into a temporary workspace and a ``Screener`` is built over all its party records. The
queries are ``--queries`` names of the synthetic world (``ownergraph.generate.aliases``: firms
and people, Latin and Cyrillic, with legal forms) and ``--planted`` aliases of real SDN names
with known noise, each knowing the entry it must find. Every query is screened (default cutoff,
limit 5). The baseline, measured in the same run, is plain rapidfuzz: ``process.cdist`` with
``fuzz.token_sort_ratio`` (``default_process``, cutoff 80, one worker) of every planted alias and
a sample of the generated names against every SDN name the screener holds; its pairs/s give the
time it would take for all queries. Each step runs in a fresh process (``_measure``).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Measurement, measure

from ownergraph.generate.aliases import (
    NOISE_KINDS,
    WORLD_KINDS,
    ListedEntry,
    PlantedAlias,
    plant_aliases,
    world_names,
)
from ownergraph.resolve.matchable import Matchable, read_matchables
from ownergraph.workspace import Workspace

LOAD = """
from pathlib import Path
from ownergraph.ingest import load_file
from ownergraph.workspace import Workspace
with Workspace({db!r}) as workspace:
    RESULT = load_file(workspace, "ofac-csv", Path({sdn!r}), progress=False).records
"""
STEP = """
import sys
sys.path.insert(0, {bench!r})
import bench_screening
RESULT = bench_screening.{function}({db!r}, {seed!r}, {queries!r}, {planted!r}, {sample!r})
"""
BASELINE_CUTOFF = 80


def queries(
    entries: list[Matchable], seed: int, count: int, planted: int
) -> tuple[list[tuple[str, str]], list[PlantedAlias]]:
    """The generated (kind, name) queries and the planted aliases, the same in every process."""
    listed = [
        ListedEntry(m.id, m.schema, m.country, tuple(form.original for form in m.names))
        for m in entries
    ]
    generated = list(world_names(random.Random(f"{seed}/world"), count))
    return generated, plant_aliases(listed, planted, random.Random(f"{seed}/aliases"))


def run_screener(db: str, seed: int, count: int, planted: int, sample: int) -> dict[str, object]:
    """Build the screener, screen every query; timings of each part and the quality figures."""
    from ownergraph.resolve.screening import Screener

    with Workspace(db) as workspace:
        started = time.perf_counter()
        entries = list(read_matchables(workspace))
        read = time.perf_counter() - started
    started = time.perf_counter()
    screener = Screener(entries)
    build = time.perf_counter() - started
    started = time.perf_counter()
    generated, aliases = queries(entries, seed, count, planted)
    make = time.perf_counter() - started
    started = time.perf_counter()
    generated_hits = [screener.screen(name, limit=5) for _, name in generated]
    planted_hits = [screener.screen(alias.query, limit=5) for alias in aliases]
    screening = time.perf_counter() - started
    found: Counter[str] = Counter()
    first: Counter[str] = Counter()
    misses: dict[str, list[str]] = {}
    for alias, hits in zip(aliases, planted_hits, strict=True):
        ids = [hit.entry for hit in hits]
        if alias.entry in ids:
            found[alias.noise] += 1
            first[alias.noise] += ids[0] == alias.entry
        else:
            misses.setdefault(alias.noise, []).append(f"{alias.source!r} -> {alias.query!r}")
    alerts: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for (kind, name), hits in zip(generated, generated_hits, strict=True):
        if hits:
            alerts[kind] += 1
            examples.setdefault(kind, []).append(f"{name!r} -> {hits[0].name!r} {hits[0].score}")
    return {
        "entries": len(entries),
        "names": sum(len(m.names) for m in entries),
        "read_s": read,
        "build_s": build,
        "make_s": make,
        "screen_s": screening,
        "queries": len(generated) + len(aliases),
        "distinct": len({name for _, name in generated} | {a.query for a in aliases}),
        "pairs_considered": screener.pairs_considered,
        "pairs_scored": screener.pairs_scored,
        "planted": dict(Counter(alias.noise for alias in aliases)),
        "found": dict(found),
        "first": dict(first),
        "misses": {noise: rows[:4] for noise, rows in misses.items()},
        "generated": dict(Counter(kind for kind, _ in generated)),
        "alerts": dict(alerts),
        "alert_examples": {kind: rows[:2] for kind, rows in examples.items()},
    }


def run_baseline(db: str, seed: int, count: int, planted: int, sample: int) -> dict[str, object]:
    """Plain rapidfuzz over every SDN name: all planted aliases and ``sample`` generated names."""
    import numpy as np
    from rapidfuzz import fuzz, process, utils

    with Workspace(db) as workspace:
        entries = list(read_matchables(workspace))
    generated, aliases = queries(entries, seed, count, planted)
    choices = [utils.default_process(form.original) for m in entries for form in m.names]
    owner = np.array([i for i, m in enumerate(entries) for _ in m.names])
    picked = random.Random(f"{seed}/baseline").sample(generated, min(sample, len(generated)))
    rows = [utils.default_process(a.query) for a in aliases]
    rows += [utils.default_process(name) for _, name in picked]
    top: list[list[int]] = []
    seconds = 0.0
    for start in range(0, len(rows), 500):
        began = time.perf_counter()
        scores = process.cdist(
            rows[start : start + 500],
            choices,
            scorer=fuzz.token_sort_ratio,
            score_cutoff=BASELINE_CUTOFF,
            dtype=np.uint8,
            workers=1,
        )
        seconds += time.perf_counter() - began
        for row in scores:
            columns = row.nonzero()[0]
            ranked = columns[np.argsort(-row[columns], kind="stable")]
            seen: list[int] = []
            for entry in owner[ranked]:
                if int(entry) not in seen:
                    seen.append(int(entry))
                if len(seen) == 5:
                    break
            top.append(seen)
    found: Counter[str] = Counter()
    first: Counter[str] = Counter()
    position = {m.id: i for i, m in enumerate(entries)}
    for alias, hits in zip(aliases, top, strict=False):
        if position[alias.entry] in hits:
            found[alias.noise] += 1
            first[alias.noise] += hits[0] == position[alias.entry]
    alerts: Counter[str] = Counter(
        kind for (kind, _), hits in zip(picked, top[len(aliases) :], strict=True) if hits
    )
    return {
        "seconds": seconds,
        "rows": len(rows),
        "pairs": len(rows) * len(choices),
        "found": dict(found),
        "first": dict(first),
        "generated": dict(Counter(kind for kind, _ in picked)),
        "alerts": dict(alerts),
    }


def _share(part: int, whole: int) -> str:
    return f"{part / whole:6.1%}" if whole else "     -"


def report(load: Measurement, ours: Measurement, base: Measurement, records: int) -> None:
    mine, theirs = ours.result, base.result
    assert isinstance(mine, dict) and isinstance(theirs, dict)
    entries, names, total = mine["entries"], mine["names"], mine["queries"]
    print(f"load            : {load.seconds:6.2f} s  peak {load.peak_mib:5.0f} MiB  ", end="")
    print(f"({records:,} records)")
    print(
        f"index           : {mine['build_s']:6.2f} s  ({entries:,} entries, {names:,} names; "
        f"reading them {mine['read_s']:.2f} s)  peak {ours.peak_mib:.0f} MiB for the whole step"
    )
    print(f"queries         : {total:,} ({mine['distinct']:,} distinct), ", end="")
    print(f"made in {mine['make_s']:.2f} s")
    screen_s = mine["screen_s"]
    ours_qps = total / screen_s
    considered, scored = mine["pairs_considered"], mine["pairs_scored"]
    print(
        f"screening       : {screen_s:6.2f} s  {ours_qps:8,.0f} queries/s  "
        f"{considered / screen_s:11,.0f} candidate pairs/s ({considered / total:,.0f} per query; "
        f"{scored:,} = {scored / considered:.1%} scored in full)  "
        f"{total * names / screen_s:13,.0f} list pairs/s covered"
    )
    base_qps = theirs["rows"] / theirs["seconds"]
    print(
        f"baseline        : {theirs['seconds']:6.2f} s  {base_qps:8,.0f} queries/s  "
        f"{theirs['pairs'] / theirs['seconds']:11,.0f} pairs/s  (rapidfuzz cdist token_sort_ratio "
        f">= {BASELINE_CUTOFF}, 1 worker, {theirs['rows']:,} queries x {names:,} names); "
        f"all {total:,} queries would take {total / base_qps:,.0f} s"
    )
    print(f"speed           : screener {ours_qps / base_qps:.1f}x the baseline's queries/s")
    print()
    heads = ("recall@5", "recall@1", "baseline@5", "baseline@1")
    print(f"{'planted noise':<18} {'aliases':>7} " + " ".join(f"{head:>10}" for head in heads))
    for noise in (*NOISE_KINDS, "all"):
        if noise == "all":
            count = sum(mine["planted"].values())
            pick = sum
        else:
            count = mine["planted"].get(noise, 0)
            pick = None
        values = [
            pick(table.values()) if pick else table.get(noise, 0)
            for table in (mine["found"], mine["first"], theirs["found"], theirs["first"])
        ]
        print(f"{noise:<18} {count:>7,} " + " ".join(f"{_share(v, count):>10}" for v in values))
    print()
    print(f"{'generated kind':<24} {'names':>7} {'any hit':>8} {'baseline sample':>16}")
    for kind in (*WORLD_KINDS, "all"):
        if kind == "all":
            count, hit = sum(mine["generated"].values()), sum(mine["alerts"].values())
            bcount, bhit = sum(theirs["generated"].values()), sum(theirs["alerts"].values())
        else:
            count, hit = mine["generated"].get(kind, 0), mine["alerts"].get(kind, 0)
            bcount, bhit = theirs["generated"].get(kind, 0), theirs["alerts"].get(kind, 0)
        shares = f"{_share(hit, count):>8} {_share(bhit, bcount):>10}"
        print(f"{kind:<24} {count:>7,} {shares} of {bcount:,}")
    print()
    for noise, rows in mine["misses"].items():
        print(f"missed ({noise}): " + "; ".join(rows[:3]))
    for kind, rows in mine["alert_examples"].items():
        print(f"alert ({kind}): " + "; ".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sdn", default="/work/shared/data/ofac/sdn.csv")
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--planted", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    args = parser.parse_args()
    bench = str(Path(__file__).resolve().parent)
    print(
        f"{args.sdn} (with its side files), {args.queries:,} generated names + "
        f"{args.planted:,} planted aliases, seed {args.seed}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        db = str(Path(scratch) / "sdn.db")
        load = measure(LOAD.format(db=db, sdn=args.sdn))
        steps = {}
        for function in ("run_screener", "run_baseline"):
            code = STEP.format(
                bench=bench,
                function=function,
                db=db,
                seed=args.seed,
                queries=args.queries,
                planted=args.planted,
                sample=args.baseline_sample,
            )
            steps[function] = measure(code)
    report(load, steps["run_screener"], steps["run_baseline"], int(load.result))  # type: ignore[call-overload]


if __name__ == "__main__":
    main()

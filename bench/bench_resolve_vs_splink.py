"""Benchmark: ``ownergraph resolve`` against Splink 5 on DuckDB, on N generated party records.

    .venv/bin/python bench/bench_resolve_vs_splink.py [--records 1000000] [--workdir DIR]

Steps (issue 5's target: at least 2x faster than Splink at equal or better F1, no more memory):

1. Generate a seeded world whose workspace holds about ``--records`` party records and load it
   with the four CSV loaders (cached in ``--workdir``: a rerun skips this).
2. Export every record as ``read_matchables`` sees it (our normalised names, identifiers by
   scheme, country, dates) to a CSV file for Splink; not timed for either side.
3. Time ``resolve(workspace)`` in a fresh child process (peak RSS from ``getrusage`` there and
   in its reader process); its summary gives the seconds of each phase.
4. Time ``bench/splink_run.py`` (training, predict, clustering) in a child process running the
   Splink venv's interpreter (``--splink-python``), with its peak RSS likewise.
5. Score both with the same labels (``evaluate.labels``) and the same pair counting as
   ``evaluate.evaluate``, and print seconds, peak MiB, precision, recall, F1 and the ratios.

The Splink venv is separate so that Splink and DuckDB never enter the project's environment:

    python3 -m venv .venv-bench-splink
    .venv-bench-splink/bin/pip install "splink==5.*" duckdb
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import measure

from ownergraph.generate.world import generate
from ownergraph.ingest import load_file
from ownergraph.resolve.evaluate import Scores, evaluate, labels, pair_counts
from ownergraph.resolve.identifiers import LOCAL_SCHEMES, UNIQUE_SCHEMES
from ownergraph.resolve.matchable import Matchable, read_matchables
from ownergraph.resolve.scoring import DEFAULT_THRESHOLD, identifier_conflict
from ownergraph.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
DATASET = "synthetic"
FORMATS = ("entities", "links", "listings", "shipments")
SCHEMES = tuple(sorted(UNIQUE_SCHEMES | LOCAL_SCHEMES))
"""Identifier schemes exported as columns (``gb-coh`` becomes ``gb_coh``)."""
EXPORT_HEADER = (
    "unique_id",
    "schema",
    "name",
    "name_skeleton",
    "skeletons",
    "legal_form",
    "numbers",
    "country",
    *(scheme.replace("-", "_") for scheme in SCHEMES),
    "id_key",
    "birth_date",
    "incorporation_date",
    "address",
)
EXACT_CONFLICT_LIMIT = 2000
"""Clusters up to this size have their conflicting pairs counted pair by pair (as evaluate does);
larger ones (Splink's connected components can be large) get a per-scheme lower bound."""
RESOLVE = """
from ownergraph.resolve.run import resolve
from ownergraph.workspace import Workspace
with Workspace({db!r}) as workspace:
    RESULT = resolve(workspace, threshold={threshold!r}, progress=False).as_dict()
"""


@dataclass(frozen=True)
class Outcome:
    """One system's run: time, memory and pairwise scores against the same labels."""

    system: str
    seconds: float
    peak_mib: float
    scores: Scores
    """Pair counts, precision, recall and F1, as ``evaluate()`` computes them."""
    conflicts_exact: bool
    detail: dict[str, object]


# -- the world and its workspace --------------------------------------------------------------


def firms_for(records: int) -> int:
    """Companies to generate for about ``records`` party records.

    Measured with seed 3: 21,632 firms give 52,253 records (companies, persons and distinct
    customs spellings) and 560,192 give 1,266,825, so records grow as firms^0.98.
    """
    return max(1000, round(21_632 * (records / 52_253) ** (1 / 0.9797)))


def prepare_workspace(workdir: Path, seed: int, firms: int) -> tuple[Path, Path]:
    """Generate and load the world once; return (workspace path, world folder)."""
    folder = workdir / f"world-s{seed}-f{firms}"
    world, db, done = folder / "world", folder / "workspace.db", folder / "loaded"
    if done.exists():
        print(f"reusing {folder}")
        return db, world
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    generate(world, seed=seed, size=firms)
    print(f"generated {firms:,} firms in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    with Workspace(db) as workspace:
        for name in FORMATS:
            load_file(
                workspace, f"{name}-csv", world / f"{name}.csv", dataset=DATASET, progress=False
            )
    print(f"loaded in {time.perf_counter() - started:.0f} s")
    done.touch()
    return db, world


# -- export for Splink -------------------------------------------------------------------------


def export_row(record: Matchable) -> list[str]:
    """One CSV row: our normalised first name, all skeletons, identifiers by scheme, dates."""
    first = record.names[0] if record.names else None
    by_scheme: defaultdict[str, list[str]] = defaultdict(list)
    for identifier in record.identifiers:
        by_scheme[identifier.scheme].append(identifier.value)
    return [
        record.id,
        record.schema,
        first.latin if first else "",
        " ".join(first.skeleton) if first else "",
        "|".join(dict.fromkeys(" ".join(form.skeleton) for form in record.names)),
        " ".join(sorted({label for form in record.names for label in form.legal_forms})),
        " ".join(sorted({number for form in record.names for number in form.numbers})),
        record.country or "",
        *(min(by_scheme[scheme]) if by_scheme.get(scheme) else "" for scheme in SCHEMES),
        record.identifiers[0].key if record.identifiers else "",
        record.birth_date or "",
        record.incorporation_date or "",
        record.address or "",
    ]


def export_records(db: Path, path: Path) -> Counter[str]:
    """Write the records to be resolved for Splink (once); return the count per schema."""
    schemas: Counter[str] = Counter()
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            schemas.update(row["schema"] for row in csv.DictReader(handle))
        return schemas
    partial = path.with_suffix(".partial")
    with Workspace(db) as workspace, partial.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_HEADER)
        for record in read_matchables(workspace):
            writer.writerow(export_row(record))
            schemas[record.schema] += 1
    partial.rename(path)
    return schemas


# -- scoring any record -> cluster mapping -----------------------------------------------------


def conflicting_merges(db: Path, cluster_of: Mapping[str, str]) -> tuple[int, bool]:
    """Merged pairs with conflicting identifiers (as ``evaluate``); False if a lower bound."""
    groups: defaultdict[str, list[Matchable]] = defaultdict(list)
    with Workspace(db) as workspace:
        for record in read_matchables(workspace):
            cluster = cluster_of.get(record.id)
            if cluster is not None and record.by_scheme:
                groups[cluster].append(record)
    total, exact = 0, True
    for group in groups.values():
        if len(group) <= EXACT_CONFLICT_LIMIT:
            total += sum(
                1
                for position, left in enumerate(group)
                for right in group[position + 1 :]
                if identifier_conflict(left, right)
            )
        else:
            total += _conflict_lower_bound(group)
            exact = False
    return total, exact


def _conflict_lower_bound(group: Iterable[Matchable]) -> int:
    """Pairs holding different values of the single most conflicted unique scheme."""
    best = 0
    values: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for record in group:
        for scheme, found in record.by_scheme.items():
            if scheme in UNIQUE_SCHEMES and len(found) == 1:
                values[scheme][next(iter(found))] += 1
    for counts in values.values():
        holders = sum(counts.values())
        same = sum(count * (count - 1) // 2 for count in counts.values())
        best = max(best, holders * (holders - 1) // 2 - same)
    return best


def ownergraph_clusters(db: Path) -> dict[str, str]:
    with Workspace(db) as workspace:
        rows = workspace.query("SELECT entity_id, canonical_id FROM clusters")
    return {str(row[0]): str(row[1]) for row in rows}


def splink_clusters(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["unique_id"]: row["cluster_id"] for row in csv.DictReader(handle)}


def outcome(
    system: str,
    seconds: float,
    peak_mib: float,
    truth: Mapping[str, str],
    cluster_of: Mapping[str, str],
    db: Path,
    detail: dict[str, object],
) -> Outcome:
    true_pairs, predicted, correct = pair_counts(truth, cluster_of)
    conflicts, exact = conflicting_merges(db, cluster_of)
    scores = Scores(len(truth), true_pairs, predicted, correct, conflicts)
    return Outcome(system, seconds, peak_mib, scores, exact, detail)


# -- the two runs ------------------------------------------------------------------------------


def run_ownergraph(db: Path, world: Path, truth: Mapping[str, str], threshold: float) -> Outcome:
    measured = measure(RESOLVE.format(db=str(db), threshold=threshold))
    # The summary's "phases" say how much of it is reading and normalising the records (which
    # Splink is given done).
    detail = dict(measured.result) if isinstance(measured.result, dict) else {}
    cluster_of = ownergraph_clusters(db)
    result = outcome(
        "ownergraph resolve", measured.seconds, measured.peak_mib, truth, cluster_of, db, detail
    )
    with Workspace(db) as workspace:
        reference = evaluate(workspace, world, DATASET)
    # Our pair counting must agree with evaluate.py's, or the comparison means nothing.
    got = (result.scores.true_pairs, result.scores.predicted_pairs, result.scores.correct_pairs)
    want = (reference.true_pairs, reference.predicted_pairs, reference.correct_pairs)
    if got != want:
        raise AssertionError(f"pair counts {got} differ from evaluate()'s {want}")
    return result


def run_splink(
    python: Path,
    export: Path,
    workdir: Path,
    truth: Mapping[str, str],
    db: Path,
    threshold: float,
    u_pairs: float,
    clustering: str,
) -> Outcome:
    output = workdir / "splink-clusters.csv"
    output.unlink(missing_ok=True)
    command = [
        str(python),
        str(ROOT / "bench" / "splink_run.py"),
        "--input",
        str(export),
        "--output",
        str(output),
        "--threshold",
        str(threshold),
        "--u-pairs",
        str(u_pairs),
        "--clustering",
        clustering,
    ]
    log = workdir / "splink.log"
    with log.open("w", encoding="utf-8") as stderr:
        finished = subprocess.run(
            command, check=False, stdout=subprocess.PIPE, stderr=stderr, text=True
        )
    if finished.returncode != 0:
        raise RuntimeError(f"splink_run.py failed ({finished.returncode}); see {log}")
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    peak = (report["peak_kib"] + report["children_kib"]) / 1024
    return outcome(
        "Splink 5 + DuckDB", report["seconds"], peak, truth, splink_clusters(output), db, report
    )


# -- report ------------------------------------------------------------------------------------


def table(results: list[Outcome]) -> str:
    lines = [
        f"{'system':<20} {'seconds':>9} {'peak MiB':>9} {'precision':>9} {'recall':>7} "
        f"{'F1':>6} {'conflicting merges':>19}"
    ]
    for result in results:
        conflicts = f"{'' if result.conflicts_exact else '>='}{result.scores.conflicting_merges:,}"
        lines.append(
            f"{result.system:<20} {result.seconds:>9.1f} {result.peak_mib:>9.0f} "
            f"{result.scores.precision:>9.4f} {result.scores.recall:>7.4f} "
            f"{result.scores.f1:>6.4f} {conflicts:>19}"
        )
    lines.extend(f"  {result.system}: {json.dumps(result.detail)}" for result in results)
    if len(results) == 2:
        ours, splink = results
        lines.append(
            f"ratios Splink/ours: time {splink.seconds / ours.seconds:.2f}x (target >= 2x), "
            f"peak memory {splink.peak_mib / ours.peak_mib:.2f}x (target >= 1x), "
            f"F1 {ours.scores.f1 - splink.scores.f1:+.4f} for ours (target >= 0)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000, help="about this many records")
    parser.add_argument("--workdir", type=Path, help="cache folder (default: a temporary one)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--u-pairs", type=float, default=1e7, help="Splink's u sample (pairs)")
    parser.add_argument(
        "--splink-python", type=Path, default=ROOT / ".venv-bench-splink" / "bin" / "python"
    )
    parser.add_argument(
        "--splink-clustering",
        choices=("components", "best-links"),
        default="components",
        help="see bench/splink_run.py",
    )
    parser.add_argument("--only", choices=("ownergraph", "splink"), help="run one side only")
    args = parser.parse_args()
    if args.workdir is None:
        with tempfile.TemporaryDirectory() as folder:
            run(args, Path(folder))
    else:
        args.workdir.mkdir(parents=True, exist_ok=True)
        run(args, args.workdir)


def run(args: argparse.Namespace, workdir: Path) -> None:
    firms = firms_for(args.records)
    db, world = prepare_workspace(workdir, args.seed, firms)
    export = db.parent / "records.csv"
    schemas = export_records(db, export)
    print(f"{sum(schemas.values()):,} records ({dict(schemas)}), {firms:,} firms, seed {args.seed}")
    with Workspace(db) as workspace:
        truth = labels(workspace, world, DATASET)
    print(f"{len(truth):,} labelled records")
    results: list[Outcome] = []
    if args.only != "splink":
        results.append(run_ownergraph(db, world, truth, args.threshold))
        print(table(results), flush=True)
    if args.only != "ownergraph":
        results.append(
            run_splink(
                args.splink_python,
                export,
                db.parent,
                truth,
                db,
                args.threshold,
                args.u_pairs,
                args.splink_clustering,
            )
        )
    print(table(results))
    summary = {
        "records": sum(schemas.values()),
        "schemas": dict(schemas),
        "firms": firms,
        "seed": args.seed,
        "labelled": len(truth),
        "results": [
            {
                **asdict(r),
                "precision": r.scores.precision,
                "recall": r.scores.recall,
                "f1": r.scores.f1,
            }
            for r in results
        ],
    }
    (db.parent / "results.json").write_text(json.dumps(summary, indent=1, default=str), "utf-8")
    if not all(math.isfinite(r.scores.f1) for r in results):
        raise SystemExit("non-finite F1")


if __name__ == "__main__":
    main()

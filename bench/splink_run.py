"""The Splink side of bench_resolve_vs_splink.py: dedupe the exported records with Splink 5.

Runs only in the benchmark's own venv (``.venv-bench-splink``: ``pip install "splink==5.*"
duckdb``), never in the project's environment:

    .venv-bench-splink/bin/python bench/splink_run.py --input records.csv --output clusters.csv

The input holds our normalised names (romanised, legal forms removed, romanisation skeletons),
so the comparison is about linkage, not normalisation. The model:

- blocking for prediction: each identifier scheme; the exact name skeleton + country; the first
  two name tokens + country; and two typo-tolerant keys (first letter + second and last tokens
  + country, first token + second token's first two letters + country): about 104 million
  candidate pairs (with overlaps) for 1 million records;
- comparisons: name skeleton (exact with term-frequency adjustment, Jaro-Winkler >= 0.95, 0.88,
  0.7), identifiers (a shared value of any scheme / a different value of any scheme / neither),
  name numbers, legal form, country, birth and
  incorporation dates (day, year), address (exact, term-frequency adjusted);
- training: the match prior from identifier rules (recall 0.5: about half the customs parties
  carry an identifier), u by random sampling (1e7 pairs), m by EM (at most 5e6 pairs each)
  blocked on the name skeleton (trains identifiers, country, dates...) and on the first
  identifier (trains name...); the m of "conflicting identifier" is fixed (see
  ``identifier_comparison``);
- predict at the threshold, then connected components at the same threshold.

Prints one JSON line: wall seconds of load + training + predict + clustering + writing, the
phases, and peak resident memory (``getrusage``) of this process and its children.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import splink
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

SCHEMES = ("bin", "gb_coh", "iin", "imo", "inn", "kpp", "lei", "ogrn", "reg", "tax")
LOCAL = ("reg", "tax")
"""Generic register numbers: not used for the match prior's deterministic rules."""
TOKENS = """
CREATE TABLE records AS
SELECT *,
    split_part(name_skeleton, ' ', 1) AS tok1,
    nullif(split_part(name_skeleton, ' ', 2), '') AS tok2,
    string_split(name_skeleton, ' ')[-1] AS tok_last,
    substr(name_skeleton, 1, 1) AS tok1_p1,
    nullif(substr(split_part(name_skeleton, ' ', 2), 1, 2), '') AS tok2_p2
FROM read_csv('{path}', header = true, all_varchar = true)
"""


def load(con: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Read the export into table ``records``; return the identifier schemes that occur."""
    con.execute(TOKENS.format(path=str(path).replace("'", "''"))).fetchall()
    present = []
    for scheme in SCHEMES:
        ((count,),) = con.execute(f"SELECT count({scheme}) FROM records").fetchall()
        if count > 1:
            present.append(scheme)
    return present


def date_comparison(column: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column),
            cll.CustomLevel(f"substr({column}_l, 1, 4) = substr({column}_r, 1, 4)", "same year"),
            cll.ElseLevel(),
        ],
    )


def identifier_comparison(schemes: list[str]) -> cl.CustomComparison:
    """Shared identifier of any scheme; conflicting identifier; neither; no identifier.

    Register numbers carry their country (``reg:KZ-...``), so every scheme can conflict; the
    comparison reads no other column, so EM blocked on name alone can train it.
    """
    shared = " OR ".join(f"{s}_l = {s}_r" for s in [*schemes, "id_key"])
    conflicting = " OR ".join(f"{s}_l <> {s}_r" for s in schemes)
    levels: list[Any] = [
        cll.CustomLevel("id_key_l IS NULL OR id_key_r IS NULL", "no identifier").configure(
            is_null_level=True
        ),
        cll.CustomLevel(shared, "shared identifier"),
        # EM on this data cannot tell a different INN from a typo; like our veto, a conflict is
        # domain knowledge: fixed at m = 1e-4 (about -12 bits for a random u of 0.4).
        cll.CustomLevel(conflicting, "conflicting identifier").configure(
            m_probability=1e-4, fix_m_probability=True
        ),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(output_column_name="identifier", comparison_levels=levels)


def inputs(db_api: DuckDBAPI, con: duckdb.DuckDBPyConnection, split: bool) -> list[Any]:
    """The one table to dedupe, or registry and customs records as two tables."""
    if not split:
        return [db_api.register("records")]
    for name, test in (("registry", "NOT LIKE"), ("customs", "LIKE")):
        sql = f"CREATE TABLE {name} AS SELECT * FROM records WHERE unique_id {test} '%:party:%'"
        con.execute(sql).fetchall()
    return [db_api.register(name, dataset_display_name=name) for name in ("registry", "customs")]


def settings(schemes: list[str], link_type: str) -> SettingsCreator:
    blocking = [block_on(scheme) for scheme in schemes] + [
        block_on("name_skeleton", "country"),
        block_on("tok1", "tok2", "country"),
        block_on("tok1_p1", "tok2", "tok_last", "country"),
        block_on("tok1", "tok2_p2", "country"),
    ]
    comparisons = [
        cl.NameComparison("name_skeleton", jaro_winkler_thresholds=[0.95, 0.88, 0.7]),
        identifier_comparison(schemes),
        cl.ExactMatch("numbers"),
        cl.ExactMatch("legal_form"),
        cl.ExactMatch("country"),
        date_comparison("birth_date"),
        date_comparison("incorporation_date"),
        cl.ExactMatch("address").configure(term_frequency_adjustments=True),
    ]
    return SettingsCreator(
        link_type=link_type,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )


def train(linker: Linker, schemes: list[str], u_pairs: float, em_pairs: float) -> None:
    unique = [block_on(scheme) for scheme in schemes if scheme not in LOCAL]
    linker.training.estimate_probability_two_random_records_match(unique, recall=0.5)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
    for rule in (block_on("name_skeleton"), block_on("id_key")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule, max_pairs=em_pairs)


def cluster(linker: Linker, predictions: Any, threshold: float, split: bool) -> Any:
    if split:
        return linker.clustering.cluster_using_single_best_links(
            predictions, duplicate_free_datasets=["registry"], threshold_match_probability=threshold
        )
    return linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )


def timed(phases: dict[str, float], name: str, step: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = step()
    phases[name] = round(time.perf_counter() - started, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=0.9)
    parser.add_argument("--u-pairs", type=float, default=1e7)
    parser.add_argument("--em-pairs", type=float, default=5e6, help="EM sample per session")
    parser.add_argument(
        "--clustering",
        choices=("components", "best-links"),
        default="components",
        help="connected components (dedupe), or single best links with the registry "
        "duplicate-free (link and dedupe registry + customs records)",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    phases: dict[str, float] = {}
    con = duckdb.connect()
    schemes = timed(phases, "load", lambda: load(con, args.input))
    db_api = DuckDBAPI(connection=con)
    split = args.clustering == "best-links"
    tables = inputs(db_api, con, split)
    link_type = "link_and_dedupe" if split else "dedupe_only"
    linker = Linker(tables, settings(schemes, link_type), log_level=logging.INFO)
    timed(phases, "train", lambda: train(linker, schemes, args.u_pairs, args.em_pairs))
    predictions = timed(
        phases,
        "predict",
        lambda: linker.inference.predict(threshold_match_probability=args.threshold),
    )
    clusters = timed(
        phases,
        "cluster",
        lambda: cluster(linker, predictions, args.threshold, split),
    )
    output = str(args.output).replace("'", "''")
    timed(
        phases,
        "write",
        lambda: con.execute(
            f"COPY (SELECT unique_id, cluster_id FROM {clusters.physical_name}) "
            f"TO '{output}' (HEADER, DELIMITER ',')"
        ).fetchall(),
    )
    seconds = time.perf_counter() - started
    ((pairs,),) = con.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchall()
    ((threads,),) = con.execute("SELECT current_setting('threads')").fetchall()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "phases": phases,
                "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                "children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                "pairs_above_threshold": pairs,
                "schemes": schemes,
                "splink": splink.__version__,
                "duckdb": duckdb.__version__,
                "threads": threads,
                "clustering": args.clustering,
            }
        )
    )


if __name__ == "__main__":
    main()

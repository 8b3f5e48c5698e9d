"""Resolving a workspace: read records, block, score, cluster, write the clusters table."""

from __future__ import annotations

import gc
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from time import perf_counter
from typing import Any

import numpy as np
import orjson
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ownergraph.resolve.arrays import read_records, weigh
from ownergraph.resolve.blocking import candidate_pairs, counter, token_counts
from ownergraph.resolve.clustering import Merged, cluster_encoded
from ownergraph.resolve.compiled import Encoded, explanation, feature_rows, score_pairs
from ownergraph.resolve.judgements import judgements
from ownergraph.resolve.scoring import DEFAULT_THRESHOLD, TokenWeights
from ownergraph.workspace import Workspace
from ownergraph.workspace.store import now

SCORING_CHUNK = 1 << 21
"""Pairs scored per compiled call (the progress bar moves between calls)."""


@dataclass
class ResolutionSummary:
    records: int = 0
    candidate_pairs: int = 0
    matches: int = 0
    vetoed: int = 0
    merges: int = 0
    clusters: int = 0
    """Clusters of two or more records."""
    judgements: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds spent reading, blocking, scoring, clustering and writing."""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def resolve(
    workspace: Workspace,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    progress: bool | None = None,
    console: Console | None = None,
) -> ResolutionSummary:
    """Cluster the workspace's records into entities; replaces the previous resolution."""
    if not 0.5 <= threshold < 1.0:
        raise ValueError("threshold must be in [0.5, 1)")
    started = perf_counter()
    console = console or Console(stderr=True)
    bar = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, transient=True,
        disable=not (console.is_terminal if progress is None else progress),
    )  # fmt: skip
    summary = ResolutionSummary()
    clock = _Clock(summary.phases)
    with bar, _collector_paused():
        task = bar.add_task("reading records", total=None)
        records = read_records(workspace.path)
        summary.records = len(records.ids)
        clock("read")
        bar.update(task, description="blocking")
        counts = token_counts(records)
        left, right = candidate_pairs(records, counts)
        summary.candidate_pairs = len(left)
        encoded = weigh(records, TokenWeights(counter(records, counts), len(records.ids)))
        clock("block")
        bar.update(task, description="scoring pairs", total=len(left))
        log_odds = np.empty(len(left), dtype=np.float64)
        veto = np.empty(len(left), dtype=np.int8)
        for start in range(0, len(left), SCORING_CHUNK):
            chunk = slice(start, start + SCORING_CHUNK)
            log_odds[chunk], veto[chunk] = score_pairs(encoded, left[chunk], right[chunk])
            bar.update(task, completed=min(start + SCORING_CHUNK, len(left)))
        summary.vetoed = int(np.count_nonzero(veto))
        kept = np.flatnonzero((veto == 0) & (log_odds >= math.log(threshold / (1 - threshold))))
        left, right, log_odds = left[kept], right[kept], log_odds[kept]
        summary.matches = len(kept)
        clock("score")
        bar.update(task, description="clustering", total=None)
        same, different = _judged(workspace, records.ids, summary)
        merged = cluster_encoded(encoded, left, right, log_odds, same=same, different=different)
        clock("cluster")
        summary.merges = len(merged.edge)
        summary.clusters = _write(
            workspace,
            records.ids,
            merged,
            _explain(records.ids, encoded, left, right, log_odds, merged),
        )
        clock("write")
    summary.seconds = perf_counter() - started
    return summary


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: the millions of small objects made here (names,
    forms, rows) hold no cycles, and each full collection would walk all of them again."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _Clock:
    """Seconds of each phase since the previous one, into a summary's ``phases``."""

    def __init__(self, phases: dict[str, float]) -> None:
        self.phases = phases
        self.last = perf_counter()

    def __call__(self, phase: str) -> None:
        now = perf_counter()
        self.phases[phase] = round(now - self.last, 3)
        self.last = now


def _judged(
    workspace: Workspace, ids: list[str], summary: ResolutionSummary
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The human judgements on records present: (same pairs, different pairs) of indexes."""
    live = judgements(workspace)
    index = {record_id: position for position, record_id in enumerate(ids)} if live else {}
    same: list[tuple[int, int]] = []
    different: list[tuple[int, int]] = []
    for judgement in live:
        if judgement.left in index and judgement.right in index:
            pair = (index[judgement.left], index[judgement.right])
            summary.judgements += 1
            if judgement.verdict == "same":
                same.append(pair)
            elif judgement.verdict == "different":
                different.append(pair)
    return same, different


def _explain(
    ids: list[str], encoded: Encoded, left: Any, right: Any, log_odds: Any, merged: Merged
) -> list[str]:
    """Each merge as ``show`` prints it, as JSON: records, log-odds and features, or the
    judgement. (Decoded at once: orjson's bytes keep a few KiB of heap each, 1 GiB for the
    283k merges of a million records, until they are freed.)"""
    scored = merged.edge[merged.edge >= 0]
    rows = iter(feature_rows(encoded, left[scored], right[scored]).tolist())
    scores = iter([round(value, 3) for value in log_odds[scored].tolist()])
    return [
        orjson.dumps(
            {"left": ids[a], "right": ids[b], "judgement": "same"}
            if edge < 0
            else {"left": ids[a], "right": ids[b], "log_odds": next(scores),
                  "features": explanation(next(rows))}
        ).decode()
        for a, b, edge in zip(
            merged.left.tolist(), merged.right.tolist(), merged.edge.tolist(), strict=True
        )
    ]  # fmt: skip


def _write(workspace: Workspace, ids: list[str], merged: Merged, merges: list[str]) -> int:
    """Replace the clusters table; only records merged with others get a row, named after the
    cluster's least record id. Each member's explanation lists the merges it took part in, in
    the order they were made (a JSON array)."""
    count = len(merges)
    ends = np.concatenate([merged.left, merged.right]).astype(np.int64)
    made = np.concatenate([np.arange(count), np.arange(count)])
    # Members by cluster (root), then id; each member's merges in the order they were made.
    order = np.lexsort((made, ends, merged.root[ends]))
    ends, made = ends[order], made[order]
    first = np.flatnonzero(np.diff(ends, prepend=-1))
    members = ends[first]
    roots = merged.root[members]
    starts = np.flatnonzero(np.diff(roots, prepend=-1))
    # Records are in id order, so a cluster's least index is its least id.
    least = np.repeat(np.minimum.reduceat(members, starts), np.diff(starts, append=len(members)))
    stamp = now()
    made_list = made.tolist()
    bounds = [*first.tolist(), len(ends)]
    rows = [
        (ids[member], ids[canonical],
         "[" + ",".join([merges[m] for m in made_list[low:high]]) + "]", stamp)
        for member, canonical, low, high in zip(
            members.tolist(), least.tolist(), bounds, bounds[1:], strict=False
        )
    ]  # fmt: skip
    workspace.replace_clusters(rows)
    return len(starts)

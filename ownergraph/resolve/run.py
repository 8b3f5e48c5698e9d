"""Resolving a workspace: read records, block, score, cluster, write the clusters table."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from time import perf_counter

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ownergraph.resolve.blocking import candidate_pairs, token_counts
from ownergraph.resolve.clustering import Clusters, Edge, cluster
from ownergraph.resolve.judgements import judgements
from ownergraph.resolve.matchable import Matchable, read_matchables
from ownergraph.resolve.scoring import DEFAULT_THRESHOLD, TokenWeights, incompatible, score
from ownergraph.workspace import Workspace
from ownergraph.workspace.store import now


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
    with bar:
        records = list(read_matchables(workspace))
        summary.records = len(records)
        counts = token_counts(records)
        weight = TokenWeights(counts, len(records))
        minimum = math.log(threshold / (1 - threshold))
        edges: list[Edge] = []
        task = bar.add_task("scoring pairs", total=None)
        for left, right in candidate_pairs(records, counts):
            summary.candidate_pairs += 1
            match = score(records[left], records[right], weight)
            if match.veto:
                summary.vetoed += 1
            elif match.log_odds >= minimum:
                edges.append(Edge(left, right, match.log_odds, match.features))
            if summary.candidate_pairs % 10000 == 0:
                bar.update(task, completed=summary.candidate_pairs)
        summary.matches = len(edges)
        index = {record.id: position for position, record in enumerate(records)}
        same, different = [], []
        for judgement in judgements(workspace):
            if judgement.left in index and judgement.right in index:
                pair = (index[judgement.left], index[judgement.right])
                summary.judgements += 1
                if judgement.verdict == "same":
                    same.append(pair)
                elif judgement.verdict == "different":
                    different.append(pair)
        result = cluster(
            len(records),
            edges,
            lambda i, j: incompatible(records[i], records[j]) is not None,
            same=same,
            different=different,
        )
    summary.merges = len(result.merges)
    summary.clusters = _write(workspace, records, result)
    summary.seconds = perf_counter() - started
    return summary


def _write(workspace: Workspace, records: list[Matchable], result: Clusters) -> int:
    """Replace the clusters table; only records merged with others get a row."""
    explanations: dict[int, list[dict[str, object]]] = {}
    for merge in result.merges:
        left, right = int(merge["left"]), int(merge["right"])  # type: ignore[call-overload]
        readable = {**merge, "left": records[left].id, "right": records[right].id}
        explanations.setdefault(left, []).append(readable)
        explanations.setdefault(right, []).append(readable)
    stamp = now()
    rows: list[tuple[str, str, str, str]] = []
    clusters = 0
    for members in result.members.values():
        if len(members) < 2:
            continue
        clusters += 1
        canonical = min(records[member].id for member in members)
        rows.extend(
            (records[member].id, canonical,
             json.dumps(explanations.get(member, []), ensure_ascii=False), stamp)
            for member in members
        )  # fmt: skip
    with workspace.transaction() as db:
        db.execute("DELETE FROM clusters")
        db.executemany(
            "INSERT INTO clusters (entity_id, canonical_id, explanation, resolved_at) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )
    return clusters

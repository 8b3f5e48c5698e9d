"""Scoring entity resolution against a generated world whose true identities are known.

Every party record that shipments created is labelled with the company it stands for (from the
generator's ``truth_parties.csv``); registry records are their own label. Pairwise precision,
recall and F1 count pairs of labelled records placed in the same entity. A party spelling that
the generator used for two different companies is ambiguous by construction and left out.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from ownergraph.resolve.matchable import Matchable, read_matchables
from ownergraph.resolve.scoring import identifier_conflict
from ownergraph.workspace import Workspace


@dataclass
class Scores:
    records: int
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int
    conflicting_merges: int
    """Merged pairs of records holding different valid unique identifiers (must be 0)."""

    @property
    def precision(self) -> float:
        return self.correct_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


def labels(workspace: Workspace, world: Path, dataset: str) -> dict[str, str]:
    """Record id -> true company/person id, for the records of one generated dataset."""
    truth: defaultdict[str, set[str]] = defaultdict(set)
    roles = ("exporter", "importer", "declarant")
    parties: dict[str, tuple[str | None, ...]] = {}
    for row in workspace.iterate(
        "SELECT id, exporter_id, importer_id, declarant_id FROM shipments WHERE dataset = ?",
        (dataset,),
    ):
        parties[str(row[0]).split(":", 1)[1].rsplit("/", 1)[0]] = tuple(row[1:])
    with (world / "truth_parties.csv").open(encoding="utf-8", newline="") as handle:
        for line in csv.DictReader(handle):
            records = parties.get(line["declaration_id"])
            if records is None:
                continue
            for role, record in zip(roles, records, strict=True):
                if record and line[role]:
                    truth[record].add(f"{dataset}:{line[role]}")
    result = {record: next(iter(found)) for record, found in truth.items() if len(found) == 1}
    for (entity_id,) in workspace.iterate(
        "SELECT id FROM entities WHERE dataset = ? AND schema IN ('Company', 'Person') "
        "AND id NOT LIKE ?",
        (dataset, f"{dataset}:party:%"),
    ):
        result[str(entity_id)] = str(entity_id)
    return result


def pair_counts(truth: Mapping[str, str], cluster_of: Mapping[str, str]) -> tuple[int, int, int]:
    """(true, predicted, correct) pairs among labelled records, counted pairwise.

    A record missing from ``cluster_of`` is a cluster of its own.
    """
    by_truth: defaultdict[str, int] = defaultdict(int)
    by_cluster: defaultdict[str, list[str]] = defaultdict(list)
    for record, label in truth.items():
        by_truth[label] += 1
        by_cluster[cluster_of.get(record, record)].append(record)
    true_pairs = sum(size * (size - 1) // 2 for size in by_truth.values())
    predicted = correct = 0
    for group in by_cluster.values():
        predicted += len(group) * (len(group) - 1) // 2
        counts = Counter(truth[record] for record in group)
        correct += sum(count * (count - 1) // 2 for count in counts.values())
    return true_pairs, predicted, correct


def evaluate(workspace: Workspace, world: Path, dataset: str) -> Scores:
    """Pairwise scores of the workspace's current resolution against the world's truth."""
    truth = labels(workspace, world, dataset)
    canonical: dict[str, str] = {
        str(row[0]): str(row[1])
        for row in workspace.query("SELECT entity_id, canonical_id FROM clusters")
    }
    true_pairs, predicted, correct = pair_counts(truth, canonical)
    return Scores(len(truth), true_pairs, predicted, correct, _conflicts(workspace, canonical))


def _conflicts(workspace: Workspace, canonical: dict[str, str]) -> int:
    records = {record.id: record for record in read_matchables(workspace) if record.id in canonical}
    groups: defaultdict[str, list[Matchable]] = defaultdict(list)
    for record_id, cluster_id in canonical.items():
        if record_id in records:
            groups[cluster_id].append(records[record_id])
    conflicts = 0
    for group in groups.values():
        for position, left in enumerate(group):
            conflicts += sum(
                1 for right in group[position + 1 :] if identifier_conflict(left, right)
            )
    return conflicts

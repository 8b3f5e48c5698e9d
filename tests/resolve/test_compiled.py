"""The compiled scorer gives exactly the reference scorer's vetoes, features and log-odds."""

import random
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rapidfuzz.distance import Indel

from ownergraph.ingest import load_file
from ownergraph.resolve import arrays
from ownergraph.resolve.arrays import encode, from_matchables, read_records, weigh
from ownergraph.resolve.blocking import candidate_pairs, counter, token_counts
from ownergraph.resolve.clustering import cluster_arrays, cluster_encoded
from ownergraph.resolve.compiled import (
    VETOES,
    _lcs,
    _similarity,
    explanation,
    feature_rows,
    score_pairs,
)
from ownergraph.resolve.matchable import Matchable, matchable, read_matchables
from ownergraph.resolve.normalise import GENERIC_WORDS
from ownergraph.resolve.scoring import TokenWeights, incompatible, score
from ownergraph.workspace import Workspace

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

HOSTILE = [
    matchable("a", "Company", ["ТОО «Береке Трейд»", "Bereke Trade LLP"], country="KZ",
              identifiers=["bin:230340355717"], incorporation_date="2022-03-01"),
    matchable("b", "Company", ["BEREKE TREID TOO"], country="KZ",
              identifiers=["bin:230340355717", "reg:123"], incorporation_date="2022"),
    matchable("c", "Company", ["Bereke Treyd"], country="KZ", identifiers=["bin:230340355718"]),
    matchable("d", "Company", ["OOO"], country="RU"),
    matchable("e", "Company", ["", "   ", "ООО"], country=""),
    matchable("f", "Company", ["x" * 70 + "y", "Alfa Trade-12"], country="RU",
              identifiers=["inn:7731084175"]),
    matchable("g", "Company", ["x" * 69 + "yz", "Alfa Trade-13"], country="RU",
              identifiers=["inn:7707083893", "inn:7731084176"]),
    matchable("h", "Company", ["Alfa Trade 12", "ALFA TREID"], country="RU",
              identifiers=["inn:7731084176", "reg:1"], incorporation_date="2022-03-01"),
    matchable("i", "Person", ["Zakharov Aleksandr", "Захаров Александр"], country="RU",
              birth_date="1961-04-12"),
    matchable("j", "Person", ["Zakharova Aleksandra"], country="RU", birth_date="1961"),
    matchable("k", "Person", ["Захаров Александр Петрович"], birth_date="1962-01-01"),
    matchable("l", "Person", ["Kouznetsov Ivan"], country="RU"),
    matchable("m", "Person", ["Kuznetsov Ivan"], country="KZ", undisclosed=True),
    matchable("n", "Organization", ["Kuznetsov Ivan"], country="RU", address="Moscow 1"),
    matchable("o", "LegalEntity", ["Восток ΑΒΓ 東方", "Vostok"], country="RU", address="moscow 1"),
    matchable("p", "LegalEntity", ["Wostok GmbH & Co. KG"], country="DE", identifiers=["tax:7"]),
    matchable("q", "Company", ["Wostok GmbH"], country="DE", identifiers=["tax:8", "reg:9"]),
    matchable("r", "Vessel", ["Vostok"], identifiers=["imo:9074729", "imo:12"]),
    matchable("s", "Vessel", ["Vostok"], identifiers=["imo:9074729"]),
    matchable("t", "Company", ["a" * 200, "Ё" * 90], country="RU"),
    matchable("u", "Person", ["Ivan Kuznetsov"], birth_date="\ud800-1961", address="\udfff"),
    matchable("v", "Person", ["Ivan Kouznetsov"], birth_date="\ud800", address="\udfff"),
    matchable("w", "Organization", ["Severny Mining", "ALFA", "Alfa Trade 12"], country="RU",
              weak_aliases=["ALFA", "Alfa Trade 12", "not one of its names"]),
    matchable("x", "Organization", ["ALFA", "Alfa Trade-12"], country="RU",
              weak_aliases=["Alfa Trade-12"]),
    matchable("y", "LegalEntity", ["Ivan Petrov Sidorov"], country="RU",
              hints=(("z", "same_as"), ("l", "similar"), ("absent", "same_as"), ("y", "same_as"))),
    matchable("z", "LegalEntity", ["Ivan Petrovich Sidorov"],
              hints=(("y", "probably_same_officer_as"), ("a", "same_id_as"))),
]  # fmt: skip


def _code(reason: str) -> int:
    """The compiled veto code of a reference veto ("different inn identifiers" -> 4)."""
    if reason.startswith("different ") and reason.endswith(" identifiers"):
        reason = "different identifiers"
    return VETOES.index(reason)


def _compare(records: list[Matchable], left: Any, right: Any) -> Counter[int]:
    """Assert that both scorers agree on every pair; return how many pairs had each veto code."""
    arrays = from_matchables(records)
    weight = TokenWeights(counter(arrays, token_counts(arrays)), len(records))
    encoded = encode(records, weight)
    log_odds, veto = score_pairs(encoded, left, right)
    rows = feature_rows(encoded, left, right)
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        reference = score(records[i], records[j], weight)
        if reference.veto:
            assert veto[k] == _code(reference.veto), (records[i].id, records[j].id, reference.veto)
        else:
            assert veto[k] == 0, (records[i].id, records[j].id, VETOES[veto[k]])
            assert explanation(rows[k]) == reference.features, (records[i].id, records[j].id)
            assert log_odds[k] == reference.log_odds
    return Counter(veto.tolist())


def test_every_pair_of_hostile_records_scores_as_the_reference() -> None:
    pairs = np.array(list(combinations(range(len(HOSTILE)), 2)), dtype=np.int64)
    both = np.concatenate((pairs, pairs[:, ::-1]))  # both orders: the score is not symmetric
    codes = _compare(HOSTILE, both[:, 0].copy(), both[:, 1].copy())
    assert codes.total() == len(both) and set(codes) == set(range(len(VETOES)))


def test_every_candidate_pair_of_a_generated_world_scores_as_the_reference(
    resolved_world: tuple[Path, dict[str, Any]],
) -> None:
    with Workspace(resolved_world[0]) as workspace:
        records = list(read_matchables(workspace))
    arrays = from_matchables(records)
    left, right = candidate_pairs(arrays, token_counts(arrays))
    assert _compare(records, left, right).total() > 1000


def test_the_real_sanctions_samples_score_as_the_reference(tmp_path: Path) -> None:
    """Long OFAC alias lists, Cyrillic and Arabic names, weak aliases, remarks identifiers."""
    with Workspace(tmp_path / "w.db") as workspace:
        load_file(workspace, "ofac-csv", FIXTURES / "ofac" / "sdn_subset" / "sdn.csv",
                  progress=False)  # fmt: skip
        load_file(workspace, "uk-csv", FIXTURES / "uk" / "ConList_handmade.csv", progress=False)
        load_file(workspace, "ftm", FIXTURES / "opensanctions" / "zala_entities.ftm.jsonl",
                  progress=False)  # fmt: skip
        records = list(read_matchables(workspace))
    assert sum(any(record.weak) for record in records) == 4  # the sample's weak a.k.a.s
    rng = np.random.default_rng(5)
    left = rng.integers(0, len(records), 20000)
    right = rng.integers(0, len(records), 20000)
    arrays = from_matchables(records)
    candidates, others = candidate_pairs(arrays, token_counts(arrays))
    assert _compare(records, np.r_[left, candidates], np.r_[right, others]).total() >= 20000


def test_token_similarity_is_rapidfuzz_indel() -> None:
    rng = random.Random(7)
    words = ["".join(rng.choice("abcde") for _ in range(rng.randint(1, 64))) for _ in range(300)]
    words += ["treid", "treyd", "trade", "kuznecov", "kusnecov", "vostok", "vostochny"]
    chars = np.array([ord(c) for word in words for c in word], dtype=np.int32)
    starts = np.cumsum([0] + [len(word) for word in words])
    for _ in range(3000):
        a, b = rng.randrange(len(words)), rng.randrange(len(words))
        common = _lcs(chars, starts[a], starts[a + 1], starts[b], starts[b + 1])
        similarity = _similarity(len(words[a]), len(words[b]), common)
        assert similarity == Indel.normalized_similarity(words[a], words[b]), (a, b)


@pytest.mark.parametrize("records", [[], HOSTILE[:1]])
def test_nothing_to_score(records: list[Matchable]) -> None:
    weight = TokenWeights(Counter(), 1)
    arrays = from_matchables(records)
    left, right = candidate_pairs(arrays, token_counts(arrays))
    assert len(left) == len(right) == 0
    log_odds, veto = score_pairs(encode(records, weight), left, right)
    assert log_odds.shape == veto.shape == (0,)


def _reference_block_keys(record: Matchable, counts: Counter[str]) -> set[str]:
    """The blocking rule as docs/methodology.md states it, written plainly (candidate matches a
    source names are added in ``_reference_pairs``)."""
    keys = {f"id:{identifier.key}" for identifier in record.identifiers}
    for form in record.names:
        if not form.informative:
            continue
        tokens = sorted(
            {
                t
                for t in form.skeleton
                if len(t) >= 3 and t not in GENERIC_WORDS and not t.isdigit()
            },
            key=lambda token: (counts[token], token),
        )
        if len(tokens) >= 2:
            first, second = tokens[:2]
            for pair in ((first, second), (first[:3], second), (first, second[:3])):
                keys.add("names:" + " ".join(sorted(pair)))
        elif tokens:
            keys.add(f"name:{tokens[0]}")
    return keys


def _reference_pairs(records: list[Matchable], cap: int) -> set[tuple[int, int]]:
    counts: Counter[str] = Counter()
    for record in records:
        counts.update({token for form in record.names for token in form.skeleton})
    blocks: dict[str, list[int]] = {}
    for index, record in enumerate(records):
        for key in _reference_block_keys(record, counts):
            blocks.setdefault(key, []).append(index)
    index = {record.id: position for position, record in enumerate(records)}
    hinted = {
        (min(i, index[other]), max(i, index[other]))
        for i, record in enumerate(records)
        for other, _ in record.hints
        if other in index and index[other] != i
    }
    return hinted | {
        pair
        for key, members in blocks.items()
        if len(members) <= cap or key.startswith("id:")
        for pair in combinations(members, 2)
    }


@pytest.mark.parametrize("cap", [200, 3])
def test_blocking_finds_exactly_the_pairs_of_the_rule(
    resolved_world: tuple[Path, dict[str, Any]], cap: int
) -> None:
    with Workspace(resolved_world[0]) as workspace:
        records = list(read_matchables(workspace)) + HOSTILE
    arrays = from_matchables(records)
    left, right = candidate_pairs(arrays, token_counts(arrays), cap=cap)
    found = list(zip(left.tolist(), right.tolist(), strict=True))
    assert found == sorted(set(found))  # each pair once, in order
    assert set(found) == _reference_pairs(records, cap)


def test_token_counts_are_document_frequencies() -> None:
    arrays = from_matchables(HOSTILE)
    counts = counter(arrays, token_counts(arrays))
    expected: Counter[str] = Counter()
    for record in HOSTILE:
        expected.update({token for form in record.names for token in form.skeleton})
    assert counts == expected


def _scored(records: list[Matchable]) -> tuple[Any, Any, Any, Any, Any]:
    """(encoded records, left, right, log-odds, vetoes) of the candidate pairs."""
    arrays = from_matchables(records)
    counts = token_counts(arrays)
    encoded = encode(records, TokenWeights(counter(arrays, counts), len(records)))
    left, right = candidate_pairs(arrays, counts)
    return (encoded, left, right, *score_pairs(encoded, left, right))


def test_compiled_clustering_makes_the_reference_merges(
    resolved_world: tuple[Path, dict[str, Any]],
) -> None:
    with Workspace(resolved_world[0]) as workspace:
        records = list(read_matchables(workspace))
    encoded, left, right, log_odds, veto = _scored(records)
    kept = (veto == 0) & (log_odds > 1.0)  # a low bar: many edges, many conflicts to refuse
    left, right, log_odds = left[kept], right[kept], log_odds[kept]
    same, different = [(0, 5), (7, 9)], [(int(left[0]), int(right[0]))]
    reference = cluster_arrays(
        len(records), left, right, log_odds,
        lambda i, j: incompatible(records[i], records[j]) is not None,
        lambda edges: [{} for _ in edges], same=same, different=different,
    )  # fmt: skip
    merged = cluster_encoded(encoded, left, right, log_odds, same=same, different=different)
    made = list(zip(merged.left.tolist(), merged.right.tolist(), strict=True))
    assert made == [(int(m["left"]), int(m["right"])) for m in reference.merges]  # type: ignore[call-overload]
    assert len(made) > 100 and merged.edge.tolist()[:2] == [-1, -1]
    roots = {reference.find(index) for index in range(len(records))}
    assert len(roots) == len(set(merged.root.tolist()))
    for index in range(len(records)):
        assert reference.find(index) == reference.find(int(merged.root[index]))


@pytest.mark.parametrize("batch", [7, 2000])
def test_the_parallel_reader_reads_what_read_matchables_reads(
    resolved_world: tuple[Path, dict[str, Any]], batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small batches make the readers of each range's two ends meet in the middle (the children
    # are forked, so they see the patched value); 2000 leaves the back readers next to nothing.
    monkeypatch.setattr(arrays, "_BATCH", batch)
    with Workspace(resolved_world[0]) as workspace:
        records = list(read_matchables(workspace))
    single = from_matchables(records)
    for workers in (1, 2, 3, 4):
        read = read_records(resolved_world[0], workers=workers)
        assert read.ids == [record.id for record in records]
        counts = token_counts(read)
        assert counter(read, counts) == counter(single, token_counts(single))
        left, right = candidate_pairs(read, counts)
        expected = candidate_pairs(single, token_counts(single))
        assert np.array_equal(left, expected[0]) and np.array_equal(right, expected[1])
        weight = TokenWeights(counter(read, counts), len(records))
        assert all(
            np.array_equal(a, b)
            for a, b in zip(
                score_pairs(weigh(read, weight), left, right),
                score_pairs(weigh(single, weight), left, right),
                strict=True,
            )
        )


def test_compiled_clustering_leaves_an_ambiguous_record_alone() -> None:
    records = [
        matchable("a", "Company", ["ООО Восток Транзит"], country="RU",
                  identifiers=["inn:7731084175"]),
        matchable("b", "Company", ["OOO Vostok Tranzit"], country="RU",
                  identifiers=["inn:7707083893"]),
        matchable("c", "Company", ["Vostok Tranzit LLC"], country="RU"),
        matchable("d", "Company", ["Vostok Tranzit"], country="RU"),
    ]  # fmt: skip
    encoded, left, right, log_odds, veto = _scored(records)
    kept = veto == 0
    merged = cluster_encoded(encoded, left[kept], right[kept], log_odds[kept])
    root = merged.root.tolist()
    assert root[0] != root[1]  # conflicting INNs
    assert root[2] not in (root[0], root[1]) and root[3] not in (root[0], root[1])


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_the_parallel_reader_of_an_empty_or_tiny_workspace(tmp_path: Path, workers: int) -> None:
    with Workspace(tmp_path / "w.db") as workspace:
        assert read_records(workspace.path, workers=workers).ids == []
        load_file(workspace, "ofac-csv", FIXTURES / "ofac" / "sdn_subset" / "sdn.csv",
                  progress=False)  # fmt: skip
        expected = [record.id for record in read_matchables(workspace)]
    assert read_records(tmp_path / "w.db", workers=workers).ids == expected

"""Clustering: strongest first, no chaining across conflicts, judgements always obeyed."""

from ownergraph.resolve.clustering import Edge, cluster

# Records 0 and 2 hold different INNs; record 1 (name only) resembles both.
CONFLICTS = {(0, 2), (2, 0)}


def conflicts(left: int, right: int) -> bool:
    return (left, right) in CONFLICTS


def test_a_bridge_record_does_not_chain_two_conflicting_records() -> None:
    edges = [Edge(0, 1, 6.0, {}), Edge(1, 2, 3.0, {})]
    result = cluster(3, edges, conflicts)
    assert result.find(0) == result.find(1)
    assert result.find(2) != result.find(0)


def test_a_record_matching_two_conflicting_records_equally_joins_neither() -> None:
    edges = [Edge(0, 1, 4.0, {}), Edge(1, 2, 4.0, {})]
    result = cluster(3, edges, conflicts)
    assert len({result.find(0), result.find(1), result.find(2)}) == 3


def test_same_judgements_merge_even_against_the_scorer() -> None:
    result = cluster(3, [], conflicts, same=[(0, 2)])
    assert result.find(0) == result.find(2)
    assert result.merges == [{"left": 0, "right": 2, "judgement": "same"}]


def test_different_judgements_keep_clusters_apart() -> None:
    edges = [Edge(0, 1, 9.0, {}), Edge(1, 3, 9.0, {})]
    result = cluster(4, edges, lambda a, b: False, different=[(0, 3)])
    assert result.find(0) == result.find(1)
    assert result.find(3) != result.find(0)


def test_merges_record_their_features() -> None:
    result = cluster(2, [Edge(0, 1, 5.5, {"name": 5.0, "prior": -2.5})], conflicts)
    assert result.merges[0]["features"] == {"name": 5.0, "prior": -2.5}

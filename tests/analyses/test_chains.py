"""trace: time-respecting supplier -> sanctioned chains with flags, on small graphs built from
edge lists, and the reachability core against a networkx breadth-first search."""

from __future__ import annotations

from collections import deque
from typing import Any

import networkx as nx
import numpy as np
import pytest

from ownergraph.analyses.chains import (
    SEEDS_PER_PASS,
    EntityFacts,
    TraceOptions,
    reachable_targets,
    trace,
)
from ownergraph.graph import OPEN_END, OPEN_START, CSRGraph, day_number
from ownergraph.graph.build import assemble
from ownergraph.graph.csr import KINDS, SCHEMAS

CHIPS = 854231  # CHPL tier 1
SOCKS = 611595  # not on the CHPL


def make(
    nodes: dict[str, tuple[str, str]],
    links: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    shipments: list[tuple[Any, ...]] = (),  # type: ignore[assignment]
    listed: tuple[str, ...] = (),
) -> CSRGraph:
    """A graph from ``{id: (schema, country)}``, ``(source, target, kind)`` links and
    ``(exporter, importer, date, hs6, quantity[, declarant])`` shipments."""
    ids = list(nodes)
    where = {entity: i for i, entity in enumerate(ids)}
    countries = tuple(sorted({country for _, country in nodes.values()}))
    link_rows = np.array(
        [
            [where[s], where[t], KINDS.index(k), OPEN_START, OPEN_END, np.nan, np.nan]
            for s, t, k in links
        ]
    ).reshape(-1, 7)
    ship_rows = []
    for exporter, importer, when, hs6, quantity, *rest in shipments:
        declarant = where[rest[0]] if rest else -1
        tier = 0 if hs6 == CHIPS else -1
        day = day_number(when) if when else OPEN_START
        ship_rows.append([where[exporter], where[importer], declarant, day, hs6, tier,
                          quantity * 10.0, quantity])  # fmt: skip
    return assemble(
        ids,
        np.array([SCHEMAS.index(schema) for schema, _ in nodes.values()], np.int8),
        np.array([countries.index(country) for _, country in nodes.values()], np.int16),
        countries,
        np.array([entity in listed for entity in ids]),
        "2025-01-01",
        link_rows,
        np.array(ship_rows).reshape(-1, 8),
        np.empty((0, 5)),
        ("1",),
    )


FIRMS = {
    "maker": ("Company", "DE"),
    "trader": ("Company", "KZ"),
    "importer": ("Company", "RU"),
    "end_user": ("Company", "RU"),
}


def chain_ids(graph: CSRGraph, result: Any) -> list[list[str]]:
    return [[graph.ids[node] for node in path.nodes] for path in result.paths]


def targets_of(graph: CSRGraph, *entities: str) -> dict[int, Any]:
    return {graph.node(entity): "listed" for entity in entities}


def test_a_re_export_after_the_import_makes_a_chain() -> None:
    g = make(FIRMS, [("end_user", "importer", "OWNS")], [
        ("maker", "trader", "2023-03-01", CHIPS, 500),
        ("trader", "importer", "2023-03-20", CHIPS, 500),
    ])  # fmt: skip
    result = trace(g, targets_of(g, "end_user"))
    # The end user owns the importer: the last hop runs against the link's direction.
    assert chain_ids(g, result) == [["maker", "trader", "importer", "end_user"]]


def test_a_shipment_out_before_the_goods_came_in_breaks_the_chain() -> None:
    g = make(FIRMS, [], [
        ("maker", "trader", "2023-03-20", CHIPS, 500),
        ("trader", "end_user", "2023-03-01", CHIPS, 500),
    ])  # fmt: skip
    assert trace(g, targets_of(g, "end_user")).paths == []


def test_the_window_bounds_the_gap_between_shipments() -> None:
    g = make(FIRMS, [], [
        ("maker", "trader", "2023-01-01", CHIPS, 500),
        ("trader", "end_user", "2023-03-01", CHIPS, 500),
    ])  # fmt: skip
    targets = targets_of(g, "end_user")
    assert trace(g, targets, options=TraceOptions(window_days=30)).paths == []
    assert len(trace(g, targets, options=TraceOptions(window_days=60)).paths) == 1


def test_only_the_shipments_of_some_feasible_sequence_are_kept() -> None:
    # Three imports, of which only the one in March fits between... and the export in April.
    g = make(FIRMS, [], [
        ("maker", "trader", "2022-01-10", CHIPS, 500),
        ("maker", "trader", "2023-03-10", CHIPS, 500),
        ("maker", "trader", "2023-05-10", CHIPS, 500),
        ("trader", "end_user", "2023-04-01", CHIPS, 500),
    ])  # fmt: skip
    result = trace(g, targets_of(g, "end_user"), options=TraceOptions(window_days=60))
    (path,) = result.paths
    first_hop = [g.shipment_day[g.shipment_row(edge)] for edge in path.edges[0]]
    assert first_hop == [day_number("2023-03-10")]


def test_a_later_hop_narrows_an_earlier_one_in_the_backward_pass() -> None:
    # Import on day 1 and day 100; export on day 150 with a 60-day window: only day 100 fits,
    # although day 1 passes the forward check against nothing.
    g = make(FIRMS, [], [
        ("maker", "trader", "2023-01-01", CHIPS, 500),
        ("maker", "trader", "2023-04-10", CHIPS, 500),
        ("trader", "end_user", "2023-05-30", CHIPS, 500),
    ])  # fmt: skip
    (path,) = trace(g, targets_of(g, "end_user"), options=TraceOptions(window_days=60)).paths
    kept = [int(g.shipment_day[g.shipment_row(edge)]) for edge in path.edges[0]]
    assert kept == [day_number("2023-04-10")]


def test_undated_shipments_never_break_a_chain() -> None:
    g = make(FIRMS, [], [
        ("maker", "trader", "2023-03-20", CHIPS, 500),
        ("trader", "end_user", None, CHIPS, 500),
    ])  # fmt: skip
    assert len(trace(g, targets_of(g, "end_user")).paths) == 1


def test_as_of_ignores_later_shipments() -> None:
    g = make(FIRMS, [], [
        ("maker", "trader", "2023-03-01", CHIPS, 500),
        ("trader", "end_user", "2023-06-01", CHIPS, 500),
    ])  # fmt: skip
    targets = targets_of(g, "end_user")
    assert trace(g, targets, options=TraceOptions(as_of="2023-05-01")).paths == []
    assert len(trace(g, targets, options=TraceOptions(as_of="2023-07-01")).paths) == 1


def test_chains_start_with_goods_from_a_coalition_supplier() -> None:
    nodes = {**FIRMS, "holding": ("Company", "DE")}
    g = make(nodes, [("holding", "trader", "OWNS")], [
        ("trader", "end_user", "2023-03-01", CHIPS, 500),
    ])  # fmt: skip
    # The German holding owns the trader but ships nothing: it is no supplier. The trader is
    # Kazakh: not a supplier either, by default.
    assert trace(g, targets_of(g, "end_user")).paths == []
    kazakh = TraceOptions(from_countries=frozenset({"KZ"}))
    assert chain_ids(g, trace(g, targets_of(g, "end_user"), options=kazakh)) == [
        ["trader", "end_user"]
    ]


def test_a_chain_stops_at_the_first_sanctioned_entity() -> None:
    g = make(FIRMS, [], [
        ("maker", "importer", "2023-03-01", CHIPS, 500),
        ("importer", "end_user", "2023-03-05", CHIPS, 500),
    ])  # fmt: skip
    result = trace(g, targets_of(g, "importer", "end_user"))
    assert chain_ids(g, result) == [["maker", "importer"]]


def test_ownership_cycles_terminate() -> None:
    nodes = {**FIRMS, "shell": ("Company", "CY")}
    g = make(
        nodes,
        [("shell", "trader", "OWNS"), ("trader", "shell", "OWNS"), ("shell", "end_user", "OWNS")],
        [("maker", "trader", "2023-03-01", CHIPS, 500)],
    )
    result = trace(g, targets_of(g, "end_user"), options=TraceOptions(max_hops=6))
    assert chain_ids(g, result) == [["maker", "trader", "shell", "end_user"]]


def test_every_flag_comes_with_its_evidence() -> None:
    nodes = {
        **FIRMS,
        "hub": ("Address", "KZ"),
        "director": ("Person", "RU"),
        **{f"shell{i}": ("Company", "KZ") for i in range(6)},
    }
    links = [("trader", "hub", "REGISTERED_AT"), ("director", "trader", "OFFICER_OF")]
    links += [(f"shell{i}", "hub", "REGISTERED_AT") for i in range(6)]
    g = make(nodes, links, [
        ("maker", "trader", "2023-03-01", CHIPS, 500),
        ("trader", "end_user", "2023-03-15", CHIPS, 510),
    ])  # fmt: skip
    facts = {
        "trader": EntityFacts(incorporation_date="2022-06-01"),
        "director": EntityFacts(nationality="RU"),
    }
    asked: list[list[str]] = []

    def lookup(entities: Any) -> dict[str, EntityFacts]:
        asked.append(list(entities))
        return facts

    (path,) = trace(g, targets_of(g, "end_user"), lookup).paths
    flags = {flag.flag: flag for flag in path.flags}
    assert asked == [["director", "trader"]]
    assert flags["chpl"].evidence == {"tier": "1", "hs6": ["854231"], "shipments": 2}
    assert flags["transit"].evidence == {"entity": "trader", "country": "KZ"}
    assert flags["fresh_intermediary"].evidence["incorporation_date"] == "2022-06-01"
    assert flags["mass_registration"].evidence == {
        "entity": "trader", "address": "hub", "registrants": 7,
    }  # fmt: skip
    assert flags["russian_officer"].evidence == {"entity": "trader", "officers": ["director"]}
    assert flags["mirror_shipment"].evidence["quantity_out"] == 510
    assert flags["short_reexport"].evidence["days"] == 14
    assert path.score == pytest.approx(sum(flag.weight for flag in path.flags))


def test_plain_goods_through_an_old_local_firm_raise_no_flags() -> None:
    g = make(FIRMS, [], [
        ("maker", "importer", "2023-03-01", SOCKS, 500),
        ("importer", "end_user", "2023-09-01", SOCKS, 200),
    ])  # fmt: skip
    facts = {"importer": EntityFacts(incorporation_date="2001-01-01")}
    (path,) = trace(g, targets_of(g, "end_user"), lambda ids: facts).paths
    assert [flag.flag for flag in path.flags] == ["target_listed", "length"]
    assert path.chpl_value == 0.0


def test_stronger_evidence_ranks_first() -> None:
    nodes = {**FIRMS, "maker2": ("Company", "FR"), "local": ("Company", "RU")}
    g = make(nodes, [], [
        ("maker", "trader", "2023-03-01", CHIPS, 500),
        ("trader", "end_user", "2023-03-10", CHIPS, 500),
        ("maker2", "local", "2023-03-01", SOCKS, 500),
        ("local", "end_user", "2023-12-01", SOCKS, 20),
    ])  # fmt: skip
    result = trace(g, targets_of(g, "end_user"))
    assert chain_ids(g, result) == [
        ["maker", "trader", "end_user"],
        ["maker2", "local", "end_user"],
    ]
    assert result.paths[0].score > result.paths[1].score


def test_the_search_budget_is_reported() -> None:
    nodes = {**FIRMS, **{f"t{i}": ("Company", "KZ") for i in range(5)}}
    shipments = [("maker", f"t{i}", "2023-03-01", CHIPS, 5) for i in range(5)]
    shipments += [(f"t{i}", "end_user", "2023-03-02", CHIPS, 5) for i in range(5)]
    g = make(nodes, [], shipments)
    result = trace(g, targets_of(g, "end_user"), options=TraceOptions(paths_per_supplier=3))
    assert len(result.paths) == 3
    assert result.truncated == [g.node("maker")]


@pytest.mark.parametrize("hops", [0, 9])
def test_max_hops_out_of_range_is_refused(hops: int) -> None:
    with pytest.raises(ValueError, match="max_hops"):
        TraceOptions(max_hops=hops)


def test_an_unknown_explicit_supplier_is_a_key_error() -> None:
    g = make(FIRMS)
    with pytest.raises(KeyError):
        trace(g, targets_of(g, "end_user"), options=TraceOptions(suppliers=("nobody",)))


def nx_reference(
    graph: CSRGraph, seeds: list[int], targets: set[int], max_hops: int
) -> dict[int, dict[int, int]]:
    """The same question with networkx: shipments one way, traced links both ways, first hop a
    shipment, no walking on from a target, no entering a supplier (a German exporter) other than
    by a shipment; one breadth-first search per seed."""
    trade: nx.DiGraph = nx.DiGraph()
    moves: nx.DiGraph = nx.DiGraph()
    exporters = {s for s, k in zip(graph.source.tolist(), graph.kind.tolist(), strict=True)
                 if KINDS[k] == "SHIPPED_TO"}  # fmt: skip
    german = graph.countries.index("DE")
    suppliers = {n for n in exporters if graph.country[n] == german} - targets
    traced = {"OWNS", "CONTROLS", "OFFICER_OF", "SUCCESSOR"}
    for s, t, k in zip(graph.source.tolist(), graph.target.tolist(), graph.kind.tolist(),
                       strict=True):  # fmt: skip
        if s == t:
            continue
        if KINDS[k] == "SHIPPED_TO":
            trade.add_edge(s, t)
            moves.add_edge(s, t)
        elif KINDS[k] in traced:
            moves.add_edge(s, t)
            moves.add_edge(t, s)
    answer = {}
    for seed in seeds:
        reached: dict[int, int] = {}
        seen = {seed}
        queue = deque((n, 1) for n in (trade.successors(seed) if seed in trade else ()))
        for node, _ in queue:
            seen.add(node)
        while queue:
            node, depth = queue.popleft()
            if node in targets:
                reached[node] = depth
                continue
            if depth == max_hops:
                continue
            for nxt in moves.successors(node):
                if nxt in suppliers and not trade.has_edge(node, nxt):
                    continue
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append((nxt, depth + 1))
        answer[seed] = reached
    return answer


def random_graph(seed: int) -> CSRGraph:
    rng = np.random.default_rng(seed)
    count = 300
    nodes = {f"n{i}": ("Company", ["DE", "KZ", "RU"][i % 3]) for i in range(count)}
    names = list(nodes)
    links = [
        (names[a], names[b], ["OWNS", "OFFICER_OF", "REGISTERED_AT", "CONTROLS"][k])
        for a, b, k in zip(
            rng.integers(0, count, 250),
            rng.integers(0, count, 250),
            rng.integers(0, 4, 250),
            strict=True,
        )
    ]
    shipments = [
        (names[a], names[b], "2023-01-01", CHIPS, 1)
        for a, b in zip(rng.integers(0, count, 500), rng.integers(0, count, 500), strict=True)
    ]
    return make(nodes, links, shipments)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_reachable_targets_match_a_networkx_search(seed: int) -> None:
    g = random_graph(seed)
    targets = {int(n) for n in range(2, g.node_count, 17)}
    seeds = list(range(0, g.node_count, 3))
    ours = reachable_targets(g, seeds, targets, TraceOptions(max_hops=4))
    assert ours == nx_reference(g, seeds, targets, 4)
    assert any(ours.values())


@pytest.mark.parametrize("seed", [4, 5])
def test_every_traced_chain_is_a_reachable_pair_and_back(seed: int) -> None:
    g = random_graph(seed)
    targets = {int(n) for n in range(2, g.node_count, 17)}
    options = TraceOptions(max_hops=3, paths_per_supplier=100000)
    result = trace(g, dict.fromkeys(targets, "listed"), options=options)
    # Same dates everywhere: time order never prunes, so the pairs equal plain reachability.
    pairs = {(path.nodes[0], path.nodes[-1]) for path in result.paths}
    suppliers = sorted({path.nodes[0] for path in result.paths})
    reach = reachable_targets(g, suppliers, targets, options)
    assert pairs == {(s, t) for s, found in reach.items() for t in found}
    shortest = {}
    for path in result.paths:
        key = (path.nodes[0], path.nodes[-1])
        shortest[key] = min(shortest.get(key, 99), len(path))
    assert shortest == {(s, t): d for s, found in reach.items() for t, d in found.items()}


def test_a_chain_never_enters_another_supplier_through_ownership() -> None:
    # Goods to a German distributor, whose parent also owns another German exporter that
    # ships to the end user: the second half is that exporter's own chain, not a flow from maker.
    nodes = {**FIRMS, "distributor": ("Company", "DE"), "parent": ("Company", "DE"),
             "exporter": ("Company", "DE")}  # fmt: skip
    links = [("parent", "distributor", "OWNS"), ("parent", "exporter", "OWNS")]
    g = make(nodes, links, [
        ("maker", "distributor", "2023-03-01", CHIPS, 500),
        ("parent", "maker", "2023-01-01", SOCKS, 1),
        ("exporter", "end_user", "2023-03-05", CHIPS, 500),
    ])  # fmt: skip
    result = trace(g, targets_of(g, "end_user"), options=TraceOptions(max_hops=5))
    assert chain_ids(g, result) == [["exporter", "end_user"]]


def test_goods_must_match_from_one_shipment_to_the_next() -> None:
    g = make(FIRMS, [], [
        ("maker", "trader", "2023-03-01", SOCKS, 500),
        ("trader", "end_user", "2023-03-20", CHIPS, 500),
    ])  # fmt: skip
    targets = targets_of(g, "end_user")
    # Socks in, chips out: no re-export of the same goods.
    assert trace(g, targets).paths == []
    assert len(trace(g, targets, options=TraceOptions(goods_match="any")).paths) == 1


def test_the_goods_level_decides_what_counts_as_the_same_goods() -> None:
    memory = 854232  # the same heading 8542 as CHIPS, another subheading
    g = make(FIRMS, [], [
        ("maker", "trader", "2023-03-01", CHIPS, 500),
        ("trader", "end_user", "2023-03-20", memory, 500),
    ])  # fmt: skip
    targets = targets_of(g, "end_user")
    assert len(trace(g, targets, options=TraceOptions(goods_match="hs4")).paths) == 1
    assert trace(g, targets, options=TraceOptions(goods_match="hs6")).paths == []
    with pytest.raises(ValueError, match="goods_match"):
        TraceOptions(goods_match="hs8")


def test_each_goods_line_keeps_its_own_time_order() -> None:
    # Chips in late, socks in early, chips out before the chips came in: the early socks must
    # not let the chips through.
    g = make(FIRMS, [], [
        ("maker", "trader", "2023-01-01", SOCKS, 500),
        ("maker", "trader", "2023-06-01", CHIPS, 500),
        ("trader", "end_user", "2023-03-01", CHIPS, 500),
    ])  # fmt: skip
    assert trace(g, targets_of(g, "end_user")).paths == []


def test_reachable_targets_agree_over_several_passes_of_seeds() -> None:
    # More seeds than one pass takes (SEEDS_PER_PASS), in no order, one repeated, some of them
    # targets themselves: each still gets exactly its own breadth-first search.
    g = random_graph(6)
    targets = {int(n) for n in range(2, g.node_count, 13)}
    seeds = [*range(g.node_count - 1, -1, -1), 5, 5]
    ours = reachable_targets(g, seeds, targets, TraceOptions(max_hops=4))
    assert len(seeds) > 2 * SEEDS_PER_PASS
    assert ours == nx_reference(g, list(dict.fromkeys(seeds)), targets, 4)
    assert all(list(found.values()) == sorted(found.values()) for found in ours.values())

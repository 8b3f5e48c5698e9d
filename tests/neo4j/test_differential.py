"""The Neo4j backend gives the local backend's answers, document for document.

The same workspaces (the real samples of tests/fixtures, resolved, and a generated world with
planted evasion chains) are analysed locally and pushed to the test server; every analysis is run
on both and the JSON documents compared. Where the order of tied items is arbitrary on both
sides, it is normalised first, and only there:

- ``paths --mode shortest``: which of several equally short paths comes back; the lengths must
  agree and the Neo4j path must be a real path (every hop has its records);
- ``paths --mode k``: which paths of the longest length fill the last places, and the order of
  equally long paths (the first found comes first); all shorter paths must be the same.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ownergraph.analyses.chains import TraceOptions
from ownergraph.backends import PathQuery, TraceQuery
from ownergraph.backends.local import LocalBackend
from ownergraph.backends.neo4j import Settings
from ownergraph.backends.neo4j.backend import Neo4jBackend
from ownergraph.graph.csr import KINDS

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module", params=["samples", "world"])
def both(
    request: pytest.FixtureRequest,
    push_workspace: Callable[[Path], Any],
    neo4j_settings: Settings,
    resolved_samples: Path,
    resolved_world: tuple[Path, dict[str, Any]],
) -> Iterator[tuple[LocalBackend, Neo4jBackend, str]]:
    """(local, neo4j, name) over the same workspace, pushed once for the module."""
    path = resolved_samples if request.param == "samples" else resolved_world[0]
    push_workspace(path)
    local = LocalBackend.open(path)
    remote = Neo4jBackend.connect(neo4j_settings)
    yield local, remote, request.param
    local.close()
    remote.close()


def plain(document: Any) -> Any:
    """What the CLI prints: JSON."""
    return json.loads(json.dumps(document, default=str, ensure_ascii=False))


def entity_ids(local: LocalBackend, count: int, seed: int) -> list[str]:
    rows = local.workspace.query("SELECT id FROM entities ORDER BY id")
    return random.Random(seed).sample([row[0] for row in rows], min(count, len(rows)))


def test_every_entity_and_link_arrives(both: tuple[LocalBackend, Neo4jBackend, str]) -> None:
    local, remote, _ = both
    graph = local.graph()
    counts = {
        row["kind"]: row["count"]
        for row in remote.reader.rows("graph_counts")
        if row["what"] == "relationship" and row["kind"] != "LISTS"
    }
    expected = Counter(KINDS[kind] for kind in graph.kind.tolist())
    assert counts == dict(expected)
    nodes = remote.reader.entities(graph.ids)
    assert set(nodes) == set(graph.ids)
    # ord keeps the local node order, which the analyses' tie-breaks follow.
    assert sorted(graph.ids, key=lambda entity: nodes[entity]["ord"]) == graph.ids


@pytest.mark.parametrize(
    "text",
    ["bereke", "trade", "ooo", "bank", "al", "gmbh", "ltd", "ива", "Береке", "Сункар Групп",
     "SUNKAR grupp", "Αθήνα", "société"],
)  # fmt: skip
def test_search_finds_the_same_entities_in_the_same_order(
    both: tuple[LocalBackend, Neo4jBackend, str], text: str
) -> None:
    local, remote, _ = both
    assert plain(remote.search(text)) == plain(local.search(text))
    assert plain(remote.search(text, country="RU", limit=3)) == plain(
        local.search(text, country="RU", limit=3)
    )


def test_show_describes_every_sampled_entity_alike(
    both: tuple[LocalBackend, Neo4jBackend, str],
) -> None:
    local, remote, _ = both
    for entity in entity_ids(local, 120, seed=5):
        assert plain(remote.show(entity)) == plain(local.show(entity)), entity


def test_show_finds_entities_by_identifier_and_name(
    both: tuple[LocalBackend, Neo4jBackend, str],
) -> None:
    local, remote, _ = both
    rows = local.workspace.query(
        "SELECT scheme || ':' || value AS ident FROM identifiers ORDER BY entity_id LIMIT 30"
    )
    for row in rows:
        try:
            expected = local.find(row["ident"])
        except Exception as error:  # an ambiguous identifier: both must refuse it
            with pytest.raises(type(error)):
                remote.find(row["ident"])
            continue
        assert remote.find(row["ident"]) == expected
    for row in local.workspace.query("SELECT name FROM entities ORDER BY id LIMIT 30"):
        try:
            expected = local.find(row["name"])
        except Exception as error:
            with pytest.raises(type(error)):
                remote.find(row["name"])
            continue
        assert remote.find(row["name"]) == expected


def test_names_in_another_script_find_the_same_entities(
    both: tuple[LocalBackend, Neo4jBackend, str],
) -> None:
    """A name written in Cyrillic (or Greek...) and its romanisation, the key, find the same
    entity, or fail alike, on both backends."""
    local, remote, _ = both
    rows = local.workspace.query(
        "SELECT name, key FROM names WHERE length(CAST(name AS BLOB)) != length(name) "
        "ORDER BY entity_id, name LIMIT 40"
    )
    assert rows
    for row in rows:
        for reference in (row["name"], row["key"], row["key"].upper()):
            try:
                expected = local.find(reference)
            except Exception as error:
                with pytest.raises(type(error)):
                    remote.find(reference)
                continue
            assert remote.find(reference) == expected, reference
        assert plain(remote.search(row["key"])) == plain(local.search(row["name"]))
        assert plain(remote.search(row["name"])) == plain(local.search(row["key"]))


@pytest.mark.parametrize("regime", ["ofac", "eu", "uk"])
@pytest.mark.parametrize("as_of", [None, "2022-06-01"])
def test_sanctioned_by_extension_gives_the_same_verdicts_and_proofs(
    both: tuple[LocalBackend, Neo4jBackend, str], regime: str, as_of: str | None
) -> None:
    local, remote, _ = both
    expected = plain(local.sanctioned_by_extension(regime, as_of))
    assert plain(remote.sanctioned_by_extension(regime, as_of)) == expected


def path_pairs(local: LocalBackend, name: str, truth: dict[str, Any]) -> list[tuple[str, str]]:
    """Planted chain ends (the world), and pairs a random walk of 2-5 links apart."""
    pairs = []
    if name == "world":
        pairs = [(f"synthetic:{c['supplier']}", f"synthetic:{c['end_user']}")
                 for c in truth["chains"]]  # fmt: skip
    graph = local.graph()
    described = {row[0] for row in local.workspace.query("SELECT id FROM entities")}
    chooser = random.Random(11)
    while len(pairs) < 14:
        node = chooser.randrange(graph.node_count)
        if graph.ids[node] not in described:
            continue
        start = node
        for _ in range(chooser.randint(2, 5)):
            out = list(graph.out_edges(node))
            if not out:
                break
            node = int(graph.target[chooser.choice(out)])
        if node != start and graph.ids[node] in described:
            pairs.append((graph.ids[start], graph.ids[node]))
    return pairs


QUERIES = [
    PathQuery(mode="shortest"),
    PathQuery(mode="shortest", directed=True),
    PathQuery(mode="shortest", link_types=("OWNS", "CONTROLS", "SHIPPED_TO"), max_hops=5),
    PathQuery(mode="shortest", as_of="2024-01-01", countries=("RU", "KZ", "AE", "DE", "TR")),
    PathQuery(mode="k", k=4),
    PathQuery(mode="k", k=3, as_of="2023-06-30", min_share=25.0),
    PathQuery(mode="all", max_hops=4),
    PathQuery(mode="all", max_hops=5, directed=True),
    PathQuery(mode="all", max_hops=4, link_types=("SHIPPED_TO", "OWNS", "DECLARED")),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q.mode}-{q.max_hops}")
def test_paths_agree(
    both: tuple[LocalBackend, Neo4jBackend, str],
    resolved_world: tuple[Path, dict[str, Any]],
    query: PathQuery,
) -> None:
    local, remote, name = both
    for source, target in path_pairs(local, name, resolved_world[1]):
        expected = plain(local.paths(source, target, query))
        found = plain(remote.paths(source, target, query))
        if found == expected:
            continue
        assert found["query"] == expected["query"]
        lengths = [len(path["nodes"]) for path in expected["paths"]]
        assert [len(path["nodes"]) for path in found["paths"]] == lengths, (source, target)
        if query.mode == "all":
            assert found == expected
        for path in found["paths"]:
            hops = {edge["hop"] for edge in path["edges"]}
            assert hops == set(range(len(path["nodes"]) - 1))
        if query.mode == "k" and lengths:
            assert _shorter(found, max(lengths)) == _shorter(expected, max(lengths))


def _shorter(document: dict[str, Any], longest: int) -> list[Any]:
    """The paths shorter than ``longest``, in a fixed order (the search finds equally long ones
    in an order that depends on which it met first)."""
    paths = [path for path in document["paths"] if len(path["nodes"]) < longest]
    return sorted(paths, key=lambda path: json.dumps(path, sort_keys=True))


TRACES = [
    TraceQuery(limit=None),
    TraceQuery(options=TraceOptions(max_hops=3, as_of="2024-06-01"), limit=50),
    TraceQuery(regimes=(), limit=20),
    TraceQuery(options=TraceOptions(max_hops=5, goods_match="any", paths_per_supplier=5)),
]


@pytest.mark.parametrize("query", TRACES, ids=["default", "as-of", "listed-only", "budget"])
def test_trace_and_brokers_agree(
    both: tuple[LocalBackend, Neo4jBackend, str], query: TraceQuery
) -> None:
    local, remote, _ = both
    assert plain(remote.trace(query)) == plain(local.trace(query))
    assert plain(remote.brokers(query, 15)) == plain(local.brokers(query, 15))


def test_trace_from_named_suppliers_agrees(
    both: tuple[LocalBackend, Neo4jBackend, str], resolved_world: tuple[Path, dict[str, Any]]
) -> None:
    local, remote, name = both
    if name != "world":
        pytest.skip("the planted suppliers are in the world")
    suppliers = tuple(sorted({f"synthetic:{c['supplier']}" for c in resolved_world[1]["chains"]}))
    query = TraceQuery(options=TraceOptions(suppliers=suppliers), limit=None)
    assert plain(remote.trace(query)) == plain(local.trace(query))


def _exporters(local: LocalBackend, count: int) -> tuple[str, ...]:
    rows = local.workspace.query(
        "SELECT DISTINCT COALESCE(c.canonical_id, s.exporter_id) FROM shipments s "
        "LEFT JOIN clusters c ON c.entity_id = s.exporter_id WHERE s.importer_id IS NOT NULL "
        "ORDER BY 1 LIMIT ?",
        (count,),
    )
    return tuple(row[0] for row in rows)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"max_hops": 3, "as_of": "2024-06-01"},
        {"max_hops": 5, "goods_match": "any", "paths_per_supplier": 5},
    ],
    ids=["default", "as-of", "budget"],
)
def test_trace_and_brokers_from_many_named_suppliers_agree(
    both: tuple[LocalBackend, Neo4jBackend, str],
    resolved_world: tuple[Path, dict[str, Any]],
    options: dict[str, Any],
) -> None:
    """From named suppliers the server fetches only what lies between them and the targets
    (``chains.chain_corridor``); the chains, flags, scores and brokers are still the same."""
    local, remote, name = both
    suppliers = _exporters(local, 60)
    if name == "world":
        suppliers += tuple(f"synthetic:{c['supplier']}" for c in resolved_world[1]["chains"])
    query = TraceQuery(options=TraceOptions(suppliers=suppliers, **options), limit=None)
    expected = plain(local.trace(query))
    assert plain(remote.trace(query)) == expected
    assert plain(remote.brokers(query, 15)) == plain(local.brokers(query, 15))
    if name == "world":
        assert expected["summary"]["paths"] > 0


def test_named_suppliers_bound_the_fetched_corridor(
    both: tuple[LocalBackend, Neo4jBackend, str], resolved_world: tuple[Path, dict[str, Any]]
) -> None:
    _, remote, name = both
    if name != "world":
        pytest.skip("the planted suppliers are in the world")
    from ownergraph.backends.neo4j import chains

    goals = sorted(chains.targets(remote.reader, ("ofac", "eu", "uk"), None)[0])
    supplier = f"synthetic:{resolved_world[1]['chains'][0]['supplier']}"
    between = chains.chain_corridor(remote.reader, [supplier], goals, 4, None)
    everything = chains.corridor(remote.reader, goals, 4, None)
    assert supplier in between and between < everything
    assert resolved_world[1]["chains"][0]["end_user"] in {e.split(":", 1)[1] for e in between}

"""Hostile names, ids and parameters go through the push and every query unchanged.

Values only ever travel as parameters (``cypher/`` holds all query text), so a name such as
``}) DETACH DELETE n //`` is stored, found and printed as the text it is, and deletes nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ownergraph import queries
from ownergraph.backends import PathQuery
from ownergraph.backends.local import LocalBackend
from ownergraph.backends.neo4j import Settings, library
from ownergraph.backends.neo4j.backend import Neo4jBackend
from ownergraph.backends.neo4j.push import PushSummary
from ownergraph.ingest import load_file
from ownergraph.workspace import Workspace

pytestmark = pytest.mark.neo4j

HOSTILE = [
    'O\'Brien "The Fixer" `Holdings`',
    "}) DETACH DELETE n //",
    "'); MATCH (n) DETACH DELETE n; //",
    "\\u0027 OR 1=1 --",
    "$source ${target} {id}",
    "Zürich Ελλάδα Москва 北京 🚢",
    "left\u200bright\u202eevil",
    "line\nbreak",
]


def _csv(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@pytest.fixture(scope="module")
def hostile_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Entities with hostile names and ids, owning each other in a ring, with shipments and a
    listing, loaded through the ordinary CSV loaders."""
    folder = tmp_path_factory.mktemp("hostile")
    ids = [f"h{i}{value}" for i, value in enumerate(HOSTILE)]
    entities = ["id,schema,name,aliases,country,identifiers"]
    entities += [
        ",".join([_csv(entity), "Company", _csv(name), _csv("alias " + name), "RU",
                  _csv(f"reg:{name}")])
        for entity, name in zip(ids, HOSTILE, strict=True)
    ]  # fmt: skip
    links = ["source,target,type,share"]
    links += [
        ",".join([_csv(a), _csv(b), "OWNS", "60"])
        for a, b in zip(ids, ids[1:] + ids[:1], strict=True)
    ]
    shipments = ["declaration_id,date,exporter_id,importer_id,declarant_id,hs_code,description"]
    shipments += [
        ",".join([_csv(f"d{i}{HOSTILE[i]}"), "2023-05-0" + str(i + 1), _csv(f"reg:{HOSTILE[i]}"),
                  _csv(f"reg:{HOSTILE[i - 1]}"), "", "854231", _csv(HOSTILE[i])])
        for i in range(len(HOSTILE))
    ]  # fmt: skip
    listings = ["entity_id,authority,list,programmes,listed_on"]
    listings.append(",".join([_csv(ids[1]), "OFAC", "SDN", _csv(HOSTILE[2]), "2022-03-01"]))
    files = {"entities.csv": entities, "links.csv": links, "shipments.csv": shipments,
             "listings.csv": listings}  # fmt: skip
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    path = folder / "hostile.db"
    with Workspace(path) as ws:
        for format_name, name in (("entities-csv", "entities.csv"), ("links-csv", "links.csv"),
                                  ("listings-csv", "listings.csv"),
                                  ("shipments-csv", "shipments.csv")):  # fmt: skip
            summary = load_file(ws, format_name, folder / name, dataset="x", progress=False)
            assert summary.rejected == 0, name
    return path


@pytest.fixture(scope="module")
def backends(
    hostile_workspace: Path,
    push_workspace: Callable[[Path], PushSummary],
    neo4j_settings: Settings,
) -> tuple[LocalBackend, Neo4jBackend]:
    push_workspace(hostile_workspace)
    return LocalBackend.open(hostile_workspace), Neo4jBackend.connect(neo4j_settings)


def plain(document: Any) -> Any:
    return json.loads(json.dumps(document, default=str, ensure_ascii=False))


def test_hostile_names_are_stored_and_shown_unchanged(
    backends: tuple[LocalBackend, Neo4jBackend],
) -> None:
    local, remote = backends
    for value in HOSTILE:
        entity = f"x:h{HOSTILE.index(value)}{value}"
        shown = plain(remote.show(entity))
        assert shown["name"] == value
        # (aliases and identifiers are ;-separated in entities.csv: the loader splits them)
        assert shown == plain(local.show(entity))
        assert _found(remote, f"reg:{value}") == _found(local, f"reg:{value}")


def _found(backend: LocalBackend | Neo4jBackend, reference: str) -> str:
    """The entity a reference finds, or the error saying why none (ambiguous, unknown)."""
    try:
        return backend.find(reference)
    except Exception as error:
        return f"{type(error).__name__}: {sorted(str(error))}"


def test_hostile_search_text_and_paths_agree_with_local(
    backends: tuple[LocalBackend, Neo4jBackend],
) -> None:
    local, remote = backends
    for value in HOSTILE:
        if any(ch.isalnum() for ch in value):
            assert plain(remote.search(value)) == plain(local.search(value))
    ids = [f"x:h{i}{value}" for i, value in enumerate(HOSTILE)]
    for query in (PathQuery(), PathQuery(mode="all", max_hops=8), PathQuery(mode="k", k=3)):
        assert plain(remote.paths(ids[0], ids[-1], query)) == plain(
            local.paths(ids[0], ids[-1], query)
        )
    for regime in ("ofac", "eu"):
        assert plain(remote.sanctioned_by_extension(regime, "2024-01-01")) == plain(
            local.sanctioned_by_extension(regime, "2024-01-01")
        )


def _hostile_parameters(name: str) -> dict[str, Any]:
    """A value of the right shape for every parameter of a library query, hostile where text."""
    text = queries.text(name)
    found = set(re.findall(r"\$([a-z_]+)", text))
    values: dict[str, Any] = {}
    for parameter in found:
        if parameter in ("max_hops", "limit"):
            values[parameter] = 3
        elif parameter in ("day", "min_share"):
            values[parameter] = None
        elif parameter in ("directed", "forward"):
            values[parameter] = False
        elif parameter == "hops":
            values[parameter] = [[HOSTILE[1], HOSTILE[2]]]
        elif parameter == "day_mode":
            values[parameter] = HOSTILE[1]
        elif parameter.endswith("s") or parameter in ("traced", "corridor", "both_ways"):
            values[parameter] = HOSTILE
        else:
            values[parameter] = HOSTILE[1]
    return values


def test_every_library_query_takes_hostile_parameters_and_changes_nothing(
    backends: tuple[LocalBackend, Neo4jBackend],
) -> None:
    _, remote = backends
    before = remote.reader.rows("graph_counts")
    for name in library.names():
        result = library.run(remote.reader, name, _hostile_parameters(name))
        assert isinstance(result.rows, list), name
    assert remote.reader.rows("graph_counts") == before
    assert remote.reader.rows("entity_by_record", record=f"x:h1{HOSTILE[1]}") == [
        {"id": f"x:h1{HOSTILE[1]}"}
    ]

"""Name lookups across scripts on a generated world, before resolution links its records: a
registry names a firm or person in Cyrillic, customs records and other lists in Latin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ownergraph.demo import WORLD_FILES
from ownergraph.generate.world import generate
from ownergraph.ingest import load_file
from ownergraph.lookup import entity_view, find_entity, search
from ownergraph.workspace import Workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """The generated world of seed 3 and 200 firms, loaded and not resolved."""
    folder = tmp_path_factory.mktemp("world")
    generate(folder / "world", seed=3, size=200)
    with Workspace(folder / "world.db") as workspace:
        for format_name, name in WORLD_FILES:
            load_file(workspace, format_name, folder / "world" / name, dataset="synthetic",
                      progress=False)  # fmt: skip
        yield workspace


def _names(workspace: Workspace, entity: str) -> list[str]:
    view = entity_view(workspace, entity)
    return [view.name, *view.aliases]


def test_a_latin_query_finds_a_person_named_only_in_cyrillic(world: Workspace) -> None:
    assert _names(world, "synthetic:P0000000") == ["Жукова Елена"]
    assert [view.id for view in search(world, "Zhukova Elena")] == ["synthetic:P0000000"]
    assert find_entity(world, "Kasymov Nurlan") == "synthetic:P0000001"
    assert _names(world, "synthetic:P0000001") == ["Касымов Нурлан"]


def test_a_cyrillic_query_finds_a_person_named_only_in_latin(world: Workspace) -> None:
    assert _names(world, "synthetic:P0000013") == ["Laura Rossi"]
    assert find_entity(world, "Лаура Росси") == "synthetic:P0000013"


def test_a_search_in_either_script_finds_the_customs_parties_in_both(world: Workspace) -> None:
    latin = "synthetic:party:bin:040140760355:signal logistik broker"
    cyrillic = "synthetic:party:bin:040140760355:тоо сигнал логистик брокер"
    assert _names(world, latin) == ["Signal Logistik Broker"]
    assert _names(world, cyrillic) == ["ТОО «Сигнал Логистик Брокер»"]
    for query in ("Сигнал Логистик Брокер", "SIGNAL LOGISTIK BROKER"):
        found = [view.id for view in search(world, query, limit=50)]
        assert latin in found and cyrillic in found, query
    # The exact spelling ranks first, in either script.
    assert search(world, "Signal Logistik Broker")[0].score == 1.0
    assert search(world, "ТОО Сигнал Логистик Брокер")[0].score == 1.0


def test_the_best_match_is_found_among_thousands_of_names_holding_the_words(
    tmp_path: Path,
) -> None:
    """Every name holding the query's words is ranked (as on Neo4j), not the first few
    thousand: the exact name comes last in the file and still comes first."""
    rows = [f"F{n},Company,Alfa Trade {n} Holding,KZ" for n in range(2500)]
    rows.append("EXACT,Company,«Альфа»,KZ")
    (tmp_path / "firms.csv").write_text(
        "id,schema,name,country\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    with Workspace(tmp_path / "w.db") as workspace:
        load_file(workspace, "entities-csv", tmp_path / "firms.csv", dataset="x", progress=False)
        [best] = search(workspace, "Alfa", limit=1)
        assert (best.id, best.score) == ("x:EXACT", 1.0)
        assert len(search(workspace, "Alfa", limit=3000)) == 2501

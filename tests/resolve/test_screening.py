"""Screening names against a real list: the ZALA Aero cluster exported from OpenSanctions."""

from collections.abc import Callable
from pathlib import Path

import pytest

from ownergraph.ingest import LoadSummary
from ownergraph.resolve.matchable import read_matchables
from ownergraph.resolve.screening import Screener
from ownergraph.workspace import Workspace


@pytest.fixture
def screener(
    fixtures: Path, load: Callable[..., LoadSummary], workspace: Workspace
) -> tuple[Screener, Workspace]:
    load("ftm", fixtures / "opensanctions" / "zala_entities.ftm.jsonl", dataset="os")
    return Screener(read_matchables(workspace)), workspace


def _names(workspace: Workspace, entry: str) -> list[str]:
    return [
        row[0] for row in workspace.query("SELECT name FROM names WHERE entity_id = ?", (entry,))
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Kalashnikoff Concern JSC", "Kalashnikov Concern"),  # spelling variant
        ("Концерн Калашников", "Kalashnikov Concern"),  # Cyrillic, no legal form
        ("Kalashnikov", "Kalashnikov Concern"),  # part of the name
        ("Zacharov Nikita", "Zakharov Nikita"),  # German romanisation
        ("Lavrenty Zakharov", "Lavrentiy ZAKHAROV"),  # another scheme, name order
        ("Aeroskan LLC", "Aeroscan LLC"),  # both Latin spellings are in the list
        ("ЗАЛА АЭРО", "Zala Aero"),  # Cyrillic query, Latin entry
        ("Mariya Osetrova", "Maria Aleksandrovna OSETROVA"),  # without patronymic
    ],
)
def test_variants_of_listed_names_find_their_entry(
    screener: tuple[Screener, Workspace], query: str, expected: str
) -> None:
    index, workspace = screener
    hits = index.screen(query)
    assert hits, f"{query!r} found nothing"
    assert expected in _names(workspace, hits[0].entry)


def test_an_unrelated_name_finds_nothing(screener: tuple[Screener, Workspace]) -> None:
    index, _ = screener
    assert index.screen("Kestrel Bauteile GmbH") == []
    assert index.screen("") == []
    assert index.screen("OOO") == []

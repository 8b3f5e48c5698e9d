"""Screening names against a real list: the ZALA Aero cluster exported from OpenSanctions."""

from collections.abc import Callable
from itertools import repeat
from pathlib import Path

import pytest

from ownergraph.ingest import LoadSummary
from ownergraph.resolve.matchable import read_matchables
from ownergraph.resolve.screening import Hit, Screener, _form_word
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
        # A typo in the first three letters of each word: no word or prefix in common.
        ("Klashnikov Cncern", "Kalashnikov Concern"),
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


@pytest.fixture
def sdn_screener(
    fixtures: Path, load: Callable[..., LoadSummary], workspace: Workspace
) -> Screener:
    load("ofac-csv", fixtures / "ofac" / "sdn_subset" / "sdn.csv")
    return Screener(read_matchables(workspace))


def test_a_name_without_a_word_of_three_letters_is_found_as_written(
    sdn_screener: Screener,
) -> None:
    # An aircraft registration: no word to key on, so the whole name is the key.
    assert [hit.entry for hit in sdn_screener.screen("p4-mis")] == ["ofac-sdn:35280"]
    assert [hit.entry for hit in sdn_screener.screen("MIS P4")] == ["ofac-sdn:35280"]
    assert sdn_screener.screen("P4-MIT") == []


def _every_candidate_scored(index: Screener, query: str, cutoff: float) -> list[Hit]:
    """What ``screen`` returns when every name of every candidate entry is scored in full."""
    form = index.query_form(query)
    candidates = set().union(*(index.postings.get(key, set()) for key in index.keys(form.skeleton)))
    hits = []
    for position in candidates:
        entry = index.entries[position]
        best, name, weak = max(
            (index._score(form, other), other.original, weak)
            for other, weak in zip(entry.names, entry.weak or repeat(False), strict=False)
        )
        if best >= cutoff:
            hits.append(Hit(entry.id, name, round(best, 4), weak))
    return sorted(hits, key=lambda hit: (-hit.score, hit.entry))[:5]


@pytest.mark.parametrize("cutoff", [0.8, 0.6, 0.0])
@pytest.mark.parametrize(
    "query",
    [
        "Timtchenko Guennadi",
        "ALMAS-ANTEI KONZERN",
        "Альфа-Банк",
        "Bonum Kapital",
        "Tokareva Maiya",
        "Limitde Liability Company Bonum",
    ],
)
def test_skipping_names_that_cannot_reach_the_cutoff_changes_no_result(
    sdn_screener: Screener, query: str, cutoff: float
) -> None:
    expected = _every_candidate_scored(sdn_screener, query, cutoff)
    assert sdn_screener.screen(query, cutoff=cutoff) == expected


def test_the_screener_counts_the_pairs_it_considers_and_scores(sdn_screener: Screener) -> None:
    assert (sdn_screener.pairs_considered, sdn_screener.pairs_scored) == (0, 0)
    sdn_screener.screen("Concern Radio")  # a part of the names of Almaz-Antey and KRET
    considered, scored = sdn_screener.pairs_considered, sdn_screener.pairs_scored
    assert 0 < scored < considered
    sdn_screener.screen("")
    assert (sdn_screener.pairs_considered, sdn_screener.pairs_scored) == (considered, scored)


def test_a_hit_on_a_weak_alias_says_so(sdn_screener: Screener) -> None:
    """KRET is a weak a.k.a. of the Concern Radio-Electronic Technologies (OFAC 16868)."""
    [hit] = sdn_screener.screen("KRET")
    assert (hit.entry, hit.name, hit.weak) == ("ofac-sdn:16868", "KRET", True)
    best = sdn_screener.screen("Concern Radio Electronic Technologies")[0]
    assert best.entry == "ofac-sdn:16868" and not best.weak


def test_a_misspelt_legal_form_is_set_aside_like_one_spelt_right(sdn_screener: Screener) -> None:
    [hit, *_] = sdn_screener.screen("JOINT STOK CMOPANY CONCERN RADIO ELECTRONIC TECHNOLOGIES")
    assert hit.entry == "ofac-sdn:16868" and hit.score == 1.0
    assert sdn_screener.screen("Limitwd Liablity Compsny Nobody Special") == []


@pytest.mark.parametrize(
    ("word", "form"),
    [("cpmpany", "company"), ("limitde", "limited"), ("liablity", "liability"),
     ("osjc", "ojsc"), ("stok", "stock"), ("limitless", None), ("coal", None), ("ltd", None),
     ("ojcs", "ojsc"), ("kopr", None)],
)  # fmt: skip
def test_misspelt_legal_form_words(word: str, form: str | None) -> None:
    assert _form_word(word) == form

"""uk-csv: the OFSI Consolidated List CSV, read from a hand-made file in the published layout."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from loaders.uk_csv import read_uk
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import Entity, Listing, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
CONLIST = Path(__file__).parents[1] / "fixtures" / "uk" / "ConList_handmade.csv"
LINES = CONLIST.read_bytes().decode("utf-8").splitlines(keepends=True)


def _read(path: Path) -> dict[str, Entity | Listing]:
    """Parties by Group ID and their listings by ``<Group ID>>UK``."""
    records = read_uk(SourceFile(path, "uk-sanctions"))
    return {
        r.id: r
        for r in records
        if isinstance(r, Listing) or (isinstance(r, Entity) and r.schema != "Address")
    }


@pytest.fixture(scope="module")
def parties() -> dict[str, Entity | Listing]:
    return _read(CONLIST)


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "ConList.csv"
    path.write_bytes("".join(lines).encode("utf-8"))
    return path


def test_the_rows_of_a_group_become_one_party_with_all_its_names(
    parties: dict[str, Entity],
) -> None:
    person = parties["15001"]
    assert (person.schema, person.name) == ("Person", "Ivan Petrovich SIDOROV")
    assert person.aliases == ("Иван Петрович СИДОРОВ", "Ivan Petrovitch SIDOROV", "Iwan SIDOROFF")
    assert person.properties["weak_aliases"] == "Iwan SIDOROFF"
    assert sorted(key for key in parties if ">" not in key) == [
        "15001",
        "15002",
        "15003",
        "15004",
        "15005",
    ]


def test_a_person_keeps_birth_date_nationality_documents_and_references(
    parties: dict[str, Entity],
) -> None:
    person = parties["15001"]
    assert (person.birth_date, person.nationality, person.country) == ("1961-04-15", "RU", "RU")
    # The national identification number is an INN: its details say so.
    assert person.identifiers == (
        "uk:15001",
        "passport:4509123456",
        "inn:772712345605",
        "uk-ref:RUS1601",
    )
    assert person.properties["birth_place"] == "Kazan, Russia"
    assert person.properties["gender"] == "Male"
    assert person.properties["uk_statement_of_reasons"].startswith("Ivan Petrovich SIDOROV is")
    assert person.properties["last_updated"] == "2023-05-02"


def test_the_regime_becomes_a_uk_listing_from_the_designation_date(
    parties: dict[str, Listing],
) -> None:
    listing = parties["15001>UK"]
    assert (listing.authority, listing.list_name, listing.programmes) == (
        "UK",
        "OFSI Consolidated",
        ("Russia",),
    )
    assert listing.listed_on == "2022-03-15"
    older = parties["15004>UK"]
    assert (older.listed_on, older.properties["ofsi_listed_on"]) == ("2020-12-31", "2001-02-23")


def test_numbered_cells_and_unknown_day_or_month_in_birth_dates(
    parties: dict[str, Entity],
) -> None:
    person = parties["15004"]
    assert (person.birth_date, person.properties["birth_dates"]) == ("1958", "1958; 1960-07")
    assert (person.nationality, person.properties["nationalities"]) == ("AF", "AF; PK")
    assert person.identifiers == (
        "uk:15004",
        "passport:OR801168",
        "passport:D000123",
        "national-id:57388",
        "uk-ref:AFG0200",
        "un:TAi.999",
    )
    assert person.properties["position"] == "Governor of Khost Province; Taliban commander"
    assert person.properties["other_information"] == (
        "Believed to be in the Afghanistan/Pakistan border area."
    )
    assert person.aliases == ("ګل محمد ځدراڼ", "Gul Mohammad Zadran KHAN")


def test_an_entity_with_a_registration_number_is_a_company(parties: dict[str, Entity]) -> None:
    firm = parties["15002"]
    assert (firm.schema, firm.country) == ("Company", "RU")
    assert firm.identifiers == ("uk:15002", "uk-ref:RUS1602", "ogrn:1027700123450")
    assert firm.properties["parent_company"] == "NORTHERN HOLDING LLC"
    assert firm.address == "ul. Lesnaya 5, bldg 2, Moscow, 125047, Russia"
    kazakh = parties["15005"]
    assert (kazakh.schema, kazakh.identifiers[-1]) == ("Company", "bin:220340001231")


def test_a_ship_is_a_vessel_with_its_imo_number(parties: dict[str, Entity]) -> None:
    ship = parties["15003"]
    assert (ship.schema, ship.name) == ("Vessel", "NORTHERN STAR")
    assert ship.identifiers == ("uk:15003", "uk-ref:RUS2201", "imo:9234563")
    assert ship.properties["current_believed_flag_of_ship"] == "Gabon"


def test_addresses_with_a_postcode_or_house_number_become_nodes(
    load: Load, workspace: Workspace
) -> None:
    summary = load("uk-csv", CONLIST)
    assert (summary.dataset, summary.rejected, summary.status) == ("uk-sanctions", 0, "done")
    links = workspace.query("SELECT source_id FROM links WHERE type = 'REGISTERED_AT'")
    assert sorted(row[0] for row in links) == ["uk-sanctions:15002", "uk-sanctions:15005"]


def test_provenance_cites_the_first_physical_line_of_the_group(
    load: Load, workspace: Workspace
) -> None:
    load("uk-csv", CONLIST)
    rows = workspace.query("SELECT id, record FROM entities WHERE schema != 'Address' ORDER BY id")
    assert [tuple(row) for row in rows] == [
        ("uk-sanctions:15001", "3"),
        ("uk-sanctions:15002", "6"),
        ("uk-sanctions:15003", "8"),
        ("uk-sanctions:15004", "9"),
        ("uk-sanctions:15005", "11"),
    ]


def _content(parties: dict[str, Entity | Listing]) -> dict[str, tuple[object, ...]]:
    """What the parties say, without where they were read from."""
    return {
        key: (p.name, p.aliases, p.identifiers, p.birth_date, dict(p.properties))
        for key, p in parties.items()
        if isinstance(p, Entity)
    }


def test_scattered_rows_of_a_group_give_the_same_parties(tmp_path: Path) -> None:
    # SIDOROV's low-quality alias row moved to the end of the file.
    scattered = _write(tmp_path, [*LINES[:4], *LINES[5:], LINES[4]])
    assert _content(_read(scattered)) == _content(_read(CONLIST))


def test_a_file_without_the_date_line_reads_the_same(tmp_path: Path) -> None:
    assert _content(_read(_write(tmp_path, LINES[1:]))) == _content(_read(CONLIST))


def test_loading_twice_changes_nothing(load: Load) -> None:
    assert load("uk-csv", CONLIST).inserted == 14
    second = load("uk-csv", CONLIST)
    assert (second.inserted, second.updated, second.withdrawn) == (0, 0, 0)


def test_bad_rows_are_rejected_with_their_physical_line_and_the_rest_loads(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    short = "BROKEN ROW,only,three\r\n"
    no_group = LINES[-1].replace(",15005\r\n", ",\r\n")
    summary = load("uk-csv", _write(tmp_path, [*LINES, short, no_group]))
    assert summary.rejected == 2
    rejects = workspace.query("SELECT line, reason, raw FROM rejects ORDER BY line")
    assert [(row["line"], row["reason"]) for row in rejects] == [
        (12, "row has 3 fields, the header has 36"),
        (13, "row without a Group ID"),
    ]
    assert rejects[0]["raw"] == "BROKEN ROW,only,three"
    count = workspace.query("SELECT count(*) FROM entities WHERE schema != 'Address'")[0][0]
    assert count == 5


def test_a_group_without_any_name_is_rejected(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    nameless = _write(
        tmp_path, [*LINES[:7], LINES[7].replace("NORTHERN STAR,", ",", 1), *LINES[8:]]
    )
    assert load("uk-csv", nameless).rejected == 1
    reject = workspace.query("SELECT line, location, reason FROM rejects")[0]
    assert tuple(reject) == (8, "Group ID 15003", "group 15003 has no name in any row")


def test_an_unknown_group_type_is_counted_and_kept_as_a_legal_entity(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    lines = [*LINES[:7], LINES[7].replace(",Ship,", ",Aircraft,"), *LINES[8:]]
    summary = load("uk-csv", _write(tmp_path, lines))
    assert summary.notices["unknown_group_type"] == 1
    row = workspace.query("SELECT schema, data FROM entities WHERE id = 'uk-sanctions:15003'")[0]
    assert row["schema"] == "LegalEntity"
    assert "imo:9234563" in json.loads(row["data"])["identifiers"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Report Date: 13-Feb-2026\r\nLast Updated,Unique ID,OFSI Group ID\r\n", "FCDO"),
        ("Last Updated,19/05/2024\r\nName 6,Name 1,Regime\r\nX,Y,Russia\r\n", "Group ID"),
        ("Last Updated,19/05/2024\r\n", "empty file"),
        ("", "empty file"),
    ],
)
def test_a_foreign_headless_or_empty_file_is_unreadable(
    tmp_path: Path, load: Load, text: str, reason: str
) -> None:
    with pytest.raises(UnreadableFileError, match=reason):
        load("uk-csv", _write(tmp_path, [text]))


def test_a_binary_file_is_unreadable(tmp_path: Path, load: Load) -> None:
    path = tmp_path / "ConList.csv"
    path.write_bytes(b"\xff\xfe\x00\x01garbage\x9c\x80" * 10)
    with pytest.raises(UnreadableFileError, match="not utf-8"):
        load("uk-csv", path)


def test_progress_counts_the_file_once_though_it_is_read_twice() -> None:
    source = SourceFile(CONLIST, "uk-sanctions")
    list(read_uk(source))  # a first pass finds scattered groups, the second builds the parties
    assert source.bytes_read == CONLIST.stat().st_size

"""csl-csv: each Consolidated Screening List row becomes a party, its addresses and a listing."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from loaders.csl_csv import parse_ids
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
VTB = "17013"
VNIIEF = "c04888d8aa4ba1a19c0f64f7df24d016721a2a988cd136f5d2a8b197"
ELINK = "75e9be6aa2434904b08d420ecf2af609"
ASH = "278be3e06d711cd8c6ea146bcd625d9f17cc901b980ea83daec759d2"


@pytest.fixture
def sample(fixtures: Path) -> Path:
    return fixtures / "us_csl" / "csl_subset.csv"


@pytest.fixture
def loaded(sample: Path, load: Load) -> LoadSummary:
    return load("csl-csv", sample)


def _entity(workspace: Workspace, record_id: str) -> dict[str, Any]:
    row = workspace.query("SELECT * FROM entities WHERE id = ?", (f"us-csl:{record_id}",))[0]
    return {**dict(row), **json.loads(row["data"])}


def _listing(workspace: Workspace, record_id: str) -> dict[str, Any]:
    row = workspace.query("SELECT * FROM listings WHERE id = ?", (f"us-csl:{record_id}",))[0]
    return {**dict(row), **json.loads(row["data"])}


def _names(entity: dict[str, Any]) -> list[str]:
    return [name for name, _ in entity["names"]]


def test_the_repeated_header_line_is_skipped_and_every_row_loads(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    assert (loaded.dataset, loaded.rejected) == ("us-csl", 0)
    assert workspace.query("SELECT count(*) FROM listings")[0][0] == 60


def test_every_source_list_maps_to_a_declared_authority_and_list(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    rows = workspace.query(
        "SELECT authority, list_name, count(*) FROM listings GROUP BY authority, list_name"
    )
    assert {(row[0], row[1]): row[2] for row in rows} == {
        ("BIS", "Entity List"): 19, ("BIS", "MEU"): 6, ("BIS", "UVL"): 3, ("BIS", "DPL"): 3,
        ("OFAC", "SDN"): 11, ("OFAC", "SSI"): 4, ("OFAC", "NS-MBS"): 3, ("OFAC", "CMIC"): 3,
        ("OFAC", "PLC"): 2, ("OFAC", "FSE"): 1, ("OFAC", "CAP"): 1,
        ("State", "ISN"): 2, ("State", "DTC"): 2,
    }  # fmt: skip
    assert not loaded.notices


def test_a_russian_bank_gets_inn_ogrn_okpo_swift_lei_and_ofac_identifiers(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    vtb = _entity(workspace, VTB)
    assert (vtb["name"], vtb["schema"], vtb["country"]) == (
        "VTB BANK PUBLIC JOINT STOCK COMPANY", "LegalEntity", "RU",
    )  # fmt: skip
    assert vtb["identifiers"] == [
        "inn:7702070139", "lei:253400V1H6ART1UQ0N98", "ofac:17013", "ogrn:1027739609391",
        "okpo:00032520", "swift:VTBRRUMM",
    ]  # fmt: skip
    assert "VTB BANK PJSC" in _names(vtb)
    assert vtb["incorporation_date"] == "1990-10-17"
    assert vtb["properties"]["BIK (RU)"] == "044030707; 044525187"
    assert vtb["topics"] == ["sanction"]


def test_labels_that_are_not_identifiers_keep_their_text_with_its_commas() -> None:
    identifiers, properties = parse_ids(
        "C.U.R.P., AIMO681106HCHRRS01, MX, 1969; Tax ID No., 100036386, RS; "
        "Secondary sanctions risk:, Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201"
    )
    assert identifiers == ["national-id:AIMO681106HCHRRS01", "tax:100036386"]
    assert properties == {
        "Secondary sanctions risk": "Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201"
    }


def test_ids_labels_mean_what_they_mean_in_ofac_files() -> None:
    # The label table is OFAC's (loaders/_ofac_remarks.py), shared with the OFAC loaders.
    identifiers, properties = parse_ids(
        "Registered Charity No., 1083469, GB; SSN, 523-33-8386, US; "
        "Government Gazette Number, 14359319, UA; Government Gazette Number, 33556474 (Russia); "
        "Legal Entity Number, 724500K5XX4AEDFLA738; Company Number, 01074897, GB; "
        "National ID No., K357514(4), HK; SWIFT/BIC, RUAG RU MM; Website, www.example.ru"
    )
    assert identifiers == [
        "reg:1083469",
        "national-id:523-33-8386",
        "reg:14359319",  # EDRPOU: a Ukrainian number under the OKPO label
        "okpo:33556474",
        "reg:724500K5XX4AEDFLA738",  # not a valid LEI
        "gb-coh:01074897",
        "national-id:K357514(4)",  # brackets inside a number are part of it
        "swift:RUAGRUMM",
    ]
    assert properties == {"Website": "www.example.ru"}


def test_a_number_without_a_country_is_read_with_the_partys_country() -> None:
    ids = "Tax ID No., 7702070139; Registration Number, 1027739609391"
    assert parse_ids(ids, country="RU")[0] == ["inn:7702070139", "ogrn:1027739609391"]
    assert parse_ids(ids, country="KZ")[0] == ["tax:7702070139", "reg:1027739609391"]


def test_bank_addresses_become_shared_address_nodes(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    targets = workspace.query(
        "SELECT e.name, e.country FROM links l JOIN entities e ON e.id = l.target_id "
        "WHERE l.type = 'REGISTERED_AT' AND l.source_id = 'us-csl:17013'"
    )
    assert len(targets) == 9
    assert ("29, Bolshaya Morskaya str., St. Petersburg, 190000, RU", "RU") in [
        tuple(row) for row in targets
    ]


def test_a_russian_entity_list_entry_has_its_listing_date_notice_and_licence_policy(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    institute = _entity(workspace, VNIIEF)
    assert institute["name"].endswith("Institute of Experimental Physics (VNIIEF)")
    assert "Arzamas-16" in _names(institute)
    assert (institute["country"], institute["topics"]) == ("RU", ["export.control"])
    listing = _listing(workspace, f"{VNIIEF}/EL")
    assert (listing["authority"], listing["list_name"], listing["listed_on"]) == (
        "BIS", "Entity List", "1997-06-30",
    )  # fmt: skip
    assert listing["properties"]["license_policy"] == "Case-by-case basis."
    assert listing["properties"]["federal_register_notice"].startswith("62 FR 35334")
    assert listing["source_url"].endswith("/lists-of-parties-of-concern/entity-list")


def test_a_military_end_user_address_written_over_two_lines_is_one_address(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    elink = _entity(workspace, ELINK)
    assert elink["address"] == (
        "Room 717, Building 41, No.8633 Zhongchun Road, Minhang District, Shanghai, China, CN"
    )
    listing = _listing(workspace, f"{ELINK}/MEU")
    assert (listing["list_name"], listing["listed_on"]) == ("MEU", "2020-12-23")
    assert listing["properties"]["federal_register_notice"] == "85 FR 83799"


def test_a_denial_order_end_date_is_the_delisting_date(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    listing = _listing(workspace, f"{ASH}/DPL")
    assert (listing["listed_on"], listing["delisted_on"]) == ("2003-06-19", "2056-06-29")


def test_a_vessel_gets_its_imo_number_and_flag(loaded: LoadSummary, workspace: Workspace) -> None:
    ship = _entity(workspace, "4243")
    assert (ship["schema"], ship["name"], ship["country"]) == ("Vessel", "EBANO", "PA")
    assert "imo:7406784" in ship["identifiers"]
    assert "SAND SWAN" in _names(ship)


def test_a_person_keeps_the_first_birth_date_and_all_circa_dates_as_text(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    person = _entity(workspace, "10659")
    assert (person["schema"], person["birth_date"]) == ("Person", "1958")
    assert person["properties"]["birth_dates"].startswith("circa 1958; circa 1959")


def test_a_bare_country_in_addresses_is_a_country_not_an_address_node(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    evader = _entity(workspace, "26182")
    assert (evader["name"], evader["birth_date"], evader["nationality"]) == (
        "Evren KAYAKIRAN", "1980-02-08", "TR",
    )  # fmt: skip
    assert evader["identifiers"] == ["ofac:26182", "passport:U00242309"]
    assert evader.get("address") is None
    assert not workspace.query("SELECT 1 FROM links WHERE source_id = 'us-csl:26182'")


def test_a_party_on_two_treasury_lists_is_two_records_sharing_its_ofac_number(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    menu_based, sectoral = _entity(workspace, "17014"), _entity(workspace, "17014/SSI")
    assert menu_based["name"] == "Joint Stock Company Russian Agricultural Bank"
    assert sectoral["name"] == "JOINT STOCK COMPANY RUSSIAN AGRICULTURAL BANK"
    assert "ofac:17014" in menu_based["identifiers"]
    assert "ofac:17014" in sectoral["identifiers"]
    assert _listing(workspace, "17014/NS-MBS List")["entity_id"] == "us-csl:17014"
    assert _listing(workspace, "17014/SSI")["entity_id"] == "us-csl:17014/SSI"


def test_records_cite_the_list_information_page(loaded: LoadSummary, workspace: Workspace) -> None:
    row = workspace.query("SELECT record, source_url FROM entities WHERE id = 'us-csl:9647'")[0]
    assert tuple(row) == (
        "9647",
        "https://ofac.treasury.gov/consolidated-sanctions-list/non-sdn-palestinian-legislative-council-ns-plc-list",
    )


def test_loading_the_same_file_twice_changes_nothing(sample: Path, load: Load) -> None:
    load("csl-csv", sample)
    again = load("csl-csv", sample)
    assert (again.inserted, again.updated, again.withdrawn) == (0, 0, 0)
    assert again.unchanged > 0


def test_an_entry_missing_from_a_newer_list_is_withdrawn(
    sample: Path, tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    load("csl-csv", sample)
    newer = tmp_path / "newer" / "csl.csv"
    newer.parent.mkdir()
    lines = sample.read_text(encoding="utf-8").splitlines(keepends=True)
    newer.write_text("".join(line for line in lines if not line.startswith('"4243"')))
    summary = load("csl-csv", newer)
    assert summary.withdrawn == 1
    assert _listing(workspace, "4243/SDN")["withdrawn_on"] is not None


def test_malformed_rows_are_rejected_with_their_line_and_the_rest_loads(
    sample: Path, tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    lines = sample.read_text(encoding="utf-8").splitlines(keepends=True)
    nameless = lines[2].replace('"China Telecom Corporation Limited"', '""').replace("30882", "1")
    short = lines[3].rstrip("\n").rsplit(",", 1)[0] + "\n"
    path = tmp_path / "csl.csv"
    path.write_text("".join([*lines[:4], nameless, short, *lines[4:]]), encoding="utf-8")
    summary = load("csl-csv", path)
    rejects = workspace.query("SELECT line, location, reason FROM rejects ORDER BY line")
    assert [tuple(row) for row in rejects] == [
        (5, "1", "empty name"),
        (6, None, "row has 28 fields, the header has 29"),
    ]
    assert summary.rejected == 2
    assert workspace.query("SELECT count(*) FROM listings")[0][0] == 60


def test_a_list_not_in_the_table_loads_under_its_department_and_is_counted(
    sample: Path, tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    text = sample.read_text(encoding="utf-8").replace(
        "Capta List (CAP) - Treasury Department", "Some Future List (SFL) - Treasury Department"
    )
    path = tmp_path / "csl.csv"
    path.write_text(text, encoding="utf-8")
    summary = load("csl-csv", path)
    assert summary.notices["unknown_list"] == 1
    listing = _listing(workspace, "15268/SFL")
    assert (listing["authority"], listing["list_name"]) == ("OFAC", "SFL")


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00", b"name,country\nACME,DE\n"],
    ids=["binary", "other-csv"],
)
def test_a_file_that_is_not_the_csl_is_unreadable(
    tmp_path: Path, load: Load, content: bytes
) -> None:
    path = tmp_path / "csl.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError):
        load("csl-csv", path)


def test_a_file_cut_off_inside_its_last_row_rejects_that_row(
    sample: Path, tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    text = sample.read_text(encoding="utf-8")
    path = tmp_path / "csl.csv"
    # Like the published sample, whose copy ends in the middle of a quoted address.
    path.write_text(text + text.splitlines()[2][:300], encoding="utf-8")
    summary = load("csl-csv", path)
    assert summary.rejected == 1
    reject = workspace.query("SELECT line, reason, raw FROM rejects")[0]
    assert reject["line"] == len(text.splitlines()) + 1
    assert reject["reason"] == "row has 22 fields, the header has 29"
    assert reject["raw"].startswith("30882,")


def test_an_address_repeated_in_a_row_is_linked_once(
    sample: Path, tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    text = sample.read_text(encoding="utf-8").replace(
        '"Tian Wang te Zi #1, Baqiao District, Xian, China, CN"',
        '"Tian Wang te Zi #1, Baqiao District, Xian, China, CN; '
        'Tian Wang te Zi #1,  Baqiao District, Xian, China, CN"',
    )
    path = tmp_path / "csl.csv"
    path.write_text(text, encoding="utf-8")
    summary = load("csl-csv", path)
    assert summary.unchanged == 0
    links = workspace.query(
        "SELECT count(*) FROM links WHERE source_id = 'us-csl:dcc742038bcb47f1bf9e805ef279484d'"
    )
    assert links[0][0] == 1

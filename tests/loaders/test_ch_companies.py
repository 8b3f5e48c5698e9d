"""ch-companies: the Companies House Free Company Data Product CSV (FORMATS.md §7.1)."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from loaders.ch_companies import company_number
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model.values import country_code
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]


@pytest.fixture
def sample(fixtures: Path) -> Path:
    return fixtures / "companies_house" / "BasicCompanyData_sample.csv"


@pytest.fixture
def handmade(fixtures: Path) -> Path:
    return fixtures / "companies_house" / "BasicCompanyData_handmade.csv"


def _entity(workspace: Workspace, entity_id: str) -> dict[str, object]:
    row = workspace.query("SELECT * FROM entities WHERE id = ?", (entity_id,))[0]
    return {**dict(row), "data": json.loads(row["data"])}


def test_the_real_row_becomes_a_company_keyed_by_its_number(
    load: Load, workspace: Workspace, sample: Path
) -> None:
    summary = load("ch-companies", sample)
    assert (summary.dataset, summary.rejected, summary.status) == ("gb-coh", 0, "done")
    company = _entity(workspace, "gb-coh:08209948")
    assert (company["schema"], company["name"], company["country"]) == ("Company", "! LTD", "GB")
    data = company["data"]
    assert data["identifiers"] == ["gb-coh:08209948"]  # type: ignore[index]
    assert data["incorporation_date"] == "2012-09-11"  # type: ignore[index]
    assert "dissolution_date" not in data  # type: ignore[operator]
    assert data["properties"] == {  # type: ignore[index]
        "category": "Private Limited Company",
        "status": "Active",
        "country_of_origin": "United Kingdom",
        "accounts_category": "DORMANT",
        "sic_codes": "99999 - Dormant Company",
    }
    assert company["record"] == "2"
    assert company["source_url"] == (
        "https://find-and-update.company-information.service.gov.uk/company/08209948"
    )


def test_the_registered_office_becomes_an_address_node(
    load: Load, workspace: Workspace, sample: Path
) -> None:
    load("ch-companies", sample)
    link = workspace.query("SELECT source_id, target_id FROM links WHERE type = 'REGISTERED_AT'")[0]
    assert link["source_id"] == "gb-coh:08209948"
    address = _entity(workspace, link["target_id"])
    assert (address["schema"], address["country"]) == ("Address", "GB")
    assert address["name"] == "9 PRINCES SQUARE, HARROGATE, HG1 1ND, ENGLAND"


def test_previous_names_are_aliases_with_the_date_each_was_given_up(
    load: Load, workspace: Workspace, handmade: Path
) -> None:
    load("ch-companies", handmade)
    company = _entity(workspace, "gb-coh:SC123456")
    data = company["data"]
    assert [name for name, _ in data["names"]] == [  # type: ignore[index]
        "ALFA TRADE LTD", "ALFA IMPORT LTD", "SCOTIA 2022 LTD",
    ]  # fmt: skip
    properties = data["properties"]  # type: ignore[index]
    assert properties["previous_name_1"] == "ALFA IMPORT LTD"
    assert properties["previous_name_1_until"] == "2023-06-15"
    assert properties["previous_name_2_until"] == "2022-04-10"
    assert properties["sic_codes"] == (
        "46690 - Wholesale of other machinery and equipment; "
        "46520 - Wholesale of electronic and telecommunications equipment and parts"
    )


def test_dissolved_and_overseas_companies_keep_their_dates_and_origin(
    load: Load, workspace: Workspace, handmade: Path
) -> None:
    load("ch-companies", handmade)
    dissolved = _entity(workspace, "gb-coh:00123456")["data"]
    assert dissolved["dissolution_date"] == "2024-01-15"  # type: ignore[index]
    assert dissolved["properties"]["status"] == "Dissolved"  # type: ignore[index]
    overseas = _entity(workspace, "gb-coh:OE001234")
    assert overseas["country"] == "GB"
    assert overseas["data"]["properties"]["country_of_origin"] == "CYPRUS"  # type: ignore[index]
    office = workspace.query(
        "SELECT e.country FROM links l JOIN entities e ON e.id = l.target_id "
        "WHERE l.source_id = 'gb-coh:OE001234' AND l.type = 'REGISTERED_AT'"
    )
    assert office[0]["country"] == "CY"


def test_companies_at_one_registered_office_share_its_address_node(
    load: Load, workspace: Workspace, handmade: Path
) -> None:
    load("ch-companies", handmade)
    rows = workspace.query(
        "SELECT target_id, group_concat(source_id) AS companies FROM links "
        "WHERE type = 'REGISTERED_AT' GROUP BY target_id HAVING count(*) > 1"
    )
    assert len(rows) == 1
    assert sorted(rows[0]["companies"].split(",")) == ["gb-coh:00123456", "gb-coh:SC123456"]


def test_a_number_that_lost_its_leading_zero_gets_it_back_and_is_counted(
    load: Load, workspace: Workspace, handmade: Path
) -> None:
    summary = load("ch-companies", handmade)
    assert _entity(workspace, "gb-coh:01234567")["name"] == "SPREADSHEET MANGLED LTD"
    assert summary.notices["company_number_padded"] == 1


def test_bad_rows_are_rejected_with_their_line_and_the_others_load(
    load: Load, workspace: Workspace, handmade: Path
) -> None:
    summary = load("ch-companies", handmade)
    assert summary.rejected == 3
    rejects = workspace.query("SELECT line, location, reason, raw FROM rejects ORDER BY line")
    assert [(r["line"], r["location"]) for r in rejects] == [
        (6, "12345678"), (7, "12345679"), (8, None),
    ]  # fmt: skip
    assert "IncorporationDate" in rejects[0]["reason"]
    assert rejects[1]["reason"] == "empty CompanyName"
    assert "fields" in rejects[2]["reason"]
    assert rejects[2]["raw"].startswith("SHORT ROW LTD,87654321")
    companies = workspace.query("SELECT count(*) FROM entities WHERE schema = 'Company'")
    assert companies[0][0] == 4


def test_loading_the_same_file_again_changes_nothing(load: Load, handmade: Path) -> None:
    first = load("ch-companies", handmade)
    second = load("ch-companies", handmade)
    assert first.inserted > 0
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.inserted)


def test_a_file_without_the_company_columns_is_unreadable(load: Load, fixtures: Path) -> None:
    with pytest.raises(UnreadableFileError, match="CompanyNumber"):
        load("ch-companies", fixtures / "companies_house" / "psc_snapshot_sample.jsonl")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("08209948", "08209948"),
        ("8209948", "08209948"),
        (" sc123456 ", "SC123456"),
        ("SC1234", "SC001234"),
        ("OE029880", "OE029880"),
        ("IP00123R", "IP00123R"),
        ("41-0406690", None),
        ("", None),
        ("123456789", None),
    ],
)
def test_company_numbers_are_eight_characters(text: str, number: str | None) -> None:
    assert company_number(text) == number


@pytest.mark.parametrize(
    ("text", "code"),
    [("ENGLAND", "GB"), ("Wales", "GB"), ("Northern Ireland", "GB"), ("US-DE", "US"),
     ("GB-SCT", "GB"), ("Czech Republic", "CZ"), ("Atlantis", None), (None, None)],
)  # fmt: skip
def test_uk_nations_and_subdivisions_are_their_country(text: str | None, code: str | None) -> None:
    assert country_code(text) == code

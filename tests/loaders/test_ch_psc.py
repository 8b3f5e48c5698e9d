"""ch-psc: the Companies House PSC snapshot, JSON lines (FORMATS.md §7.2)."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import loaders._common
from loaders.ch_psc import nature_link
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import ShareInterval
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
API = "https://api.company-information.service.gov.uk/company"


@pytest.fixture
def snapshot(fixtures: Path) -> Path:
    return fixtures / "companies_house" / "psc_snapshot_sample.jsonl"


@pytest.fixture
def loaded(load: Load, snapshot: Path) -> LoadSummary:
    return load("ch-psc", snapshot)


def _entity(workspace: Workspace, entity_id: str) -> dict[str, object]:
    row = workspace.query("SELECT * FROM entities WHERE id = ?", (entity_id,))[0]
    return {**dict(row), "data": json.loads(row["data"])}


def _links(workspace: Workspace, source_id: str) -> dict[str, dict[str, object]]:
    rows = workspace.query("SELECT * FROM links WHERE source_id = ? AND type != 'REGISTERED_AT'",
                           (source_id,))  # fmt: skip
    return {row["role"]: {**dict(row), "data": json.loads(row["data"])} for row in rows}


def test_an_individual_psc_is_a_person_with_month_and_year_of_birth(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    person = _entity(workspace, "gb-coh:psc:FReSTxwXcJbAHBrerDpmTylkW48")
    assert (person["schema"], person["name"], person["country"]) == (
        "Person", "Marc Anthony Feldman", "GB",
    )  # fmt: skip
    data = person["data"]
    assert [name for name, _ in data["names"]] == [  # type: ignore[index]
        "Marc Anthony Feldman", "Mr Marc Anthony Feldman",
    ]  # fmt: skip
    assert (data["birth_date"], data["nationality"]) == ("1961-12", "GB")  # type: ignore[index]
    assert person["record"] == "1"
    assert person["source_url"] == (
        f"{API}/08209948/persons-with-significant-control/individual/FReSTxwXcJbAHBrerDpmTylkW48"
    )


def test_ownership_bands_are_share_intervals_on_owns_links_to_the_company(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    top = _links(workspace, "gb-coh:psc:FReSTxwXcJbAHBrerDpmTylkW48")
    owns = top["ownership-of-shares-75-to-100-percent"]
    assert (owns["type"], owns["target_id"], owns["start_date"]) == (
        "OWNS", "gb-coh:08209948", "2021-12-13",
    )  # fmt: skip
    assert (owns["share_low"], owns["share_high"], owns["share_low_open"]) == (75, 100, 0)
    quarter = _links(workspace, "gb-coh:psc:55y0_U-Q2wwTXDXh6mmo0BJPpM8")
    band = quarter["ownership-of-shares-25-to-50-percent"]
    assert (band["share_low"], band["share_high"], band["share_low_open"]) == (25, 50, 1)
    assert band["share_high_open"] == 0


def test_voting_rights_and_appointment_rights_are_control_not_ownership(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    links = _links(workspace, "gb-coh:psc:m5XNR_-nKtmMDh9BkcfpD7Pzkic")
    assert {role: link["type"] for role, link in links.items()} == {
        "ownership-of-shares-75-to-100-percent": "OWNS",
        "voting-rights-75-to-100-percent": "CONTROLS",
        "right-to-appoint-and-remove-directors": "CONTROLS",
    }
    votes = links["voting-rights-75-to-100-percent"]
    assert (votes["share_low"], votes["share_high"]) == (75, 100)
    assert links["right-to-appoint-and-remove-directors"]["share_known"] == 0


def test_a_ceased_psc_keeps_its_links_with_an_end_date(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    links = _links(workspace, "gb-coh:psc:w4N_sH7yjfQmrQl93tx5yu7WW50")
    assert len(links) == 4
    assert {(link["start_date"], link["end_date"]) for link in links.values()} == {
        ("2016-08-02", "2018-02-27")
    }


def test_a_uk_corporate_psc_carries_the_company_number_it_is_registered_under(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    owner = _entity(workspace, "gb-coh:psc:4VX8NR7hszDG1wJAzQS9Oi7Z5c4")
    assert (owner["schema"], owner["name"], owner["country"]) == (
        "Company", "Robert Hitchins Limited", "GB",
    )  # fmt: skip
    data = owner["data"]
    assert data["identifiers"] == ["gb-coh:00686734"]  # type: ignore[index]
    assert data["properties"]["place_registered"] == "Companies House Cardiff"  # type: ignore[index]


def test_a_foreign_corporate_psc_has_a_registry_number_and_its_country(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    owner = _entity(workspace, "gb-coh:psc:YIVGZxjcS8tcf-5WdYZBtTTW-so")
    assert (owner["name"], owner["country"]) == ("St. Paul Fire & Marine Insurance Company", "US")
    assert owner["data"]["identifiers"] == ["reg:41-0406690"]  # type: ignore[index]


def test_a_legal_person_psc_is_a_legal_entity(loaded: LoadSummary, workspace: Workspace) -> None:
    owner = _entity(workspace, "gb-coh:psc:I9Y9flc5ndlcZRtXPL03fjn2hDo")
    assert (owner["schema"], owner["name"], owner["country"]) == (
        "LegalEntity", "State Administration Of Foreign Exchange", "CN",
    )  # fmt: skip


def test_roe_beneficial_owners_hold_more_than_25_percent_as_firm_or_trust(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    government = _entity(workspace, "gb-coh:psc:28NaTOioatSpvI7hNY3qz_fKYoI")
    assert (government["schema"], government["country"]) == ("LegalEntity", "CZ")
    assert government["data"]["properties"]["is_sanctioned"] == "false"  # type: ignore[index]
    links = _links(workspace, "gb-coh:psc:28NaTOioatSpvI7hNY3qz_fKYoI")
    as_firm = links["ownership-of-shares-more-than-25-percent-as-firm-registered-overseas-entity"]
    assert (as_firm["type"], as_firm["target_id"]) == ("OWNS", "gb-coh:OE031044")
    assert (as_firm["share_low"], as_firm["share_high"], as_firm["share_low_open"]) == (25, 100, 1)
    assert as_firm["data"]["properties"] == {"via": "firm"}
    trust = _links(workspace, "gb-coh:psc:6y6IktnZ6EsCuVQyJw0Y3DdKXCQ")
    influence = trust["significant-influence-or-control-as-trust-registered-overseas-entity"]
    assert (influence["type"], influence["data"]["properties"]) == ("CONTROLS", {"via": "trust"})


def test_a_super_secure_psc_is_kept_as_an_undisclosed_controller(
    loaded: LoadSummary, workspace: Workspace
) -> None:
    owner = _entity(workspace, "gb-coh:psc:NcZQQA0LMrXYV1u0fGRHLrGIL_I")
    assert (owner["schema"], owner["name"]) == ("Person", "(super-secure PSC of 02443921)")
    assert owner["data"]["properties"]["undisclosed"] == "super-secure"  # type: ignore[index]
    link = _links(workspace, "gb-coh:psc:NcZQQA0LMrXYV1u0fGRHLrGIL_I")["undisclosed"]
    assert (link["type"], link["target_id"]) == ("CONTROLS", "gb-coh:02443921")


def test_statements_and_the_totals_line_are_counted_not_rejected(loaded: LoadSummary) -> None:
    assert loaded.rejected == 0
    assert dict(loaded.notices) == {"psc_statement": 1, "totals": 1}


def test_links_meet_the_companies_of_the_basic_company_data(
    load: Load, workspace: Workspace, fixtures: Path, snapshot: Path
) -> None:
    load("ch-companies", fixtures / "companies_house" / "BasicCompanyData_sample.csv")
    load("ch-psc", snapshot)
    owners = workspace.query(
        "SELECT l.source_id, c.name FROM links l JOIN entities c ON c.id = l.target_id "
        "WHERE l.type = 'OWNS' AND c.schema = 'Company'"
    )
    assert [tuple(row) for row in owners] == [("gb-coh:psc:FReSTxwXcJbAHBrerDpmTylkW48", "! LTD")]
    # The owner's service address is the company's registered office: one shared node.
    shared = workspace.query(
        "SELECT group_concat(source_id) FROM links WHERE type = 'REGISTERED_AT' "
        "GROUP BY target_id HAVING count(*) > 1"
    )
    assert sorted(shared[0][0].split(",")) == [
        "gb-coh:08209948", "gb-coh:psc:FReSTxwXcJbAHBrerDpmTylkW48",
    ]  # fmt: skip


def test_loading_the_snapshot_again_changes_nothing(load: Load, snapshot: Path) -> None:
    first = load("ch-psc", snapshot)
    second = load("ch-psc", snapshot)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.inserted)


def test_an_address_written_again_after_the_memory_forgets_it_changes_nothing(
    tmp_path: Path, load: Load, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loader remembers a bounded number of address nodes; one written again must be
    # identical, so its citation is its own id, not the PSC line that mentions it.
    monkeypatch.setattr(loaders._common, "NODE_MEMORY", 1)
    lines = []
    for number, (company, street) in enumerate(
        [("00000001", "Princes Square"), ("00000002", "Mill Lane"), ("00000003", "Princes Square")]
    ):
        data = {
            "address": {"address_line_1": street, "country": "England", "premises": "9"},
            "kind": "individual-person-with-significant-control",
            "links": {"self": f"/company/{company}/persons-with-significant-control/P{number}"},
            "name": f"Person {number}",
            "natures_of_control": ["significant-influence-or-control"],
        }
        lines.append(json.dumps({"company_number": company, "data": data}))
    path = tmp_path / "psc.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = load("ch-psc", path)
    second = load("ch-psc", path)
    assert (first.updated, second.inserted, second.updated) == (0, 0, 0)
    node = workspace.query("SELECT * FROM entities WHERE schema = 'Address' AND name LIKE '9, P%'")
    assert [row["record"] for row in node] == [node[0]["id"].removeprefix("gb-coh:")]


def test_bad_lines_are_rejected_with_their_line_and_the_others_load(
    tmp_path: Path, load: Load, workspace: Workspace, snapshot: Path
) -> None:
    lines = snapshot.read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[0])
    broken["data"]["notified_on"] = "2021-13-45"
    nameless = json.loads(lines[3])
    del nameless["data"]["name"], nameless["data"]["name_elements"]
    orphan = json.loads(lines[2])
    del orphan["company_number"]
    path = tmp_path / "psc.jsonl"
    bad = [json.dumps(broken), "{not json", json.dumps(nameless), json.dumps(orphan)]
    path.write_text("\n".join([lines[9], *bad, lines[10]]) + "\n", encoding="utf-8")
    summary = load("ch-psc", path)
    assert summary.rejected == 4
    rejects = workspace.query("SELECT line, location, reason FROM rejects ORDER BY line")
    assert [(r["line"], r["reason"][:18]) for r in rejects] == [
        (2, "notified_on: bad d"), (3, "not JSON: Expectin"), (4, "the PSC has no nam"),
        (5, "no valid company_n"),
    ]  # fmt: skip
    assert rejects[0]["location"] == (
        "/company/08209948/persons-with-significant-control/individual/FReSTxwXcJbAHBrerDpmTylkW48"
    )
    people = workspace.query("SELECT name FROM entities WHERE schema = 'Person' ORDER BY name")
    assert [row[0] for row in people] == ["Derek Salter", "Michael Stanley Bunyan"]


def test_a_file_that_is_not_json_lines_is_unreadable(load: Load, fixtures: Path) -> None:
    with pytest.raises(UnreadableFileError, match="not JSON"):
        load("ch-psc", fixtures / "companies_house" / "BasicCompanyData_sample.csv")


@pytest.mark.parametrize(
    ("nature", "expected"),
    [
        ("ownership-of-shares-50-to-75-percent",
         ("OWNS", ShareInterval(50, 75, low_open=True, high_open=True), {})),
        ("voting-rights-25-to-50-percent-as-firm",
         ("CONTROLS", ShareInterval(25, 50, low_open=True), {"via": "firm"})),
        ("right-to-share-surplus-assets-75-to-100-percent-limited-liability-partnership",
         ("OWNS", ShareInterval(75, 100), {})),
        ("part-right-to-share-surplus-assets-25-to-50-percent-as-trust",
         ("OWNS", ShareInterval(25, 50, low_open=True), {"via": "trust"})),
        ("voting-rights-more-than-25-percent-as-control-over-trust-registered-overseas-entity",
         ("CONTROLS", ShareInterval(25, 100, low_open=True), {"via": "control-over-trust"})),
        ("right-to-appoint-and-remove-members-limited-liability-partnership",
         ("CONTROLS", None, {})),
        ("right-to-appoint-and-remove-person-as-firm", ("CONTROLS", None, {"via": "firm"})),
        ("significant-influence-or-control", ("CONTROLS", None, {})),
        ("registered-owner-as-nominee-person-england-wales-registered-overseas-entity",
         ("CONTROLS", None, {})),
        ("owns-a-yacht", None),
    ],
)  # fmt: skip
def test_each_nature_of_control_maps_to_a_link_type_and_band(
    nature: str, expected: tuple[str, ShareInterval | None, dict[str, str]] | None
) -> None:
    assert nature_link(nature) == expected

"""bods: Open Ownership BODS 0.4 statement packages (FORMATS.md §8)."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]


@pytest.fixture
def bods(fixtures: Path) -> Path:
    return fixtures / "bods"


def _entity(workspace: Workspace, entity_id: str) -> dict[str, object]:
    row = workspace.query("SELECT * FROM entities WHERE id = ?", (entity_id,))[0]
    return {**dict(row), "data": json.loads(row["data"])}


def _link(workspace: Workspace, link_id: str) -> dict[str, object]:
    row = workspace.query("SELECT * FROM links WHERE id = ?", (link_id,))[0]
    return {**dict(row), "data": json.loads(row["data"])}


def _owns_into(workspace: Workspace, target: str) -> dict[str, float]:
    rows = workspace.query(
        "SELECT source_id, share_low FROM links WHERE type = 'OWNS' AND target_id = ?", (target,)
    )
    return {row["source_id"]: row["share_low"] for row in rows}


def test_an_indirect_shareholding_is_control_with_its_share_not_a_second_stake(
    load: Load, workspace: Workspace, bods: Path
) -> None:
    summary = load("bods", bods / "indirect-ownership.json")
    assert (summary.dataset, summary.rejected) == ("bods", 0)
    indirect = _link(workspace, "bods:d8d75ccf40e4/shareholding")
    assert (indirect["type"], indirect["source_id"], indirect["target_id"]) == (
        "CONTROLS", "bods:c25d4d612c2c", "bods:ad3f6c2fcc9e",
    )  # fmt: skip
    assert (indirect["share_low"], indirect["share_high"], indirect["role"]) == (
        30, 30, "shareholding",
    )  # fmt: skip
    assert indirect["data"]["properties"] == {
        "direct_or_indirect": "indirect",
        "indirect": "true",
        "beneficial_ownership_or_control": "true",
        "component_records": "d4ab89ea169a; 4cf2837bd01f; 05e81af035e4",
    }
    # Company A is owned directly only through the chain: Company B's 60%.
    assert _owns_into(workspace, "bods:ad3f6c2fcc9e") == {"bods:d4ab89ea169a": 60}
    person = _entity(workspace, "bods:c25d4d612c2c")
    assert (person["name"], person["data"]["birth_date"]) == ("Person 1", "1965-11")  # type: ignore[index]


def test_direct_and_indirect_stakes_of_one_party_are_counted_once_each(
    load: Load, workspace: Workspace, bods: Path
) -> None:
    load("bods", bods / "mixed-direct-and-indirect-ownership.json")
    assert _owns_into(workspace, "bods:9bfe59b6a869") == {
        "bods:ec61aeda7141": 50, "bods:53508b65253f": 50,
    }  # fmt: skip
    indirect = _link(workspace, "bods:f5a45a6daf31/shareholding")
    direct = _link(workspace, "bods:f5a45a6daf31/shareholding/2")
    assert (indirect["type"], indirect["start_date"]) == ("CONTROLS", "2017-11-01")
    assert (direct["type"], direct["start_date"]) == ("OWNS", "2019-05-01")


def test_joint_owners_own_the_arrangement_that_owns_the_company(
    load: Load, workspace: Workspace, bods: Path
) -> None:
    load("bods", bods / "joint-ownership.json")
    company = _entity(workspace, "bods:31c55e425764")
    assert (company["schema"], company["name"], company["country"]) == (
        "Company", "CHRINON LTD", "GB",
    )  # fmt: skip
    data = company["data"]
    assert data["identifiers"] == ["gb-coh:07444723"]  # type: ignore[index]
    assert data["incorporation_date"] == "2010-11-18"  # type: ignore[index]
    assert data["address"] == "Aston House, Cornwall Avenue, London, N3 1LF"  # type: ignore[index]
    arrangement = _entity(workspace, "bods:91b4236a7d89")
    assert (arrangement["schema"], arrangement["name"]) == ("LegalEntity", "Joint shareholding")
    assert _owns_into(workspace, "bods:31c55e425764") == {"bods:91b4236a7d89": 100}
    assert _owns_into(workspace, "bods:91b4236a7d89") == {
        "bods:1accb8b18b99": 50, "bods:f040df24d9ec": 50,
    }  # fmt: skip


def test_a_nomination_links_nominee_and_nominator_to_the_arrangement(
    load: Load, workspace: Workspace, bods: Path
) -> None:
    load("bods", bods / "nomination.json")
    links = workspace.query(
        "SELECT source_id, target_id, type, role FROM links WHERE type != 'REGISTERED_AT' "
        "ORDER BY id"
    )
    assert [tuple(row) for row in links] == [
        ("bods:101AB1984F", "bods:103AB1984D", "CONTROLS", "nominator"),
        ("bods:102AB1984E", "bods:103AB1984D", "CONTROLS", "nominee"),
        ("bods:103AB1984D", "bods:104AB1984C", "OFFICER_OF", "boardMember"),
        ("bods:101AB1984F", "bods:104AB1984C", "CONTROLS", "otherInfluenceOrControl"),
    ]
    firm = _entity(workspace, "bods:104AB1984C")
    assert (firm["schema"], firm["country"]) == ("LegalEntity", "MX")
    assert firm["data"]["identifiers"] == ["reg:CPL211105123"]  # type: ignore[index]
    assert firm["data"]["properties"]["source_identifiers"] == "MX-RFC: CPL211105123"  # type: ignore[index]
    nominator = _entity(workspace, "bods:101AB1984F")
    assert nominator["data"]["birth_date"] == "2005-03-12"  # type: ignore[index]


def test_an_owner_exempt_from_disclosure_is_kept_as_an_undisclosed_party(
    load: Load, workspace: Workspace, bods: Path
) -> None:
    load("bods", bods / "listed-company-exempt-from-disclosure.json")
    listed = _entity(workspace, "bods:4c7ea3bfbe6c")
    assert listed["data"]["properties"]["public_listing"] == "true"  # type: ignore[index]
    owner = _entity(workspace, "bods:fa402c4818f9/interestedParty")
    assert owner["schema"] == "LegalEntity"
    assert owner["data"]["properties"] == {  # type: ignore[index]
        "undisclosed": "subjectExemptFromDisclosure",
        "undisclosed_details": "Exempt from disclosure as a company listed on a recognised stock "
        "exchange",
    }
    link = _link(workspace, "bods:fa402c4818f9/unknownInterest")
    assert (link["type"], link["source_id"], link["target_id"]) == (
        "CONTROLS", "bods:fa402c4818f9/interestedParty", "bods:4c7ea3bfbe6c",
    )  # fmt: skip


def test_a_declared_absence_of_owners_is_counted_without_a_placeholder(
    tmp_path: Path, load: Load, workspace: Workspace, bods: Path
) -> None:
    statements = json.loads(
        (bods / "listed-company-exempt-from-disclosure.json").read_text(encoding="utf-8")
    )
    statements[1]["recordDetails"]["interestedParty"] = {"reason": "noBeneficialOwners"}
    path = tmp_path / "nobody.json"
    path.write_text(json.dumps(statements), encoding="utf-8")
    summary = load("bods", path)
    assert summary.notices["bods_no_beneficial_owners"] == 1
    assert workspace.query("SELECT count(*) FROM links")[0][0] == 0
    assert workspace.query("SELECT count(*) FROM entities")[0][0] == 1


def test_an_anonymous_beneficiary_is_a_person_placeholder(
    load: Load, workspace: Workspace, bods: Path
) -> None:
    load("bods", bods / "levent.json")
    beneficiary = _entity(workspace, "bods:81337a6e")
    assert (beneficiary["schema"], beneficiary["name"]) == (
        "Person", "(anonymous person 81337a6e)",
    )  # fmt: skip
    properties = beneficiary["data"]["properties"]  # type: ignore[index]
    assert properties["undisclosed"] == "interestedPartyExemptFromDisclosure"
    link = _link(workspace, "bods:3e47afda/beneficiaryOfLegalArrangement")
    assert (link["type"], link["target_id"]) == ("CONTROLS", "bods:8e40d059")


@pytest.mark.parametrize(
    ("package", "link_id", "share"),
    [
        ("bods-package-linking-annotations.json", "bods:331342ec3940/shareholding", (25, 50, 1, 1)),
        ("bods-package-entity-owning-entity.json", "bods:0f31559c6eec/shareholding",
         (75, 100, 0, 1)),
    ],
)  # fmt: skip
def test_share_ranges_keep_their_exclusive_bounds(
    load: Load, workspace: Workspace, bods: Path, package: str, link_id: str,
    share: tuple[int, int, int, int],
) -> None:  # fmt: skip
    load("bods", bods / package)
    link = _link(workspace, link_id)
    assert link["type"] == "OWNS"
    assert (link["share_low"], link["share_high"], link["share_low_open"],
            link["share_high_open"]) == share  # fmt: skip


def test_later_statements_replace_earlier_ones_and_closing_ends_the_links(
    load: Load, workspace: Workspace, bods: Path
) -> None:
    summary = load("bods", bods / "tecido.json")
    assert summary.notices["superseded_statement"] == 6
    links = workspace.query(
        "SELECT id, type, share_low, start_date, end_date FROM links "
        "WHERE id LIKE 'bods:022EBEB66B/%' ORDER BY id"
    )
    assert [tuple(row) for row in links] == [
        ("bods:022EBEB66B/boardChair", "OFFICER_OF", 30, "2022-09-21", "2023-03-03"),
        ("bods:022EBEB66B/shareholding", "OWNS", 30, "2022-09-21", "2023-03-03"),
        ("bods:022EBEB66B/votingRights", "CONTROLS", 30, "2022-09-21", "2023-03-03"),
    ]
    assert _owns_into(workspace, "bods:01B68D7633")["bods:033E84672B"] == 80
    maria = _entity(workspace, "bods:018AF6B3EB")
    assert maria["data"]["properties"]["record_closed"] == "2023-03-03"  # type: ignore[index]
    firm = _entity(workspace, "bods:01B68D7633")
    assert firm["country"] == "US"
    assert firm["data"]["properties"]["jurisdiction"] == "US-DE"  # type: ignore[index]


def test_a_politically_exposed_person_gets_the_pep_topic(
    load: Load, workspace: Workspace, bods: Path
) -> None:
    load("bods", bods / "simple-pep-declaration.json")
    person = _entity(workspace, "bods:c9ceb68d7241")
    assert person["data"]["topics"] == ["role.pep"]  # type: ignore[index]


@pytest.mark.parametrize("package", ["tecido.json", "nomination.json", "joint-ownership.json"])
def test_loading_a_package_again_changes_nothing(load: Load, bods: Path, package: str) -> None:
    first = load("bods", bods / package)
    second = load("bods", bods / package)
    assert first.inserted > 0
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.inserted)


def test_json_lines_packages_load_like_arrays(
    tmp_path: Path, load: Load, workspace: Workspace, bods: Path
) -> None:
    statements = json.loads((bods / "joint-ownership.json").read_text(encoding="utf-8"))
    path = tmp_path / "joint.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in statements) + "\n", encoding="utf-8")
    summary = load("bods", path)
    assert (summary.rejected, summary.records) == (0, 9)
    assert _entity(workspace, "bods:1accb8b18b99")["record"] == (statements[3]["statementId"])


def test_bad_statements_are_rejected_with_their_place_and_the_rest_loads(
    tmp_path: Path, load: Load, workspace: Workspace, bods: Path
) -> None:
    statements = json.loads((bods / "joint-ownership.json").read_text(encoding="utf-8"))
    statements[1]["recordType"] = "vessel"
    statements[2]["recordDetails"]["interests"][0]["share"] = {"exact": 150}
    del statements[3]["recordId"]
    statements[4]["recordDetails"]["birthDate"] = "yesterday"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(statements, indent=2), encoding="utf-8")
    summary = load("bods", path)
    assert summary.rejected == 4
    rejects = workspace.query("SELECT line, location, reason FROM rejects ORDER BY line")
    assert [(r["location"], r["reason"]) for r in rejects] == [
        ("91b4236a7d89", "unknown recordType 'vessel'"),
        ("2670f25aee62", "share: share 150.0 is outside 0-100"),
        ("$[3]", "no recordId"),
        ("f040df24d9ec", "birthDate: unreadable date 'yesterday'"),
    ]
    assert all(r["line"] > 1 for r in rejects)
    assert _entity(workspace, "bods:31c55e425764")["name"] == "CHRINON LTD"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("statementID,recordId\n", "not JSON"),
        ('[{"statementID": "x", "statementType": "entityStatement"}]', "BODS 0.2/0.3"),
        ('[{"id": "NK-1", "schema": "Company"}]', "not BODS"),
        ("[1, 2]", "not objects"),
    ],
)
def test_a_file_that_is_not_a_bods_04_package_is_unreadable(
    tmp_path: Path, load: Load, text: str, reason: str
) -> None:
    path = tmp_path / "package.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=reason):
        load("bods", path)

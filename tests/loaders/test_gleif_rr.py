"""gleif-rr: GLEIF Level 2 relationship records and reporting exceptions (real XML and API samples,
and golden-copy JSON lines written here in the golden copy's convention)."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from loaders.gleif_rr import read_rr
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import Link, Record, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
FOLDER = Path(__file__).parents[1] / "fixtures" / "gleif"
RR = FOLDER / "rr-data.xml"
REPEX = FOLDER / "repex-data.xml"
API = FOLDER / "api"
CHILDREN = API / "direct-child-relationships_5299001ERX0K10IZUL40.json"
CHILD, PARENT = "010CMKZ3VON21WF2ZD45", "3C7474T6CDKPR9K6YT90"


def _links(path: Path) -> dict[str, Link]:
    return {r.id: r for r in read_rr(SourceFile(path, "gleif")) if isinstance(r, Link)}


def _golden(
    relation: str, *, status: str = "ACTIVE", registration: str = "PUBLISHED"
) -> dict[str, object]:
    """A relationship record in the golden-copy JSON convention (``{"$": text}``)."""
    return {
        "Relationship": {
            "StartNode": {"NodeID": {"$": CHILD}, "NodeIDType": {"$": "LEI"}},
            "EndNode": {"NodeID": {"$": PARENT}, "NodeIDType": {"$": "LEI"}},
            "RelationshipType": {"$": relation},
            "RelationshipPeriods": {
                "RelationshipPeriod": [
                    {
                        "StartDate": {"$": "2018-02-06T00:00:00.000Z"},
                        "PeriodType": {"$": "RELATIONSHIP_PERIOD"},
                    },
                ]
            },
            "RelationshipStatus": {"$": status},
        },
        "Registration": {
            "RegistrationStatus": {"$": registration},
            "LastUpdateDate": {"$": "2023-01-24T15:32:00.000Z"},
        },
    }


def _json_lines(tmp_path: Path, records: list[dict[str, object]]) -> list[Record]:
    path = tmp_path / "rr.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return list(read_rr(SourceFile(path, "gleif")))


def test_an_ultimate_parent_controls_its_child_over_the_relationship_period(
    workspace: Workspace, load: Load
) -> None:
    summary = load("gleif-rr", RR)
    assert (summary.dataset, summary.rejected) == ("gleif", 0)
    link_id = f"gleif:rr:{CHILD}>IS_ULTIMATELY_CONSOLIDATED_BY>{PARENT}"
    row = workspace.query("SELECT * FROM links WHERE id = ?", (link_id,))[0]
    assert (row["type"], row["source_id"], row["target_id"]) == (
        "CONTROLS",
        f"gleif:{PARENT}",
        f"gleif:{CHILD}",
    )
    assert row["role"] == "ultimate accounting consolidation parent"
    assert (row["start_date"], row["end_date"]) == ("2018-02-06", None)
    assert (row["share_known"], row["share_low"], row["share_high"]) == (0, None, None)
    properties = json.loads(row["data"])["properties"]
    assert properties["accounting_period"] == "2020-01-01/2020-12-31"
    assert properties["document_filing_period"] == "2020-01-01/2020-12-31"
    assert properties["accounting_standard"] == "US_GAAP"
    assert properties["registration_status"] == "LAPSED"
    assert properties["validation_reference"].startswith("https://www.sec.gov/")


def test_fund_relations_run_from_manager_and_umbrella_to_the_fund() -> None:
    links = _links(RR)
    managed = links["rr:001GPB6A9XPE8XJICC14>IS_FUND-MANAGED_BY>5493001Z012YSB2A0K51"]
    assert (managed.type, managed.source, managed.target, managed.role) == (
        "CONTROLS",
        "5493001Z012YSB2A0K51",
        "001GPB6A9XPE8XJICC14",
        "fund manager",
    )
    umbrella = links["rr:001GPB6A9XPE8XJICC14>IS_SUBFUND_OF>C7J4FOV6ELAVE39B7M82"]
    assert (umbrella.source, umbrella.role, umbrella.start_date) == (
        "C7J4FOV6ELAVE39B7M82",
        "umbrella fund",
        "2012-11-29",
    )
    assert len(links) == 10


def test_links_meet_the_lei_records_of_the_same_dataset(workspace: Workspace, load: Load) -> None:
    load("gleif-lei", FOLDER / "lei-data.xml")
    load("gleif-rr", RR)
    rows = workspace.query(
        "SELECT e.name FROM links l JOIN entities e ON e.id = l.target_id "
        "WHERE l.source_id = 'gleif:5493001Z012YSB2A0K51'"
    )
    assert [row["name"] for row in rows] == ["Fidelity Advisor Leveraged Company Stock Fund"]


def test_a_reporting_exception_is_kept_beside_the_lei_record(
    workspace: Workspace, load: Load
) -> None:
    load("gleif-lei", FOLDER / "lei-data.xml")
    summary = load("gleif-rr", REPEX)
    assert (summary.inserted, summary.rejected) == (10, 0)
    rows = workspace.query(
        "SELECT e.id, e.schema, e.data FROM identifiers i JOIN entities e ON e.id = i.entity_id "
        "WHERE i.scheme = 'lei' AND i.value = '001GPB6A9XPE8XJICC14' ORDER BY e.id"
    )
    assert [(row["id"], row["schema"]) for row in rows] == [
        ("gleif:001GPB6A9XPE8XJICC14", "LegalEntity"),
        ("gleif:repex:001GPB6A9XPE8XJICC14:DIRECT_ACCOUNTING_CONSOLIDATION_PARENT", "LegalEntity"),
    ]
    assert json.loads(rows[1]["data"])["properties"] == {
        "direct_parent_exception": "NO_KNOWN_PERSON"
    }
    non_public = workspace.query(
        "SELECT data FROM entities WHERE id = "
        "'gleif:repex:01370W6ZIY66KQ4J3570:DIRECT_ACCOUNTING_CONSOLIDATION_PARENT'"
    )
    assert (
        json.loads(non_public[0]["data"])["properties"]["direct_parent_exception"] == "NON_PUBLIC"
    )


def test_api_relationship_and_reporting_exception_responses(
    workspace: Workspace, load: Load
) -> None:
    load("gleif-rr", API / "direct-parent-relationship_549300O897ZC5H7CY412.json")
    load("gleif-rr", API / "ultimate-parent-reporting-exception_INR2EJN1ERAN0W5ZP974.json")
    link = workspace.query("SELECT * FROM links")[0]
    assert (link["source_id"], link["target_id"], link["start_date"]) == (
        "gleif:549300OWK6ZGNYP4G142",
        "gleif:549300O897ZC5H7CY412",
        "2006-08-08",
    )
    # Written 2023-12-31T23:00:00Z to 2024-12-30T23:00:00Z: Swedish midnights in UTC.
    properties = json.loads(link["data"])["properties"]
    assert properties["accounting_period"] == "2024-01-01/2024-12-31"
    assert properties["validation_documents"] == "ACCOUNTS_FILING"
    exception = workspace.query("SELECT id, data FROM entities")[0]
    assert (
        exception["id"]
        == "gleif:repex:INR2EJN1ERAN0W5ZP974:ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT"
    )
    assert json.loads(exception["data"])["properties"] == {
        "ultimate_parent_exception": "NON_CONSOLIDATING"
    }


def test_a_list_of_child_relationships_from_the_api() -> None:
    links = _links(CHILDREN)
    assert {(link.source, link.target) for link in links.values()} == {
        ("5299001ERX0K10IZUL40", "254900RX3NW13DDG3905"),
        ("5299001ERX0K10IZUL40", "529900YR7EORVQ2U3353"),
    }


def test_an_inactive_or_retired_relationship_ends_by_the_last_update(tmp_path: Path) -> None:
    records = _json_lines(
        tmp_path,
        [
            _golden("IS_DIRECTLY_CONSOLIDATED_BY", status="INACTIVE"),
            _golden("IS_ULTIMATELY_CONSOLIDATED_BY", registration="RETIRED"),
            _golden("IS_INTERNATIONAL_BRANCH_OF", registration="LAPSED"),
        ],
    )
    links = [r for r in records if isinstance(r, Link)]
    ends = {r.role: (r.end_date, r.properties.get("end_date_inferred_from")) for r in links}
    assert ends == {
        "direct accounting consolidation parent": ("2023-01-24", "last_update_date"),
        "ultimate accounting consolidation parent": ("2023-01-24", "last_update_date"),
        "head office of international branch": (None, None),  # lapsed: not renewed, not ended
    }


def test_a_feeder_fund_is_an_associate_of_its_master(tmp_path: Path) -> None:
    (link,) = [r for r in _json_lines(tmp_path, [_golden("IS_FEEDER_TO")]) if isinstance(r, Link)]
    assert (link.type, link.source, link.target, link.role) == (
        "ASSOCIATE",
        PARENT,
        CHILD,
        "master fund",
    )


def test_annulled_records_are_counted_not_loaded_and_unknown_types_rejected(
    tmp_path: Path, workspace: Workspace, load: Load
) -> None:
    path = tmp_path / "rr.json"
    records = [
        _golden("IS_DIRECTLY_CONSOLIDATED_BY", registration="ANNULLED"),
        _golden("IS_OWNED_BY"),
        _golden("IS_ULTIMATELY_CONSOLIDATED_BY"),
    ]
    path.write_text(json.dumps({"relations": records}, indent=2), encoding="utf-8")
    summary = load("gleif-rr", path)
    assert (summary.inserted, summary.rejected) == (1, 1)
    assert summary.notices == {"annulled_relationship": 1}
    reject = workspace.query("SELECT location, reason, raw FROM rejects")[0]
    assert (reject["location"], reject["reason"]) == (
        "$.relations[1]",
        "unknown RelationshipType 'IS_OWNED_BY'",
    )
    assert "IS_OWNED_BY" in reject["raw"]


@pytest.mark.parametrize("path", [RR, REPEX, CHILDREN])
def test_loading_twice_changes_nothing(path: Path, load: Load) -> None:
    first = load("gleif-rr", path)
    assert first.inserted > 0
    second = load("gleif-rr", path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.inserted)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (RR.read_bytes()[:5000], "malformed XML"),
        ((FOLDER / "lei-data.xml").read_bytes(), "no <RelationshipData> or <Reporting"),
        (b"\x00\x01garbage", "neither XML nor JSON"),
        (b'{"relations": [{"Relationship": ', "malformed JSON"),
    ],
    ids=["truncated-xml", "lei-file", "garbage", "truncated-json"],
)
def test_a_truncated_garbage_or_foreign_file_is_unreadable(
    tmp_path: Path, load: Load, content: bytes, reason: str
) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=reason):
        load("gleif-rr", path)


def test_an_entity_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "repex.xml"
    head, body = REPEX.read_text(encoding="utf-8").split("?>", 1)
    bomb = '<!DOCTYPE r [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path.write_text(f"{head}?>{bomb}{body.replace('NO_KNOWN_PERSON', '&b;')}", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="entities"):
        list(read_rr(SourceFile(path, "gleif")))

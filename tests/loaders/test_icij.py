"""icij: the ICIJ Offshore Leaks CSV set, from a hand-made fixture with ICIJ's header lines."""

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import loaders
from loaders.icij import FILES, icij_date, looks_like_company, read_icij
from ownergraph.errors import InputError, UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import Entity, Link, Notice, Record, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
FOLDER = Path(__file__).parents[1] / "fixtures" / "icij"
RELATIONSHIPS = FOLDER / "relationships.csv"
DATASET = "icij-offshore-leaks"


def _read(path: Path = RELATIONSHIPS) -> list[Record]:
    return list(read_icij(SourceFile(path, DATASET)))


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return _read()


@pytest.fixture(scope="module")
def entities(records: list[Record]) -> dict[str, Entity]:
    return {r.id: r for r in records if isinstance(r, Entity)}


@pytest.fixture(scope="module")
def links(records: list[Record]) -> dict[str, Link]:
    return {r.id: r for r in records if isinstance(r, Link)}


def _notices(records: list[Record], code: str) -> list[Notice]:
    return [r for r in records if isinstance(r, Notice) and r.code == code]


def _copy_set(tmp_path: Path, names: tuple[str, ...] = FILES) -> Path:
    for name in names:
        shutil.copy(FOLDER / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("name", FILES)
def test_naming_any_file_of_the_set_loads_the_whole_set(name: str, load: Load) -> None:
    summary = load("icij", FOLDER / name)
    assert (summary.dataset, summary.status) == (DATASET, "done")
    assert (summary.inserted, summary.rejected) == (15 + 14, 7)  # nodes + links


def test_nodes_come_before_relationships(records: list[Record]) -> None:
    kinds = [type(r).__name__ for r in records if isinstance(r, Entity | Link)]
    assert kinds.index("Link") == kinds.count("Entity")


def test_an_entity_is_a_company_with_its_jurisdiction_dates_and_icij_fields(
    entities: dict[str, Entity],
) -> None:
    firm = entities["10000001"]
    assert (firm.schema, firm.name, firm.country) == (
        "Company",
        "TIANSHENG INDUSTRY AND TRADING CO., LTD.",
        "WS",
    )
    assert firm.aliases == ()  # original_name repeats the name
    assert (firm.incorporation_date, firm.dissolution_date) == ("2006-03-23", "2013-02-15")
    assert firm.address is not None and firm.address.startswith("ORION HOUSE SERVICES")
    assert {key: firm.properties[key] for key in (
        "jurisdiction", "status", "service_provider", "sourceID", "ibcRUC", "internal_id",
        "inactivation_date", "struck_off_date", "country_codes",
    )} == {
        "jurisdiction": "SAM", "status": "Defaulted", "service_provider": "Mossack Fonseca",
        "sourceID": "Panama Papers", "ibcRUC": "25221", "internal_id": "1001256",
        "inactivation_date": "2013-02-18", "struck_off_date": "2013-02-15", "country_codes": "HKG",
    }  # fmt: skip
    assert firm.provenance.record == "2"
    assert firm.provenance.source_file == str(FOLDER / "nodes-entities.csv")
    assert firm.provenance.source_url == "https://offshoreleaks.icij.org/nodes/10000001"


def test_nodes_cite_their_icij_page_and_links_the_given_source_url(
    load: Load, workspace: Workspace
) -> None:
    load("icij", RELATIONSHIPS, source_url="https://example.org/full-oldb.LATEST.zip")
    rows = workspace.query(
        "SELECT source_url FROM entities WHERE id = ? UNION ALL "
        "SELECT source_url FROM links WHERE source_id = ? AND type = 'OWNS'",
        (f"{DATASET}:12000002", f"{DATASET}:12000002"),
    )
    assert [row[0] for row in rows] == [
        "https://offshoreleaks.icij.org/nodes/12000002",
        "https://example.org/full-oldb.LATEST.zip",
    ]


def test_original_and_former_names_become_aliases(entities: dict[str, Entity]) -> None:
    assert entities["10000002"].aliases == ("ALFA SEVERNY HOLDINGS LTD.", "NORD ALFA LIMITED")


@pytest.mark.parametrize(
    ("node", "country"),
    [("10000002", "VG"), ("10000003", "AI"), ("10000004", "KY"), ("85000001", "AW")],
)
def test_the_jurisdiction_description_wins_over_icij_own_codes(
    entities: dict[str, Entity], node: str, country: str
) -> None:
    # "ANG" is ICIJ's code for Anguilla (AI), not Angola; "Cayman" alone falls back to "CAYMN".
    assert entities[node].country == country


@pytest.mark.parametrize(
    ("text", "iso"),
    [("23-MAR-2006", "2006-03-23"), ("2006-03-23", "2006-03-23"), ("Mar 5, 2009", "2009-03-05"),
     ("", None)],
)  # fmt: skip
def test_icij_dates_in_each_published_form(text: str, iso: str | None) -> None:
    assert icij_date(text) == iso


def test_a_bad_date_is_counted_and_its_text_kept(
    records: list[Record], entities: dict[str, Entity], links: dict[str, Link]
) -> None:
    firm = entities["10000004"]
    assert firm.incorporation_date is None
    assert firm.properties["incorporation_date"] == "31-FEB-2010"
    agent = links["11000002>intermediary_of>10000004>intermediary of>"]
    assert (agent.start_date, agent.properties["start_date"]) == (None, "32-JAN-2010")
    assert [n.line for n in _notices(records, "unreadable_date")] == [5, 18]


@pytest.mark.parametrize(
    ("node", "schema", "country"),
    [
        ("12000001", "LegalEntity", "KR"),
        ("12000002", "LegalEntity", "RU"),
        ("12000003", "Company", "CY"),
        ("12000004", "LegalEntity", None),
        ("12000005", "LegalEntity", "PT"),
        ("12000006", "Company", "CH"),
    ],
)
def test_officers_stay_legal_entities_unless_a_legal_form_shows_a_company(
    entities: dict[str, Entity], node: str, schema: str, country: str | None
) -> None:
    assert (entities[node].schema, entities[node].country) == (schema, country)


@pytest.mark.parametrize(
    ("name", "company"),
    [
        ("NORDIC SHIPPING HOLDINGS LTD.", True),
        ("Alpen Invest S.A.", True),
        ("Acme Corporation", True),
        ("Maria Sa", False),
        ("JOHN SMITH", False),
        ("THE BEARER", False),
    ],
)
def test_a_legal_form_in_the_name_marks_a_company(name: str, company: bool) -> None:
    assert looks_like_company(name) is company


def test_intermediaries_are_organisations_with_the_intermediary_topic(
    entities: dict[str, Entity],
) -> None:
    agent = entities["11000001"]
    assert (agent.schema, agent.topics, agent.country) == ("Organization", ("intermediary",), "HK")
    assert agent.address == "UNIT 1401, 14/F, WORLD COMMERCE CENTRE, KOWLOON, HONG KONG"
    assert agent.properties["status"] == "ACTIVE"


def test_addresses_are_address_nodes_named_by_their_text(entities: dict[str, Entity]) -> None:
    address = entities["14000001"]
    assert (address.schema, address.country) == ("Address", "BS")
    assert address.name == "ANNEX FREDERICK & SHIRLEY STS, P.O. BOX N-4805, NASSAU, BAHAMAS"


def test_others_are_legal_entities_closed_on_their_closed_date(
    entities: dict[str, Entity],
) -> None:
    other = entities["85000001"]
    assert (other.schema, other.incorporation_date, other.dissolution_date) == (
        "LegalEntity",
        "1983-05-18",
        "2012-11-28",
    )
    assert other.properties["type"] == "LIMITED LIABILITY COMPANY"


@pytest.mark.parametrize(
    ("link_id", "kind", "role", "share_stated"),
    [
        ("12000002>officer_of>10000002>shareholder of>2006-03-14", "OWNS", "shareholder of", True),
        ("12000003>officer_of>10000002>nominee shareholder of>", "OWNS", "Nominee Shareholder of",
         True),
        ("12000002>officer_of>10000002>beneficiary of>", "CONTROLS", "beneficiary of", False),
        ("12000005>officer_of>10000003>ultimate beneficial owner of>", "CONTROLS",
         "Ultimate Beneficial Owner of", False),
        ("12000001>officer_of>10000001>director of>2006-03-23", "OFFICER_OF", "Director of", False),
        ("12000004>officer_of>10000001>secretary of>", "OFFICER_OF", "secretary of", False),
        ("12000006>officer_of>10000004>protector of>", "OFFICER_OF", "protector of", False),
        ("11000001>intermediary_of>10000001>intermediary of>", "ASSOCIATE", "intermediary", False),
        ("10000001>registered_address>14000001>registered address>", "REGISTERED_AT", None, False),
        ("12000002>registered_address>14000002>residential address>", "REGISTERED_AT", None,
         False),
        ("10000002>underlying>85000001>underlying>", "ASSOCIATE", "underlying", False),
    ],
)  # fmt: skip
def test_each_relationship_maps_to_its_link_type_and_role(
    links: dict[str, Link], link_id: str, kind: str, role: str | None, share_stated: bool
) -> None:
    link = links[link_id]
    assert (link.type, link.role) == (kind, role)
    assert (link.share is not None) is share_stated
    if link.share is not None:
        assert not link.share.is_known


def test_a_link_keeps_its_dates_direction_and_leak(links: dict[str, Link]) -> None:
    director = links["12000001>officer_of>10000001>director of>2006-03-23"]
    assert (director.source, director.target) == ("12000001", "10000001")
    assert (director.start_date, director.end_date) == ("2006-03-23", "2013-02-15")
    assert director.properties["sourceID"] == "Panama Papers"
    assert director.provenance.source_file == str(RELATIONSHIPS)


def test_candidate_matches_are_counted_never_linked(
    records: list[Record], links: dict[str, Link]
) -> None:
    assert [n.message for n in _notices(records, "candidate_match:same_name_as")] == [
        "12000002 12000009"
    ]
    assert len(_notices(records, "candidate_match:similar")) == 1
    assert not [link for link in links.values() if "same" in link.id or "similar" in link.id]


def test_candidate_matches_are_kept_on_both_nodes_as_hints(entities: dict[str, Entity]) -> None:
    assert entities["12000002"].properties["same_name_as"] == "12000009"
    assert entities["10000002"].properties["similar"] == "10000003"
    assert entities["10000003"].properties["similar"] == "10000002"
    assert "similar" not in entities["10000001"].properties


def test_same_as_partners_are_listed_in_a_same_as_property(tmp_path: Path) -> None:
    folder = _copy_set(tmp_path)
    with (folder / RELATIONSHIPS.name).open("a", encoding="utf-8") as handle:
        handle.write("10000001,10000004,same_as,,,,,Paradise Papers\n")
        handle.write("10000001,10000003,SAME_AS,,,,,Paradise Papers\n")
        handle.write("10000001,10000004,same_as,,,,,Paradise Papers\n")
    records = _read(folder / RELATIONSHIPS.name)
    parties = {r.id: r for r in records if isinstance(r, Entity)}
    assert parties["10000001"].properties["same_as"] == "10000004; 10000003"
    assert parties["10000004"].properties["same_as"] == "10000001"
    assert not [r for r in records if isinstance(r, Link) and r.role == "same_as"]
    assert len(_notices(records, "candidate_match:same_as")) == 3


def test_an_unknown_rel_type_becomes_a_counted_associate_link(
    records: list[Record], links: dict[str, Link]
) -> None:
    assert links["10000004>successor_of>10000003>successor of>"].type == "ASSOCIATE"
    assert [n.message for n in _notices(records, "unknown_rel_type")] == ["successor_of"]


def test_a_relationship_to_a_node_not_in_the_set_is_kept(load: Load, workspace: Workspace) -> None:
    load("icij", RELATIONSHIPS)
    (row,) = workspace.query(
        "SELECT type, target_id FROM links WHERE source_id = ? AND target_id = ?",
        (f"{DATASET}:12000001", f"{DATASET}:99999999"),
    )
    assert row["type"] == "OWNS"
    assert not workspace.query("SELECT 1 FROM entities WHERE id = ?", (f"{DATASET}:99999999",))


def test_malformed_rows_are_rejected_with_their_file_and_line(
    load: Load, workspace: Workspace
) -> None:
    load("icij", RELATIONSHIPS)
    rejects = workspace.query("SELECT file, line, reason FROM rejects ORDER BY file, line")
    found = [(Path(r["file"]).name, r["line"], r["reason"]) for r in rejects]
    assert found == [
        ("nodes-addresses.csv", 4, "empty address"),
        ("nodes-entities.csv", 6, "row has 6 fields, the header has 21"),
        ("nodes-entities.csv", 7, "empty node_id"),
        ("nodes-entities.csv", 8, "empty name"),
        ("nodes-officers.csv", 8, "row has 8 fields, the header has 7"),
        ("relationships.csv", 16, "node_id_start, node_id_end and rel_type must not be empty"),
        ("relationships.csv", 17, "row has 3 fields, the header has 8"),
    ]


def test_loading_the_set_twice_changes_nothing(load: Load, workspace: Workspace) -> None:
    first = load("icij", RELATIONSHIPS)
    before = workspace.query("SELECT id, data FROM entities UNION ALL SELECT id, data FROM links")
    again = load("icij", FOLDER / "nodes-entities.csv")
    after = workspace.query("SELECT id, data FROM entities UNION ALL SELECT id, data FROM links")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, first.inserted)
    assert sorted(map(tuple, before)) == sorted(map(tuple, after))


def test_a_repeated_relationship_row_is_one_link_citing_its_last_line(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    folder = _copy_set(tmp_path, ("relationships.csv",))
    with (folder / "relationships.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "12000001,10000001,officer_of,Director of,,2006-03-23,2013-02-15,Panama Papers\n"
        )
    load("icij", folder / "relationships.csv")
    rows = workspace.query("SELECT record FROM links WHERE role = 'Director of'")
    assert [row["record"] for row in rows] == ["20"]


def test_the_summary_counts_candidate_matches_and_missing_files(tmp_path: Path, load: Load) -> None:
    folder = _copy_set(tmp_path, ("nodes-entities.csv", "relationships.csv"))
    summary = load("icij", folder / "relationships.csv")
    assert summary.notices["missing_file"] == 4
    assert summary.notices["candidate_match:same_name_as"] == 1
    assert summary.status == "done"


def test_stored_entities_keep_topics_and_properties(load: Load, workspace: Workspace) -> None:
    load("icij", RELATIONSHIPS)
    (row,) = workspace.query(
        "SELECT schema, data FROM entities WHERE id = ?", (f"{DATASET}:11000001",)
    )
    data = json.loads(row["data"])
    assert (row["schema"], data["topics"]) == ("Organization", ["intermediary"])
    assert data["properties"]["internal_id"] == "10001"


def test_a_garbage_file_is_unreadable(tmp_path: Path, load: Load) -> None:
    garbage = tmp_path / "nodes-entities.csv"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with pytest.raises(UnreadableFileError):
        load("icij", garbage)


def test_a_file_without_icij_columns_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "relationships.csv").write_text("from,to,kind\n1,2,owns\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="node_id_start"):
        _read(tmp_path / "relationships.csv")


def test_a_broken_companion_file_stops_the_load_before_anything_is_written(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    folder = _copy_set(tmp_path)
    (folder / "relationships.csv").write_text("not,an,icij,file\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"relationships\.csv"):
        load("icij", folder / "nodes-entities.csv")
    assert not workspace.query("SELECT 1 FROM entities")


def test_a_file_outside_the_set_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "entities.csv"
    shutil.copy(FOLDER / "nodes-entities.csv", other)
    with pytest.raises(UnreadableFileError, match="name one of"):
        _read(other)


def test_the_input_size_is_that_of_the_whole_set_and_reading_reaches_it() -> None:
    spec = loaders.get("icij")
    total = sum((FOLDER / name).stat().st_size for name in FILES)
    assert spec.input_size(RELATIONSHIPS) == total
    assert spec.input_size(FOLDER / "nodes-officers.csv") == total
    source = SourceFile(FOLDER / "nodes-officers.csv", DATASET)
    list(read_icij(source))
    assert source.bytes_read == total  # the progress bar ends full

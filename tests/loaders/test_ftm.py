"""ftm: FollowTheMoney JSON lines become entities, links, listings and shipments."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
ZALA_AERO = "NK-abdzbEBkqyT29GyREbiURZ"
ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"
KALASHNIKOV = "NK-nR5AXM9AVPq4pQaSPSaVam"
OFAC_SANCTION = "ofac-780cd5691cab9c1219d921e42857cc300fef150e"


@pytest.fixture
def samples(fixtures: Path) -> Path:
    return fixtures / "opensanctions"


@pytest.fixture
def zala(samples: Path, load: Load) -> LoadSummary:
    return load("ftm", samples / "zala_entities.ftm.jsonl")


def _row(workspace: Workspace, table: str, record_id: str) -> dict[str, Any]:
    row = workspace.query(f"SELECT * FROM {table} WHERE id = ?", (f"opensanctions:{record_id}",))
    return {**dict(row[0]), **json.loads(row[0]["data"])}


def _names(entity: dict[str, Any]) -> list[str]:
    return [name for name, _ in entity["names"]]


def test_a_company_gets_its_russian_registry_codes_aliases_and_ofac_number(
    zala: LoadSummary, workspace: Workspace
) -> None:
    company = _row(workspace, "entities", ZALA_AERO)
    assert (company["name"], company["schema"], company["country"]) == ("LLC CST", "Company", "RU")
    assert {"inn:1841015504", "ogrn:1101841007938", "kpp:771501001", "ofac:45928"} <= set(
        company["identifiers"]
    )
    assert {"Zala Aero Group", "ООО ЦСТ"} <= set(_names(company))
    assert company["incorporation_date"] == "2010-12-24"
    assert {"sanction", "export.control"} <= set(company["topics"])


def test_weak_aliases_are_names_marked_weak_unless_also_given_as_aliases(
    zala: LoadSummary, workspace: Workspace
) -> None:
    company = _row(workspace, "entities", ZALA_AERO)
    weak = company["properties"]["weak_aliases"].split("; ")
    assert {"ZALA", "CST", "OOO TSST"} <= set(weak) <= set(_names(company))
    # "Limited Liability Company CST" is also an alias: a strong name is never marked weak.
    assert "Limited Liability Company CST" in _names(company)
    assert "Limited Liability Company CST" not in weak


def test_a_person_gets_birth_date_nationality_and_names_in_every_script(
    zala: LoadSummary, workspace: Workspace
) -> None:
    person = _row(workspace, "entities", ZAKHAROV)
    assert (person["name"], person["schema"], person["country"]) == (
        "Alexander Vyacheslavovich ZAKHAROV", "Person", "RU",
    )  # fmt: skip
    assert (person["birth_date"], person["nationality"]) == ("1965-09-21", "RU")
    assert "inn:183111242406" in person["identifiers"]
    assert any(name.startswith("Захаров") for name in _names(person))


def test_ownership_is_an_owns_link_with_its_share_and_period(
    zala: LoadSummary, workspace: Workspace
) -> None:
    stake = _row(workspace, "links", "ru-29477727b21c0f44d9c8b2e0c3697b8e028f8f5f")
    assert (stake["type"], stake["source_id"], stake["target_id"]) == (
        "OWNS", f"opensanctions:{KALASHNIKOV}", f"opensanctions:{ZALA_AERO}",
    )  # fmt: skip
    assert (stake["share_low"], stake["share_high"], stake["start_date"]) == (49, 49, "2016-03-29")
    assert stake["properties"]["sharesCount"] == "6401.77"
    ended = _row(workspace, "links", "ru-159c785ad927d3e153b23a26620730465ed26f1c")
    assert (ended["share_low"], ended["start_date"], ended["end_date"]) == (
        100, "2024-03-01", "2024-03-24",
    )  # fmt: skip


def test_an_ownership_without_a_percentage_states_no_share(
    zala: LoadSummary, workspace: Workspace
) -> None:
    stake = _row(workspace, "links", "ru-1099d5efed93ff280a45471ee42a16e6a2960c98")
    assert (stake["type"], stake["share_known"], stake["share_low"]) == ("OWNS", 0, None)
    assert stake["properties"]["sharesCount"] == "37000"


def test_directorship_family_and_role_become_officer_and_family_links(
    zala: LoadSummary, workspace: Workspace
) -> None:
    officer = _row(workspace, "links", "ru-a9285fbd0d02aebe28295dd37885191822789ad8")
    assert (officer["type"], officer["target_id"], officer["role"], officer["start_date"]) == (
        "OFFICER_OF", f"opensanctions:{ZALA_AERO}", "ГЕНЕРАЛЬНЫЙ ДИРЕКТОР", "2017-10-23",
    )  # fmt: skip
    family = _row(workspace, "links", "ofac-6d023267c742427bc92220ad97daca2e17b136ff")
    assert (family["type"], family["target_id"], family["role"]) == (
        "FAMILY", f"opensanctions:{ZAKHAROV}", "Family member of",
    )  # fmt: skip


def test_sanctions_become_listings_under_short_authority_names(
    zala: LoadSummary, workspace: Workspace
) -> None:
    rows = workspace.query(
        "SELECT authority, list_name, programmes, listed_on FROM listings "
        "WHERE entity_id = ? ORDER BY authority, listed_on",
        (f"opensanctions:{ZALA_AERO}",),
    )
    listed = {(row["authority"], row["list_name"]) for row in rows}
    assert {("OFAC", "SDN"), ("EU", "EU FSF"), ("UK", "UK Sanctions List"),
            ("BIS", "Entity List")} <= listed  # fmt: skip
    assert workspace.query("SELECT count(*) FROM listings")[0][0] == 41
    ofac = _row(workspace, "listings", OFAC_SANCTION)
    assert json.loads(ofac["programmes"]) == ["RUSSIA-EO14024"]
    assert ofac["properties"]["authorityId"] == "45928"


def test_a_listing_starts_at_its_earliest_date_and_ends_at_its_end_date(
    zala: LoadSummary, workspace: Workspace
) -> None:
    eu = workspace.query(
        "SELECT listed_on FROM listings WHERE list_name = 'EU FSF' ORDER BY listed_on"
    )
    # listingDate 2025-03-15 is a later amendment of a measure that started on 2023-12-18.
    assert [row[0] for row in eu] == ["2023-12-18", "2025-02-24"]
    ukraine = workspace.query(
        "SELECT listed_on, delisted_on FROM listings WHERE programmes LIKE '%364/2023%'"
    )[0]
    assert tuple(ukraine) == ("2023-07-01", "2033-07-01")


def test_address_entities_are_linked_by_registered_at(
    zala: LoadSummary, workspace: Workspace
) -> None:
    rows = workspace.query(
        "SELECT a.schema, a.name FROM links l JOIN entities a ON a.id = l.target_id "
        "WHERE l.type = 'REGISTERED_AT' AND l.source_id = ?",
        (f"opensanctions:{ZAKHAROV}",),
    )
    assert rows
    assert {row["schema"] for row in rows} == {"Address"}


def test_schemata_the_model_lacks_are_counted_not_dropped_silently(zala: LoadSummary) -> None:
    assert zala.notices == {"unknown_schema:Passport": 1}
    assert zala.rejected == 0


def test_referents_are_kept_and_an_ofac_referent_is_an_identifier(
    samples: Path, load: Load, workspace: Workspace
) -> None:
    load("ftm", samples / "t1_entities.ftm.jsonl")
    tobacco = _row(workspace, "entities", "NK-2GdmHtZTeNXjNVrBGEXZNj")
    assert (tobacco["schema"], tobacco["country"]) == ("Organization", "BY")
    assert "eu-fsf-eu-8282-49" in tobacco["properties"]["referents"].split("; ")
    assert {"ofac:32733", "reg:808000714"} <= set(tobacco["identifiers"])


def test_delta_lines_are_read_like_entity_lines(
    samples: Path, load: Load, workspace: Workspace
) -> None:
    summary = load("ftm", samples / "t2_entities.delta.jsonl")
    assert (summary.inserted, summary.rejected) == (2, 0)
    group = _row(workspace, "entities", "NK-2T3S8Hu29ktYnKSTgQp2wL")
    assert (group["name"], group["country"]) == ("AL-QAIDA IN IRAQ", "IQ")
    assert "ISIS" in _names(group)


def test_a_deleted_sanction_ends_its_listing_and_deletes_nothing(
    samples: Path, tmp_path: Path, zala: LoadSummary, load: Load, workspace: Workspace
) -> None:
    lines = (samples / "zala_entities.ftm.jsonl").read_text(encoding="utf-8").splitlines()
    entities = {json.loads(line)["id"]: json.loads(line) for line in lines}
    delta = tmp_path / "entities.delta.json"
    delta.write_text(
        "".join(
            json.dumps({"op": "DEL", "entity": entities[key]}) + "\n"
            for key in (OFAC_SANCTION, ZAKHAROV)
        ),
        encoding="utf-8",
    )
    summary = load("ftm", delta)
    assert summary.notices["deleted"] == 2
    listing = _row(workspace, "listings", OFAC_SANCTION)
    assert (listing["delisted_on"], listing["properties"]["delta_op"]) == ("2026-04-29", "DEL")
    assert _row(workspace, "entities", ZAKHAROV)["name"] == "Alexander Vyacheslavovich ZAKHAROV"


def test_a_customs_declaration_becomes_a_shipment_with_its_chpl_tier(
    samples: Path, load: Load, workspace: Workspace
) -> None:
    summary = load("ftm", samples / "economic_activity.ftm.jsonl", dataset="customs")
    assert summary.notices == {"unknown_schema:Contract": 1}
    shipment = workspace.query("SELECT * FROM shipments WHERE id = 'customs:hm-ea-1'")[0]
    assert (shipment["exporter_id"], shipment["importer_id"], shipment["declarant_id"]) == (
        "customs:hm-kestrel", "customs:hm-bereke", "customs:hm-tranzit",
    )  # fmt: skip
    assert (shipment["hs_code"], shipment["hs6"], shipment["chpl_tier"]) == (
        "8542310000", "854231", "1",
    )  # fmt: skip
    assert (shipment["date"], shipment["value"], shipment["origin_country"]) == (
        "2023-03-14", 14500.0, "DE",
    )  # fmt: skip
    assert json.loads(shipment["data"])["properties"]["ccdNumber"] == "10702070/140323/0012345"
    assert shipment["source_url"] == "https://example.org/handmade/ccd/0012345"


def test_a_contract_holder_stands_in_for_a_missing_declarant(
    samples: Path, load: Load, workspace: Workspace
) -> None:
    load("ftm", samples / "economic_activity.ftm.jsonl", dataset="customs")
    shipment = workspace.query("SELECT * FROM shipments WHERE id = 'customs:hm-ea-2'")[0]
    assert (shipment["declarant_id"], shipment["chpl_tier"], shipment["value"]) == (
        "customs:hm-tranzit", "2", 438300.0,
    )  # fmt: skip


def test_loading_the_same_file_twice_changes_nothing(samples: Path, load: Load) -> None:
    first = load("ftm", samples / "zala_entities.ftm.jsonl")
    again = load("ftm", samples / "zala_entities.ftm.jsonl")
    assert (first.dataset, again.inserted, again.updated) == ("opensanctions", 0, 0)
    assert again.unchanged == first.inserted


def test_bad_lines_are_rejected_with_their_line_and_the_rest_loads(
    samples: Path, tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    good = (samples / "t1_entities.ftm.jsonl").read_text(encoding="utf-8").splitlines()
    bad = [
        "{not json",
        '{"schema": "Person", "properties": {"name": ["Nobody"]}}',
        '{"id": "x-1", "properties": {}}',
        '{"id": "x-2", "schema": "Ownership", "properties": {"owner": ["a"]}}',
        '{"op": "PATCH", "entity": {"id": "x-3", "schema": "Person"}}',
    ]
    path = tmp_path / "entities.ftm.json"
    path.write_text("\n".join([good[0], *bad, *good[1:]]) + "\n", encoding="utf-8")
    summary = load("ftm", path)
    rejects = workspace.query("SELECT line, location, reason FROM rejects ORDER BY line")
    assert [tuple(row) for row in rejects] == [
        (2, None, "not JSON: Expecting property name enclosed in double quotes at column 2"),
        (3, None, "entity without an id"),
        (4, "x-1", "entity x-1 without a schema"),
        (5, "x-2", "Ownership x-2 has no asset"),
        (6, None, "unknown delta op 'PATCH'"),
    ]
    assert (summary.rejected, summary.inserted) == (5, 9)


@pytest.mark.parametrize(
    "content",
    [b"<html><body>Not found</body></html>\n", b'[{"id": "a", "schema": "Person"}]\n',
     b"\xff\xfe\x00garbage\x00\x81"],
    ids=["html", "json-array", "binary"],
)  # fmt: skip
def test_a_file_that_is_not_json_lines_is_unreadable(
    tmp_path: Path, load: Load, content: bytes
) -> None:
    path = tmp_path / "entities.ftm.json"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError):
        load("ftm", path)


def test_an_id_number_with_a_known_scheme_becomes_that_identifier(
    tmp_path: Path, load: Callable[..., LoadSummary], workspace: Workspace
) -> None:
    numbers = ["bin:230340355717", "AB-123", "nope:1"]
    line = {"id": "kz-1", "schema": "Company",
            "properties": {"name": ["Bereke Trade LLP"], "idNumber": numbers}}  # fmt: skip
    path = tmp_path / "kz.ftm.json"
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    load("ftm", path, dataset="kz")
    found = {row[0] for row in workspace.query("SELECT scheme || ':' || value FROM identifiers")}
    assert found == {"bin:230340355717"}

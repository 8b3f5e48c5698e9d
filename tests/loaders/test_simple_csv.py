"""entities-csv, links-csv and listings-csv: the spreadsheet formats of DESIGN.md §4."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ownergraph.errors import InputError
from ownergraph.ingest import LoadSummary
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]

ENTITIES = (
    "id,schema,name,aliases,country,registration_number,identifiers,address,incorporation_date,"
    "dissolution_date,birth_date,nationality,source_url,sector\n"
    "K1,Company,ТОО «Береке Трейд»,Bereke Treid LLP;BEREKE TRADE,Kazakhstan,,"
    'bin:230340355717;lei:5493001KJTIIGC8Y1R12,"Kabanbay Batyr Ave 11, Astana",14.03.2023,,,,'
    "https://example.org/k1,electronics\n"
    "P1,Person,Захаров Александр,Zakharov Alexander,RU,,inn:773101234567,,,,1961-04,RU,,\n"
)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _entity(workspace: Workspace, entity_id: str) -> dict[str, object]:
    row = workspace.query("SELECT * FROM entities WHERE id = ?", (entity_id,))[0]
    return {**dict(row), "data": json.loads(row["data"])}


def test_entities_keep_all_names_identifiers_dates_and_extra_columns(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    summary = load("entities-csv", _write(tmp_path, "entities.csv", ENTITIES), dataset="kz")
    assert (summary.rejected, summary.status) == (0, "done")
    firm = _entity(workspace, "kz:K1")
    assert firm["name"] == "ТОО «Береке Трейд»"
    assert firm["country"] == "KZ"
    data = firm["data"]
    assert [name for name, _ in data["names"]] == [  # type: ignore[index]
        "ТОО «Береке Трейд»", "Bereke Treid LLP", "BEREKE TRADE",
    ]  # fmt: skip
    assert data["identifiers"] == ["bin:230340355717", "lei:5493001KJTIIGC8Y1R12"]  # type: ignore[index]
    assert data["incorporation_date"] == "2023-03-14"  # type: ignore[index]
    assert data["properties"] == {"sector": "electronics"}  # type: ignore[index]
    assert firm["source_url"] == "https://example.org/k1"
    assert firm["record"] == "2"
    person = _entity(workspace, "kz:P1")
    assert person["data"]["birth_date"] == "1961-04"  # type: ignore[index]


def test_an_address_becomes_a_shared_node(tmp_path: Path, load: Load, workspace: Workspace) -> None:
    text = ENTITIES + 'K2,Company,Alfa Trade LLP,,KZ,,,"Kabanbay Batyr Ave 11, Astana",,,,,,\n'
    load("entities-csv", _write(tmp_path, "entities.csv", text), dataset="kz")
    addresses = workspace.query("SELECT id FROM entities WHERE schema = 'Address'")
    assert len(addresses) == 1
    links = workspace.query("SELECT source_id FROM links WHERE type = 'REGISTERED_AT'")
    assert sorted(row[0] for row in links) == ["kz:K1", "kz:K2"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("K9,Company,,,KZ,,,,,,,,,", "empty name"),
        (",Company,Nameless id,,KZ,,,,,,,,,", "empty id"),
        ("K9,Company,Bad Date LLP,,KZ,,,,31.02.2023,,,,,", "incorporation_date"),
        ("K9,Spaceship,Odd LLP,,KZ,,,,,,,,,", "unknown schema"),
        ("K9,Company,Short Row", "fields"),
    ],
)
def test_each_kind_of_bad_entity_row_is_rejected_with_its_line_and_the_rest_loads(
    tmp_path: Path, load: Load, workspace: Workspace, row: str, reason: str
) -> None:
    summary = load("entities-csv", _write(tmp_path, "entities.csv", ENTITIES + row + "\n"))
    assert summary.rejected == 1
    reject = workspace.query("SELECT line, reason, raw FROM rejects")[0]
    assert reject["line"] == 4
    assert reason in reject["reason"]
    assert reject["raw"].startswith(row.split(",")[0])
    assert workspace.query("SELECT count(*) FROM entities WHERE schema != 'Address'")[0][0] == 2


def test_a_header_without_a_required_column_makes_the_file_unreadable(
    tmp_path: Path, load: Load
) -> None:
    with pytest.raises(InputError, match=r"lacks required column.*name"):
        load("entities-csv", _write(tmp_path, "entities.csv", "id,schema\nK1,Company\n"))


def test_a_file_in_the_wrong_encoding_is_refused_whole(tmp_path: Path, load: Load) -> None:
    path = tmp_path / "entities.csv"
    path.write_bytes("id,name\nK1,ТОО Береке\n".encode("cp1251"))
    with pytest.raises(InputError, match="not utf-8"):
        load("entities-csv", path)


def test_links_keep_share_intervals_roles_and_dates(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    text = (
        "source,target,type,share,role,start_date,end_date,source_url\n"
        "P1,K1,OWNS,>25-50,,2023-03-14,,\n"
        "P1,K1,officer_of,,director,2023-03-14,2024-01-01,\n"
        "P1,K2,OWNS,unknown,,,,\n"
    )
    summary = load("links-csv", _write(tmp_path, "links.csv", text), dataset="kz")
    assert summary.rejected == 0
    rows = {
        row["type"] + row["target_id"]: row
        for row in workspace.query("SELECT * FROM links ORDER BY id")
    }
    owns = rows["OWNSkz:K1"]
    assert (owns["share_low"], owns["share_high"], owns["share_low_open"]) == (25, 50, 1)
    assert owns["source_id"] == "kz:P1"
    officer = rows["OFFICER_OFkz:K1"]
    assert (officer["role"], officer["end_date"]) == ("director", "2024-01-01")
    unknown = rows["OWNSkz:K2"]
    assert (unknown["share_known"], unknown["share_low"]) == (1, None)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("P1,K1,OWNS,150,,,,", "share"),
        ("P1,K1,BRIBES,,,,,", "unknown link type"),
        ("P1,,OWNS,,,,,", "empty source or target"),
        ("P1,K1,OWNS,,,someday,,", "start_date"),
    ],
)
def test_bad_link_rows_are_rejected(
    tmp_path: Path, load: Load, workspace: Workspace, row: str, reason: str
) -> None:
    header = "source,target,type,share,role,start_date,end_date,source_url\n"
    summary = load("links-csv", _write(tmp_path, "links.csv", header + row + "\n"))
    assert (summary.rejected, summary.records) == (1, 0)
    assert reason in workspace.query("SELECT reason FROM rejects")[0][0]


def test_a_corrected_share_updates_the_link_instead_of_adding_one(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    header = "source,target,type,share,role,start_date,end_date,source_url\n"
    load("links-csv", _write(tmp_path, "links.csv", header + "P1,K1,OWNS,40,,,,\n"), dataset="d")
    summary = load(
        "links-csv", _write(tmp_path, "links.csv", header + "P1,K1,OWNS,60,,,,\n"), dataset="d"
    )
    assert (summary.inserted, summary.updated) == (0, 1)
    assert [row[0] for row in workspace.query("SELECT share_low FROM links")] == [60]


def test_listings_record_authority_list_programmes_and_dates(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    text = (
        "entity_id,authority,list,programmes,listed_on,delisted_on,source_url\n"
        "K1,OFAC,SDN,RUSSIA-EO14024;UKRAINE-EO13661,2022-03-31,,\n"
    )
    load("listings-csv", _write(tmp_path, "listings.csv", text), dataset="kz")
    row = workspace.query("SELECT * FROM listings")[0]
    assert row["entity_id"] == "kz:K1"
    assert json.loads(row["programmes"]) == ["RUSSIA-EO14024", "UKRAINE-EO13661"]
    assert row["listed_on"] == "2022-03-31"


def test_a_column_map_loads_a_registry_with_its_own_headers(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    text = "БИН,Наименование,Страна\n230340355717,ТОО «Береке Трейд»,KZ\n"
    path = _write(tmp_path, "register.csv", text)
    load(
        "entities-csv", path, dataset="kz-register",
        column_map={"БИН": "id", "Наименование": "name", "Страна": "country"},
    )  # fmt: skip
    row = workspace.query("SELECT id, name, country FROM entities")[0]
    assert tuple(row) == ("kz-register:230340355717", "ТОО «Береке Трейд»", "KZ")

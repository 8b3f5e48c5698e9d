"""gleif-lei: GLEIF Level 1 LEI records from real LEI-CDF XML, golden-copy JSON and API samples."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

import loaders._jsonstream
from loaders._gleif import calendar_date
from loaders.gleif_lei import companies_house_number, read_lei, register_identifiers
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import Entity, Link, Notice, Record, Reject, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
FOLDER = Path(__file__).parents[1] / "fixtures" / "gleif"
CDF31 = FOLDER / "lei-data.xml"
CDF21 = FOLDER / "lei-cdf21-top10.xml"
GOLDEN_JSON = FOLDER / "goldencopy-lei2-excerpt.json"
API = FOLDER / "api"


def _read(path: Path) -> list[Record]:
    return list(read_lei(SourceFile(path, "gleif")))


def _parties(path: Path) -> dict[str, Entity]:
    return {r.id: r for r in _read(path) if isinstance(r, Entity) and r.schema != "Address"}


@pytest.fixture(scope="module")
def cdf31() -> dict[str, Entity]:
    return _parties(CDF31)


@pytest.fixture(scope="module")
def golden() -> dict[str, Entity]:
    return _parties(GOLDEN_JSON)


def test_a_uk_company_with_its_names_jurisdiction_and_companies_house_number(
    cdf31: dict[str, Entity],
) -> None:
    dentsu = cdf31["213800FERQ5LE3H7WJ58"]
    assert (dentsu.schema, dentsu.name, dentsu.country) == (
        "Company",
        "DENTSU INTERNATIONAL LIMITED",
        "GB",
    )
    assert dentsu.aliases == ("DENTSU AEGIS NETWORK LTD.", "AEGIS GROUP PLC")
    assert dentsu.properties["previous_names"] == "DENTSU AEGIS NETWORK LTD.; AEGIS GROUP PLC"
    assert dentsu.identifiers == (
        "lei:213800FERQ5LE3H7WJ58",
        "reg:RA000585/01403668",
        "gb-coh:01403668",
    )
    assert dentsu.incorporation_date == "1978-12-05"
    assert dentsu.address == "10 TRITON STREET, REGENT'S PLACE, LONDON, GB-LND, NW1 3BF, GB"
    assert {key: dentsu.properties[key] for key in ("legal_form", "registration_number")} == {
        "legal_form": "H0PO",
        "registration_number": "01403668",
    }


def test_a_state_jurisdiction_gives_the_country_and_registration_facts_are_properties(
    cdf31: dict[str, Entity],
) -> None:
    hutchin = cdf31["004L5FPTUREIWK9T2N63"]
    assert (hutchin.name, hutchin.country) == ("Hutchin Hill Capital, LP", "US")
    assert "reg:RA000602/4386463" in hutchin.identifiers
    assert {key: value for key, value in hutchin.properties.items() if "date" in key} == {
        "initial_registration_date": "2012-06-06",
        "last_update_date": "2020-07-17",
        "next_renewal_date": "2018-05-08",
    }
    assert hutchin.properties["jurisdiction"] == "US-DE"
    assert hutchin.properties["registration_status"] == "LAPSED"
    assert hutchin.properties["entity_status"] == "ACTIVE"
    assert hutchin.properties["managing_lou"] == "EVK05KS7XY1DEII3R011"


def test_a_fund_is_a_legal_entity_not_a_company(cdf31: dict[str, Entity]) -> None:
    fund = cdf31["001GPB6A9XPE8XJICC14"]
    assert (fund.schema, fund.properties["entity_category"]) == ("LegalEntity", "FUND")
    assert fund.properties["legal_form_other"] == "FUND"


def test_validation_authorities_add_the_numbers_of_other_registers(
    cdf31: dict[str, Entity],
) -> None:
    # A Delaware file number, and the SEC number the LOU validated against.
    assert cdf31["00QDBXDXLLF3W3JJJO36"].identifiers == (
        "lei:00QDBXDXLLF3W3JJJO36",
        "reg:RA000602/2835527",
        "reg:RA000665/0001052118",
    )
    # A UK charity: Companies House and the Charity Commission.
    assert cdf31["1595D0QCK7Y15293JK84"].identifiers == (
        "lei:1595D0QCK7Y15293JK84",
        "reg:RA000585/03004112",
        "gb-coh:03004112",
        "reg:RA000589/1043470",
    )


def test_no_register_means_no_registry_identifier(cdf31: dict[str, Entity]) -> None:
    trust = cdf31["00TV1D5YIV5IDUGWBW29"]
    assert trust.identifiers == ("lei:00TV1D5YIV5IDUGWBW29",)
    assert trust.properties["registration_authority"] == "RA999999"


def test_a_dissolution_event_gives_the_dissolution_date(cdf31: dict[str, Entity]) -> None:
    fund = cdf31["00TR8NKAEL48RGTZEW89"]
    assert fund.dissolution_date == "2018-11-09"
    assert fund.properties["events"] == "DISSOLUTION 2018-11-09"
    assert (fund.properties["entity_status"], fund.properties["registration_status"]) == (
        "INACTIVE",
        "RETIRED",
    )


def test_legal_and_headquarters_addresses_are_address_nodes_with_roles() -> None:
    records = _read(CDF31)
    links = {
        link.target: link.role
        for link in records
        if isinstance(link, Link) and link.source == "004L5FPTUREIWK9T2N63"
    }
    assert links == {
        "addr:us:c o corporation service company 2711 centerville road suite 400 wilmington us "
        "de 19808 us": "legal",
        "addr:us:22nd floor 888 7th avenue new york us ny 10106 us": "headquarters",
    }
    same = [r for r in records if isinstance(r, Link) and r.source == "213800FERQ5LE3H7WJ58"]
    assert [link.role for link in same] == ["legal; headquarters"]
    nodes = [r for r in records if isinstance(r, Entity) and r.schema == "Address"]
    assert len(nodes) == len({node.id for node in nodes})  # each node written once


def test_a_lei_cdf_2_1_file_without_entity_category(workspace: Workspace, load: Load) -> None:
    summary = load("gleif-lei", CDF21)
    assert (summary.dataset, summary.rejected) == ("gleif", 0)
    rows = workspace.query(
        "SELECT schema, name, country FROM entities WHERE id = 'gleif:029200013A5N6ZD0F605'"
    )
    assert [tuple(row) for row in rows] == [("Company", "AFRINVEST SECURITIES LIMITED", "NG")]
    companies = workspace.query("SELECT count(*) AS n FROM entities WHERE schema = 'Company'")
    assert companies[0]["n"] == 10


def test_golden_copy_json_names_in_their_language_and_transliterated(
    golden: dict[str, Entity],
) -> None:
    alfa = golden["097900BID10000147476"]
    assert (alfa.name, alfa.aliases, alfa.country) == ("ALFA REY s.r.o.", ("ALFA REY SRO",), "SK")
    assert alfa.properties["legal_name_language"] == "sk"
    assert alfa.identifiers == ("lei:097900BID10000147476", "reg:RA000526/51078066")
    assert len(golden) == 42


def test_golden_copy_json_categories_trading_names_and_events(golden: dict[str, Entity]) -> None:
    assert golden["335800N261Z1H7O31M69"].schema == "LegalEntity"  # a sole proprietor
    hospital = golden["5493000F568RTYEFBX37"]
    assert (hospital.schema, hospital.properties["entity_sub_category"]) == (
        "Organization",
        "LOCAL_GOVERNMENT",
    )
    flatpack = golden["254900DJC0R46Z5OQ342"]
    assert flatpack.properties["trading_names"] == "Flatpack Films; Flatpack Kft"
    assert (
        golden["787200OEDM6QUEPG0164"].properties["events"] == "INSOLVENCY 2023-11-16 IN_PROGRESS"
    )


def test_a_local_midnight_written_in_another_offset_is_its_own_day(
    golden: dict[str, Entity],
) -> None:
    # A Norwegian company founded on 2 February, written 2012-02-01T23:00:00+01:00.
    assert golden["254900DZ3RSUAUOWHS77"].incorporation_date == "2012-02-02"
    assert calendar_date("2004-06-06T22:00:00Z", []) == "2004-06-07"
    assert calendar_date("2012-11-04T05:00:00.000Z", []) == "2012-11-04"  # US Eastern midnight
    assert calendar_date("2023-06-01T12:00:00+02:00", []) == "2023-06-01"  # noon stays
    notices: list[Record] = []
    assert calendar_date("soon", notices) is None
    assert [notice.code for notice in notices if isinstance(notice, Notice)] == ["unreadable_date"]


def test_api_responses_with_source_urls_and_empty_pages(workspace: Workspace, load: Load) -> None:
    summary = load("gleif-lei", API / "multi_lei_records.json")
    assert summary.rejected == 0
    row = workspace.query("SELECT * FROM entities WHERE id = 'gleif:254900LNRYNOQ9YPU758'")[0]
    assert (row["name"], row["country"]) == ("Amazon Digital UK Limited", "GB")
    assert row["source_url"] == "https://api.gleif.org/api/v1/lei-records/254900LNRYNOQ9YPU758"
    identifiers = workspace.query(
        "SELECT scheme, value FROM identifiers WHERE entity_id = 'gleif:254900LNRYNOQ9YPU758'"
    )
    assert ("gb-coh", "06528297") in {tuple(found) for found in identifiers}
    assert "LOVEFILM UK LIMITED" in json.loads(row["data"])["properties"]["previous_names"]
    empty = load("gleif-lei", API / "direct-children_254900LNRYNOQ9YPU758.json")
    assert (empty.records, empty.rejected) == (0, 0)


def test_an_api_date_in_utc_is_the_registry_day(workspace: Workspace, load: Load) -> None:
    load("gleif-lei", API / "single_lei_record_5299001ERX0K10IZUL40.json")
    row = workspace.query("SELECT data FROM entities WHERE id = 'gleif:5299001ERX0K10IZUL40'")[0]
    data = json.loads(row["data"])
    # creationDate 2004-06-06T22:00:00Z is midnight in Frankfurt.
    assert data["incorporation_date"] == "2004-06-07"
    assert data["identifiers"] == ["lei:5299001ERX0K10IZUL40", "reg:RA000242/HRB 7042"]
    assert data["properties"]["events"] == "CHANGE_HQ_ADDRESS 2024-04-27"


@pytest.mark.parametrize("path", [CDF31, GOLDEN_JSON, API / "multi_lei_records.json"])
def test_loading_twice_changes_nothing(path: Path, load: Load) -> None:
    first = load("gleif-lei", path)
    assert first.inserted > 0
    second = load("gleif-lei", path)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, first.inserted)


def test_the_json_reader_streams_across_tiny_chunks_and_json_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _read(GOLDEN_JSON)
    monkeypatch.setattr(loaders._jsonstream, "_CHUNK", 7)
    assert _read(GOLDEN_JSON) == whole
    records = json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))["records"]
    lines = tmp_path / "records.jsonl"
    lines.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    as_lines = [r for r in _read(lines) if isinstance(r, Entity)]
    assert [(r.id, r.name, r.identifiers) for r in as_lines] == [
        (r.id, r.name, r.identifiers) for r in whole if isinstance(r, Entity)
    ]


def test_a_bad_record_is_rejected_with_its_place_and_the_rest_loads(
    tmp_path: Path, workspace: Workspace, load: Load
) -> None:
    path = tmp_path / "lei-data.xml"
    text = CDF31.read_text(encoding="utf-8")
    path.write_text(text.replace(">00GBW0Z2GYIER7DHDS71<", ">NOT-AN-LEI<"), encoding="utf-8")
    summary = load("gleif-lei", path)
    assert summary.rejected == 1
    reject = workspace.query("SELECT line, location, reason, raw FROM rejects")[0]
    assert reject["location"] == "/LEIData/LEIRecords/LEIRecord[4]"
    assert reject["reason"] == "LEI 'NOT-AN-LEI' is not a 20-character LEI"
    assert reject["line"] > 1
    assert "ARISTEIA CAPITAL" in reject["raw"]
    parties = workspace.query("SELECT count(*) AS n FROM entities WHERE schema != 'Address'")
    assert parties[0]["n"] == 12


def test_a_json_record_without_legal_name_is_rejected(tmp_path: Path) -> None:
    records = json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))["records"][:3]
    del records[1]["Entity"]["LegalName"]
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"records": records}, indent=1), encoding="utf-8")
    result = _read(path)
    rejects = [r for r in result if isinstance(r, Reject)]
    assert [(r.reason, r.location) for r in rejects] == [
        ("LEI record 097900CAKA0000136842 has no LegalName", "$.records[1]")
    ]
    assert rejects[0].line is not None and rejects[0].line > 2
    assert len([r for r in result if isinstance(r, Entity) and r.schema != "Address"]) == 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (CDF31.read_bytes()[:20000], "malformed XML"),
        (GOLDEN_JSON.read_bytes()[:20000], "malformed JSON"),
        (b"LEI,LegalName\n", "neither XML nor JSON"),
        (b"", "empty file"),
        ((FOLDER / "rr-data.xml").read_bytes(), "no <LEIData> root element"),
    ],
    ids=["truncated-xml", "truncated-json", "csv", "empty", "relationship-file"],
)
def test_a_truncated_garbage_or_foreign_file_is_unreadable(
    tmp_path: Path, load: Load, content: bytes, reason: str
) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=reason):
        load("gleif-lei", path)


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE lei:LEIData [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE lei:LEIData [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["entity-bomb", "xxe"],
)
def test_documents_declaring_entities_are_refused(tmp_path: Path, doctype: str) -> None:
    path = tmp_path / "lei-data.xml"
    head, body = CDF31.read_text(encoding="utf-8").split("?>", 1)
    path.write_text(f"{head}?>{doctype}{body.replace('245 SUMMER', '&b; &x;')}", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="entities"):
        _read(path)


def test_register_numbers_of_known_registries_get_their_national_scheme() -> None:
    # Russia's EGRUL publishes the OGRN (Sberbank CIB's, here).
    assert list(register_identifiers("RA000499", "1027739007768", "RU")) == [
        "reg:RA000499/1027739007768",
        "ogrn:1027739007768",
    ]
    assert list(register_identifiers("RA000499", "7710140679", "RU"))[1] == "inn:7710140679"
    assert list(register_identifiers("RA888888", "230340355717", "KZ")) == ["bin:230340355717"]
    assert list(register_identifiers("RA000585", "1403668", "GB"))[1] == "gb-coh:01403668"
    assert list(register_identifiers("RA000585", "", "GB")) == []
    assert companies_house_number("SC 12345") == "SC012345"
    assert companies_house_number("FC1234567") is None


def test_a_level_2_record_in_json_is_rejected_with_a_hint(workspace: Workspace, load: Load) -> None:
    summary = load("gleif-lei", API / "direct-parent-relationship_549300O897ZC5H7CY412.json")
    assert (summary.inserted, summary.rejected) == (0, 1)
    reject = workspace.query("SELECT location, reason FROM rejects")[0]
    assert (reject["location"], reject["reason"]) == (
        "$.data",
        "not an LEI record (relationship-records); Level 2 files load with gleif-rr",
    )

"""ofac-xml: OFAC's sdnList XML, read from ten real entries of the 2018 consolidated list."""

from collections.abc import Callable
from pathlib import Path

import pytest

from loaders.ofac_csv import read_ofac_csv
from loaders.ofac_xml import read_ofac_xml
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import Entity, Link, Listing, Record, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
FOLDER = Path(__file__).parents[1] / "fixtures" / "ofac"
SUBSET = FOLDER / "consolidated_subset.xml"
DATASET = "ofac-consolidated"


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return list(read_ofac_xml(SourceFile(SUBSET, DATASET)))


@pytest.fixture(scope="module")
def parties(records: list[Record]) -> dict[str, Entity]:
    return {r.id: r for r in records if isinstance(r, Entity) and r.schema != "Address"}


@pytest.fixture(scope="module")
def listings(records: list[Record]) -> dict[str, Listing]:
    return {r.entity: r for r in records if isinstance(r, Listing)}


def test_a_sectoral_bank_with_its_structured_ids_and_directive(
    parties: dict[str, Entity], listings: dict[str, Listing]
) -> None:
    vtb = parties["17013"]
    assert (vtb.schema, vtb.name, vtb.country) == ("Company", "VTB BANK OAO", "RU")
    assert set(vtb.identifiers) == {
        "ofac:17013", "swift:VTBRRUMM", "ogrn:1027739609391", "inn:7702070139", "okpo:00032520",
    }  # fmt: skip
    assert vtb.address == "29, Bolshaya Morskaya str., St. Petersburg, 190000, Russia"
    assert (vtb.properties["license"], vtb.properties["website"]) == ("1000", "www.vtb.com")
    listing = listings["17013"]
    assert (listing.authority, listing.list_name, listing.programmes) == (
        "OFAC", "Non-SDN", ("UKRAINE-EO13662",),
    )  # fmt: skip
    assert listing.properties["directive"] == "Subject to Directive 1"


def test_a_weak_aka_is_an_alias_marked_weak(parties: dict[str, Entity]) -> None:
    veb = parties["17015"]
    assert veb.aliases[-1] == "VEB"
    assert veb.properties["weak_aliases"] == "VEB"
    assert (veb.properties["bik"], veb.identifiers) == (
        "044525060",
        ("ofac:17015", "swift:BFEARUMM"),
    )


def test_a_person_with_nationality_birth_date_place_and_passports(
    parties: dict[str, Entity],
) -> None:
    person = parties["15961"]
    assert (person.schema, person.name) == ("Person", "JASHNSAZ, Seifollah")
    assert (person.birth_date, person.nationality, person.country) == ("1958-03-22", "IR", "IR")
    assert person.properties["birth_place"] == "Behbahan, Iran"
    assert set(person.identifiers) == {"ofac:15961", "passport:R17589399", "passport:T23700825"}
    assert person.aliases == ("JASHNSAZ, Seyfollah", "JASHN SAZ, Seifollah")
    assert parties["9639"].birth_date == "1962"


def test_a_vessel_with_its_flag_former_names_and_linked_company(
    records: list[Record], parties: dict[str, Entity]
) -> None:
    shona = parties["15036"]
    assert (shona.schema, shona.country, shona.identifiers) == (
        "Vessel", "TZ", ("ofac:15036", "imo:9187629"),
    )  # fmt: skip
    assert shona.aliases == ("ABADAN", "ALPHA")
    assert (shona.properties["call_sign"], shona.properties["mmsi"]) == ("T2EU4", "572469210")
    assert shona.properties["former_vessel_flag"] == "Malta; Tuvalu; None Identified"
    links = [r for r in records if isinstance(r, Link) and r.source == "15036"]
    assert [(link.type, link.target, link.target_name) for link in links] == [
        ("ASSOCIATE", None, "NATIONAL IRANIAN TANKER COMPANY")
    ]


def test_the_xml_and_the_legacy_csv_of_one_list_give_the_same_parties(
    parties: dict[str, Entity],
) -> None:
    csv_path = FOLDER / "consolidated_subset" / "cons_prim.csv"
    from_csv = {
        r.id: r
        for r in read_ofac_csv(SourceFile(csv_path, DATASET))
        if isinstance(r, Entity) and r.schema != "Address"
    }
    assert from_csv.keys() == parties.keys()
    for uid, party in parties.items():
        other = from_csv[uid]
        assert (other.schema, other.name, other.country) == (
            party.schema,
            party.name,
            party.country,
        )
        assert (other.birth_date, other.nationality) == (party.birth_date, party.nationality)
        assert set(other.identifiers) == set(party.identifiers), uid
        assert set(other.aliases) == set(party.aliases), uid


def test_loading_twice_changes_nothing_and_a_newer_list_withdraws_what_it_dropped(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    assert load("ofac-xml", SUBSET, dataset=DATASET).withdrawn == 0
    second = load("ofac-xml", SUBSET, dataset=DATASET)
    assert (second.inserted, second.updated, second.withdrawn) == (0, 0, 0)
    text = SUBSET.read_text(encoding="utf-8")
    start = text.index("  <sdnEntry>\n    <uid>15036</uid>")
    end = text.index("  </sdnEntry>\n", start) + len("  </sdnEntry>\n")
    newer = tmp_path / "consolidated.xml"
    newer.write_text(text[:start] + text[end:], encoding="utf-8")
    assert load("ofac-xml", newer, dataset=DATASET).withdrawn == 1
    withdrawn = workspace.query("SELECT entity_id FROM listings WHERE withdrawn_on IS NOT NULL")
    assert [row["entity_id"] for row in withdrawn] == [f"{DATASET}:15036"]
    assert workspace.query(f"SELECT name FROM entities WHERE id = '{DATASET}:15036'")


def test_the_consolidated_list_is_refused_in_the_sdn_dataset(load: Load) -> None:
    with pytest.raises(UnreadableFileError, match="--dataset ofac-consolidated"):
        load("ofac-xml", SUBSET, dataset="ofac-sdn")


def test_the_consolidated_list_loads_into_its_own_dataset_by_default(load: Load) -> None:
    assert load("ofac-xml", SUBSET).dataset == "ofac-consolidated"


def test_an_entry_without_uid_is_rejected_and_the_rest_loads(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    text = SUBSET.read_text(encoding="utf-8")
    assert "<uid>9639</uid>" in text
    path = tmp_path / "consolidated.xml"
    path.write_text(text.replace("<uid>9639</uid>", "", 1), encoding="utf-8")
    summary = load("ofac-xml", path, dataset=DATASET)
    reject = workspace.query("SELECT line, location, reason, raw FROM rejects")[0]
    assert (reject["location"], reject["line"]) == ("/sdnList/sdnEntry[2]", 62)
    assert reject["reason"] == "sdnEntry without a numeric uid ('')"
    assert "HANIYA" in reject["raw"]
    assert summary.rejected == 1
    assert workspace.query("SELECT count(*) FROM listings")[0][0] == 9


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('<sdnList xmlns="http://tempuri.org/sdnList.xsd"><sdnEntry><uid>1</ui', "malformed XML"),
        ("not xml at all", "malformed XML"),
        ('<Sanctions xmlns="http://www.un.org/sanctions/1.0"/>', "no <sdnList> root element"),
    ],
    ids=["truncated", "garbage", "foreign"],
)
def test_a_truncated_garbage_or_foreign_file_is_unreadable(
    tmp_path: Path, load: Load, text: str, reason: str
) -> None:
    path = tmp_path / "sdn.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=reason):
        load("ofac-xml", path)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE sdnList [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE sdnList [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["entity-bomb", "xxe"],
)
def test_documents_declaring_entities_are_refused(tmp_path: Path, load: Load, prolog: str) -> None:
    path = tmp_path / "sdn.xml"
    entry = "<sdnEntry><uid>1</uid><lastName>&b;</lastName><sdnType>Entity</sdnType></sdnEntry>"
    path.write_text(f"{prolog}\n<sdnList>{entry}</sdnList>", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="entit"):
        load("ofac-xml", path)

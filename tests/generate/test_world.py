"""The synthetic world: deterministic, well-formed, with its planted chains really in the files."""

import csv
import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from ownergraph.generate.world import INVASION, Layout, generate
from ownergraph.model.chpl import chpl_tier
from ownergraph.model.identifiers import valid_bin, valid_inn, valid_lei, valid_ogrn

VALIDATORS = {"inn": valid_inn, "ogrn": valid_ogrn, "bin": valid_bin, "lei": valid_lei}


def _digest(folder: Path) -> str:
    hasher = hashlib.sha256()
    for path in sorted(folder.iterdir()):
        hasher.update(path.read_bytes())
    return hasher.hexdigest()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:  # type: ignore[type-arg]
    outdir = tmp_path_factory.mktemp("world")
    return outdir, generate(outdir, seed=11, size=3000)


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    generate(tmp_path / "a", seed=5, size=600)
    generate(tmp_path / "b", seed=5, size=600)
    generate(tmp_path / "c", seed=6, size=600)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_sizes_and_counts_follow_the_request(world: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    outdir, truth = world
    entities = _rows(outdir / "entities.csv")
    assert sum(row["schema"] == "Company" for row in entities) == 3000
    assert len(_rows(outdir / "shipments.csv")) == truth["counts"]["shipments"] == 3000
    assert len(truth["chains"]) == 10


def test_every_generated_identifier_has_valid_check_digits(world: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    outdir, _ = world
    checked = 0
    for row in _rows(outdir / "entities.csv"):
        for identifier in filter(None, row["identifiers"].split(";")):
            scheme, _, value = identifier.partition(":")
            if scheme in VALIDATORS:
                assert VALIDATORS[scheme](value), identifier
                checked += 1
    assert checked > 1000


def test_planted_chains_are_time_ordered_chpl_trade_through_a_fresh_third_country_trader(
    world: tuple[Path, dict],  # type: ignore[type-arg]
) -> None:
    outdir, truth = world
    entities = {row["id"]: row for row in _rows(outdir / "entities.csv")}
    shipments = {row["declaration_id"]: row for row in _rows(outdir / "shipments.csv")}
    listed = {row["entity_id"] for row in _rows(outdir / "listings.csv")}
    for chain in truth["chains"]:
        trader = entities[chain["trader"]]
        assert trader["country"] in {"KZ", "KG", "AM", "AE", "TR", "HK", "GE"}
        assert date.fromisoformat(trader["incorporation_date"]) >= INVASION
        assert entities[chain["importer"]]["country"] == "RU"
        assert chain["end_user"] in listed
        steps = [shipments[number] for number in chain["declarations"]]
        assert [step["date"] for step in steps] == sorted(step["date"] for step in steps)
        assert all(chpl_tier(step["hs_code"]) for step in steps)
        assert steps[0]["exporter_country"] == entities[chain["supplier"]]["country"]
        assert steps[0]["declarant_name"], "the trader's imports are declared by a broker"
        assert steps[0]["quantity"] == steps[1]["quantity"], "mirror quantities in and out"


def test_the_end_user_owns_the_importer_in_ownership_chains(world: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    outdir, truth = world
    owns = {(row["source"], row["target"]) for row in _rows(outdir / "links.csv")
            if row["type"] == "OWNS"}  # fmt: skip
    owned = [chain for chain in truth["chains"] if chain["kind"] == "end user owns importer"]
    assert owned
    for chain in owned:
        assert (chain["end_user"], chain["importer"]) in owns


def test_background_trade_never_reaches_russia(world: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    outdir, truth = world
    planted = {number for chain in truth["chains"] for number in chain["declarations"]}
    for row in _rows(outdir / "shipments.csv"):
        if row["declaration_id"] not in planted:
            assert row["importer_country"] != "RU"


def test_fifty_percent_cases_are_written_as_ownership_links(world: tuple[Path, dict]) -> None:  # type: ignore[type-arg]
    outdir, truth = world
    owns = {(row["source"], row["target"]): row["share"]
            for row in _rows(outdir / "links.csv") if row["type"] == "OWNS"}  # fmt: skip
    for case in truth["fifty_percent"]:
        for owner, share in case["owners"]:
            assert owns[(owner, case["target"])] == share
    stored = json.loads((outdir / "truth.json").read_text("utf-8"))
    assert stored["chains"] == truth["chains"]


def test_a_world_too_small_for_its_roles_is_refused() -> None:
    with pytest.raises(ValueError, match="too small"):
        Layout(50)

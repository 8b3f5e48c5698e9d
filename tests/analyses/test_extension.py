"""sanctioned-by-extension over a workspace: listings by regime and date, links mapped to resolved
entities, the DESIGN.md §7 JSON, and the generated world's 50%-rule cases."""

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ownergraph.analyses.extension import sanctioned_by_extension
from ownergraph.errors import InputError
from ownergraph.generate.world import generate
from ownergraph.ingest import LoadSummary, load_file
from ownergraph.workspace import Workspace

Load = Callable[..., LoadSummary]
AS_OF = "2025-06-30"

ENTITIES = """id,schema,name,aliases,country,identifiers
X,Person,Ivan Petrov,Иван Петров,RU,
S,Company,Sectoral Bank PJSC,,RU,
E,Company,Listed Later JSC,,RU,
A,Company,Alfa Holding Ltd,,CY,reg:HE123
C,Company,Caspian Trade LLP,,KZ,bin:230340355717
D,Company,Delta Invest,,AE,
F,Company,Former Subsidiary LLC,,RU,
G,Company,Grey Logistics LLC,,KZ,
"""
LINKS = """source,target,type,share,role,start_date,end_date,source_url
X,A,OWNS,50,,2019-01-01,,https://example.org/a
A,C,OWNS,50,,2021-05-01,,
S,D,OWNS,100,,2019-01-01,,
E,D,OWNS,100,,2019-01-01,,
X,F,OWNS,100,,2019-01-01,2024-12-31,
X,G,CONTROLS,,significant-influence-or-control,2019-01-01,,
"""
LISTINGS = """entity_id,authority,list,programmes,listed_on,delisted_on,source_url
X,OFAC,SDN,RUSSIA-EO14024,2022-03-31,,
X,EU,EU FSF,RUS,2022-03-31,,
X,UK,UK Sanctions List,Russia,2022-03-31,,
S,OFAC,SSI,UKRAINE-EO13662,2014-07-16,,
S,BIS,Entity List,,2014-07-16,,
E,OFAC,SDN,RUSSIA-EO14024,2025-09-01,,
"""


@pytest.fixture
def world(tmp_path: Path, load: Load) -> Path:
    for name, text in (("entities", ENTITIES), ("links", LINKS), ("listings", LISTINGS)):
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        load(f"{name}-csv", path, dataset="t")
    return tmp_path


def _statuses(workspace: Workspace, regime: str, as_of: str = AS_OF) -> dict[str, str]:
    result = sanctioned_by_extension(workspace, regime, as_of)
    return {entity["id"]: entity["status"] for entity in result.as_dict()["entities"]}


def test_ofac_blocks_down_the_chain_and_cites_every_stake(
    world: Path, workspace: Workspace
) -> None:
    data = sanctioned_by_extension(workspace, "ofac", AS_OF).as_dict()
    assert (data["regime"], data["as_of"]) == ("ofac", AS_OF)
    entities = {entity["id"]: entity for entity in data["entities"]}
    assert set(entities) == {"t:A", "t:C"}
    firm = entities["t:C"]
    assert firm["name"] == "Caspian Trade LLP" and firm["identifiers"] == ["bin:230340355717"]
    assert {"id", "name", "aliases", "schema", "country", "sanctioned", "identifiers", "sources",
            "status", "explanation", "share", "missing", "proof"} <= set(firm)  # fmt: skip
    assert (firm["status"], firm["share"]) == ("blocked", {"low": 50.0, "high": 50.0})
    (step,) = firm["proof"]
    assert (step["owner"], step["owner_status"], step["see"]) == ("t:A", "blocked", "t:A")
    assert step["citations"][0]["source_file"].endswith("links.csv")
    assert step["citations"][0]["record"] == "3"
    (owner,) = entities["t:A"]["proof"]
    assert owner["listings"][0]["list"] == "SDN"
    assert owner["citations"][0]["source_url"] == "https://example.org/a"
    json.dumps(data, ensure_ascii=False)


def test_non_blocking_lists_and_export_controls_do_not_seed_the_rule(
    world: Path, workspace: Workspace
) -> None:
    """S is on OFAC's SSI list and BIS's Entity List only: D, which S owns, is not blocked."""
    assert "t:D" not in _statuses(workspace, "ofac")


def test_a_listing_not_yet_active_does_not_count(world: Path, workspace: Workspace) -> None:
    """E is listed from 2025-09-01: D is blocked only from then on."""
    assert "t:D" not in _statuses(workspace, "ofac", AS_OF)
    assert _statuses(workspace, "ofac", "2025-10-01")["t:D"] == "blocked"


def test_a_stake_that_ended_does_not_count(world: Path, workspace: Workspace) -> None:
    assert "t:F" not in _statuses(workspace, "ofac", AS_OF)
    assert _statuses(workspace, "ofac", "2024-06-30")["t:F"] == "blocked"


def test_a_listing_before_its_date_does_not_count(world: Path, workspace: Workspace) -> None:
    """X is listed from 2022-03-31; before that its stakes block nothing."""
    assert _statuses(workspace, "ofac", "2022-01-01") == {}
    assert _statuses(workspace, "eu", "2022-01-01") == {}


def test_eu_adds_control_and_uk_needs_more_than_half(world: Path, workspace: Workspace) -> None:
    assert _statuses(workspace, "eu") == {"t:A": "blocked", "t:C": "blocked", "t:G": "controlled"}
    assert _statuses(workspace, "uk") == {"t:G": "controlled"}


def test_links_of_merged_records_count_for_the_resolved_entity(
    world: Path, workspace: Workspace, load: Load
) -> None:
    """A registry record of X's holding (dataset r) joins X's listed record through resolution."""
    path = world / "registry.csv"
    path.write_text(
        "source,target,type,share,role,start_date,end_date,source_url\n"
        "PETROV,GREY,OWNS,60,,2020-01-01,,\n",
        encoding="utf-8",
    )
    load("links-csv", path, dataset="r")
    with workspace.transaction() as db:
        db.executemany(
            "INSERT INTO clusters (entity_id, canonical_id, resolved_at) VALUES (?, ?, ?)",
            [("r:PETROV", "t:X", "now"), ("t:X", "t:X", "now"),
             ("r:GREY", "t:G", "now"), ("t:G", "t:G", "now")],
        )  # fmt: skip
    assert _statuses(workspace, "ofac")["t:G"] == "blocked"


def test_links_without_a_bound_target_are_skipped(world: Path, workspace: Workspace) -> None:
    with workspace.transaction() as db:
        db.execute(
            "INSERT INTO links (id, dataset, type, source_id, target_id, target_name, share_low, "
            "share_high, share_known, data, source_file, record, load_id, loaded_at) "
            "VALUES ('t:dangling', 't', 'OWNS', 't:X', NULL, 'Some Firm', 100, 100, 1, '{}', "
            "'links.csv', '9', 1, 'now')"
        )
    assert set(_statuses(workspace, "ofac")) == {"t:A", "t:C"}


def test_the_date_defaults_to_today(world: Path, workspace: Workspace) -> None:
    assert sanctioned_by_extension(workspace, "ofac").as_of == date.today().isoformat()


@pytest.mark.parametrize(("regime", "as_of"), [("ofsi", AS_OF), ("ofac", "30.06.2025")])
def test_bad_regimes_and_dates_are_input_errors(
    world: Path, workspace: Workspace, regime: str, as_of: str
) -> None:
    with pytest.raises(InputError):
        sanctioned_by_extension(workspace, regime, as_of)


# -- the generated world ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, Any]]:
    folder = tmp_path_factory.mktemp("world")
    truth = generate(folder, seed=1, size=1000)
    with Workspace(folder / "world.db") as workspace:
        for name in ("entities", "links", "listings"):
            load_file(workspace, f"{name}-csv", folder / f"{name}.csv", dataset="synthetic",
                      progress=False)  # fmt: skip
        yield workspace, truth


def test_the_generated_worlds_owners_are_listed_in_every_regime(
    generated: tuple[Workspace, Any],
) -> None:
    workspace, truth = generated
    owners = {f"synthetic:{owner}" for owner, _ in truth["fifty_percent"][1]["owners"]}
    rows = workspace.query("SELECT entity_id, authority FROM listings")
    for authority in ("OFAC", "EU", "UK"):
        assert owners <= {row[0] for row in rows if row[1] == authority}


@pytest.mark.parametrize("regime", ["ofac", "eu", "uk"])
def test_every_generated_case_gets_its_expected_verdict(
    generated: tuple[Workspace, Any], regime: str
) -> None:
    workspace, truth = generated
    statuses = _statuses(workspace, regime)
    for case in truth["fifty_percent"]:
        expected = case[regime]
        got = statuses.get(f"synthetic:{case['target']}", "not")
        assert got == expected, f"{case['case']} under {regime}"

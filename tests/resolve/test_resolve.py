"""Resolving a workspace end to end: the CLI, judgements, stable ids and the quality gate."""

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from ownergraph.cli import main
from ownergraph.generate.world import generate
from ownergraph.ingest import load_file
from ownergraph.lookup import merges
from ownergraph.resolve.evaluate import evaluate
from ownergraph.resolve.matchable import read_matchables
from ownergraph.resolve.run import resolve
from ownergraph.resolve.scoring import HINT_EVIDENCE
from ownergraph.workspace import Workspace

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ENTITIES = (
    "id,schema,name,aliases,country,identifiers\n"
    "K1,Company,ТОО «Береке Трейд»,,KZ,bin:230340355717\n"
    "K2,Company,BEREKE TREID TOO,,KZ,bin:230340355717\n"
    "K3,Company,Bereke Treyd LLP,,KZ,\n"
    "R1,Company,ООО «Восток»,,RU,inn:7731084175\n"
    "R2,Company,OOO VOSTOK,,RU,inn:7707083893\n"
)


@pytest.fixture
def cli(tmp_path: Path) -> tuple[CliRunner, list[str]]:
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    runner = CliRunner(env={"OWNERGRAPH_AUTHOR": "tester"})
    base = ["--workspace", str(tmp_path / "w.db")]
    runner.invoke(main, [*base, "load", "entities-csv", str(tmp_path / "entities.csv"),
                         "--dataset", "t"])  # fmt: skip
    return runner, base


def _entity(runner: CliRunner, base: list[str], ref: str) -> dict:  # type: ignore[type-arg]
    return json.loads(runner.invoke(main, [*base, "show", ref, "--json"]).stdout)  # type: ignore[no-any-return]


def test_resolve_merges_across_scripts_and_show_explains_why(
    cli: tuple[CliRunner, list[str]],
) -> None:
    runner, base = cli
    summary = json.loads(runner.invoke(main, [*base, "resolve", "--json"]).stdout)
    assert summary["clusters"] == 1 and summary["vetoed"] >= 1
    assert set(summary["phases"]) == {"read", "block", "score", "cluster", "write"}
    entity = _entity(runner, base, "t:K2")
    assert entity["id"] == "t:K1"
    assert {source["record"] for source in entity["sources"]} == {"2", "3", "4"}
    assert "BEREKE TREID TOO" in entity["aliases"]
    assert any(merge["features"].get("identifier") == 8.0 for merge in entity["merges"])


def test_conflicting_identifiers_are_never_merged(cli: tuple[CliRunner, list[str]]) -> None:
    runner, base = cli
    runner.invoke(main, [*base, "resolve"])
    assert _entity(runner, base, "t:R1")["id"] != _entity(runner, base, "t:R2")["id"]


def test_judgements_win_and_can_be_retracted(cli: tuple[CliRunner, list[str]]) -> None:
    runner, base = cli
    assert runner.invoke(main, [*base, "judge", "t:R1", "t:R2", "same"]).exit_code == 0
    runner.invoke(main, [*base, "judge", "t:K1", "t:K3", "different"])
    runner.invoke(main, [*base, "resolve"])
    assert _entity(runner, base, "t:R2")["id"] == "t:R1"
    assert _entity(runner, base, "t:K3")["id"] == "t:K3"
    exported = json.loads(runner.invoke(main, [*base, "judgements", "--json"]).stdout)
    assert {(j["left"], j["verdict"], j["author"]) for j in exported["judgements"]} == {
        ("t:R1", "same", "tester"), ("t:K1", "different", "tester"),
    }  # fmt: skip
    runner.invoke(main, [*base, "judge", "t:R1", "t:R2", "retract"])
    runner.invoke(main, [*base, "resolve"])
    assert _entity(runner, base, "t:R2")["id"] == "t:R2"
    history = json.loads(runner.invoke(main, [*base, "judgements", "--history", "--json"]).stdout)
    assert len(history["judgements"]) == 2


def test_judging_an_unknown_record_exits_2(cli: tuple[CliRunner, list[str]]) -> None:
    runner, base = cli
    result = runner.invoke(main, [*base, "judge", "t:K1", "t:NOPE", "same"])
    assert result.exit_code == 2 and "no record" in result.output


@pytest.fixture(scope="module")
def resolved_world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, Path]:
    folder = tmp_path_factory.mktemp("world")
    generate(folder / "world", seed=7, size=3000)
    workspace = Workspace(folder / "w.db")
    for name in ("entities", "links", "listings", "shipments"):
        load_file(workspace, f"{name}-csv", folder / "world" / f"{name}.csv", dataset="synthetic",
                  progress=False)  # fmt: skip
    resolve(workspace, progress=False)
    return workspace, folder / "world"


def test_resolution_of_a_generated_world_is_precise_and_never_merges_conflicts(
    resolved_world: tuple[Workspace, Path],
) -> None:
    workspace, world = resolved_world
    scores = evaluate(workspace, world, "synthetic")
    assert scores.conflicting_merges == 0
    assert scores.precision >= 0.95 and scores.recall >= 0.9, scores.as_dict()


def test_re_running_gives_the_same_canonical_ids(resolved_world: tuple[Workspace, Path]) -> None:
    workspace, _ = resolved_world
    before = sorted(
        tuple(row) for row in workspace.query("SELECT entity_id, canonical_id FROM clusters")
    )
    resolve(workspace, progress=False)
    after = sorted(
        tuple(row) for row in workspace.query("SELECT entity_id, canonical_id FROM clusters")
    )
    assert before == after


def test_odd_records_neither_crash_nor_merge_on_empty_evidence(
    tmp_path: Path, workspace: Workspace
) -> None:
    long_name = "Alfa " * 2000
    rows = [
        "O1,Company,OOO,,RU,", "O2,Company,ООО,,RU,",  # nothing but a legal form
        "L1,Company,Limited Liability Company,,KZ,", "L2,Company,LLC,,KZ,",
        "D1,Company,---,,KZ,", "D2,Company,***,,KZ,",  # no letters at all
        f"X1,Company,{long_name},,KZ,", "M1,Company,Bereke Трейд 中文 Ελλάδα,,KZ,",
        "I1,Company,Vostok,,RU,inn:123", "I2,Company,Granit,,RU,inn:123",  # same invalid INN
    ]  # fmt: skip
    path = tmp_path / "odd.csv"
    path.write_text("id,schema,name,aliases,country,identifiers\n" + "\n".join(rows) + "\n")
    load_file(workspace, "entities-csv", path, dataset="odd", progress=False)
    summary = resolve(workspace, progress=False)
    assert summary.records == 10
    assert summary.merges == 0, workspace.query("SELECT * FROM clusters")


@pytest.mark.parametrize(("rel_type", "merged"), [("same_as", True), ("similar", False)])
def test_icij_candidate_matches_are_evidence(tmp_path: Path, rel_type: str, merged: bool) -> None:
    """ICIJ's own judgement that two nodes are one (same_as) tips a doubtful pair; its "similar"
    restates a likeness the model measures itself and adds nothing; either makes a candidate."""
    folder = tmp_path / "icij"
    shutil.copytree(FIXTURES / "icij", folder)
    with (folder / "nodes-officers.csv").open("a", encoding="utf-8") as officers:
        officers.write("12000010,Ivan Petrov Sidorov,,,Panama Papers,,\n")
    with (folder / "relationships.csv").open("a", encoding="utf-8") as relationships:
        relationships.write(f"12000010,12000002,{rel_type},,,,,Panama Papers\n")
    with Workspace(tmp_path / "w.db") as workspace:
        load_file(workspace, "icij", folder / "relationships.csv", progress=False)
        records = {record.id: record for record in read_matchables(workspace)}
        a, b = records["icij-offshore-leaks:12000002"], records["icij-offshore-leaks:12000010"]
        assert (b.id, rel_type) in a.hints and (a.id, rel_type) in b.hints
        resolve(workspace, progress=False)
        found = merges(workspace, a.id)
    if merged:
        assert [(m["left"], m["right"]) for m in found] == [(a.id, b.id)]
        assert found[0]["features"]["candidate_match"] == HINT_EVIDENCE["same_as"] == 2.0
    else:
        assert found == []


def test_candidate_matches_of_other_formats_are_only_properties(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text(
        "id,schema,name,country,same_as\n"
        "A,Company,Alfa Severny Holdings,CY,B\n"
        "B,Company,Alfa Severnyi Holding Company,CY,A\n",
        encoding="utf-8",
    )
    with Workspace(tmp_path / "w.db") as workspace:
        load_file(workspace, "entities-csv", tmp_path / "entities.csv", dataset="t",
                  progress=False)  # fmt: skip
        assert all(record.hints == () for record in read_matchables(workspace))
        # The column is kept, as a property; only ICIJ's are read as candidate matches.
        assert (
            merges(workspace, "t:A") == []
            and '"same_as":"B"'
            in workspace.query("SELECT data FROM entities WHERE id = 't:A'")[0][0]
        )

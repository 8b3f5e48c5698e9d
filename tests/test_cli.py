"""The command line: each command through click's runner, exit codes, and a real demo run."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ownergraph.cli import main

ENTITIES = (
    "id,schema,name,aliases,country,identifiers\n"
    "K1,Company,ТОО «Береке Трейд»,Bereke Treid LLP,KZ,bin:230340355717\n"
    "K2,Company,Bereke Logistics LLP,,KZ,\n"
    "R1,Company,АО «Концерн Гранит»,Granit Concern JSC,RU,inn:7731084175\n"
)
LISTINGS = (
    "entity_id,authority,list,programmes,listed_on,delisted_on,source_url\n"
    "R1,OFAC,SDN,RUSSIA-EO14024,2022-03-31,,\n"
)


@pytest.fixture
def loaded(tmp_path: Path) -> tuple[CliRunner, list[str]]:
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    (tmp_path / "listings.csv").write_text(LISTINGS, encoding="utf-8")
    runner = CliRunner()
    base = ["--workspace", str(tmp_path / "w.db")]
    for name in ("entities", "listings"):
        result = runner.invoke(
            main, [*base, "load", f"{name}-csv", str(tmp_path / f"{name}.csv"), "--dataset", "t"]
        )
        assert result.exit_code == 0, result.output
    return runner, base


def test_load_reports_a_summary_and_json(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text(ENTITIES, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["--workspace", str(tmp_path / "w.db"), "load", "entities-csv",
         str(tmp_path / "entities.csv"), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0
    loads = json.loads(result.stdout)["loads"]
    assert loads[0]["inserted"] == 3 and loads[0]["dataset"] == tmp_path.name


def test_stats_counts_per_dataset_and_kind(loaded: tuple[CliRunner, list[str]]) -> None:
    runner, base = loaded
    result = runner.invoke(main, [*base, "stats", "--json"])
    data = json.loads(result.stdout)
    assert data["entities"] == {"Company": 3}
    assert data["datasets"][0]["dataset"] == "t"
    assert data["listings"] == {"OFAC SDN": 1}
    assert "Company 3" in runner.invoke(main, [*base, "stats"]).stdout


def test_search_is_case_and_accent_insensitive_across_aliases(
    loaded: tuple[CliRunner, list[str]],
) -> None:
    runner, base = loaded
    result = runner.invoke(main, [*base, "search", "BEREKE treid", "--json"])
    hits = json.loads(result.stdout)["results"]
    assert hits[0]["id"] == "t:K1"
    assert hits[0]["aliases"] == ["Bereke Treid LLP"]
    assert set(hits[0]) >= {"id", "name", "aliases", "schema", "country", "sanctioned",
                            "identifiers", "sources", "score"}  # fmt: skip
    cyrillic = json.loads(runner.invoke(main, [*base, "search", "береке", "--json"]).stdout)
    assert [hit["id"] for hit in cyrillic["results"]] == ["t:K1", "t:K2"]
    ru = json.loads(
        runner.invoke(main, [*base, "search", "granit", "--country", "RU", "--json"]).stdout
    )
    assert [hit["id"] for hit in ru["results"]] == ["t:R1"]


def test_show_finds_an_entity_by_identifier_and_marks_sanctions(
    loaded: tuple[CliRunner, list[str]],
) -> None:
    runner, base = loaded
    result = runner.invoke(main, [*base, "show", "inn:7731084175", "--json"])
    assert result.exit_code == 0, result.output
    detail = json.loads(result.stdout)
    assert detail["id"] == "t:R1" and detail["sanctioned"] is True
    assert detail["listings"][0]["programmes"] == ["RUSSIA-EO14024"]
    assert detail["sources"] == [{"dataset": "t", "record": "4"}]
    assert "SANCTIONED" in runner.invoke(main, [*base, "show", "t:R1"]).stdout


CROSS_SCRIPT = (
    "id,schema,name,aliases,country,identifiers\n"
    "C1,Company,ТОО «Береке Трейд»,,KZ,bin:230340355717\n"
    "L1,Company,BEREKE TREID TOO,,KZ,\n"
    "Q1,Company,ЖШС «Қазақ Өнім Сауда»,,KZ,\n"
    "G1,Company,Αθηναϊκή Ναυτιλιακή,,GR,\n"
    "D1,Company,Société Générale de Transport,,FR,\n"
)


@pytest.fixture
def scripts(tmp_path: Path) -> tuple[CliRunner, list[str]]:
    """Records named in one script only: Cyrillic (Russian and Kazakh), Latin, Greek."""
    (tmp_path / "entities.csv").write_text(CROSS_SCRIPT, encoding="utf-8")
    runner = CliRunner()
    base = ["--workspace", str(tmp_path / "w.db")]
    result = runner.invoke(
        main, [*base, "load", "entities-csv", str(tmp_path / "entities.csv"), "--dataset", "x"]
    )
    assert result.exit_code == 0, result.output
    return runner, base


def _found(runner: CliRunner, base: list[str], text: str) -> list[str]:
    result = runner.invoke(main, [*base, "search", text, "--json"])
    assert result.exit_code == 0, result.output
    return [hit["id"] for hit in json.loads(result.stdout)["results"]]


def test_search_in_latin_finds_a_name_written_only_in_cyrillic(
    scripts: tuple[CliRunner, list[str]],
) -> None:
    runner, base = scripts
    assert _found(runner, base, "Bereke") == ["x:C1", "x:L1"]
    assert _found(runner, base, "Qazaq Onim") == ["x:Q1"]
    assert _found(runner, base, "Athenaike") == _found(runner, base, "Αθηναϊκή") == ["x:G1"]
    hit = json.loads(runner.invoke(main, [*base, "search", "too bereke treyd", "--json"]).stdout)
    assert hit["results"][0]["name"] == "ТОО «Береке Трейд»"
    assert hit["results"][0]["score"] == 1.0


def test_search_in_cyrillic_finds_a_name_written_only_in_latin(
    scripts: tuple[CliRunner, list[str]],
) -> None:
    runner, base = scripts
    assert _found(runner, base, "Береке") == ["x:C1", "x:L1"]
    assert _found(runner, base, "БЕРЕКЕ ТРЕИД") == ["x:L1"]
    assert _found(runner, base, "Сосьете") == []  # a transcription is not a transliteration
    assert _found(runner, base, "societe generale") == _found(runner, base, "SOCIÉTÉ") == ["x:D1"]


def test_show_finds_a_record_by_its_name_in_the_other_script(
    scripts: tuple[CliRunner, list[str]],
) -> None:
    runner, base = scripts
    latin = runner.invoke(main, [*base, "show", "TOO Bereke Treyd", "--json"])
    assert latin.exit_code == 0, latin.output
    assert json.loads(latin.stdout)["id"] == "x:C1"
    cyrillic = runner.invoke(main, [*base, "show", "Береке Треид ТОО", "--json"])
    assert cyrillic.exit_code == 0, cyrillic.output
    assert json.loads(cyrillic.stdout)["id"] == "x:L1"
    assert "Қазақ Өнім" in runner.invoke(main, [*base, "show", "zhshs qazaq onim sauda"]).stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["show", "nobody at all"], "no entity matches"),
        (["show", "bereke"], "matches several entities"),
        (["load", "no-such-format", "x.csv"], "unknown format"),
        (["load", "entities-csv", "/no/such/file.csv"], "no such file"),
        (["search", "!!!"], "at least one letter"),
    ],
)
def test_bad_input_exits_2_with_one_clear_sentence(
    loaded: tuple[CliRunner, list[str]], arguments: list[str], message: str
) -> None:
    runner, base = loaded
    result = runner.invoke(main, [*base, *arguments])
    assert result.exit_code == 2
    assert message in result.output


def test_verbose_load_lists_the_rejected_lines(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text(ENTITIES + "K9,Company,,,KZ,\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["--workspace", str(tmp_path / "w.db"), "--verbose", "load", "entities-csv",
         str(tmp_path / "entities.csv")],
    )  # fmt: skip
    assert result.exit_code == 0
    assert "1 rejected" in result.stderr
    assert "line 5: empty name" in result.stderr


def test_a_file_in_another_encoding_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "entities.csv"
    path.write_bytes(ENTITIES.encode("cp1251"))
    result = CliRunner().invoke(
        main, ["--workspace", str(tmp_path / "w.db"), "load", "entities-csv", str(path)]
    )
    assert result.exit_code == 2
    assert str(path) in result.output and "not utf-8" in result.output


def test_querying_a_missing_workspace_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--workspace", str(tmp_path / "none.db"), "stats"])
    assert result.exit_code == 2 and "no workspace" in result.output


def test_generate_writes_a_world(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", "--seed", "2", "--size", "500", str(tmp_path)])
    assert result.exit_code == 0
    assert json.loads((tmp_path / "truth.json").read_text())["size"] == 500


def test_the_demo_runs_end_to_end_as_a_real_process(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ownergraph.cli", "demo", "--dir", str(tmp_path), "--size", "600"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "planted evasion chains" in result.stdout
    assert "SANCTIONED" in result.stdout
    assert (tmp_path / "ownergraph.db").exists()
    # The trace finds every planted chain, and the evidence is written for journalists.
    assert "planted chain 0" in result.stdout and "NOT FOUND" not in result.stdout
    for name in ("trace.html", "trace-report.md", "trace-report.html"):
        assert (tmp_path / name).stat().st_size > 0, name


def test_sanctioned_by_extension_finds_a_majority_owned_subsidiary(tmp_path: Path) -> None:
    (tmp_path / "entities.csv").write_text(
        ENTITIES + "S1,Company,Granit Service LLC,,RU,\n", encoding="utf-8"
    )
    (tmp_path / "listings.csv").write_text(LISTINGS, encoding="utf-8")
    (tmp_path / "links.csv").write_text(
        "source,target,type,share,role,start_date,end_date,source_url\nR1,S1,OWNS,60,,2020-01-01,,\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    base = ["--workspace", str(tmp_path / "w.db")]
    for name in ("entities", "listings", "links"):
        runner.invoke(main, [*base, "load", f"{name}-csv", str(tmp_path / f"{name}.csv"),
                             "--dataset", "t"])  # fmt: skip
    result = runner.invoke(
        main, [*base, "sanctioned-by-extension", "--regime", "ofac", "--as-of", "2024-01-01",
               "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(e["id"], e["status"]) for e in data["entities"]] == [("t:S1", "blocked")]
    uk = runner.invoke(main, [*base, "sanctioned-by-extension", "--regime", "uk", "--json"])
    assert json.loads(uk.stdout)["entities"] == []
    bad = runner.invoke(
        main, [*base, "sanctioned-by-extension", "--regime", "ofac", "--as-of", "soon"]
    )
    assert bad.exit_code == 2

"""``ownergraph screen``: names against the sanctions lists of a workspace (real OFAC sample)."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ownergraph.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REGISTRY = (
    "id,schema,name,country\n"
    "R1,Company,Concern Radio-Electronic Technologies JSC,RU\n"
    "R2,Company,Kestrel Bauteile GmbH,DE\n"
)


@pytest.fixture
def cli(tmp_path: Path) -> tuple[CliRunner, list[str]]:
    runner = CliRunner()
    base = ["--workspace", str(tmp_path / "w.db")]
    result = runner.invoke(
        main, [*base, "load", "ofac-csv", str(FIXTURES / "ofac" / "sdn_subset" / "sdn.csv")]
    )
    assert result.exit_code == 0, result.output
    (tmp_path / "registry.csv").write_text(REGISTRY, encoding="utf-8")
    result = runner.invoke(main, [*base, "load", "entities-csv", str(tmp_path / "registry.csv"),
                                  "--dataset", "registry"])  # fmt: skip
    assert result.exit_code == 0, result.output
    return runner, base


def _screen(cli: tuple[CliRunner, list[str]], *args: str, stdin: str | None = None) -> dict:  # type: ignore[type-arg]
    runner, base = cli
    result = runner.invoke(main, [*base, "screen", *args, "--json"], input=stdin)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_names_find_their_list_entries_across_spellings_and_say_which_list(
    cli: tuple[CliRunner, list[str]],
) -> None:
    report = _screen(cli, "Concern Radio Elektronic Technologies", "Nobody In Particular")
    assert report["records"] == 15  # the listed records only: not the registry's
    first, second = report["results"]
    assert first["query"] == "Concern Radio Elektronic Technologies"
    hit = first["hits"][0]
    assert (hit["record"], hit["entity"], hit["lists"]) == ("ofac-sdn:16868",) * 2 + (["OFAC SDN"],)
    assert hit["score"] >= 0.8 and hit["weak"] is False
    assert second == {"query": "Nobody In Particular", "hits": []}


def test_a_hit_on_a_weak_alias_is_marked(cli: tuple[CliRunner, list[str]]) -> None:
    [result] = _screen(cli, "KRET")["results"]
    assert [(hit["name"], hit["weak"]) for hit in result["hits"]] == [("KRET", True)]
    runner, base = cli
    table = runner.invoke(main, [*base, "screen", "KRET"]).stdout
    assert "KRET (weak alias)" in table


def test_names_come_from_a_file_or_standard_input_once_each_line(
    cli: tuple[CliRunner, list[str]], tmp_path: Path
) -> None:
    (tmp_path / "names.txt").write_text("KRET\n\n  Nobody  \nKRET\n", encoding="utf-8")
    from_file = _screen(cli, "--file", str(tmp_path / "names.txt"))
    assert [result["query"] for result in from_file["results"]] == ["KRET", "Nobody", "KRET"]
    assert from_file["results"][0] == from_file["results"][2]
    assert (
        _screen(cli, "--file", "-", stdin="KRET\nNobody\n")["results"] == from_file["results"][:2]
    )


def test_a_dataset_can_be_screened_instead_of_the_lists(cli: tuple[CliRunner, list[str]]) -> None:
    report = _screen(cli, "Kestrel Bauteile", "--dataset", "registry")
    assert report["records"] == 2 and report["datasets"] == ["registry"]
    assert [hit["record"] for hit in report["results"][0]["hits"]] == ["registry:R2"]
    assert report["results"][0]["hits"][0]["lists"] == []
    assert _screen(cli, "Kestrel Bauteile")["results"][0]["hits"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give names to screen"),
        (["x", "--dataset", "nope"], "no dataset named nope"),
        (["x", "--cutoff", "0.2"], "0.2"),
    ],
)
def test_bad_requests_exit_2_with_a_message(
    cli: tuple[CliRunner, list[str]], args: list[str], message: str
) -> None:
    runner, base = cli
    result = runner.invoke(main, [*base, "screen", *args])
    assert result.exit_code == 2 and message in result.output


def test_a_workspace_without_lists_has_nothing_to_screen_against(tmp_path: Path) -> None:
    runner = CliRunner()
    base = ["--workspace", str(tmp_path / "w.db")]
    (tmp_path / "registry.csv").write_text(REGISTRY, encoding="utf-8")
    runner.invoke(main, [*base, "load", "entities-csv", str(tmp_path / "registry.csv")])
    result = runner.invoke(main, [*base, "screen", "Kestrel"])
    assert result.exit_code == 2 and "load a sanctions list first" in result.output

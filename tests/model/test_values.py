"""Value parsers: dates, numbers, countries and search keys."""

import pytest

from ownergraph.model.values import country_code, fold, parse_date, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-03-14", "2023-03-14"),
        ("2023-3-4", "2023-03-04"),
        ("2023-03", "2023-03"),
        ("1961", "1961"),
        ("2023/03/14", "2023-03-14"),
        ("14.03.2023", "2023-03-14"),
        ("14/03/2023", "2023-03-14"),
        ("14 Mar 2023", "2023-03-14"),
        ("14-MAR-2006", "2006-03-14"),
        ("Apr 1961", "1961-04"),
        ("2023-03-14T10:22:00Z", "2023-03-14"),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_date_reads_the_shapes_sources_use(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["2023-02-30", "31.13.2020", "yesterday", "14 Foo 2020", "2023-13"]
)
def test_parse_date_rejects_impossible_or_unreadable_dates(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1200", 1200.0), ("1,200.50", 1200.5), ("1 200,50", 1200.5), ("12,5", 12.5), ("", None)],
)
def test_parse_number_handles_separators(text: str, expected: float | None) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize("text", ["12abc", "nan", "inf", "--1"])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    with pytest.raises(ValueError, match="number"):
        parse_number(text)


def test_country_code_reads_codes_and_english_names() -> None:
    assert [country_code(x) for x in ("Kazakhstan", "kz", "Russia", "Korea, North", "UAE")] == [
        "KZ", "KZ", "RU", "KP", "AE",
    ]  # fmt: skip
    assert country_code("Crimea region of Ukraine") is None
    assert country_code("") is None


def test_fold_removes_case_accents_and_punctuation_but_keeps_scripts() -> None:
    assert fold("Société Générale S.A.") == "societe generale s a"
    assert fold("ТОО «Береке Трейд»") == "тоо береке треид"
    assert fold("АЛМАЗ-АНТЕЙ") == fold("алмаз антей")

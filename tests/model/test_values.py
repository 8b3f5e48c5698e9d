"""Value parsers: dates, numbers, countries and search keys."""

import time

import pytest

from ownergraph.model import values
from ownergraph.model.values import country_code, fold, parse_date, parse_number, search_key


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


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [("Береке", "Bereke"), ("ТОО «Береке Трейд»", "TOO Bereke Treyd"),
     ("ООО «Щёлково-Хим»", "OOO Shchelkovo Khim"), ("Йошкар-Ола", "YOSHKAR OLA"),
     ("Київ Їжак Ґанок Єва", "Kiyiv Yizhak Ganok Yeva")],
)  # fmt: skip
def test_search_key_is_the_same_for_cyrillic_and_its_romanisation(
    cyrillic: str, latin: str
) -> None:
    assert search_key(cyrillic) == search_key(latin) == fold(latin)


def test_search_key_romanises_kazakh_letters() -> None:
    assert search_key("ЖШС «Қазақстан Темір Жолы»") == "zhshs qazaqstan temir zholy"
    assert search_key("ӘЛЕМ ҰЛТТЫҚ ӨНІМ ҒАРЫШ ҮМІТ ҺӘМ ҢҢ") == "alem ulttyq onim garysh umit ham nn"


def test_search_key_strips_accents_as_fold_does() -> None:
    assert search_key("Société Générale S.A.") == "societe generale s a"
    assert search_key("Łódź Müller ØRSTED Straße") == "lodz muller orsted strasse"


def test_search_key_writes_other_scripts_in_latin_through_icu() -> None:
    assert search_key("Αθηναϊκή Ναυτιλιακή") == "athenaike nautiliake"
    assert search_key("北京贸易有限公司") == "bei jing mao yi you xian gong si"
    assert search_key("Береке 北京") == "bereke bei jing"


def test_search_key_is_lower_case_latin_words_separated_by_single_spaces() -> None:
    for text in ("  ТОО «Береке»\t—  Trade_Co. ", "شركة النفط ٣٤", "한국 무역", "नमस्ते"):
        key = search_key(text)
        assert key == " ".join(key.split()) and key.isascii() and key == key.lower()
        assert all(char.isalnum() or char == " " for char in key), key


@pytest.mark.parametrize("text", ["", "   ", "!!! «» — …", "🙂", "ǂ"])
def test_search_key_of_text_without_letters_or_digits_is_empty(text: str) -> None:
    assert search_key(text) == ""


def test_search_key_of_an_ascii_name_is_its_fold() -> None:
    for text in ("BEREKE TREID TOO", "Alfa-Trade (Cyprus) Ltd.", "o'brien & co_x 12"):
        assert search_key(text) == fold(text)


def test_search_key_needs_icu_only_for_scripts_the_table_does_not_cover(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_icu(text: str) -> str:
        raise AssertionError(f"ICU called for {text!r}")

    monkeypatch.setattr(values, "ascii_text", no_icu)
    # Names not seen before in this run, so the cache does not answer for them.
    assert search_key("ASCII Name Never Seen 7781") == "ascii name never seen 7781"
    assert search_key("ТОО «Ни Разу Не Виденное 7781»") == "too ni razu ne vidennoe 7781"
    assert search_key("Jamais Vue Générale 7781") == "jamais vue generale 7781"


def test_search_key_of_an_absurdly_long_name_is_quick_and_whole() -> None:
    started = time.perf_counter()
    assert search_key("Береке Трейд " * 50_000) == " ".join(["bereke treyd"] * 50_000)
    assert search_key("Ж" * 1_000_000) == "zh" * 1_000_000
    assert search_key("貿易" * 20_000) == " ".join(["mao yi"] * 20_000)
    assert time.perf_counter() - started < 10

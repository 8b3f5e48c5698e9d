"""Names across scripts, romanisations and legal forms come to the same skeleton."""

import pytest

from ownergraph.resolve.normalise import name_form


@pytest.mark.parametrize(
    "variants",
    [
        (
            "ТОО «Береке Трейд»",
            "BEREKE TREID TOO",
            "Bereke Treyd LLP",
            "Bereke Trejd",
            "ЖШС Береке Трейд",
        ),
        ("Кузнецов Дмитрий", "Kouznetsov Dmitri", "Kuznetsov Dmitriy"),
        ("Захарова Ольга", "Zakharova Olga", "ZAKHAROVA, Olga"),
        ("ООО «Восток»", "Wostok LLC", "OOO VOSTOK"),
        ("Хорда Сервис", "Khorda Servis", "Horda Servis"),
        ("Сулейменов Нурлан", "Suleimenov Nurlan"),
    ],
)
def test_spelling_variants_share_one_skeleton(variants: tuple[str, ...]) -> None:
    skeletons = {name_form(name).skeleton for name in variants}
    assert len(skeletons) == 1, skeletons


def test_legal_forms_are_stripped_and_labelled_as_equivalents() -> None:
    russian, latin = name_form("ООО «Восток Снаб»"), name_form("Vostok Snab LLC")
    assert russian.legal_forms == latin.legal_forms == ("llc",)
    assert name_form("Kestrel Bauteile GmbH & Co. KG").legal_forms == ("gmbh co kg",)
    assert name_form("Polska Sp. z o.o.").latin == "polska"
    assert name_form("JOINT STOCK COMPANY ALMAZ-ANTEY").latin == "almaz antey"


def test_a_name_that_is_only_a_legal_form_keeps_it() -> None:
    assert name_form("OOO").latin == "ooo"


def test_numbered_shells_keep_their_numbers() -> None:
    assert name_form("Alfa Trade-12 FZE").numbers == ("12",)


@pytest.mark.parametrize(
    "name", ["", "   ", "«»", "---", "x" * 10_000, "Mixed Латиница 中文 Ελλάδα"]
)
def test_odd_input_never_crashes(name: str) -> None:
    form = name_form(name)
    assert isinstance(form.skeleton, tuple)


def test_other_scripts_are_romanised() -> None:
    assert name_form("Ελλάδα Trading").latin == "ellada trading"


def test_a_pathological_word_is_compared_on_its_first_64_letters() -> None:
    form = name_form("Alfa " + "ab" * 5_000)
    assert form.skeleton == ("alfa", "ab" * 32)
    assert form.latin.endswith("ab" * 5_000)  # the text itself is kept whole

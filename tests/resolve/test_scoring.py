"""Scoring: identifier evidence, vetoes, generic words and shells."""

from collections import Counter

from ownergraph.resolve.identifiers import parse
from ownergraph.resolve.matchable import Matchable, matchable
from ownergraph.resolve.scoring import TokenWeights, score


def _record(name: str, *ids: str, schema: str = "Company", country: str | None = "KZ",
            birth: str | None = None, undisclosed: bool = False) -> Matchable:  # fmt: skip
    return matchable(
        "x",
        schema,
        [name],
        country=country,
        identifiers=ids,
        birth_date=birth,
        undisclosed=undisclosed,
    )


WEIGHTS = TokenWeights(Counter({"trade": 500, "alfa": 40, "bereke": 2, "treid": 3}), 1000)


def test_a_shared_valid_identifier_across_scripts_is_a_sure_match() -> None:
    match = score(
        _record("ТОО «Береке Трейд»", "bin:230340355717"),
        _record("BEREKE TREID TOO", "bin:230340355717"),
        WEIGHTS,
    )
    assert match.probability > 0.999
    assert match.features["identifier"] == 8.0 and match.features["name"] == 5.0


def test_different_valid_unique_identifiers_veto() -> None:
    match = score(_record("Bereke", "inn:7731084175"), _record("Bereke", "inn:7707083893"), WEIGHTS)
    assert match.veto == "different inn identifiers"


def test_an_invalid_identifier_is_weak_evidence_and_never_vetoes() -> None:
    left = _record("Bereke Treid", "inn:7731084176")
    assert parse("inn:7731084176").valid is False  # type: ignore[union-attr]
    assert score(left, _record("Bereke Treid", "inn:7707083893"), WEIGHTS).veto is None
    assert (
        score(left, _record("Bereke Treid", "inn:7731084176"), WEIGHTS).features["identifier"]
        == 3.0
    )


def test_people_and_firms_never_merge() -> None:
    match = score(_record("Alfa", schema="Person"), _record("Alfa", schema="Company"), WEIGHTS)
    assert match.veto == "a person and an organisation"


def test_birth_dates_veto_at_the_precision_both_have() -> None:
    zakharov = _record("Zakharov Aleksandr", schema="Person", birth="1961-04-12")
    assert score(
        zakharov, _record("Захаров Александр", schema="Person", birth="1962"), WEIGHTS
    ).veto
    same = score(zakharov, _record("Захаров Александр", schema="Person", birth="1961"), WEIGHTS)
    assert same.veto is None and same.features["birth_date"] == 1.0


def test_numbered_shells_are_different_firms() -> None:
    match = score(_record("Alfa Trade-12 FZE"), _record("Alfa Trade-13 FZE"), WEIGHTS)
    assert match.features["numbers"] < 0 and match.probability < 0.01


def test_generic_words_alone_do_not_make_a_match() -> None:
    match = score(_record("Alfa Trade LLP"), _record("Omega Trade LLP"), WEIGHTS)
    assert match.probability < 0.5


def test_same_name_in_another_country_is_doubtful() -> None:
    here, there = _record("Bereke Treid", country="KZ"), _record("Bereke Treid", country="KG")
    assert score(here, there, WEIGHTS).probability < 0.9


def test_undisclosed_placeholders_never_merge() -> None:
    hidden = _record("(super-secure PSC of 01234567)", undisclosed=True)
    assert score(hidden, _record("(super-secure PSC of 01234567)"), WEIGHTS).veto


def test_empty_names_give_no_evidence_for_a_merge() -> None:
    assert score(_record(""), _record(""), WEIGHTS).probability < 0.1


def test_identifier_values_lose_spaces_of_any_kind_and_separators() -> None:
    parsed = parse("INN: 7731\u00a0084-175\u2009")
    assert parsed is not None and parsed.key == "inn:7731084175" and parsed.valid
    assert parse("lei:5299 00T8.BM49/AURSDO55") == parse("lei:529900T8BM49AURSDO55")


def test_a_weak_alias_alone_never_makes_a_match() -> None:
    """OFAC's weak a.k.a.s are short or generic ("ALFA"): as a strong alias the same name is a
    sure name match; as a weak one it counts only as a similar name."""
    firm = _record("Alfa")
    listed = matchable("sdn", "Organization", ["Severny Mining Holding", "ALFA"], country="KZ")
    weakly = matchable("sdn", "Organization", ["Severny Mining Holding", "ALFA"], country="KZ",
                       weak_aliases=["ALFA"])  # fmt: skip
    strong, weak = score(listed, firm, WEIGHTS), score(weakly, firm, WEIGHTS)
    assert strong.features["name"] == 5.0 and strong.probability > 0.9
    assert weak.features["name"] == 2.0 and weak.probability < 0.9
    assert score(firm, weakly, WEIGHTS).features == weak.features  # either side's weak alias
    # The record's other names still count in full, and an identifier still decides.
    assert score(weakly, _record("Severny Mining Holding"), WEIGHTS).features["name"] == 5.0
    with_inn = matchable("sdn", "Organization", ["ALFA"], country="KZ",
                         identifiers=["bin:230340355717"], weak_aliases=["ALFA"])  # fmt: skip
    assert score(with_inn, _record("Alfa", "bin:230340355717"), WEIGHTS).probability > 0.999

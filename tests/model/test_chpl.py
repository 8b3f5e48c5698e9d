"""The Common High Priority List lookup by HS-6 prefix."""

from ownergraph.model.chpl import chpl_tier, chpl_tiers, hs6


def test_the_bundled_list_has_the_fifty_codes_in_six_tiers() -> None:
    tiers = chpl_tiers()
    assert len(tiers) == 50
    assert set(tiers.values()) == {"1", "2", "3.A", "3.B", "4.A", "4.B"}


def test_national_8_and_10_digit_codes_match_by_hs6_prefix() -> None:
    assert chpl_tier("85423100") == "1"
    assert chpl_tier("8542.31.0000") == "1"
    assert chpl_tier("8517 62 0000") == "2"
    assert chpl_tier("870323") is None
    assert chpl_tier("8542") is None
    assert hs6("84.71.50") == "847150"

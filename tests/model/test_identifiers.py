"""Check digits of INN, OGRN, BIN and LEI, on real published identifiers."""

import random

from hypothesis import given
from hypothesis import strategies as st

from ownergraph.generate import names
from ownergraph.model.identifiers import valid_bin, valid_inn, valid_lei, valid_ogrn


def test_real_identifiers_validate() -> None:
    # ALMAZ-ANTEY on the OFAC SDN list (ent_num 16865), and GLEIF's own LEI.
    assert valid_inn("7731084175")
    assert valid_ogrn("1027739001993")
    assert valid_lei("5493001KJTIIGC8Y1R12")


def test_a_changed_digit_is_caught() -> None:
    assert not valid_inn("7731084176")
    assert not valid_ogrn("1027739001994")
    assert not valid_lei("5493001KJTIIGC8Y1R13")
    assert not valid_inn("77310841")


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_identifiers_are_valid(seed: int) -> None:
    rng = random.Random(seed)
    assert valid_inn(names.make_inn(rng))
    assert valid_ogrn(names.make_ogrn(rng, 2015))
    assert valid_bin(names.make_bin(rng, 2023, 3))
    assert valid_lei(names.make_lei(rng))

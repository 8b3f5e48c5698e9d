"""Share intervals: the stated shares of ownership links."""

import pytest

from ownergraph.model import ShareInterval


@pytest.mark.parametrize(
    ("text", "low", "high", "low_open"),
    [
        ("60", 60, 60, False),
        ("60%", 60, 60, False),
        ("25-50", 25, 50, False),
        (">25-50", 25, 50, True),
        (">75", 75, 100, True),
        (">=50", 50, 100, False),
        ("12,5", 12.5, 12.5, False),
    ],
)
def test_parse_reads_exact_shares_and_bands(
    text: str, low: float, high: float, low_open: bool
) -> None:
    share = ShareInterval.parse(text)
    assert share is not None
    assert (share.low, share.high, share.low_open) == (low, high, low_open)


def test_unknown_share_is_known_to_exist_but_has_no_bounds() -> None:
    share = ShareInterval.parse("unknown")
    assert share == ShareInterval(None, None)
    assert not share.is_known
    assert ShareInterval.parse("") is None


@pytest.mark.parametrize("text", ["150", "50-25", "-5", "abc", ">x"])
def test_parse_rejects_impossible_shares(text: str) -> None:
    with pytest.raises(ValueError):
        ShareInterval.parse(text)


@pytest.mark.parametrize("text", ["60", "25-50", ">25-50", ">75", ">=50", "<25", "unknown"])
def test_text_form_round_trips(text: str) -> None:
    share = ShareInterval.parse(text)
    assert share is not None
    assert ShareInterval.parse(str(share)) == share

"""The Common High Priority List (CHPL) of export-controlled goods, by HS-6 code.

Source: the BIS/EU/UK/Japan Common High Priority List of 23 February 2024 (50 HS-6 codes in tiers
1, 2, 3.A, 3.B, 4.A, 4.B), shipped as ``ownergraph/data/chpl_hs6_2024-02.csv``; see that file's
provenance in docs/formats.md. National 8- and 10-digit tariff codes match by their HS-6 prefix.
"""

from __future__ import annotations

import csv
import re
from functools import cache, lru_cache
from importlib import resources

CHPL_VERSION = "2024-02-23"
_NOT_DIGIT = re.compile(r"\D+")


@cache
def chpl_tiers() -> dict[str, str]:
    """HS-6 code -> CHPL tier (``"1"``, ``"2"``, ``"3.A"`` ...)."""
    text = resources.files("ownergraph").joinpath("data/chpl_hs6_2024-02.csv").read_text("utf-8")
    return {row["hs6"]: row["chpl_tier"] for row in csv.DictReader(text.splitlines())}


def hs6(hs_code: str | None) -> str | None:
    """The HS-6 prefix of a tariff code written with or without dots and spaces.

    >>> hs6("8542.31.0000")
    '854231'
    """
    if not hs_code:
        return None
    digits = _NOT_DIGIT.sub("", hs_code)
    return digits[:6] if len(digits) >= 6 else None


@lru_cache(maxsize=65536)
def chpl_tier(hs_code: str | None) -> str | None:
    """The CHPL tier of a tariff code, or None when its HS-6 prefix is not on the list."""
    prefix = hs6(hs_code)
    return chpl_tiers().get(prefix) if prefix else None

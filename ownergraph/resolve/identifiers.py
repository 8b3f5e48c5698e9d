"""Identifiers as matching evidence: normalised, validated, and which schemes may veto a merge.

A valid identifier of a *unique* scheme (one value per entity: INN, OGRN, BIN, LEI...) shared by
two records is strong evidence; two records holding different valid values of such a scheme are
different entities. Invalid values are kept and flagged; they count as weak evidence and never veto.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from ownergraph.model.identifiers import valid_bin, valid_inn, valid_lei, valid_ogrn

_GB_COH = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")
_IMO = re.compile(r"^\d{7}$")


def valid_imo(value: str) -> bool:
    """IMO ship number: the 7th digit is the sum of the first six times 7..2, modulo 10."""
    if not _IMO.match(value):
        return False
    return sum(int(d) * w for d, w in zip(value[:6], range(7, 1, -1), strict=True)) % 10 == int(
        value[6]
    )


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "inn": valid_inn,
    "ogrn": valid_ogrn,
    "bin": valid_bin,
    "iin": valid_bin,
    "lei": valid_lei,
    "imo": valid_imo,
    "gb-coh": lambda value: _GB_COH.match(value) is not None,
}
UNIQUE_SCHEMES = frozenset({"inn", "ogrn", "bin", "iin", "lei", "imo", "gb-coh", "kpp"})
"""An entity has one value of these: different valid values mean different entities."""
LOCAL_SCHEMES = frozenset({"reg", "tax"})
"""Unique within one country's register; which register is not said, so only same-country
records conflict on them."""


@dataclass(frozen=True, slots=True)
class Identifier:
    scheme: str
    value: str
    valid: bool | None
    """True/False where the scheme has a check, None where it has none."""

    @property
    def key(self) -> str:
        return f"{self.scheme}:{self.value}"

    @property
    def strong(self) -> bool:
        return self.scheme in UNIQUE_SCHEMES and self.valid is not False


_SEPARATORS = dict.fromkeys(
    [*(code for code in range(0x3001) if chr(code).isspace()), ord("-"), ord("."), ord("/")]
)
"""Dropped from identifier values: white space (what ``\\s`` matches) and ``-./``."""


@lru_cache(maxsize=262144)
def parse(text: str) -> Identifier | None:
    """``"inn:7731084175"`` -> Identifier; None for text that is not ``scheme:value``."""
    scheme, sep, value = text.partition(":")
    scheme = scheme.strip().lower()
    value = value.translate(_SEPARATORS).upper()
    if not sep or not scheme or not value:
        return None
    if scheme == "gb-coh" and value.isdigit():
        value = value.zfill(8)
    check = VALIDATORS.get(scheme)
    return Identifier(scheme, value, check(value) if check else None)

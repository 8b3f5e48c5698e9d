"""Check digits of the identifiers that join records across sources.

Pure functions: ``*_check`` computes the check digit(s) of a body, ``valid_*`` validates a whole
identifier. Used by the generator to make valid identifiers and by resolution to trust them.
"""

from __future__ import annotations

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_BIN1 = tuple(range(1, 12))
_BIN2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(digit) * weight for digit, weight in zip(digits, weights, strict=False))


def inn_check(body: str) -> str:
    """Check digit(s) of a Russian INN body: 9 digits (firm) or 10 digits (person).

    >>> "7731084175"[:9] + inn_check("773108417")
    '7731084175'
    """
    if len(body) == 9:
        return str(_weighted(body, _INN10) % 11 % 10)
    if len(body) == 10:
        first = str(_weighted(body, _INN11) % 11 % 10)
        return first + str(_weighted(body + first, _INN12) % 11 % 10)
    raise ValueError("an INN body has 9 or 10 digits")


def valid_inn(value: str) -> bool:
    return (
        value.isdigit()
        and len(value) in (10, 12)
        and value[9 if len(value) == 10 else 10 :]
        == (inn_check(value[: 9 if len(value) == 10 else 10]))
    )


def ogrn_check(body: str) -> str:
    """Check digit of an OGRN (12-digit body) or OGRNIP (14-digit body).

    >>> ogrn_check("102773900199")
    '3'
    """
    if len(body) == 12:
        return str(int(body) % 11 % 10)
    if len(body) == 14:
        return str(int(body) % 13 % 10)
    raise ValueError("an OGRN body has 12 (OGRN) or 14 (OGRNIP) digits")


def valid_ogrn(value: str) -> bool:
    return value.isdigit() and len(value) in (13, 15) and value[-1] == ogrn_check(value[:-1])


def bin_check(body: str) -> str | None:
    """Check digit of a Kazakh BIN/IIN 11-digit body, or None when the body admits none."""
    if len(body) != 11:
        raise ValueError("a BIN/IIN body has 11 digits")
    check = _weighted(body, _BIN1) % 11
    if check == 10:
        check = _weighted(body, _BIN2) % 11
    return None if check == 10 else str(check)


def valid_bin(value: str) -> bool:
    return value.isdigit() and len(value) == 12 and bin_check(value[:11]) == value[11]


def _lei_number(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def lei_check(body: str) -> str:
    """The two ISO 17442 (ISO 7064 mod 97-10) check digits of an 18-character LEI body."""
    if len(body) != 18 or not body.isalnum():
        raise ValueError("an LEI body has 18 letters or digits")
    return f"{98 - _lei_number(body.upper() + '00') % 97:02d}"


def valid_lei(value: str) -> bool:
    return len(value) == 20 and value.isalnum() and _lei_number(value.upper()) % 97 == 1

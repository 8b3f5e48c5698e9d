"""Parsing of the value types sources share: dates, numbers, countries, search keys.

Each parser raises ``ValueError`` with a short reason on bad input, so loaders can turn it into a
reject with that reason.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

import countrynames
from normality import ascii_text

from ownergraph.model.scripts import ROMAN

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?$")
_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_SLASHED_ISO = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_WORDY = re.compile(r"^(?:(\d{1,2})[ -])?([A-Za-z]{3,9})\.?[ -](\d{4})$")


def _iso(year: int, month: int | None = None, day: int | None = None) -> str:
    if day is not None and month is not None:
        return date(year, month, day).isoformat()
    if month is not None:
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} out of range")
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


def parse_date(text: str) -> str | None:
    """Read a date as a possibly partial ISO string; empty text is None.

    Accepts ``2023-03-14``, ``2023-03``, ``2023``, ``2023/03/14``, ``14.03.2023``, ``14/03/2023``
    (day first, as in European and CIS customs data), ``14 Mar 2023``, ``Mar 2023`` and ISO
    timestamps.

    >>> parse_date("14.03.2023")
    '2023-03-14'
    >>> parse_date("Apr 1961")
    '1961-04'
    """
    text = text.strip()
    if not text:
        return None
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass  # fall through to the general parser for its error message
    try:
        if match := _ISO.match(text):
            year, month, day = match.groups()
            return _iso(int(year), int(month) if month else None, int(day) if day else None)
        if match := _SLASHED_ISO.match(text):
            return _iso(*(int(part) for part in match.groups()))
        if match := _DOTTED.match(text):
            day, month, year = (int(part) for part in match.groups())
            return _iso(year, month, day)
        if match := _WORDY.match(text):
            day_text, month_name, year = match.groups()
            month = _MONTHS.get(month_name.lower())
            if month is None:
                raise ValueError(f"unknown month {month_name!r}")
            return _iso(int(year), month, int(day_text) if day_text else None)
    except ValueError as error:
        raise ValueError(f"bad date {text!r}: {error}") from None
    raise ValueError(f"unreadable date {text!r}")


def parse_number(text: str) -> float | None:
    """Read a decimal number, tolerating thousands separators and a decimal comma; empty is None.

    >>> parse_number("1 200,50")
    1200.5
    """
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number: {text!r}")
        return value
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("_", "")
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1 and len(cleaned.split(",")[1]) != 3:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"not a number: {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def country_code(text: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code (upper case) for a code or an English/local country name.

    Parts of a country give the country: the UK nations ("Wales") and ISO 3166-2 subdivision codes
    (``US-DE``, as GLEIF and BODS write jurisdictions). Unknown names give None rather than an
    error: sources use many region names ("Crimea region of Ukraine") that are not countries.

    >>> country_code("Kazakhstan"), country_code("kz"), country_code("US-DE"), country_code("")
    ('KZ', 'KZ', 'US', None)
    """
    return None if text is None else _country_code(text)


_SUBDIVISION = re.compile(r"([A-Za-z]{2})-[A-Za-z0-9]{1,3}")


@lru_cache(maxsize=4096)
def _country_code(text: str) -> str | None:
    text = text.strip()
    if not text:
        return None
    if match := _SUBDIVISION.fullmatch(text):
        text = match[1]
    code: str | None = countrynames.to_code(text)
    # Parts of a country ("Wales" -> GB-WLS) count as the country.
    return code.split("-")[0].upper() if code else None


_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """A folded text: compatibility-normalised, case- and accent-free, punctuation as spaces.

    Loaders key labels and some record ids by it; names are looked up by :func:`search_key`.

    >>> fold("  Société Générale  S.A.")
    'societe generale s a'
    >>> fold("ТОО «Береке Трейд»")
    'тоо береке треид'
    """
    return _fold(text)


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    return _words(text if text.isascii() else _strip_accents(text))


def search_key(text: str) -> str:
    """The key names are searched and looked up by: :func:`fold` in Latin letters, whatever the
    script (lower case, no accents, words separated by single spaces).

    Cyrillic is romanised with the table resolution uses (:mod:`ownergraph.model.scripts`), other
    scripts by ICU's Any-Latin; an ASCII name's key is its :func:`fold`.

    >>> search_key("ТОО «Береке Трейд»"), search_key("BEREKE TREYD TOO")
    ('too bereke treyd', 'bereke treyd too')
    >>> search_key("Société Générale S.A."), search_key("Αθήνα Ναυτιλιακή")
    ('societe generale s a', 'athena nautiliake')
    """
    return _search_key(text)


@lru_cache(maxsize=65536)
def _search_key(text: str) -> str:
    if text.isascii():
        return _words(text)
    # Composed, so that the table sees й and ё rather than и and е with their marks.
    text = unicodedata.normalize("NFKC", text).casefold().translate(ROMAN)
    key = _words(_strip_accents(text))
    if key.isascii():
        return key
    # Something the table does not cover (Greek, Arabic, CJK...): ICU, which is slow, and gets
    # the text with its marks, which some scripts' letters need (Indic viramas).
    return _words(ascii_text(text) or "")


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())

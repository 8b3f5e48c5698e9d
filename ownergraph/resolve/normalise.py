"""Name normalisation for matching across scripts, romanisations and legal forms.

A name becomes a :class:`NameForm`: Latin text without its legal form, and a *skeleton* in which
the usual romanisation variants of Russian and Kazakh names coincide (Treyd/Treid/Trejd/Трейд ->
``treid``, Kuznetsov/Kouznetsov -> ``kuznecov``, Vostok/Wostok -> ``vostok``). Cyrillic is
romanised with our own table (Russian and Kazakh letters); other scripts go through ICU's
Any-Latin via ``normality.ascii_text``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from normality import ascii_text

from ownergraph.model.scripts import ROMAN as _ROMAN

# Legal forms as they appear once romanised and split into tokens, in classes of equivalents
# across languages (ООО = OOO = LLC). The first spelling labels the class. Longest match first,
# so "gmbh co kg" wins over "gmbh".
_FORM_CLASSES = (
    ("llc", "ooo", "l l c", "osoo", "tov", "mchj", "limited liability company",
     "obshchestvo s ogranichennoy otvetstvennostyu"),
    ("llp", "too", "zhshs", "tovarishchestvo s ogranichennoy otvetstvennostyu"),
    ("jsc", "ao", "joint stock company", "aktsionernoe obshchestvo"),
    ("pjsc", "pao", "public joint stock company"), ("cjsc", "zao", "closed joint stock company"),
    ("ojsc", "oao", "open joint stock company"), ("gmbh",), ("gmbh co kg",), ("kg",), ("ohg",),
    ("ag", "a g"), ("sa", "s a"), ("sas", "s a s"), ("sarl", "s a r l"), ("srl", "s r l"),
    ("spa", "s p a"), ("sp z o o",), ("s r o",), ("bv", "b v"), ("nv", "n v"), ("oy",),
    ("ab",), ("as", "a s"), ("plc",), ("ad",), ("ltd sti", "ltd sirketi"),
    ("ltd", "limited"), ("co ltd", "co limited", "company limited"), ("pvt ltd",),
    ("pte ltd",), ("pty ltd",), ("kk", "k k"), ("inc", "incorporated"),
    ("corp", "corporation"), ("co", "company"), ("lp",), ("gp",),
    ("fze",), ("fzco", "fz co"), ("fzc",), ("fz llc", "llc fz"), ("dmcc",),
    ("ip", "individualnyy predprinimatel"),
)  # fmt: skip
LEGAL_FORMS: dict[tuple[str, ...], str] = {
    tuple(form.split()): forms[0] for forms in _FORM_CLASSES for form in forms
}
_FORM_LENGTHS = sorted({len(form) for form in LEGAL_FORMS}, reverse=True)
_FORM_STARTS = frozenset(form[0] for form in LEGAL_FORMS)

# Words that say what kind of business, not which one: they count little in a name.
GENERIC_WORDS = frozenset(
    [
        "trade",
        "trading",
        "treid",
        "treyd",
        "trejd",
        "group",
        "grupp",
        "grup",
        "service",
        "servis",
        "services",
        "logistic",
        "logistics",
        "logistik",
        "impex",
        "import",
        "export",
        "eksport",
        "international",
        "intl",
        "holding",
        "holdings",
        "company",
        "corp",
        "industries",
        "industry",
        "technologies",
        "technology",
        "tekhnologii",
        "solutions",
        "systems",
        "distribution",
        "general",
        "global",
        "the",
        "and",
        "of",
        "i",
        "n",
        "center",
        "tsentr",
        "centre",
        "commerce",
        "kommerts",
        "torg",
        "snab",
        "invest",
        "investment",
        "management",
        "consulting",
    ]
)

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Applied in order to romanised tokens so that the variants of one Cyrillic spelling coincide.
_SKELETON_RULES = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"shch|sch|tsch|shh", "S"), (r"zh", "Z"), (r"kh", "H"), (r"ch", "C"), (r"sh", "S"),
        (r"ts|tz", "C"), (r"(?<=[aeiou])y(?=[aeiou])", "i"), (r"yu|iu|ju", "U"),
        (r"ya|ia|ja", "A"), (r"yo|jo", "E"), (r"ye|je", "E"), (r"ou", "U"), (r"ph", "f"),
        (r"ck", "k"), (r"x", "ks"), (r"w", "v"), (r"q", "k"), (r"gh", "g"), (r"c(?=[eiy])", "s"),
        (r"c", "k"),
        (r"[yj]", "i"), (r"(.)\1+", r"\1"),
    )
)  # fmt: skip
_SKELETON_FINAL = str.maketrans(
    {"S": "s", "Z": "z", "H": "h", "C": "c", "U": "u", "A": "a", "E": "e"}
)
_FEMININE = re.compile(r"(?<=..[^aeiou])(ova|eva|ina|yna|aya|skaya)$")


@dataclass(frozen=True, slots=True)
class NameForm:
    """One name prepared for comparison."""

    original: str
    latin: str
    """Romanised, case-folded words without the legal form."""
    skeleton: tuple[str, ...]
    """Tokens with romanisation variants collapsed: the comparison and blocking keys."""
    legal_forms: tuple[str, ...]
    """Labels of the legal forms found, equal for equivalents (``llc`` for ООО, OOO, LLC)."""
    numbers: tuple[str, ...]
    """Digit tokens: "Alfa Trade-12" and "Alfa Trade-13" are different shells."""
    informative: bool = True
    """False for a name that is nothing but a legal form ("OOO"): it identifies nobody."""


def romanise(text: str) -> str:
    """Latin, lower-case letters and digits for a name in any script."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = text.translate(_ROMAN)
        if not text.isascii():
            text = ascii_text(text) or ""
    # Quotes, brackets and punctuation fall away here: only runs of letters and digits are words.
    return " ".join(_WORD.findall(text.lower()))


@lru_cache(maxsize=262144)
def skeleton(token: str) -> str:
    """The romanisation-tolerant key of one romanised token (cached: words recur far more than
    names do)."""
    for pattern, replacement in _SKELETON_RULES:
        token = pattern.sub(replacement, token)
    token = token.translate(_SKELETON_FINAL)
    return _FEMININE.sub(lambda match: match.group(1)[:-1], token) if len(token) > 5 else token


def strip_legal_forms(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Remove legal-form token runs anywhere in the name; return the rest and the form labels.

    A name that is nothing but legal forms is returned whole, so "OOO" is not an empty name
    (``NameForm.informative`` marks it as saying nothing about who it is).
    """
    kept: list[str] = []
    found: list[str] = []
    index = 0
    while index < len(tokens):
        if tokens[index] not in _FORM_STARTS:  # most words start no legal form
            kept.append(tokens[index])
            index += 1
            continue
        for length in _FORM_LENGTHS:
            label = LEGAL_FORMS.get(tuple(tokens[index : index + length]))
            if label:
                found.append(label)
                index += length
                break
        else:
            kept.append(tokens[index])
            index += 1
    return (kept, found) if kept else (tokens, [])


MAX_TOKEN = 64
"""Skeleton tokens are cut to this many characters: no word is longer, and a pathological one
must not make every comparison with it slow (the compiled comparison holds a token in 64 bits)."""


@lru_cache(maxsize=262144)
def name_form(name: str) -> NameForm:
    """Normalise one name (cached: the same names recur across records)."""
    tokens, forms = strip_legal_forms(romanise(name).split())
    return NameForm(
        original=name,
        latin=" ".join(tokens),
        skeleton=tuple(skeleton(token)[:MAX_TOKEN] for token in tokens),
        legal_forms=tuple(forms),
        numbers=tuple(token for token in tokens if token.isdigit()),
        informative=bool(forms) or not strip_legal_forms([*tokens, "x"])[1],
    )

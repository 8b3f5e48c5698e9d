"""Query names for screening: names of the synthetic world, and planted aliases of listed names.

A planted alias is one of a listed entry's names changed by the noise screening must survive in
shipping papers and registers: another romanisation of a Russian name (Kuznetsov/Kouznetsov,
-ov/-off, Zakharov/Zakharova) or its Cyrillic original, a dropped or changed legal form
(LLC/ООО/OOO), one keying error, the person's names in the other order, other case and
punctuation. Everything is drawn from a seeded ``random.Random``, so a benchmark can be run
again on the same names.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from ownergraph.generate import names

NOISE_KINDS = (
    "romanisation",
    "cyrillic_script",
    "legal_form",
    "typo",
    "word_order",
    "case_punctuation",
    "combined",
)
"""How a planted alias differs from its listed name; ``combined`` applies two of the others."""
WORLD_KINDS = (
    "western_company",
    "cyrillic_company",
    "romanised_company",
    "numbered_shell",
    "russian_person_cyrillic",
    "russian_person_latin",
    "western_person",
)
"""The kinds of generated (unlisted) names, by share in :data:`_WORLD_SHARES`."""
_WORLD_SHARES = (30, 20, 15, 10, 8, 10, 7)
CIS = frozenset({"RU", "BY", "UA", "KZ", "KG", "TJ", "AM", "GE", "AZ", "MD", "UZ", "TM"})
_RUSSIAN_ENDING = re.compile(r"..(ov|ev|ova|eva|ovich|evich|ovna|evna|sky|skiy|skaya|enko)$", re.I)
_SURNAME_GENDER = re.compile(r"(?<=[a-z]{3})(ov|ev|in)(a?)$", re.I)


@dataclass(frozen=True, slots=True)
class ListedEntry:
    """What alias planting needs of a list entry."""

    id: str
    schema: str
    country: str | None
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlantedAlias:
    query: str
    entry: str
    """Id of the entry the alias must find."""
    source: str
    """The listed name the alias was made from."""
    noise: str


# -- generated names ------------------------------------------------------------------------


def world_names(rng: random.Random, count: int) -> Iterator[tuple[str, str]]:
    """``count`` (kind, name) pairs in the synthetic world's vocabulary, none of them listed."""
    countries = sorted(names.LEGAL_FORMS)
    for _ in range(count):
        kind = rng.choices(WORLD_KINDS, weights=_WORLD_SHARES)[0]
        if kind == "western_company":
            name = names.western_company(rng, rng.choice(countries))
        elif kind == "cyrillic_company":
            country = rng.choice(sorted(names.CYRILLIC_FORMS))
            name = names.cyrillic_company(rng, country, defence=rng.random() < 0.1)
        elif kind == "romanised_company":
            name = names.latin_variant(names.cyrillic_company(rng, "KZ"), rng)
        elif kind == "numbered_shell":
            # As the world's third-country traders: "Kestrel Trade-12 FZE".
            country = rng.choice(("AE", "TR", "HK", "AM", "GE"))
            stem = names.western_company(rng, country).split(" ")[0]
            trade = rng.choice(("General Trading", "Trade", "Impex"))
            number = f"-{rng.randint(1, 40)}" if rng.random() < 0.3 else ""
            name = f"{stem} {trade}{number} {rng.choice(names.LEGAL_FORMS[country])}"
        elif kind == "russian_person_cyrillic":
            name = names.person_name(rng, russian=True)
        elif kind == "russian_person_latin":
            name = names.romanise(names.person_name(rng, russian=True), rng.randrange(3))
        else:
            name = names.person_name(rng, russian=False)
        if kind not in ("cyrillic_company", "russian_person_cyrillic") and rng.random() < 0.05:
            name = names.typo(name, rng)
        yield kind, name


# -- planted aliases ------------------------------------------------------------------------


def plant_aliases(
    entries: Sequence[ListedEntry], count: int, rng: random.Random
) -> list[PlantedAlias]:
    """``count`` aliases, the noise kinds in turn, each of a random name of a random entry.

    An entry is drawn again when the noise does not apply to it (no word order to swap in a
    company name, no Russian name to romanise otherwise) or leaves the name as it was.
    """
    usable = [entry for entry in entries if entry.names]
    if not usable:
        return []
    planted: list[PlantedAlias] = []
    while len(planted) < count:
        noise = NOISE_KINDS[len(planted) % len(NOISE_KINDS)]
        for _ in range(1000):
            entry = rng.choice(usable)
            source = rng.choice(entry.names)
            query = noisy_alias(source, entry, noise, rng)
            if query is not None:
                planted.append(PlantedAlias(query, entry.id, source, noise))
                break
        else:
            raise ValueError(f"no entry takes the noise {noise!r}")
    return planted


def noisy_alias(name: str, entry: ListedEntry, noise: str, rng: random.Random) -> str | None:
    """``name`` changed by ``noise`` (one of :data:`NOISE_KINDS`), or None where it cannot be."""
    if noise == "combined":
        kinds = [kind for kind in NOISE_KINDS[:-1] if _applies(kind, name, entry)]
        if len(kinds) < 2:
            return None
        first, second = rng.sample(kinds, 2)
        once = _NOISES[first](name, entry, rng)
        twice = _NOISES[second](once, entry, rng) if once is not None else None
        return twice if twice is not None and twice != name else None
    if not _applies(noise, name, entry):
        return None
    changed = _NOISES[noise](name, entry, rng)
    return changed if changed is not None and changed != name else None


def _applies(noise: str, name: str, entry: ListedEntry) -> bool:
    words = name.replace(",", " ").split()
    if noise in ("romanisation", "cyrillic_script"):
        # Russian names: a listed CIS party, or a person with a Russian surname or patronymic.
        return name.isascii() and (
            entry.country in CIS
            or (entry.schema == "Person" and any(_RUSSIAN_ENDING.search(w) for w in words))
        )
    if noise == "legal_form":
        return entry.schema in ("Company", "Organization", "LegalEntity")
    if noise == "word_order":
        return entry.schema == "Person" and len(words) >= 2
    return True


# Latin of a Russian name back to Cyrillic, longest spelling first (BGN/PCGN, which OFAC uses).
_CYRILLIC_OF = {
    "shch": "щ", "zh": "ж", "kh": "х", "ts": "ц", "ch": "ч", "sh": "ш", "yu": "ю", "ya": "я",
    "yo": "ё", "ye": "е", "iy": "ий", "yy": "ый", "a": "а", "b": "б", "v": "в", "g": "г",
    "d": "д", "e": "е", "z": "з", "i": "и", "k": "к", "l": "л", "m": "м", "n": "н", "o": "о",
    "p": "п", "r": "р", "s": "с", "t": "т", "u": "у", "f": "ф", "h": "х", "x": "кс", "w": "в",
    "c": "к", "q": "к", "j": "дж", "y": "ы",
}  # fmt: skip
_LATIN_PIECE = re.compile("|".join(sorted(_CYRILLIC_OF, key=len, reverse=True)))
# The French scheme of older passports and papers: Kouznetsov, Chtchoukine, Smirnoff.
_FRENCH = {
    "у": "ou", "ш": "ch", "ж": "j", "ч": "tch", "щ": "chtch", "х": "kh", "й": "i", "ю": "iou",
    "я": "ia", "ё": "io", "ы": "y", "э": "e",
}  # fmt: skip


def _to_cyrillic(word: str) -> str:
    lower = word.lower()
    # After a vowel, "y" is й (Sergey), not ы.
    lower = re.sub(r"(?<=[aeiou])y(?![aeiou])", "\x00", lower)
    cyrillic = _LATIN_PIECE.sub(lambda match: _CYRILLIC_OF[match.group()], lower)
    return cyrillic.replace("\x00", "й")


def _french(cyrillic: str) -> str:
    latin = "".join(_FRENCH.get(char) or names.romanise(char, 0) for char in cyrillic)
    return re.sub(r"(?<=[a-z]{3})(o|e)v$", r"\1ff", latin)


def _recase(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    return word.capitalize() if template[:1].isupper() else word


def _russian_words(name: str) -> Iterator[re.Match[str]]:
    """The words of ``name`` that can be BGN/PCGN romanisations of Russian (no c but in ch, no
    q, w, x, j, th or lone h: "ZAKHAROV", "SEVERNAYA", not "SCIENCE"), legal forms left out."""
    for match in re.finditer(r"[A-Za-z]+", name):
        word = match.group().lower()
        if len(word) >= 3 and not _NOT_BGN.search(word) and _form_key(word) not in _FORM_CLASS:
            yield match


_NOT_BGN = re.compile(r"c(?!h)|[qwxj]|(?<![kzcs])h|th")


def _respelt(name: str, respell: Callable[[str], str]) -> str:
    pieces, last = [], 0
    for match in _russian_words(name):
        pieces += [name[last : match.start()], _recase(match.group(), respell(match.group()))]
        last = match.end()
    return "".join([*pieces, name[last:]])


def _romanisation(name: str, entry: ListedEntry, rng: random.Random) -> str | None:
    """Write the Russian words in Cyrillic and back in another scheme; a surname may change
    gender (Zakharov/Zakharova)."""
    scheme = rng.choice(("icao", "german", "french"))

    def respell(word: str) -> str:
        cyrillic = _to_cyrillic(word)
        if scheme == "french":
            return _french(cyrillic)
        return names.romanise(cyrillic, 1 if scheme == "icao" else 2).lower()

    changed = _respelt(name, respell)
    if entry.schema == "Person" and rng.random() < 0.25:
        surname = changed.split(",")[0].split()[0] if "," in changed else changed.split()[-1]
        flipped = _SURNAME_GENDER.sub(
            lambda m: m.group(1) + ("" if m.group(2) else _recase(m.group(1), "a")), surname
        )
        changed = changed.replace(surname, flipped, 1)
    return changed if changed.lower() != name.lower() else None


_CYRILLIC_FORM = {
    "llc": "ООО",
    "jsc": "АО",
    "pjsc": "ПАО",
    "cjsc": "ЗАО",
    "ojsc": "ОАО",
    "llp": "ТОО",
}


def _cyrillic_script(name: str, entry: ListedEntry, rng: random.Random) -> str | None:
    """The name as a Russian register writes it: Cyrillic, its legal form in front (ООО «...»)."""
    if not any(True for _ in _russian_words(name)):
        return None
    if "," in name and entry.schema == "Person":
        surname, _, given = name.partition(",")
        name = f"{surname.strip()} {given.strip()}"
    form = None
    if entry.schema != "Person":
        stripped = _legal_form_split(name)
        if stripped is not None and stripped[2][0].lower() in _CYRILLIC_FORM:
            name, form = stripped[0], _CYRILLIC_FORM[stripped[2][0].lower()]
    cyrillic = _respelt(name, _to_cyrillic)
    cyrillic = " ".join(word.capitalize() for word in cyrillic.split())
    return f"{form} «{cyrillic}»" if form else cyrillic


# Equivalent spellings of the legal forms found in list names, as written in papers.
_LEGAL_FORMS = (
    ("LLC", "OOO", "ООО", "L.L.C.", "LIMITED LIABILITY COMPANY", "TOV"),
    ("JSC", "AO", "АО", "JOINT STOCK COMPANY", "JOINT-STOCK COMPANY", "AKTSIONERNOE OBSHCHESTVO"),
    ("PJSC", "PAO", "ПАО", "PUBLIC JOINT STOCK COMPANY"),
    ("CJSC", "ZAO", "ЗАО", "CLOSED JOINT STOCK COMPANY"),
    ("OJSC", "OAO", "ОАО", "OPEN JOINT STOCK COMPANY"),
    ("LLP", "TOO", "ТОО"),
    ("LTD", "LTD.", "LIMITED"),
    ("CO., LTD.", "CO. LTD", "COMPANY LIMITED", "CO., LIMITED"),
    ("INC", "INC.", "INCORPORATED"),
    ("CORP", "CORP.", "CORPORATION"),
    ("GMBH",),
    ("S.A.", "SA"),
    ("S.R.L.", "SRL"),
    ("B.V.", "BV"),
    ("PLC",),
    ("FZE",),
    ("FZCO",),
)
_ADDED_FORMS = ("LLC", "OOO", "ООО", "JSC", "AO", "LTD", "LIMITED")


def _form_key(text: str) -> str:
    return " ".join(re.sub(r"[.,]", " ", text).upper().replace("-", " ").split())


_FORM_CLASS = {_form_key(form): forms for forms in _LEGAL_FORMS for form in forms}
_LONGEST_FORM = max(len(key.split()) for key in _FORM_CLASS)


def _legal_form_split(name: str) -> tuple[str, str, tuple[str, ...]] | None:
    """The name without its leading or trailing legal form, that form, and its class."""
    words = name.split()
    for length in range(min(_LONGEST_FORM, len(words) - 1), 0, -1):
        for start, end in ((len(words) - length, len(words)), (0, length)):
            written = _form_key(" ".join(words[start:end]))
            forms = _FORM_CLASS.get(written)
            if forms is not None:
                core = " ".join([*words[:start], *words[end:]]).strip(" ,")
                return core, written, forms
    return None


def _legal_form(name: str, entry: ListedEntry, rng: random.Random) -> str | None:
    """Drop the name's legal form or write an equivalent one; add one where there is none."""
    stripped = _legal_form_split(name)
    if stripped is not None:
        core, written, forms = stripped
        others = [form for form in forms if _form_key(form) != written]
        if not others or rng.random() < 0.4:
            return core
        form = rng.choice(others)
        return f"{form} {core}" if rng.random() < 0.5 else f"{core} {form}"
    form = rng.choice(_ADDED_FORMS)
    return f"{form} {name}" if not form.isascii() or rng.random() < 0.3 else f"{name} {form}"


_NEIGHBOURS = "qwertyuiopasdfghjklzxcvbnm"


def _typo(name: str, entry: ListedEntry, rng: random.Random) -> str | None:
    """One keying error in a word of four letters or more: a letter changed, dropped or swapped."""
    spans = [match.span() for match in re.finditer(r"[^\W\d_]{4,}", name)]
    if not spans:
        return None
    start, end = rng.choice(spans)
    at = rng.randrange(start + 1, end - 1)
    kind = rng.randrange(3)
    if kind == 0:
        char = name[at]
        row = _NEIGHBOURS.find(char.lower())
        if row < 0:
            return name[:at] + name[at + 1 :]
        replacement = _NEIGHBOURS[(row + rng.choice((-1, 1))) % len(_NEIGHBOURS)]
        return name[:at] + (replacement.upper() if char.isupper() else replacement) + name[at + 1 :]
    if kind == 1:
        return name[:at] + name[at + 1 :]
    return name[:at] + name[at + 1] + name[at] + name[at + 2 :]


def _word_order(name: str, entry: ListedEntry, rng: random.Random) -> str | None:
    """Given names first ("CANO CORREA, Jhon" -> "Jhon CANO CORREA"), or the words reversed."""
    if "," in name:
        surname, _, given = name.partition(",")
        return f"{given.strip()} {surname.strip()}"
    return " ".join(reversed(name.split()))


def _case_punctuation(name: str, entry: ListedEntry, rng: random.Random) -> str | None:
    """Other case, and punctuation dropped, hyphens spaced or the name put in quotes."""
    case = rng.choice((str.title, str.lower, str.upper))
    changed = case(name)
    style = rng.randrange(3)
    if style == 0:
        changed = re.sub(r"[.,'\"()]", "", changed)
    elif style == 1:
        changed = changed.replace("-", " ").replace(",", " ,")
    else:
        changed = f"«{changed}»" if rng.random() < 0.5 else f'"{changed}"'
    return " ".join(changed.split())


_NOISES: dict[str, Callable[[str, ListedEntry, random.Random], str | None]] = {
    "romanisation": _romanisation,
    "cyrillic_script": _cyrillic_script,
    "legal_form": _legal_form,
    "typo": _typo,
    "word_order": _word_order,
    "case_punctuation": _case_punctuation,
}

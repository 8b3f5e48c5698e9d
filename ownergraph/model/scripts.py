"""The letter tables that write Cyrillic (and a few Latin letters) in plain Latin.

Declared once here and read by search keys (:func:`ownergraph.model.values.search_key`) and
entity resolution (:mod:`ownergraph.resolve.normalise`), so that what a search finds and what
resolution matches are romanised alike.
"""

from __future__ import annotations

CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Kazakh
    "ә": "a", "ғ": "g", "қ": "q", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i",
    # Ukrainian and Belarusian
    "є": "ye", "ї": "yi", "ґ": "g", "ў": "u",
}  # fmt: skip
"""Lower-case Cyrillic letters (Russian, Kazakh, Ukrainian, Belarusian) in Latin."""
LATIN_EXTRA = {"ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "þ": "th"}
"""Latin letters that do not decompose into a base letter and an accent."""
ROMAN = str.maketrans(CYRILLIC | LATIN_EXTRA)
"""Both tables, for ``str.translate`` on case-folded text."""

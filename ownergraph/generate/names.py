"""Names and identifiers for synthetic entities, with the variation real records show.

Companies of CIS countries are named in Cyrillic and romanised by several schemes (Treyd, Treid,
Trejd), so the same firm appears under different spellings across sources, as it does in reality.
"""

from __future__ import annotations

import random
import string

from ownergraph.model.identifiers import bin_check, inn_check, lei_check, ogrn_check

LEGAL_FORMS = {
    "DE": ("GmbH", "AG", "GmbH & Co. KG"),
    "AT": ("GmbH",),
    "CH": ("AG", "SA", "GmbH"),
    "US": ("Inc.", "LLC", "Corp."),
    "GB": ("Ltd", "Limited", "PLC"),
    "FR": ("SAS", "SARL", "SA"),
    "IT": ("S.p.A.", "S.r.l."),
    "NL": ("B.V.",),
    "PL": ("Sp. z o.o.",),
    "FI": ("Oy",),
    "SE": ("AB",),
    "CZ": ("s.r.o.",),
    "JP": ("K.K.", "Co., Ltd."),
    "KR": ("Co., Ltd.",),
    "TW": ("Co., Ltd.",),
    "AE": ("FZE", "FZCO", "DMCC", "LLC"),
    "TR": ("A.Ş.", "Ltd. Şti."),
    "HK": ("Limited", "Co., Limited"),
    "CN": ("Co., Ltd.",),
    "IN": ("Pvt. Ltd.",),
    "GE": ("LLC",),
    "AM": ("LLC", "CJSC"),
}
CYRILLIC_FORMS = {"RU": ("ООО", "АО", "ПАО"), "KZ": ("ТОО",), "KG": ("ОсОО",)}
LATIN_OF_CYRILLIC_FORM = {"ООО": "OOO", "АО": "AO", "ПАО": "PAO", "ТОО": "TOO", "ОсОО": "OsOO"}
LATIN_FORM_OF = {"ООО": "LLC", "АО": "JSC", "ПАО": "PJSC", "ТОО": "LLP", "ОсОО": "LLC"}

_WESTERN_STEMS = (
    "Kestrel", "Northwind", "Altmark", "Brightline", "Corvus", "Danube", "Elbtal", "Fjord",
    "Granite", "Harbor", "Isar", "Juniper", "Kronos", "Lumen", "Meridian", "Nordic", "Orion",
    "Polaris", "Quantum", "Rhein", "Sirius", "Taurus", "Union", "Vector", "Weser", "Zenith",
    "Atlas", "Boreal", "Cobalt", "Delta", "Ember", "Falcon", "Helix", "Ionic", "Lynx", "Nova",
)  # fmt: skip
_WESTERN_TRADES = (
    "Bauteile", "Components", "Electronics", "Semiconductors", "Systems", "Microtech",
    "Instruments", "Precision", "Devices", "Circuits", "Sensorik", "Automation", "Optics",
    "Machinery", "Controls", "Power", "Technologies", "Industries",
)  # fmt: skip
_CYRILLIC_STEMS = (
    "Береке", "Алтын", "Самрук", "Жулдыз", "Нур", "Арман", "Астана", "Сункар", "Тенгри", "Кайнар",
    "Север", "Восток", "Вектор", "Радуга", "Гранит", "Меридиан", "Азимут", "Зенит", "Квант",
    "Импульс", "Сигнал", "Спектр", "Эталон", "Альфа", "Гелиос", "Орион", "Байтерек", "Жибек",
    "Достык", "Ертис", "Сапфир", "Кристалл", "Прогресс", "Юпитер", "Ястреб", "Щит", "Хорда",
)  # fmt: skip
_CYRILLIC_TRADES = (
    "Трейд", "Импэкс", "Логистик", "Транзит", "Снаб", "Комплект", "Торг", "Групп", "Сервис",
    "Электроникс", "Технологии", "Дистрибуция", "Поставка", "Интертрейд", "Экспорт",
)  # fmt: skip
_CYRILLIC_DEFENCE = (
    "НПП", "НИИ", "Концерн", "Завод", "КБ", "НПО",
)  # fmt: skip
# A second word makes most names distinct, as they are in real registers; the rest collide, which
# gives resolution its hard negatives (same name, same country, different firm).
_WESTERN_QUALIFIERS = (
    "Nord", "Euro", "Prime", "Alpine", "Baltic", "Central", "United", "Advanced", "Digital",
    "Applied", "Integrated", "Precision", "Smart", "Micro", "Global", "Pacific", "Atlantic",
    "Bavaria", "Saxonia", "Westfalen", "Hanse", "Lombard", "Nordic", "Iberia", "Carpathian",
)  # fmt: skip
_CYRILLIC_QUALIFIERS = (
    "Плюс", "Азия", "Евразия", "Сибирь", "Урал", "Центр", "Алматы", "Астана", "Шымкент",
    "Бишкек", "Каспий", "Алтай", "Волга", "Балтика", "Регион", "Экспресс", "Профи", "Мега",
    "Инвест", "Гарант",
)  # fmt: skip
_FIRST_RU = (
    "Александр", "Дмитрий", "Сергей", "Андрей", "Алексей", "Максим", "Иван", "Михаил", "Никита",
    "Ольга", "Елена", "Татьяна", "Наталья", "Юлия", "Ержан", "Асель", "Айгерим", "Нурлан",
)  # fmt: skip
_LAST_RU = (
    "Захаров", "Кузнецов", "Смирнов", "Иванов", "Попов", "Соколов", "Лебедев", "Козлов",
    "Новиков", "Морозов", "Волков", "Жуков", "Щербаков", "Ахметов", "Сулейменов", "Касымов",
)  # fmt: skip
_FIRST_WEST = ("Anna", "Thomas", "Laura", "Michael", "Sophie", "David", "Emma", "Jonas", "Mei")
_LAST_WEST = ("Becker", "Smith", "Martin", "Rossi", "de Vries", "Novak", "Tanaka", "Kim", "Lee")

# Romanisation schemes: the same letter comes out differently in passports, registries and
# shipping papers. Index 0 is BGN/PCGN-like, 1 ICAO/passport-like, 2 "German"/older.
_SCHEMES: dict[str, tuple[str, str, str]] = {
    "а": ("a", "a", "a"), "б": ("b", "b", "b"), "в": ("v", "v", "w"), "г": ("g", "g", "g"),
    "д": ("d", "d", "d"), "е": ("e", "e", "e"), "ё": ("yo", "e", "jo"), "ж": ("zh", "zh", "sch"),
    "з": ("z", "z", "s"), "и": ("i", "i", "i"), "й": ("y", "i", "j"), "к": ("k", "k", "k"),
    "л": ("l", "l", "l"), "м": ("m", "m", "m"), "н": ("n", "n", "n"), "о": ("o", "o", "o"),
    "п": ("p", "p", "p"), "р": ("r", "r", "r"), "с": ("s", "s", "s"), "т": ("t", "t", "t"),
    "у": ("u", "u", "u"), "ф": ("f", "f", "f"), "х": ("kh", "kh", "ch"), "ц": ("ts", "ts", "z"),
    "ч": ("ch", "ch", "tsch"), "ш": ("sh", "sh", "sch"), "щ": ("shch", "shch", "schtsch"),
    "ъ": ("", "ie", ""), "ы": ("y", "y", "y"), "ь": ("", "", ""), "э": ("e", "e", "e"),
    "ю": ("yu", "iu", "ju"), "я": ("ya", "ia", "ja"), "ә": ("a", "a", "ae"), "ғ": ("gh", "g", "g"),
    "қ": ("q", "k", "k"), "ң": ("ng", "n", "n"), "ө": ("o", "o", "oe"), "ұ": ("u", "u", "u"),
    "ү": ("u", "u", "ue"), "һ": ("h", "h", "h"), "і": ("i", "i", "i"),
}  # fmt: skip


def romanise(text: str, scheme: int) -> str:
    """Latin spelling of Cyrillic ``text`` in one of three romanisation schemes (0-2)."""
    result = []
    for char in text:
        latin = _SCHEMES.get(char.lower())
        if latin is None:
            result.append(char)
            continue
        piece = latin[scheme]
        result.append(piece.capitalize() if char.isupper() and piece else piece)
    return "".join(result)


def western_company(rng: random.Random, country: str) -> str:
    stem, trade = rng.choice(_WESTERN_STEMS), rng.choice(_WESTERN_TRADES)
    if rng.random() < 0.7:
        stem = f"{stem} {rng.choice(_WESTERN_QUALIFIERS)}"
    return f"{stem} {trade} {rng.choice(LEGAL_FORMS.get(country, ('Ltd',)))}"


def cyrillic_company(rng: random.Random, country: str, *, defence: bool = False) -> str:
    """A Cyrillic firm name with its legal form in front, as CIS registries write it."""
    form = rng.choice(CYRILLIC_FORMS.get(country, ("ООО",)))
    if defence:
        core = f"{rng.choice(_CYRILLIC_DEFENCE)} {rng.choice(_CYRILLIC_STEMS)}"
    else:
        core = f"{rng.choice(_CYRILLIC_STEMS)} {rng.choice(_CYRILLIC_TRADES)}"
    if rng.random() < 0.7:
        core = f"{core} {rng.choice(_CYRILLIC_QUALIFIERS)}"
    return f"{form} «{core}»"


def latin_variant(name: str, rng: random.Random) -> str:
    """A romanised spelling as it turns up in shipping papers: scheme, form and order vary."""
    form, _, core = name.partition(" ")
    core = core.strip("«»")
    latin_core = romanise(core, rng.randrange(3))
    style = rng.randrange(4)
    if style == 0:
        return f"{latin_core} {LATIN_FORM_OF.get(form, 'LLC')}"
    if style == 1:
        return f"{LATIN_OF_CYRILLIC_FORM.get(form, form)} {latin_core}".upper()
    if style == 2:
        return f"{latin_core.upper()} {LATIN_OF_CYRILLIC_FORM.get(form, form)}"
    return latin_core


def typo(text: str, rng: random.Random) -> str:
    """One keying error: two neighbouring letters swapped, or one letter dropped or doubled."""
    positions = [i for i in range(1, len(text) - 1) if text[i].isalpha() and text[i + 1].isalpha()]
    if not positions:
        return text
    at = rng.choice(positions)
    kind = rng.randrange(3)
    if kind == 0:
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    if kind == 1:
        return text[:at] + text[at + 1 :]
    return text[:at] + text[at] + text[at:]


def person_name(rng: random.Random, russian: bool) -> str:
    if russian:
        first, last = rng.choice(_FIRST_RU), rng.choice(_LAST_RU)
        if first.endswith(("а", "я")) and not last.endswith("а"):
            last += "а"
        return f"{last} {first}"
    return f"{rng.choice(_FIRST_WEST)} {rng.choice(_LAST_WEST)}"


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def make_inn(rng: random.Random) -> str:
    body = f"{rng.randint(10, 99)}{digits(rng, 7)}"
    return body + inn_check(body)


def make_ogrn(rng: random.Random, year: int) -> str:
    body = f"1{year % 100:02d}{rng.randint(10, 99)}{digits(rng, 7)}"
    return body + ogrn_check(body)


def make_bin(rng: random.Random, year: int, month: int) -> str:
    while True:
        body = f"{year % 100:02d}{month:02d}40{digits(rng, 5)}"
        check = bin_check(body)
        if check is not None:
            return body + check


def make_lei(rng: random.Random) -> str:
    body = (
        rng.choice(("5299", "5493", "2138", "3912"))
        + "00"
        + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(12))
    )
    return body + lei_check(body)

"""A seeded synthetic world of suppliers, intermediaries, brokers, importers and end users.

``generate(outdir, seed=..., size=...)`` writes ``entities.csv``, ``links.csv``, ``listings.csv``
and ``shipments.csv`` (the simple CSV formats) plus ``truth.json`` and ``truth_parties.csv`` (which
company each shipment party really is, for scoring entity resolution): the planted evasion chains,
decoys and 50%-rule cases whose answers tests and benchmarks check. Every attribute of company
``i`` is a pure function of ``(seed, i)``, so files of millions of rows stream out in bounded
memory.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from ownergraph.generate import names
from ownergraph.model.chpl import chpl_tiers

COALITION = ("DE", "US", "GB", "FR", "IT", "NL", "JP", "KR", "TW", "CH", "PL", "FI", "SE", "AT")
THIRD = ("KZ", "KZ", "KZ", "KG", "KG", "AM", "AE", "AE", "TR", "HK", "GE")
BROKER_COUNTRIES = ("KZ", "KG", "AM", "KZ", "AE", "TR", "HK", "GE")
BACKGROUND = ("DE", "US", "CN", "IN", "BR", "FR", "TR", "KZ", "GB", "JP", "VN", "MX", "RU", "PL")
CIS = ("RU", "KZ", "KG")
INVASION = date(2022, 2, 24)
EPOCH = date(2021, 1, 1)
ORDINARY_HS = (
    "847130", "870323", "300490", "940360", "610910", "220421", "392690", "732690", "870899",
    "841821", "852872", "030617", "090111", "401110", "721049",
)  # fmt: skip
CHPL_PRIORITY = ("854231", "854232", "854239", "851762", "853224", "852691", "854800")
STREETS = {
    "KZ": ("Abay Ave", "Dostyk St", "Tole Bi St"),
    "RU": ("ul. Lenina", "Prospekt Mira", "ul. Tverskaya"),
    "AE": ("Al Maktoum Rd", "Sheikh Zayed Rd"),
    "HK": ("Nathan Rd", "Des Voeux Rd"),
}
WESTERN_STREETS = ("Hauptstrasse", "Main Street", "Industrieweg", "Rue de la Paix", "Via Roma")
HUB_STREETS = {
    "KZ": "Kabanbay Batyr Ave 11, office 314, Astana",
    "KG": "Chui Ave 136, office 5, Bishkek",
    "AM": "Tigran Mets Ave 4, Yerevan",
    "AE": "Business Centre, RAKEZ, Ras Al Khaimah",
    "TR": "Mecidiyeköy Yolu Cd. 12, İstanbul",
    "HK": "Room 1501, 15/F, 9 Wing Hong St, Kowloon",
    "GE": "Vazha-Pshavela Ave 71, Tbilisi",
}
ENTITY_HEADER = (
    "id", "schema", "name", "aliases", "country", "registration_number", "identifiers",
    "address", "incorporation_date", "dissolution_date", "birth_date", "nationality",
    "source_url",
)  # fmt: skip
LINK_HEADER = ("source", "target", "type", "share", "role", "start_date", "end_date", "source_url")
LISTING_HEADER = (
    "entity_id", "authority", "list", "programmes", "listed_on", "delisted_on", "source_url",
)  # fmt: skip
SHIPMENT_HEADER = (
    "declaration_id", "date", "exporter_name", "exporter_country", "exporter_id",
    "importer_name", "importer_country", "importer_id", "declarant_name", "declarant_country",
    "declarant_id", "hs_code", "description", "quantity", "unit", "value", "currency",
    "origin_country", "destination_country", "source_url",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Company:
    id: str
    role: str
    country: str
    name: str
    aliases: tuple[str, ...]
    identifiers: tuple[str, ...]
    address: str
    incorporated: date


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str
    nationality: str
    birth_date: date


@dataclass
class Layout:
    """Index ranges of each role among the ``size`` companies."""

    size: int
    ranges: dict[str, range] = field(default_factory=dict)

    def __post_init__(self) -> None:
        counts = {
            "supplier": max(10, self.size * 8 // 100),
            "trader": max(12, self.size * 6 // 100),
            "broker": max(len(BROKER_COUNTRIES), self.size // 100),
            "importer": max(6, self.size * 5 // 100),
            "end_user": max(6, self.size * 2 // 100),
        }
        start = 0
        for role, count in counts.items():
            self.ranges[role] = range(start, start + count)
            start += count
        if start + 20 > self.size:
            raise ValueError(f"size {self.size} is too small; use at least {start + 20}")
        self.ranges["background"] = range(start, self.size)

    def role(self, index: int) -> str:
        for role, span in self.ranges.items():
            if index in span:
                return role
        raise IndexError(index)


def _day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


class World:
    """The synthetic world for one seed and size; entities are computed on demand."""

    def __init__(self, seed: int, size: int, shipments: int | None = None) -> None:
        self.seed = seed
        self.size = size
        self.layout = Layout(size)
        self.shipment_count = size if shipments is None else shipments
        self.persons = max(20, size // 4)
        self.nominees = max(2, size // 1000)
        self.chains = max(3, size // 300)
        self.company = lru_cache(maxsize=1 << 16)(self._company)

    def rng(self, *key: object) -> random.Random:
        return random.Random(f"{self.seed}/{'/'.join(map(str, key))}")

    # -- entities ---------------------------------------------------------------------------

    def _company(self, index: int) -> Company:
        rng = self.rng("company", index)
        role = self.layout.role(index)
        offset = index - self.layout.ranges[role].start
        if role == "supplier":
            country = rng.choice(COALITION)
        elif role == "trader":
            country = THIRD[offset % len(THIRD)]
        elif role == "broker":
            country = BROKER_COUNTRIES[offset % len(BROKER_COUNTRIES)]
        elif role in ("importer", "end_user"):
            country = "RU"
        else:
            country = rng.choice(BACKGROUND)
        if role == "trader" and offset < 2 * self.chains:
            # Planted chains and decoys use the first traders: fresh firms, like the real ones.
            incorporated = _day(rng, INVASION, date(2023, 6, 30))
        elif role == "trader" and rng.random() < 0.6:
            incorporated = _day(rng, INVASION, date(2024, 6, 30))
        else:
            incorporated = _day(rng, date(1990, 1, 1), date(2021, 12, 31))
        name, aliases = self._company_names(rng, role, country)
        return Company(
            id=f"C{index:07d}",
            role=role,
            country=country,
            name=name,
            aliases=aliases,
            identifiers=self._identifiers(rng, country, incorporated),
            address=self._address(rng, role, country, offset),
            incorporated=incorporated,
        )

    def _company_names(
        self, rng: random.Random, role: str, country: str
    ) -> tuple[str, tuple[str, ...]]:
        if country in CIS:
            name = names.cyrillic_company(rng, country, defence=role == "end_user")
            if role == "broker":
                name = name.replace("»", " Брокер»")
            return name, (names.latin_variant(name, rng),)
        name = names.western_company(rng, country)
        if role == "broker":
            name = name.rsplit(" ", 1)[0] + " Customs Broker " + name.rsplit(" ", 1)[1]
        elif role == "trader":
            trade = rng.choice(("General Trading", "Trade", "Impex"))
            if rng.random() < 0.3:
                # Registration mills number their shells: "Alfa Trade-12 FZE" is not "-13".
                trade += f"-{rng.randint(1, 40)}"
            name = f"{name.split(' ')[0]} {trade} "
            name += rng.choice(names.LEGAL_FORMS.get(country, ("LLC",)))
        return name, ()

    def _identifiers(self, rng: random.Random, country: str, incorporated: date) -> tuple[str, ...]:
        if country == "RU":
            inn, ogrn = names.make_inn(rng), names.make_ogrn(rng, incorporated.year)
            return (f"inn:{inn}", f"ogrn:{ogrn}")
        if country == "KZ":
            return (f"bin:{names.make_bin(rng, incorporated.year, incorporated.month)}",)
        if country == "GB":
            return (f"gb-coh:{rng.randint(1, 15_999_999):08d}",)
        if country in COALITION and rng.random() < 0.5:
            return (f"lei:{names.make_lei(rng)}",)
        return (f"reg:{country}-{names.digits(rng, 9)}",)

    def _address(self, rng: random.Random, role: str, country: str, offset: int) -> str:
        if role == "trader" and (offset < 2 * self.chains or rng.random() < 0.4):
            return HUB_STREETS.get(country, HUB_STREETS["KZ"])
        street = rng.choice(STREETS.get(country, WESTERN_STREETS))
        return f"{street} {rng.randint(1, 300)}, {country}-{rng.randint(1000, 99999)}"

    def person(self, index: int) -> Person:
        rng = self.rng("person", index)
        russian = index < self.nominees or rng.random() < 0.5
        return Person(
            id=f"P{index:07d}",
            name=names.person_name(rng, russian),
            nationality="RU" if russian else rng.choice((*COALITION, "KZ", "TR", "AE")),
            birth_date=_day(rng, date(1950, 1, 1), date(1995, 12, 31)),
        )

    # -- pieces of the world ----------------------------------------------------------------

    def pick(self, role: str, rng: random.Random, skew: float = 1.0) -> Company:
        """A company of ``role``; ``skew`` > 1 favours low indexes (heavy-tailed degrees)."""
        span = self.layout.ranges[role]
        return self.company(span.start + int(len(span) * rng.random() ** skew))

    def nth(self, role: str, offset: int) -> Company:
        span = self.layout.ranges[role]
        return self.company(span.start + offset % len(span))

    def broker_for(self, country: str, after: int) -> Company:
        """A broker of ``country``, never broker 0 (the high-volume decoy broker)."""
        span = self.layout.ranges["broker"]
        for step in range(len(span)):
            offset = 1 + (after + step) % (len(span) - 1)
            if BROKER_COUNTRIES[offset % len(BROKER_COUNTRIES)] == country:
                return self.company(span.start + offset)
        return self.company(span.start + 1)

    def sanctioned_end_user(self, offset: int) -> bool:
        return offset < self.chains or offset % 10 < 7

    def fifty_percent_cases(self) -> list[dict[str, Any]]:
        """Fixed ownership structures with known OFAC/EU/UK verdicts, on the last background firms.

        X and Y are listed end users; the owned firms are never shipment parties.
        """
        last = self.layout.ranges["background"].stop
        x, y = self.nth("end_user", 0).id, self.nth("end_user", 1).id
        firm = {letter: f"C{last - 1 - i:07d}" for i, letter in enumerate("ABCDEFGHI")}
        cases: list[dict[str, Any]] = [
            {"case": "one owner at exactly 50%", "owners": [(x, "50")], "target": firm["A"],
             "ofac": "blocked", "eu": "blocked", "uk": "not"},
            {"case": "two owners 25% + 25%", "owners": [(x, "25"), (y, "25")], "target": firm["B"],
             "ofac": "blocked", "eu": "blocked", "uk": "not"},
            {"case": "direct 30% plus 25% via a blocked subsidiary",
             "owners": [(x, "30"), (firm["A"], "25")], "target": firm["C"],
             "ofac": "blocked", "eu": "blocked", "uk": "not"},
            {"case": "49% is not enough", "owners": [(x, "49")], "target": firm["D"],
             "ofac": "not", "eu": "not", "uk": "not"},
            {"case": "chain through a blocked firm", "owners": [(firm["A"], "50")],
             "target": firm["E"], "ofac": "blocked", "eu": "blocked", "uk": "not"},
            {"case": "no multiplication through an unblocked firm",
             "owners": [(firm["D"], "60")], "target": firm["F"],
             "ofac": "not", "eu": "not", "uk": "not"},
            {"case": "PSC band 25-50 leaves it open", "owners": [(x, ">25-50")],
             "target": firm["G"], "ofac": "possibly", "eu": "possibly", "uk": "not"},
            {"case": "band above 75", "owners": [(y, ">75")], "target": firm["H"],
             "ofac": "blocked", "eu": "blocked", "uk": "blocked"},
            {"case": "ownership cycle", "owners": [(x, "60"), (firm["I"], "10")],
             "target": firm["I"], "ofac": "blocked", "eu": "blocked", "uk": "blocked"},
        ]  # fmt: skip
        return cases

    def protected(self) -> range:
        """Background firms reserved for the 50%-rule cases."""
        stop = self.layout.ranges["background"].stop
        return range(stop - 9, stop)


class _Writers:
    def __init__(self, outdir: Path) -> None:
        outdir.mkdir(parents=True, exist_ok=True)
        self.handles = {
            name: (outdir / f"{name}.csv").open("w", encoding="utf-8", newline="")
            for name in ("entities", "links", "listings", "shipments", "truth_parties")
        }
        self.rows = {name: csv.writer(handle) for name, handle in self.handles.items()}
        for name, header in (
            ("entities", ENTITY_HEADER),
            ("links", LINK_HEADER),
            ("listings", LISTING_HEADER),
            ("shipments", SHIPMENT_HEADER),
            ("truth_parties", ("declaration_id", "exporter", "importer", "declarant")),
        ):
            self.rows[name].writerow(header)
        self.counts = dict.fromkeys(self.handles, 0)

    def write(self, name: str, row: tuple[object, ...]) -> None:
        self.rows[name].writerow(row)
        self.counts[name] += 1

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def generate(
    outdir: Path, *, seed: int = 1, size: int = 1000, shipments: int | None = None
) -> dict[str, Any]:
    """Write the world's CSV files and ``truth.json`` into ``outdir``; return the truth."""
    world = World(seed, size, shipments)
    out = _Writers(outdir)
    try:
        _write_entities(world, out)
        _write_links(world, out)
        listed = _write_listings(world, out)
        chains, decoys = _write_shipments(world, out)
    finally:
        out.close()
    truth = {
        "seed": seed,
        "size": size,
        "counts": out.counts,
        "roles": {role: [span.start, span.stop] for role, span in world.layout.ranges.items()},
        "chains": chains,
        "decoys": decoys,
        "decoy_broker": world.nth("broker", 0).id,
        "fifty_percent": [
            {**case, "owners": [list(owner) for owner in case["owners"]]}
            for case in world.fifty_percent_cases()
        ],
        "listed": listed,
    }
    (outdir / "truth.json").write_text(json.dumps(truth, indent=1, ensure_ascii=False), "utf-8")
    return truth


def _write_entities(world: World, out: _Writers) -> None:
    for index in range(world.size):
        company = world.company(index)
        out.write(
            "entities",
            (company.id, "Company", company.name, ";".join(company.aliases), company.country, "",
             ";".join(company.identifiers), company.address, company.incorporated.isoformat(),
             "", "", "", ""),
        )  # fmt: skip
    for index in range(world.persons):
        person = world.person(index)
        out.write(
            "entities",
            (person.id, "Person", person.name, "", person.nationality, "", "", "", "", "",
             person.birth_date.isoformat(), person.nationality, ""),
        )  # fmt: skip


def _officer(world: World, company: Company, rng: random.Random) -> str:
    if company.role == "trader" and rng.random() < 0.5:
        return f"P{rng.randrange(world.nominees):07d}"
    return f"P{rng.randrange(world.persons):07d}"


def _write_links(world: World, out: _Writers) -> None:
    background = world.layout.ranges["background"]
    protected = world.protected()
    planted_owned = {world.nth("importer", j).id: j for j in range(world.chains) if j % 3 == 1}
    for index in range(world.size):
        company = world.company(index)
        rng = world.rng("links", index)
        start = company.incorporated.isoformat()
        out.write(
            "links",
            (_officer(world, company, rng), company.id, "OFFICER_OF", "", "director", start, "",
             ""),
        )  # fmt: skip
        if index in protected:
            continue
        if company.id in planted_owned:
            owner = world.nth("end_user", planted_owned[company.id]).id
            out.write("links", (owner, company.id, "OWNS", "51", "", start, "", ""))
            continue
        if company.role == "background" and rng.random() < 0.5:
            # Holding chains with heavy-tailed fan-out: a few parents own many firms.
            parent = background.start + int(len(background) * rng.random() ** 3)
            if parent != index and parent not in protected:
                share = rng.choice(("100", "75", "51", "50", "25-50", "30"))
                out.write("links", (f"C{parent:07d}", company.id, "OWNS", share, "", start, "", ""))
                continue
        owner = f"P{rng.randrange(world.nominees, world.persons):07d}"
        out.write("links", (owner, company.id, "OWNS", "100", "", start, "", ""))
    for case in world.fifty_percent_cases():
        for owner, share in case["owners"]:
            out.write("links", (owner, case["target"], "OWNS", share, "", "2020-01-01", "", ""))


def _write_listings(world: World, out: _Writers) -> list[str]:
    listed = []
    for offset, index in enumerate(world.layout.ranges["end_user"]):
        if not world.sanctioned_end_user(offset):
            continue
        company = world.company(index)
        rng = world.rng("listing", index)
        listed_on = _day(rng, INVASION, date(2024, 6, 30)).isoformat()
        out.write("listings", (company.id, "OFAC", "SDN", "RUSSIA-EO14024", listed_on, "", ""))
        if rng.random() < 0.5:
            out.write("listings", (company.id, "EU", "EU FSF", "RUS", listed_on, "", ""))
        # X and Y of the 50%-rule cases are designated in the UK too, so every regime has them.
        if offset < 2 or rng.random() < 0.3:
            out.write("listings", (company.id, "UK", "UK Sanctions List", "Russia", listed_on,
                                   "", ""))  # fmt: skip
        listed.append(company.id)
    return listed


@dataclass
class _Trade:
    """Running state of the shipments file: declaration numbers and party spellings."""

    world: World
    out: _Writers
    serial: int = 0

    def party(self, company: Company, rng: random.Random, id_share: float) -> tuple[str, ...]:
        """How a customs record names a party: a spelling, its country, maybe its identifier."""
        spelling = company.name
        if company.country in CIS and rng.random() < 0.6:
            spelling = names.latin_variant(company.name, rng)
        elif rng.random() < 0.2:
            spelling = company.name.upper()
        if rng.random() < 0.05:
            spelling = names.typo(spelling, rng)
        identifier = company.identifiers[0] if rng.random() < id_share else ""
        return (spelling, company.country, identifier)

    def ship(
        self,
        rng: random.Random,
        when: date,
        exporter: Company,
        importer: Company,
        hs6: str,
        quantity: int,
        value: float,
        *,
        declarant: Company | None = None,
        origin: str | None = None,
        id_share: float = 0.5,
    ) -> str:
        self.serial += 1
        declaration = f"{importer.country}{when.year}{self.serial:09d}"
        broker = self.party(declarant, rng, 0.8) if declarant else ("", "", "")
        self.out.write(
            "shipments",
            (declaration, when.isoformat(), *self.party(exporter, rng, id_share),
             *self.party(importer, rng, id_share), *broker, f"{hs6}{rng.randint(0, 99):02d}00",
             _goods(hs6), quantity, "pcs", f"{value:.2f}", "USD", origin or exporter.country,
             importer.country, ""),
        )  # fmt: skip
        self.out.write(
            "truth_parties",
            (declaration, exporter.id, importer.id, declarant.id if declarant else ""),
        )
        return declaration


def _goods(hs6: str) -> str:
    return "electronic components" if hs6 in chpl_tiers() else "general merchandise"


def _write_shipments(
    world: World, out: _Writers
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    trade = _Trade(world, out)
    chains = [_plant_chain(world, trade, j) for j in range(world.chains)]
    decoys = [_plant_decoy(world, trade, j) for j in range(world.chains)]
    rng = world.rng("background-trade")
    buyers = ("background", "background", "background", "trader")
    last_buyer = world.protected().start
    while trade.serial < world.shipment_count:
        exporter = (
            world.pick("supplier", rng)
            if rng.random() < 0.6
            else world.pick("background", rng, 2.0)
        )
        importer = world.pick(rng.choice(buyers), rng, 2.0)
        if importer.role == "background" and int(importer.id[1:]) >= last_buyer:
            continue
        if importer.country == "RU" or importer.id == exporter.id:
            continue
        hs6 = rng.choice(CHPL_PRIORITY) if rng.random() < 0.15 else rng.choice(ORDINARY_HS)
        declarant = None
        if rng.random() < 0.5:
            declarant = world.nth("broker", 0) if rng.random() < 0.3 else world.pick("broker", rng)
        quantity = rng.randint(1, 20000)
        trade.ship(
            rng, _day(rng, EPOCH, date(2024, 12, 31)), exporter, importer, hs6, quantity,
            quantity * rng.uniform(0.5, 200), declarant=declarant,
        )  # fmt: skip
    return chains, decoys


def _plant_chain(world: World, trade: _Trade, j: int) -> dict[str, Any]:
    """Supplier -> third-country trader -> Russian importer -> sanctioned end user."""
    rng = world.rng("chain", j)
    supplier, trader = world.nth("supplier", j * 7), world.nth("trader", j)
    importer, end_user = world.nth("importer", j), world.nth("end_user", j)
    broker = world.broker_for(trader.country, j + 1)
    kind = ("importer ships to end user", "end user owns importer", "trader ships to end user")[
        j % 3
    ]
    hs6 = CHPL_PRIORITY[j % len(CHPL_PRIORITY)]
    quantity = rng.randint(100, 5000)
    price = rng.uniform(4, 80)
    first = _day(rng, date(2022, 3, 1), date(2024, 3, 31))
    second = first + timedelta(days=rng.randint(5, 45))
    steps = [
        trade.ship(rng, first, supplier, trader, hs6, quantity, quantity * price,
                   declarant=broker, id_share=0.7)
    ]  # fmt: skip
    receiver = end_user if j % 3 == 2 else importer
    steps.append(
        trade.ship(rng, second, trader, receiver, hs6, quantity, quantity * price * 1.4,
                   declarant=broker, origin=supplier.country, id_share=0.7)
    )  # fmt: skip
    path = [supplier.id, trader.id, receiver.id]
    if j % 3 == 0:
        third = second + timedelta(days=rng.randint(3, 30))
        steps.append(
            trade.ship(rng, third, importer, end_user, hs6, quantity, quantity * price * 1.7,
                       origin=supplier.country, id_share=0.9)
        )  # fmt: skip
        path.append(end_user.id)
    elif j % 3 == 1:
        path.append(end_user.id)
    return {
        "chain": j,
        "kind": kind,
        "supplier": supplier.id,
        "trader": trader.id,
        "broker": broker.id,
        "importer": importer.id,
        "end_user": end_user.id,
        "path": path,
        "hs6": hs6,
        "declarations": steps,
    }


def _plant_decoy(world: World, trade: _Trade, j: int) -> dict[str, Any]:
    """CHPL goods to a fresh third-country trader that sells on to an ordinary local buyer."""
    rng = world.rng("decoy", j)
    supplier, trader = world.nth("supplier", j * 11 + 3), world.nth("trader", world.chains + j)
    buyer = world.pick("background", rng)
    while buyer.country == "RU" or int(buyer.id[1:]) in world.protected():
        buyer = world.pick("background", rng)
    hs6 = CHPL_PRIORITY[(j + 3) % len(CHPL_PRIORITY)]
    quantity = rng.randint(100, 5000)
    first = _day(rng, date(2022, 3, 1), date(2024, 3, 31))
    steps = [
        trade.ship(rng, first, supplier, trader, hs6, quantity, quantity * 20.0),
        trade.ship(rng, first + timedelta(days=20), trader, buyer, hs6, quantity, quantity * 25.0),
    ]
    return {"decoy": j, "supplier": supplier.id, "trader": trader.id, "buyer": buyer.id,
            "declarations": steps}  # fmt: skip


def iter_truth_chains(truth: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The planted chains of a truth document (for tests and benchmarks)."""
    yield from truth["chains"]

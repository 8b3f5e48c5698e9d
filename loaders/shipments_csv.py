"""``shipments-csv``: customs declarations, one goods line per row.

Each row yields the exporter, importer and declarant (customs broker) as party records plus one
:class:`Shipment`; the graph derives the SHIPPED_TO and DECLARED links from it and the workspace
attaches the HS-6 prefix and the CHPL tier. Parties named without an identifier are separate records
per spelling and country, for entity resolution to merge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeVar

from loaders import loader
from loaders._csv import Row, read_rows
from ownergraph.model import Entity, Notice, Provenance, Record, Reject, Shipment, SourceFile
from ownergraph.model.values import country_code, fold, parse_date, parse_number

COLUMNS = (
    "declaration_id", "date", "exporter_name", "exporter_country", "exporter_id",
    "importer_name", "importer_country", "importer_id", "declarant_name", "declarant_country",
    "declarant_id", "hs_code", "description", "quantity", "unit", "value", "currency",
    "origin_country", "destination_country", "source_url",
)  # fmt: skip
KNOWN = frozenset(COLUMNS)
T = TypeVar("T")
# Remember this many party ids so each party is yielded once per load in practice; a party seen
# again after eviction is yielded again, which the workspace upsert absorbs.
_PARTY_MEMORY = 500_000


def party_id(name: str, country: str | None, identifier: str | None) -> str:
    """Record id of a trading party: its identifier if any, its country otherwise, and its name."""
    anchor = identifier.lower() if identifier else (country or "").lower()
    return f"party:{anchor}:{fold(name)}"


class _ShipmentReader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source
        self.file = str(source.path)
        self.parties: dict[str, None] = {}
        self.party_keys: dict[tuple[str, str, str], tuple[str, str | None, str | None]] = {}
        self.item = 0
        self.previous_declaration = ""

    def rows(self) -> Iterator[Record]:
        for row in read_rows(self.source, required=("declaration_id",)):
            if isinstance(row, Reject):
                yield row
                continue
            try:
                yield from self.build(row)
            except ValueError as error:
                yield Reject(str(error), line=row.line, raw=row.raw)

    def _party(
        self, role: str, name: str, identifier: str, raw_country: str, line: int,
        provenance: Provenance, out: list[Record],
    ) -> str | None:  # fmt: skip
        if not name and not identifier:
            return None
        key = (name, identifier, raw_country)
        known = self.party_keys.get(key)
        if known is None:
            known = self._party_key(role, name, identifier, raw_country)
            if len(self.party_keys) >= _PARTY_MEMORY:
                self.party_keys.clear()
            self.party_keys[key] = known
        record_id, country, scheme_value = known
        if raw_country and country is None:
            out.append(Notice("unknown_country", raw_country, line))
        if record_id not in self.parties:
            out.append(
                Entity(
                    id=record_id,
                    schema="Company" if role == "declarant" else "LegalEntity",
                    name=name or scheme_value or "",
                    country=country,
                    identifiers=(scheme_value,) if scheme_value else (),
                    topics=("customs.broker",) if role == "declarant" else (),
                    provenance=provenance,
                )
            )
        return record_id

    @staticmethod
    def _party_key(
        role: str, name: str, identifier: str, raw_country: str
    ) -> tuple[str, str | None, str | None]:
        scheme_value = None
        if identifier:
            scheme, sep, value = identifier.partition(":")
            if not (sep and scheme.strip() and value.strip()):
                raise ValueError(f"{role}_id {identifier!r} is not scheme:value")
            scheme_value = f"{scheme.strip().lower()}:{value.strip()}"
        country = country_code(raw_country)
        return party_id(name or scheme_value or "", country, scheme_value), country, scheme_value

    def build(self, row: Row) -> list[Record]:
        (declaration, when, exporter_name, exporter_country, exporter_id, importer_name,
         importer_country, importer_id, declarant_name, declarant_country, declarant_id, hs_code,
         description, quantity, unit, value, currency, origin, destination,
         url) = row.pick(COLUMNS)  # fmt: skip
        if not declaration:
            raise ValueError("empty declaration_id")
        # Goods lines of one declaration are consecutive rows; number them within it.
        self.item = self.item + 1 if declaration == self.previous_declaration else 1
        self.previous_declaration = declaration
        provenance = Provenance(
            self.source.dataset, self.file, str(row.line), url or self.source.source_url
        )
        out: list[Record] = []
        line = row.line
        exporter = self._party(
            "exporter", exporter_name, exporter_id, exporter_country, line, provenance, out
        )
        importer = self._party(
            "importer", importer_name, importer_id, importer_country, line, provenance, out
        )
        if exporter is None or importer is None:
            raise ValueError("exporter and importer need a name or an id")
        declarant = self._party(
            "declarant", declarant_name, declarant_id, declarant_country, line, provenance, out
        )
        out.append(
            Shipment(
                id=f"{declaration}/{self.item}",
                date=_parsed(parse_date, "date", when),
                exporter=exporter,
                importer=importer,
                declarant=declarant,
                hs_code=hs_code or None,
                description=description or None,
                quantity=_parsed(parse_number, "quantity", quantity),
                unit=unit or None,
                value=_parsed(parse_number, "value", value),
                currency=currency.upper() or None,
                origin_country=country_code(origin),
                destination_country=country_code(destination),
                properties=row.extras(KNOWN),
                provenance=provenance,
            )
        )
        # Only a row that built completely marks its parties as written.
        for record in out:
            if isinstance(record, Entity) and record.id not in self.parties:
                if len(self.parties) >= _PARTY_MEMORY:
                    self.parties.pop(next(iter(self.parties)))
                self.parties[record.id] = None
        return out


def _parsed(parse: Callable[[str], T], column: str, text: str) -> T:
    try:
        return parse(text)
    except ValueError as error:
        raise ValueError(f"{column}: {error}") from None


@loader(
    "shipments-csv",
    description="Customs shipment records: declaration_id,date,exporter_*,importer_*,...",
    takes_map=True,
)
def read_shipments(source: SourceFile) -> Iterator[Record]:
    yield from _ShipmentReader(source).rows()

"""``ftm``: FollowTheMoney entities as JSON lines, as OpenSanctions and Aleph export them.

Reads plain entity files (one entity per line) and delta files (``{"op", "entity"}`` per line).
Party and address schemata become entities, interval schemata links, ``Sanction`` a listing and
``EconomicActivity`` (a customs declaration) a shipment. Mapping: docs/loaders/csl-ftm.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from loaders import loader
from loaders._common import WEAK_ALIASES, joined
from loaders.csl_csv import screening_list
from ownergraph.errors import UnreadableFileError
from ownergraph.model import (
    ENTITY_KINDS,
    LINK_KINDS,
    Entity,
    Link,
    Listing,
    Notice,
    Provenance,
    Record,
    Reject,
    ShareInterval,
    Shipment,
    SourceFile,
)
from ownergraph.model.schema import IDENTIFIER_SCHEMES
from ownergraph.model.values import country_code, fold, parse_date, parse_number

Properties = dict[str, list[str]]
T = TypeVar("T")

_RAW_LIMIT = 4096
_SCHEMATA = {name: name for name in ENTITY_KINDS} | {"PublicBody": "Organization"}
_NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
_IDENTIFIER_PROPS = {
    "innCode": "inn", "ogrnCode": "ogrn", "leiCode": "lei", "kppCode": "kpp", "okpoCode": "okpo",
    "registrationNumber": "reg", "taxNumber": "tax", "vatCode": "tax", "imoNumber": "imo",
    "swiftBic": "swift", "passportNumber": "passport",
}  # fmt: skip
_OWN_FIELDS = frozenset((*_NAME_PROPS, *_IDENTIFIER_PROPS, "topics", "addressEntity"))
"""Entity properties held in their own fields; every other property is kept as it is."""
_OFAC_REFERENT = re.compile(r"^ofac-(\d+)$")
# A person's main country is their nationality; FtM's "country" also lists countries of residence
# and of the registries that name them.
_COUNTRY_PROPS = {"Person": ("nationality", "citizenship", "country")}
_FIRM_COUNTRY_PROPS = ("jurisdiction", "flag", "country")


@dataclass(frozen=True, slots=True)
class _Edge:
    type: str
    source: str
    target: str


def _edges() -> dict[str, _Edge]:
    edges: dict[str, _Edge] = {}
    for kind in LINK_KINDS.values():
        if kind.ftm_schema not in ("EconomicActivity", "UnknownLink"):
            # First declared wins: an Ownership is a stake (OWNS), not the CONTROLS export form.
            edges.setdefault(kind.ftm_schema, _Edge(kind.name, kind.ftm_source, kind.ftm_target))
    # UnknownLink is how REGISTERED_AT is exported, but in source data it is any other relation.
    edges["UnknownLink"] = _Edge("ASSOCIATE", "subject", "object")
    return edges


_EDGES = _edges()

_LISTS = {
    "us_ofac_sdn": ("OFAC", "SDN"),
    "us_ofac_cons": ("OFAC", "Non-SDN"),
    "us_bis_denied": ("BIS", "DPL"),
    "eu_fsf": ("EU", "EU FSF"),
    "gb_fcdo_sanctions": ("UK", "UK Sanctions List"),
    "gb_hmt_sanctions": ("UK", "OFSI Consolidated"),
    "un_sc_sanctions": ("UN", "UN SC Consolidated"),
}
"""OpenSanctions datasets of the lists other loaders also read, named as those loaders name them."""
_AUTHORITIES = {
    fold(name): short
    for name, short in (
        ("Office of Foreign Assets Control", "OFAC"),
        ("OFAC", "OFAC"),
        ("Bureau of Industry and Security", "BIS"),
        ("Council of the European Union", "EU"),
        ("European Commission", "EU"),
        (
            "Directorate-General for Financial Stability, Financial Services and Capital Markets "
            "Union",
            "EU",
        ),
        ("Foreign, Commonwealth & Development Office", "UK"),
        ("Office of Financial Sanctions Implementation", "UK"),
        ("HM Treasury", "UK"),
        ("United Nations Security Council", "UN"),
    )
}


class LineError(ValueError):
    """A line that is not an FtM entity; its message becomes the reject reason."""


@dataclass(frozen=True, slots=True)
class _Line:
    """One entity as read from a line: its id, schema, properties and where it came from."""

    number: int
    op: str | None
    id: str
    schema: str
    props: Properties
    data: dict[str, object]

    def first(self, prop: str) -> str | None:
        values = self.props.get(prop)
        return values[0] if values else None

    def values(self, *props: str) -> list[str]:
        return [value for prop in props for value in self.props.get(prop, ())]

    def joined(self, exclude: frozenset[str] = frozenset()) -> dict[str, str]:
        """The properties outside ``exclude`` as text, several values joined by ``; ``."""
        return {key: "; ".join(values) for key, values in self.props.items() if key not in exclude}

    def listed(self, key: str) -> list[str]:
        """A top-level list of strings (``datasets``, ``referents``); [] when absent."""
        value = self.data.get(key)
        return [str(item) for item in value] if isinstance(value, list) else []


def _property_values(raw: object) -> Properties:
    if not isinstance(raw, dict):
        raise LineError("properties is not an object")
    props: Properties = {}
    for key, values in raw.items():
        items = values if isinstance(values, list) else [values]
        cleaned = [str(item).strip() for item in items if item is not None and str(item).strip()]
        if cleaned:
            props[str(key)] = cleaned
    return props


def _json_object(text: str) -> dict[str, object]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise LineError(f"not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(data, dict):
        raise LineError("not a JSON object")
    return data


def _parse_line(number: int, data: dict[str, object]) -> _Line:
    """Read a line's object as an entity or a delta operation on one; LineError otherwise."""
    op = None
    if "op" in data:
        op = str(data["op"]).upper()
        if op not in ("ADD", "MOD", "DEL"):
            raise LineError(f"unknown delta op {data['op']!r}")
        entity = data.get("entity")
        if not isinstance(entity, dict):
            raise LineError("delta line without an entity object")
        data = entity
    entity_id, schema = data.get("id"), data.get("schema")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise LineError("entity without an id")
    if not isinstance(schema, str) or not schema.strip():
        raise LineError(f"entity {entity_id} without a schema")
    props = _property_values(data.get("properties", {}))
    return _Line(number, op, entity_id.strip(), schema.strip(), props, data)


def _dates(line: _Line, props: tuple[str, ...], out: list[Record]) -> list[str]:
    """The readable dates among ``props``, sorted; an unreadable one is counted, not fatal."""
    dates: list[str] = []
    for value in line.values(*props):
        try:
            parsed = parse_date(value)
        except ValueError as error:
            out.append(Notice("unreadable_date", f"{line.id}: {error}", line.number))
            continue
        if parsed:
            dates.append(parsed)
    return sorted(dates)


def _earliest(line: _Line, out: list[Record], *props: str) -> str | None:
    dates = _dates(line, props, out)
    return dates[0] if dates else None


def _latest(line: _Line, out: list[Record], *props: str) -> str | None:
    dates = _dates(line, props, out)
    return dates[-1] if dates else None


def _parsed(line: _Line, out: list[Record], parse: Callable[[str], T], prop: str) -> T | None:
    """The first value of ``prop`` parsed; an unreadable one is counted and left out."""
    text = line.first(prop)
    if text is None:
        return None
    try:
        return parse(text)
    except ValueError as error:
        out.append(Notice(f"unreadable_{prop}", f"{line.id}: {error}", line.number))
        return None


def _required(line: _Line, prop: str) -> str:
    value = line.first(prop)
    if value is None:
        raise LineError(f"{line.schema} {line.id} has no {prop}")
    return value


class _FtmReader:
    def __init__(self, source: SourceFile) -> None:
        self.source = source

    def provenance(self, line: _Line) -> Provenance:
        url = line.first("sourceUrl") or self.source.source_url
        return Provenance(self.source.dataset, str(self.source.path), line.id, url)

    def records(self) -> Iterator[Record]:
        with self.source.open_text() as handle:
            first = True
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                raw = text[:_RAW_LIMIT].rstrip()
                try:
                    data = _json_object(text)
                except LineError as error:
                    if first:
                        raise UnreadableFileError(
                            self.source.path, f"not JSON lines (line {number}: {error})"
                        ) from None
                    yield Reject(str(error), line=number, raw=raw)
                    continue
                first = False
                try:
                    yield from self.build(_parse_line(number, data))
                except ValueError as error:
                    where = data.get("id")
                    location = where if isinstance(where, str) else None
                    yield Reject(str(error), line=number, location=location, raw=raw)

    def build(self, line: _Line) -> list[Record]:
        out: list[Record] = []
        if line.op == "DEL":
            # A delta deletion retracts nothing already loaded; a deleted sanction ends a listing.
            out.append(Notice("deleted", line.id, line.number))
            if line.schema == "Sanction" and line.first("entity"):
                out.append(self.listing(line, out))
            return out
        if line.schema in _SCHEMATA:
            out.append(self.entity(line, out))
            out.extend(self.addresses(line))
        elif line.schema in _EDGES:
            out.append(self.link(line, _EDGES[line.schema], out))
        elif line.schema == "Sanction":
            out.append(self.listing(line, out))
        elif line.schema == "EconomicActivity":
            out.append(self.shipment(line, out))
        else:
            out.append(Notice(f"unknown_schema:{line.schema}", line.id, line.number))
        return out

    def entity(self, line: _Line, out: list[Record]) -> Entity:
        schema = _SCHEMATA[line.schema]
        names = list(dict.fromkeys(line.values(*_NAME_PROPS, "full")))
        caption = line.data.get("caption")
        name = caption.strip() if isinstance(caption, str) and caption.strip() else None
        name = name or (names[0] if names else None)
        if name is None:
            raise LineError(f"{line.schema} {line.id} has no name")
        properties = line.joined(_OWN_FIELDS)
        # Weak aliases are names like the others, marked so that matching can weigh them down.
        strong = set(line.values("name", "alias", "previousName", "full"))
        weak = [alias for alias in dict.fromkeys(line.values("weakAlias")) if alias not in strong]
        if weak:
            properties[WEAK_ALIASES] = joined(weak)
        for key in ("datasets", "referents"):
            if values := line.listed(key):
                properties[key] = "; ".join(values)
        return Entity(
            id=line.id,
            schema=schema,
            name=name,
            aliases=tuple(alias for alias in names if alias != name),
            country=_country(line, *_COUNTRY_PROPS.get(schema, _FIRM_COUNTRY_PROPS)),
            identifiers=_identifiers(line),
            address=line.first("full" if schema == "Address" else "address"),
            incorporation_date=_earliest(line, out, "incorporationDate"),
            dissolution_date=_latest(line, out, "dissolutionDate"),
            birth_date=_earliest(line, out, "birthDate"),
            nationality=_country(line, "nationality", "citizenship"),
            topics=tuple(line.values("topics")),
            properties=properties,
            provenance=self.provenance(line),
        )

    def addresses(self, line: _Line) -> Iterator[Link]:
        for address in dict.fromkeys(line.values("addressEntity")):
            yield Link(
                id=f"{line.id}>REGISTERED_AT>{address}",
                type="REGISTERED_AT",
                source=line.id,
                target=address,
                provenance=self.provenance(line),
            )

    def link(self, line: _Line, edge: _Edge, out: list[Record]) -> Link:
        share = None
        if edge.type == "OWNS" and line.first("percentage"):
            share = _parsed(line, out, ShareInterval.parse, "percentage")
            # An unreadable percentage still records a stake, of unknown size.
            share = share or ShareInterval(None, None)
        role = line.first("role") or line.first("relationship")
        return Link(
            id=line.id,
            type=edge.type,
            source=_required(line, edge.source),
            target=_required(line, edge.target),
            share=share,
            role=role,
            start_date=_earliest(line, out, "startDate", "date"),
            end_date=_latest(line, out, "endDate"),
            properties=line.joined(frozenset((edge.source, edge.target))),
            provenance=self.provenance(line),
        )

    def listing(self, line: _Line, out: list[Record]) -> Listing:
        authority, list_name = _list_names(line, self.source.dataset)
        delisted = _latest(line, out, "endDate")
        if line.op == "DEL" and delisted is None:
            delisted = _seen_date(line)
        properties = line.joined(frozenset(("entity",)))
        if line.op == "DEL":
            properties["delta_op"] = "DEL"
        return Listing(
            id=line.id,
            entity=_required(line, "entity"),
            authority=authority,
            list_name=list_name,
            programmes=tuple(dict.fromkeys(line.values("program"))),
            # Listed since the earliest date given: FtM's listingDate is sometimes the latest
            # amendment, later than the startDate of the measure.
            listed_on=_earliest(line, out, "listingDate", "startDate"),
            delisted_on=delisted,
            properties=properties,
            provenance=self.provenance(line),
        )

    def shipment(self, line: _Line, out: list[Record]) -> Shipment:
        exporter, importer = line.first("sender"), line.first("receiver")
        if exporter is None and importer is None:
            raise LineError(f"EconomicActivity {line.id} has neither sender nor receiver")
        value = _parsed(line, out, parse_number, "invoiceAmount")
        if value is None:
            value = _parsed(line, out, parse_number, "customsAmount")
        parties = frozenset(("sender", "receiver", "declarant"))
        return Shipment(
            id=line.id,
            date=_earliest(line, out, "date", "startDate"),
            exporter=exporter,
            importer=importer,
            declarant=line.first("declarant") or line.first("contractHolder"),
            hs_code=line.first("vedCode"),
            description=line.first("goodsDescription"),
            value=value,
            origin_country=_country(line, "originCountry"),
            destination_country=_country(line, "destinationCountry"),
            properties=line.joined(parties),
            provenance=self.provenance(line),
        )


def _country(line: _Line, *props: str) -> str | None:
    for value in line.values(*props):
        if code := country_code(value):
            return code
    return None


def _identifiers(line: _Line) -> tuple[str, ...]:
    identifiers = [
        f"{scheme}:{value}"
        for prop, scheme in _IDENTIFIER_PROPS.items()
        for value in line.props.get(prop, ())
    ]
    # An idNumber written as "scheme:value" with one of our schemes (ownergraph's own FtM export
    # writes BIN, IIN, UK company numbers so, FtM having no property for them) is that identifier.
    for value in line.props.get("idNumber", ()):
        scheme, sep, number = value.partition(":")
        if sep and number.strip() and scheme.strip().lower() in IDENTIFIER_SCHEMES:
            identifiers.append(f"{scheme.strip().lower()}:{number.strip()}")
    # OpenSanctions keeps OFAC's own entry number in the referent "ofac-<uid>".
    for referent in line.listed("referents"):
        if match := _OFAC_REFERENT.match(referent):
            identifiers.append(f"ofac:{match.group(1)}")
    return tuple(dict.fromkeys(identifiers))


def _list_names(line: _Line, dataset: str) -> tuple[str, str]:
    """Authority and list of a Sanction: by its dataset, a CSL list name, or its own words."""
    datasets = line.listed("datasets")
    for name in datasets:
        if name in _LISTS:
            return _LISTS[name]
    for text in line.values("authority", "program"):
        if listed := screening_list(text):
            return listed.authority, listed.list_name
    return _authority(line), datasets[0] if datasets else dataset


def _authority(line: _Line) -> str:
    """The short name of a well-known authority, else the authority as written, else its country."""
    for text in line.values("authority"):
        if short := _AUTHORITIES.get(fold(text)):
            return short
    return line.first("authority") or (line.first("country") or "unknown").upper()


def _seen_date(line: _Line) -> str | None:
    """When a deleted entity was last seen (``last_seen``/``last_change``), as a date."""
    for key in ("last_seen", "last_change"):
        value = line.data.get(key)
        if isinstance(value, str) and value:
            return parse_date(value[:10])
    return None


@loader(
    "ftm",
    description="FollowTheMoney JSON lines (OpenSanctions, Aleph): entities, links, sanctions, "
    "customs declarations; delta files too",
    default_dataset="opensanctions",
)
def read_ftm(source: SourceFile) -> Iterator[Record]:
    yield from _FtmReader(source).records()

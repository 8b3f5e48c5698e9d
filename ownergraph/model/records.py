"""Typed records that loaders yield and the workspace stores.

Every record carries its :class:`Provenance`; ids are the source's own record ids, unique within a
dataset (the workspace qualifies them as ``<dataset>:<record id>``). Dates are ISO-8601 strings that
may be partial (``"1961"``, ``"1961-04"``) because registries and lists publish partial dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record came from: enough to cite it in an evidence table."""

    dataset: str
    source_file: str
    record: str
    """Line number, element path or the source's own record id."""
    source_url: str | None = None


@dataclass(frozen=True, slots=True)
class ShareInterval:
    """An ownership share in percent, exact or known only as a band.

    ``ShareInterval(60, 60)`` is exactly 60%; ``ShareInterval(25, 50, low_open=True)`` is the UK PSC
    band "more than 25% up to 50%"; ``ShareInterval(None, None)`` is a stake of unknown size.
    """

    low: float | None
    high: float | None
    low_open: bool = False
    high_open: bool = False

    def __post_init__(self) -> None:
        for bound in (self.low, self.high):
            if bound is not None and not 0 <= bound <= 100:
                raise ValueError(f"share {bound} is outside 0-100")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"share interval {self.low}-{self.high} is empty")

    @property
    def is_exact(self) -> bool:
        return self.low is not None and self.low == self.high

    @property
    def is_known(self) -> bool:
        return self.low is not None or self.high is not None

    @classmethod
    def parse(cls, text: str) -> ShareInterval | None:
        """Read ``60``, ``60%``, ``25-50``, ``>25-50``, ``>75``, ``>=50``, ``<25`` or ``unknown``.

        ``>25-50`` is the UK PSC band "more than 25% up to 50%". Empty text is None.

        >>> ShareInterval.parse("25-50")
        ShareInterval(low=25.0, high=50.0, low_open=False, high_open=False)
        >>> ShareInterval.parse(">75").low_open
        True
        """
        text = text.strip().replace("%", "").replace(",", ".").replace(" ", "")
        if not text:
            return None
        if text.lower() in {"unknown", "?"}:
            return cls(None, None)
        if text.startswith(">") and "-" in text[1:]:
            low, high = text[1:].split("-", 1)
            return cls(float(low), float(high), low_open=True)
        if text.startswith(">="):
            return cls(float(text[2:]), 100.0)
        if text.startswith("<="):
            return cls(0.0, float(text[2:]))
        if text.startswith(">"):
            return cls(float(text[1:]), 100.0, low_open=True)
        if text.startswith("<"):
            return cls(0.0, float(text[1:]), high_open=True)
        if "-" in text[1:]:
            low, high = text.split("-", 1)
            return cls(float(low), float(high))
        value = float(text)
        return cls(value, value)

    def __str__(self) -> str:
        if not self.is_known:
            return "unknown"
        if self.is_exact:
            return f"{self.low:g}"
        if self.high == 100.0 and not self.high_open:
            return f"{'>' if self.low_open else '>='}{self.low:g}"
        if self.low == 0.0 and not self.low_open:
            return f"{'<' if self.high_open else '<='}{self.high:g}"
        return f"{'>' if self.low_open else ''}{self.low:g}-{self.high:g}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity:
    """A company, person, organisation, address, vessel... as one source describes it."""

    id: str
    schema: str
    name: str
    provenance: Provenance
    aliases: tuple[str, ...] = ()
    country: str | None = None
    """ISO 3166-1 alpha-2, upper case (jurisdiction for firms, main country for people)."""
    identifiers: tuple[str, ...] = ()
    """``scheme:value`` strings: ``inn:7731084175``, ``lei:...``, ``gb-coh:01234567``."""
    address: str | None = None
    incorporation_date: str | None = None
    dissolution_date: str | None = None
    birth_date: str | None = None
    nationality: str | None = None
    topics: tuple[str, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A directed relation between two entities of the same dataset (see ``schema.LINK_KINDS``).

    ``target`` is None when the source names the other end only by name (OFAC's ``Linked To:``);
    ``target_name`` then keeps that name for entity resolution to bind later.
    """

    id: str
    type: str
    source: str
    target: str | None
    provenance: Provenance
    target_name: str | None = None
    share: ShareInterval | None = None
    role: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """One entity's entry on a sanctions, debarment or export-control list."""

    id: str
    entity: str
    authority: str
    """Who lists: ``OFAC``, ``EU``, ``UK``, ``UN``, ``BIS``..."""
    list_name: str
    """Which list: ``SDN``, ``Entity List``, ``MEU``, ``EU FSF``..."""
    provenance: Provenance
    programmes: tuple[str, ...] = ()
    listed_on: str | None = None
    delisted_on: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Shipment:
    """One customs declaration line: goods from an exporter to an importer, maybe via a broker."""

    id: str
    provenance: Provenance
    date: str | None = None
    exporter: str | None = None
    importer: str | None = None
    declarant: str | None = None
    """The customs broker who lodged the declaration, when known."""
    hs_code: str | None = None
    description: str | None = None
    quantity: float | None = None
    unit: str | None = None
    value: float | None = None
    currency: str | None = None
    origin_country: str | None = None
    destination_country: str | None = None
    properties: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reject:
    """A malformed source record: kept with its place and reason, never silently dropped."""

    reason: str
    line: int | None = None
    location: str | None = None
    """Element path or record id, where a line number does not fit (XML, JSON)."""
    raw: str | None = None
    file: str | None = None
    """The file the record came from when a loader reads several (defaults to the main file)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a loader wants counted in the load summary, e.g. ``orphaned`` alias rows."""

    code: str
    message: str = ""
    line: int | None = None


Record = Union[Entity, Link, Listing, Shipment, Reject, Notice]  # noqa: UP007

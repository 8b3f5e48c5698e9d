"""``gleif-rr``: GLEIF Level 2 ("who owns whom") relationship records and reporting exceptions.

Reads RR-CDF XML, reporting-exception XML, their golden-copy JSON and GLEIF API v1
``relationship-records`` and ``reporting-exceptions`` responses. A relationship record becomes a
link from the parent (the record's EndNode) to the child (its StartNode): accounting
consolidation, fund management, umbrella and branch relations are CONTROLS, a feeder fund's master
is an ASSOCIATE. None of them is an ownership share. A reporting exception (why a parent is not
reported) becomes a small LegalEntity record that carries the LEI and the reason.
Mapping and quirks: docs/loaders/gleif.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial

from loaders import loader
from loaders._gleif import (
    REGISTRATION,
    REGISTRATION_DATES,
    RELATIONSHIP_RECORD,
    REPORTING_EXCEPTION,
    Item,
    Paths,
    calendar_date,
    checked_lei,
    dates,
    nodes,
    read,
    value,
    values,
)
from ownergraph.model import Entity, Link, Notice, Provenance, Record, SourceFile

# RelationshipType -> (link type, role of the parent). The source of every link is the EndNode.
_KINDS = {
    "IS_DIRECTLY_CONSOLIDATED_BY": ("CONTROLS", "direct accounting consolidation parent"),
    "IS_ULTIMATELY_CONSOLIDATED_BY": ("CONTROLS", "ultimate accounting consolidation parent"),
    "IS_INTERNATIONAL_BRANCH_OF": ("CONTROLS", "head office of international branch"),
    "IS_FUND-MANAGED_BY": ("CONTROLS", "fund manager"),
    "IS_SUBFUND_OF": ("CONTROLS", "umbrella fund"),
    # A feeder fund invests in its master; the master does not control the feeder.
    "IS_FEEDER_TO": ("ASSOCIATE", "master fund"),
}
# Registrations that never stood for a relationship of their own: not loaded, only counted.
_SKIPPED_REGISTRATIONS = frozenset({"ANNULLED", "DUPLICATE"})
# A relationship that is over although GLEIF may not say since when.
_ENDED_REGISTRATIONS = frozenset({"RETIRED"})

_START: Paths = (("Relationship", "StartNode", "NodeID"), ("relationship", "startNode", "id"))
_START_TYPE: Paths = (
    ("Relationship", "StartNode", "NodeIDType"),
    ("relationship", "startNode", "type"),
)
_END: Paths = (("Relationship", "EndNode", "NodeID"), ("relationship", "endNode", "id"))
_END_TYPE: Paths = (("Relationship", "EndNode", "NodeIDType"), ("relationship", "endNode", "type"))
_TYPE: Paths = (("Relationship", "RelationshipType"), ("relationship", "type"))
_PROPERTIES: Mapping[str, Paths] = {
    "relationship_type": _TYPE,
    "relationship_status": (("Relationship", "RelationshipStatus"), ("relationship", "status")),
    **REGISTRATION,
}
_PERIODS: Paths = (
    ("Relationship", "RelationshipPeriods", "RelationshipPeriod"),
    ("relationship", "periods"),
)
_PERIOD_START: Paths = (("StartDate",), ("startDate",))
_PERIOD_END: Paths = (("EndDate",), ("endDate",))
_PERIOD_TYPE: Paths = (("PeriodType",), ("type",))
# Golden copy only: the API does not publish qualifiers and quantifiers.
_QUALIFIERS = ("Relationship", "RelationshipQualifiers", "RelationshipQualifier")
_QUANTIFIERS = ("Relationship", "RelationshipQuantifiers", "RelationshipQuantifier")
_QUANTIFIER_PARTS = ("MeasurementMethod", "QuantifierAmount", "QuantifierUnits")

_EXCEPTION_LEI: Paths = (("LEI",), ("lei",))
_EXCEPTION_CATEGORY: Paths = (("ExceptionCategory",), ("category",))
_EXCEPTION_REASON: Paths = (("ExceptionReason",), ("reason",))
_EXCEPTION_REFERENCE: Paths = (("ExceptionReference",), ("reference",))
_EXCEPTION_PROPERTIES = {
    "DIRECT_ACCOUNTING_CONSOLIDATION_PARENT": "direct_parent_exception",
    "ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT": "ultimate_parent_exception",
}


def _node(item: Item, paths: Paths, kind: Paths, what: str, notices: list[Record]) -> str:
    node_type = item.text(kind) or "LEI"
    if node_type != "LEI":
        raise ValueError(f"{what} is a {node_type}, not an LEI")
    return checked_lei(item.text(paths), what, notices)


def _periods(item: Item, notices: list[Record]) -> tuple[str | None, str | None, dict[str, str]]:
    """The relationship period's start and end, and each other period (accounting, filing) as
    an ISO interval property such as ``accounting_period: 2018-01-01/2018-12-31``."""
    start = end = None
    others: dict[str, list[str]] = {}
    for period in item.each(_PERIODS):
        kind = item.text(_PERIOD_TYPE, period) or "RELATIONSHIP_PERIOD"
        first = calendar_date(item.text(_PERIOD_START, period), notices)
        last = calendar_date(item.text(_PERIOD_END, period), notices)
        if kind == "RELATIONSHIP_PERIOD" and start is None and end is None:
            start, end = first, last
        else:
            others.setdefault(kind.lower(), []).append(f"{first or '..'}/{last or '..'}")
    return start, end, {key: "; ".join(spans) for key, spans in others.items()}


def _qualities(item: Item) -> dict[str, str]:
    """Qualifiers by dimension (``accounting_standard: IFRS``) and the quantifiers as text.
    A quantifier may be a percentage of consolidation: it is kept here, never as a share."""
    found = {
        value(part, "QualifierDimension").lower(): value(part, "QualifierCategory")
        for part in nodes(item.node, *_QUALIFIERS)
    }
    quantities = [
        " ".join(text for key in _QUANTIFIER_PARTS for text in values(part, key))
        for part in nodes(item.node, *_QUANTIFIERS)
    ]
    found["quantifiers"] = "; ".join(filter(None, quantities))
    return {key: text for key, text in found.items() if key and text}


def _relationship(source: SourceFile, item: Item) -> Iterator[Record]:
    notices: list[Record] = []
    child = _node(item, _START, _START_TYPE, "StartNode", notices)
    parent = _node(item, _END, _END_TYPE, "EndNode", notices)
    relation = item.text(_TYPE)
    if relation not in _KINDS:
        raise ValueError(f"unknown RelationshipType {relation!r}")
    properties = item.texts(_PROPERTIES) | dates(item, REGISTRATION_DATES, notices)
    registration = properties.get("registration_status", "")
    if registration in _SKIPPED_REGISTRATIONS:
        yield Notice(f"{registration.lower()}_relationship", f"{child} {relation} {parent}")
        return
    start, end, periods = _periods(item, notices)
    properties |= periods | _qualities(item)
    ended = properties.get("relationship_status") == "INACTIVE"
    if end is None and (ended or registration in _ENDED_REGISTRATIONS):
        # Over, since an unknown day no later than GLEIF's last update of the record.
        end = properties.get("last_update_date")
        properties["end_date_inferred_from"] = "last_update_date"
    kind, role = _KINDS[relation]
    record = f"{child}>{relation}>{parent}"
    yield from notices
    yield Link(
        id=f"rr:{record}",
        type=kind,
        source=parent,
        target=child,
        role=role,
        start_date=start,
        end_date=end,
        properties=properties,
        provenance=Provenance(
            source.dataset, str(source.path), record, item.source_url or source.source_url
        ),
    )


def _exception(source: SourceFile, item: Item) -> Iterator[Record]:
    notices: list[Record] = []
    lei = checked_lei(item.text(_EXCEPTION_LEI), "LEI", notices)
    category, reason = item.text(_EXCEPTION_CATEGORY), item.text(_EXCEPTION_REASON)
    if not category or not reason:
        raise ValueError(
            f"reporting exception of {lei} without ExceptionCategory or ExceptionReason"
        )
    key = _EXCEPTION_PROPERTIES.get(category, f"{category.lower()}_exception")
    properties = {key: reason}
    if reference := item.text(_EXCEPTION_REFERENCE):
        properties["exception_reference"] = reference
    record = f"{lei}/{category}"
    yield from notices
    # Its own id, so it never overwrites the LEI record of the same LEI; the lei: identifier
    # lets entity resolution join the two.
    yield Entity(
        id=f"repex:{lei}:{category}",
        schema="LegalEntity",
        name=lei,
        identifiers=(f"lei:{lei}",),
        properties=properties,
        provenance=Provenance(
            source.dataset, str(source.path), record, item.source_url or source.source_url
        ),
    )


def _build(source: SourceFile, item: Item) -> Iterator[Record]:
    if item.kind == RELATIONSHIP_RECORD:
        return _relationship(source, item)
    if item.kind == REPORTING_EXCEPTION:
        return _exception(source, item)
    kind = item.kind or "unknown content"
    raise ValueError(
        f"neither a relationship record nor a reporting exception ({kind}); "
        "LEI records load with gleif-lei"
    )


@loader(
    "gleif-rr",
    description="GLEIF relationship records and reporting exceptions: RR-CDF XML, JSON (Level 2)",
    default_dataset="gleif",
)
def read_rr(source: SourceFile) -> Iterator[Record]:
    yield from read(
        source,
        ("RelationshipData", "ReportingExceptionData"),
        ("RelationshipRecord", "Exception"),
        partial(_build, source),
    )

"""What the GLEIF loaders share: reading any GLEIF file as a stream of records in one shape.

A file is XML (LEI-CDF, RR-CDF, reporting exceptions) or JSON (the golden copy's
``{"records": [...]}``, JSON lines, or GLEIF API v1 responses), told apart by its first byte. XML
elements are turned into the golden-copy JSON convention (``{"$": text, "@attr": value}``,
repeated elements as lists), so a loader reads the golden copy one way and API resources another,
each field declared once as a pair of paths (:data:`Paths`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial
from typing import Any

from lxml import etree

from loaders._jsonstream import JsonText, raw_json
from loaders._xml import iterparse, local
from ownergraph.errors import UnreadableFileError
from ownergraph.model import Notice, Record, Reject, SourceFile
from ownergraph.model.identifiers import valid_lei
from ownergraph.model.values import parse_date

_RAW_LIMIT = 4096
"""Characters of a rejected record kept in the rejects table."""

Paths = tuple[tuple[str, ...], tuple[str, ...]]
"""Where a field is: its path in a golden-copy record (XML or JSON), and in an API resource's
``attributes``. Keys of the golden copy are XML local names; attributes are ``@name``."""

LEI_RECORD = "lei-records"
RELATIONSHIP_RECORD = "relationship-records"
REPORTING_EXCEPTION = "reporting-exceptions"
"""Record kinds, named as the API names its resource types."""

REGISTRATION: Mapping[str, Paths] = {
    "registration_status": (("Registration", "RegistrationStatus"), ("registration", "status")),
    "managing_lou": (("Registration", "ManagingLOU"), ("registration", "managingLou")),
    "validation_sources": (
        ("Registration", "ValidationSources"),
        ("registration", "corroborationLevel"),
    ),
    "validation_documents": (
        ("Registration", "ValidationDocuments"),
        ("registration", "corroborationDocuments"),
    ),
    "validation_reference": (
        ("Registration", "ValidationReference"),
        ("registration", "corroborationReference"),
    ),
}
"""The registration block that LEI and relationship records share, as text properties."""

REGISTRATION_DATES: Mapping[str, Paths] = {
    "initial_registration_date": (
        ("Registration", "InitialRegistrationDate"),
        ("registration", "initialRegistrationDate"),
    ),
    "last_update_date": (("Registration", "LastUpdateDate"), ("registration", "lastUpdateDate")),
    "next_renewal_date": (
        ("Registration", "NextRenewalDate"),
        ("registration", "nextRenewalDate"),
    ),
}
"""The registration block's timestamps, kept as the day they fall on."""

_LEI = re.compile(r"[A-Z0-9]{20}")
_XML_NAMESPACE = "{http://www.w3.org/XML/1998/namespace}"


# -- reading values out of records ----------------------------------------------------------------


def _listed(found: object) -> list[Any]:
    if found is None:
        return []
    return found if isinstance(found, list) else [found]


def nodes(node: object, *path: str) -> list[Any]:
    """Everything at ``path`` under ``node``; lists met on the way are flattened."""
    found = _listed(node)
    for key in path:
        found = [
            child
            for parent in found
            if isinstance(parent, dict)
            for child in _listed(parent.get(key))
        ]
    return found


def value(node: object, *path: str) -> str:
    """Stripped text of the first thing at ``path``: a golden-copy ``{"$": text}`` or a plain
    JSON scalar; '' when absent."""
    found = node
    for index, key in enumerate(path):
        if not isinstance(found, dict):
            # Only a repeated element needs the general walk; single ones (most) go straight.
            found = next(iter(nodes(found, *path[index:])), None)
            break
        found = found.get(key)
    if isinstance(found, list):
        found = found[0] if found else None
    if isinstance(found, dict):
        found = found.get("$")
    if isinstance(found, str):
        return found.strip()
    if isinstance(found, int | float) and not isinstance(found, bool):
        return str(found)
    return ""


def values(node: object, *path: str) -> list[str]:
    """The non-empty text of everything at ``path`` (a repeated element, a JSON list)."""
    found = (value(part) for part in nodes(node, *path))
    return [text for text in found if text]


@dataclass(frozen=True, slots=True)
class Item:
    """One record of a GLEIF file, in the golden-copy shape or as an API resource."""

    kind: str
    """:data:`LEI_RECORD`, :data:`RELATIONSHIP_RECORD`, :data:`REPORTING_EXCEPTION` or ''."""
    node: Any
    api: bool
    """``node`` is an API resource's ``attributes``, not a golden-copy record."""
    location: str
    line: int | None
    raw: Callable[[], str]
    source_url: str | None = None

    def text(self, paths: Paths, within: object = None) -> str:
        """The text of a field of this record (or of ``within``, a part of it)."""
        return value(self.node if within is None else within, *paths[self.api])

    def each(self, paths: Paths, within: object = None) -> list[Any]:
        """The repeated parts of this record (or of ``within``) at a field."""
        return nodes(self.node if within is None else within, *paths[self.api])

    def texts(self, fields: Mapping[str, Paths]) -> dict[str, str]:
        """The non-empty text of each named field."""
        return {name: text for name, paths in fields.items() if (text := self.text(paths))}


def _golden_kind(node: object) -> str:
    """Which kind of record a golden-copy node is, by its top-level elements."""
    if not isinstance(node, dict):
        return ""
    if "Entity" in node:
        return LEI_RECORD
    if "Relationship" in node:
        return RELATIONSHIP_RECORD
    if "ExceptionCategory" in node:
        return REPORTING_EXCEPTION
    return ""


# -- values ---------------------------------------------------------------------------------------


def checked_lei(text: str, what: str, notices: list[Record]) -> str:
    """An LEI in upper case; ValueError when it is not 20 letters and digits, a notice when its
    ISO 17442 check digits are wrong (kept: the registry published it)."""
    lei = text.strip().upper()
    if not _LEI.fullmatch(lei):
        raise ValueError(f"{what} {text!r} is not a 20-character LEI")
    if not valid_lei(lei):
        notices.append(Notice("lei_check_digits", f"{what} {lei}"))
    return lei


def calendar_date(text: str, notices: list[Record]) -> str | None:
    """The day a date-only fact (creation, period start) stands for, from a GLEIF date-time.

    Registries write such dates as a local midnight, often converted to another offset:
    ``2004-06-06T22:00:00Z`` and ``1997-06-04T23:00:00+01:00`` are midnights of the next day.
    So an afternoon time counts as the next day; noon and mornings stay (some systems write dates
    at noon, the Americas' midnights are mornings in UTC). None with a notice when unreadable.
    """
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return _lenient_date(text, notices)
    day = moment.date()
    if moment.time() > time(12):
        day += timedelta(days=1)
    return day.isoformat()


def _lenient_date(text: str, notices: list[Record]) -> str | None:
    """The day of a timestamp as written (``2023-05-18T15:41:20Z`` -> ``2023-05-18``), or None
    with an ``unreadable_date`` notice: one bad date must not drop a register entry."""
    try:
        return parse_date(text)
    except ValueError as error:
        notices.append(Notice("unreadable_date", str(error)))
        return None


def dates(item: Item, fields: Mapping[str, Paths], notices: list[Record]) -> dict[str, str]:
    """The day of each named timestamp field that has one."""
    days = {name: _lenient_date(item.text(paths), notices) for name, paths in fields.items()}
    return {name: day for name, day in days.items() if day}


# -- reading files --------------------------------------------------------------------------------


def read(
    source: SourceFile,
    roots: tuple[str, ...],
    tags: tuple[str, ...],
    build: Callable[[Item], Iterable[Record]],
) -> Iterator[Record]:
    """The records ``build`` makes of each item of the file; a ValueError rejects that item.

    ``roots`` are the XML root elements the file may have and ``tags`` the XML record elements;
    JSON files are recognised by content.
    """
    for item in _items(source, roots, tags):
        try:
            records = list(build(item))
        except ValueError as error:
            yield Reject(str(error), line=item.line, location=item.location, raw=item.raw())
            continue
        yield from records


def _items(source: SourceFile, roots: tuple[str, ...], tags: tuple[str, ...]) -> Iterator[Item]:
    """Each record of a GLEIF XML or JSON file, in file order."""
    first = _first_byte(source)
    if first == b"<":
        yield from _xml_items(source, roots, tags)
    elif first in (b"{", b"["):
        with source.open_text() as handle:
            yield from _json_items(JsonText(handle, source.path))
    elif not first:
        raise UnreadableFileError(source.path, "empty file")
    else:
        raise UnreadableFileError(source.path, "neither XML nor JSON: not a GLEIF file")


def _first_byte(source: SourceFile) -> bytes:
    with source.open_binary() as handle:
        head = handle.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    return head[:1]


def _xml_items(source: SourceFile, roots: tuple[str, ...], tags: tuple[str, ...]) -> Iterator[Item]:
    counts: dict[str, int] = {}
    rooted = False
    for element in iterparse(source, (*roots, *tags)):
        tag = local(element.tag)
        if tag in roots:
            rooted = True
            continue
        counts[tag] = counts.get(tag, 0) + 1
        node = _as_node(element)
        yield Item(
            kind=_golden_kind(node),
            node=node,
            api=False,
            location=f"{_ancestry(element)}/{tag}[{counts[tag]}]",
            line=_line(element),
            raw=partial(_raw_xml, element),
        )
    if not rooted:
        expected = " or ".join(f"<{root}>" for root in roots)
        reason = f"no {expected} root element: not a file of this GLEIF format"
        raise UnreadableFileError(source.path, reason)


def _as_node(element: etree._Element) -> dict[str, Any]:
    """An element in the golden-copy JSON convention: children by local name (lists when
    repeated), attributes as ``@name`` (``@xml:lang``), text as ``$``."""
    node: dict[str, Any] = {
        "@" + str(name).replace(_XML_NAMESPACE, "xml:").rsplit("}", 1)[-1]: attribute
        for name, attribute in element.attrib.items()
    }
    for child in element:
        key = local(child.tag)
        known = node.get(key)
        if known is None:
            node[key] = _as_node(child)
        elif isinstance(known, list):
            known.append(_as_node(child))
        else:
            node[key] = [known, _as_node(child)]
    if element.text and element.text.strip():
        node["$"] = element.text.strip()
    return node


def _line(element: etree._Element) -> int | None:
    line: object = element.sourceline  # lxml-stubs type it as ``...``
    return line if isinstance(line, int) else None


def _ancestry(element: etree._Element) -> str:
    return "".join(f"/{local(parent.tag)}" for parent in reversed(list(element.iterancestors())))


def _raw_xml(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode")[:_RAW_LIMIT]


def _json_items(text: JsonText) -> Iterator[Item]:
    for location, line, found in _json_values(text):
        if isinstance(found, dict) and isinstance(found.get("attributes"), dict):
            url = value(found, "links", "self") or None
            yield Item(
                kind=value(found, "type"),
                node=found["attributes"],
                api=True,
                location=location,
                line=line,
                raw=partial(raw_json, found),
                source_url=url,
            )
        else:
            yield Item(
                kind=_golden_kind(found),
                node=found,
                api=False,
                location=location,
                line=line,
                raw=partial(raw_json, found),
            )


def _json_values(text: JsonText) -> Iterator[tuple[str, int, Any]]:
    """(location, line, value) of each record: the items of every top-level array, an API
    response's ``data`` object, or a top-level object that holds neither (JSON lines)."""
    while char := text.peek():
        if char == "[":
            yield from _json_array(text, "$")
        elif char == "{":
            yield from _json_object(text)
        else:
            raise text.error("expected an object or an array")


def _json_array(text: JsonText, location: str) -> Iterator[tuple[str, int, Any]]:
    text.expect("[")
    index = 0
    closing = text.peek() == "]"
    while not closing:
        line = text.line
        yield f"{location}[{index}]", line, text.value()
        index += 1
        closing = text.separator("]")
    text.expect("]")


def _json_object(text: JsonText) -> Iterator[tuple[str, int, Any]]:
    text.expect("{")
    line = text.line
    members: dict[str, Any] = {}
    streamed = False
    closing = text.peek() == "}"
    while not closing:
        key = text.value()
        if not isinstance(key, str):
            raise text.error("expected a member name")
        text.expect(":")
        if text.peek() == "[":
            streamed = True
            yield from _json_array(text, f"$.{key}")
        else:
            members[key] = text.value()
        closing = text.separator("}")
    text.expect("}")
    if streamed:
        return
    data = members.get("data")
    if isinstance(data, dict):
        yield "$.data", line, data
    else:
        yield "$", line, members

"""FollowTheMoney JSON lines: one entity a line, read back by ``ownergraph load ftm``.

Nodes become party or ``Address`` entities, links the ``LinkKind.ftm_schema`` interval entities,
shipments ``EconomicActivity`` (customs declarations), listings ``Sanction``; ``REGISTERED_AT``
links travel as the party's ``addressEntity`` and ``DECLARED`` edges as the shipments'
``declarant``, as FtM has them. Loading the file into an empty workspace gives the same graph
(docs/exports.md says exactly what is kept).

FtM entity ids allow only ``[0-9a-zA-Z.-]``, so every id is ``og-`` and the SHA-1 of our id
(:func:`ftm_id`); the original ids travel as ``referents`` (an entity's records) and ``recordId``
(links, shipments, listings).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ownergraph.exports.model import Edge, Node, Selection
from ownergraph.model.schema import LINK_KINDS

_LEGAL = frozenset(("Company", "Person", "Organization", "LegalEntity"))
IDENTIFIER_PROPERTIES = {
    "inn": "innCode", "ogrn": "ogrnCode", "lei": "leiCode", "okpo": "okpoCode",
    "reg": "registrationNumber", "tax": "taxNumber", "swift": "swiftBic", "kpp": "kppCode",
    "imo": "imoNumber", "passport": "passportNumber",
}  # fmt: skip
"""FtM property of each identifier scheme (the inverse of the ``ftm`` loader's table); other
schemes go to ``idNumber`` as ``scheme:value``."""
_SCHEMA_IDENTIFIERS = {
    "Vessel": frozenset(("imo", "reg")),
    "Airplane": frozenset(("reg",)),
    "Company": frozenset(("kpp", "imo")),
    "Organization": frozenset(("imo",)),
    "Person": frozenset(("passport",)),
}
"""Schemes FtM allows on a schema beyond the ``LegalEntity`` ones (inn, ogrn, lei, ...)."""
_LEGAL_SCHEMES = frozenset(("inn", "ogrn", "lei", "okpo", "reg", "tax", "swift"))
_TOPICS_SEP = "; "
FTM_TOPICS = frozenset(
    [
        "sanction",
        "sanction.linked",
        "sanction.control",
        "sanction.counter",
        "debarment",
        "export.control",
        "export.control.linked",
        "export.risk",
        "asset.frozen",
        "role.pep",
        "role.pep.frmr",
        "role.pep.intl",
        "role.pep.natl",
        "role.rca",
        "role.oligarch",
        "role.diplo",
        "crime",
        "crime.fin",
        "crime.fraud",
        "crime.war",
        "poi",
        "corp.shell",
        "corp.offshore",
        "corp.disqual",
        "gov.soe",
        "mil",
        "mare.shadow",
        "mare.detained",
        "wanted",
    ]
)
"""FtM topics our sources use; other topics (``customs.broker``) go to ``keywords``, which FtM
leaves free."""


def ftm_id(entity: str) -> str:
    """The FtM id of one of our ids: ``og-`` and its SHA-1 (FtM ids allow ``[0-9a-zA-Z.-]``).

    >>> ftm_id("synthetic:C0000000")
    'og-32f20aad65500099183c70c025e8fb4117087813'
    """
    return "og-" + hashlib.sha1(entity.encode("utf-8")).hexdigest()


def _country(code: str | None) -> list[str]:
    return [code.lower()] if code else []


def _clean(properties: dict[str, list[Any]]) -> dict[str, list[str]]:
    return {
        key: [str(value) for value in dict.fromkeys(values) if value not in (None, "")]
        for key, values in properties.items()
        if any(value not in (None, "") for value in values)
    }


def entity_line(node: Node, addresses: list[str]) -> dict[str, Any]:
    """The FtM entity of a node (never a stub: no record describes those)."""
    schema = node.schema or "LegalEntity"
    props: dict[str, list[Any]] = {"name": [node.name], "alias": node.aliases}
    facts = node.properties
    props["country"] = _country(node.country)
    if schema in _LEGAL:
        props["jurisdiction"] = _country(node.country) if schema != "Person" else []
        props["incorporationDate"] = [facts.get("incorporation_date")]
        props["dissolutionDate"] = [facts.get("dissolution_date")]
    if schema == "Person":
        # The loader takes a person's country from their nationality first.
        props["nationality"] = [*_country(node.country), *_country(facts.get("nationality"))]
        props["birthDate"] = [facts.get("birth_date")]
    if schema == "Address":
        props["full"] = [facts.get("address") or node.name]
    elif facts.get("address"):
        props["address"] = [facts["address"]]
    topics = facts.get("topics") or []
    topics = list(topics) if isinstance(topics, list) else str(topics).split(_TOPICS_SEP)
    props["topics"] = [topic for topic in topics if topic in FTM_TOPICS]
    props["keywords"] = [topic for topic in topics if topic not in FTM_TOPICS]
    allowed = (_LEGAL_SCHEMES if schema in _LEGAL else frozenset()) | _SCHEMA_IDENTIFIERS.get(
        schema, frozenset()
    )
    for identifier in node.identifiers:
        scheme, _, value = identifier.partition(":")
        if scheme in allowed:
            props.setdefault(IDENTIFIER_PROPERTIES[scheme], []).append(value)
        elif schema in _LEGAL:
            props.setdefault("idNumber", []).append(identifier)
    props["addressEntity"] = [ftm_id(address) for address in addresses]
    urls = [source.get("source_url") for source in node.sources]
    props["sourceUrl"] = urls
    return {
        "id": ftm_id(node.id),
        "schema": schema,
        "caption": node.name,
        "properties": _clean(props),
        "datasets": list(dict.fromkeys(s["dataset"] for s in node.sources if s.get("dataset"))),
        "referents": [
            node.id,
            *(s["id"] for s in node.sources if s.get("id") not in (None, node.id)),
        ],
    }


def link_line(edge: Edge) -> dict[str, Any]:
    """The FtM interval entity of a link (``Ownership``, ``Directorship``, ``Control``...)."""
    kind = LINK_KINDS[edge.type]
    attributes = edge.attributes
    props: dict[str, list[Any]] = {
        kind.ftm_source: [ftm_id(edge.source)],
        kind.ftm_target: [ftm_id(edge.target)],
        "startDate": [attributes.get("start_date")],
        "endDate": [attributes.get("end_date")],
        "recordId": [edge.id],
        "sourceUrl": [record.get("source_url") for record in edge.records],
    }
    if edge.type == "OWNS":
        props["percentage"] = [attributes.get("share")]
    role = attributes.get("role")
    props["relationship" if kind.ftm_schema in ("Family", "Associate") else "role"] = [role]
    return {"id": ftm_id(edge.id), "schema": kind.ftm_schema, "properties": _clean(props)}


def shipment_line(edge: Edge) -> dict[str, Any]:
    """The ``EconomicActivity`` (customs declaration) of a shipment."""
    a = edge.attributes
    amount = " ".join(str(part) for part in (a.get("quantity"), a.get("unit")) if part)
    value = " ".join(str(part) for part in (a.get("currency"), a.get("value")) if part)
    props: dict[str, list[Any]] = {
        "sender": [ftm_id(edge.source)],
        "receiver": [ftm_id(edge.target)],
        "declarant": [ftm_id(a["declarant"])] if a.get("declarant") else [],
        "date": [a.get("date")],
        "vedCode": [a.get("hs_code")],
        "goodsDescription": [a.get("description")],
        "invoiceAmount": [a.get("value")],
        "originCountry": _country(a.get("origin_country")),
        "destinationCountry": _country(a.get("destination_country")),
        # FtM has no quantity or currency for a declaration: say them in words.
        "summary": [", ".join(part for part in (amount, value) if part)],
        "recordId": [edge.id],
        "sourceUrl": [record.get("source_url") for record in edge.records],
    }
    return {"id": ftm_id(edge.id), "schema": "EconomicActivity", "properties": _clean(props)}


def sanction_line(node: Node, listing: dict[str, Any]) -> dict[str, Any]:
    ended = [day for day in (listing.get("delisted_on"), listing.get("withdrawn_on")) if day]
    props: dict[str, list[Any]] = {
        "entity": [ftm_id(node.id)],
        "authority": [listing.get("authority")],
        "program": list(listing.get("programmes") or []),
        "startDate": [listing.get("listed_on")],
        "endDate": [min(ended)] if ended else [],
        "recordId": [listing.get("id")],
        "sourceUrl": [listing.get("source_url")],
        "summary": [listing.get("list")],
    }
    return {"id": ftm_id(str(listing.get("id") or node.id)), "schema": "Sanction",
            "properties": _clean(props)}  # fmt: skip


def lines(selection: Selection) -> Iterator[dict[str, Any]]:
    """Every FtM entity of a selection: parties and addresses, listings, links, shipments."""
    addresses: dict[str, list[str]] = {}
    for edge in selection.iter_edges():
        if edge.type == "REGISTERED_AT":
            targets = addresses.setdefault(edge.source, [])
            if edge.target not in targets:
                targets.append(edge.target)
    for node in selection.iter_nodes():
        if node.schema is not None:
            yield entity_line(node, addresses.get(node.id, []))
        for listing in node.listings:
            yield sanction_line(node, listing)
    for edge in selection.iter_edges():
        if edge.type == "SHIPPED_TO":
            yield shipment_line(edge)
        elif edge.type not in ("REGISTERED_AT", "DECLARED"):
            yield link_line(edge)


def write_ftm(selection: Selection, path: Path) -> list[Path]:
    with path.open("w", encoding="utf-8") as handle:
        for line in lines(selection):
            handle.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    return [path]

"""The kinds of entity and link, declared once.

Loaders, graph building, the Neo4j backend and every exporter read these declarations; adding a
link type is one entry here plus tests. Names follow FollowTheMoney where it has them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class EntityKind:
    name: str
    """Our schema name, also the FtM schema and the Neo4j label."""
    label: str
    """How exports and tables name one of these."""
    is_party: bool
    """Can own, control, trade or be listed (Address cannot)."""


@dataclass(frozen=True, slots=True)
class LinkKind:
    name: str
    """Relationship type in the graph and in Neo4j (``OWNS``)."""
    ftm_schema: str
    ftm_source: str
    """FtM property holding the link's source entity."""
    ftm_target: str
    label: str
    """Verb phrase for sentences and exports: ``owns``, ``shipped to``."""
    traced: bool
    """Whether ``trace`` walks along it from suppliers towards end users."""
    ownership: bool = False
    """Counts towards the 50% rules."""


ENTITY_KINDS: dict[str, EntityKind] = {
    kind.name: kind
    for kind in (
        EntityKind("Company", "company", True),
        EntityKind("Person", "person", True),
        EntityKind("Organization", "organisation", True),
        EntityKind("LegalEntity", "legal entity", True),
        EntityKind("Vessel", "vessel", True),
        EntityKind("Airplane", "aircraft", True),
        EntityKind("Address", "address", False),
    )
}

LINK_KINDS: dict[str, LinkKind] = {
    kind.name: kind
    for kind in (
        LinkKind("OWNS", "Ownership", "owner", "asset", "owns", True, ownership=True),
        LinkKind("CONTROLS", "Control", "controller", "controlled", "controls", True),
        LinkKind("OFFICER_OF", "Directorship", "director", "organization", "is officer of", True),
        LinkKind("REGISTERED_AT", "UnknownLink", "subject", "object", "is registered at", False),
        LinkKind("FAMILY", "Family", "person", "relative", "is family of", False),
        LinkKind("ASSOCIATE", "Associate", "person", "associate", "is associate of", False),
        LinkKind("SUCCESSOR", "Succession", "predecessor", "successor", "is succeeded by", True),
        LinkKind("SHIPPED_TO", "EconomicActivity", "sender", "receiver", "shipped to", True),
        LinkKind("DECLARED", "EconomicActivity", "declarant", "sender", "declared goods of", True),
    )
}

IDENTIFIER_SCHEMES: dict[str, str] = {
    "lei": "Legal Entity Identifier (ISO 17442)",
    "inn": "Russian taxpayer number (INN)",
    "ogrn": "Russian state registration number (OGRN/OGRNIP)",
    "kpp": "Russian tax registration reason code (KPP)",
    "bin": "Kazakh business identification number (BIN)",
    "iin": "Kazakh individual identification number (IIN)",
    "gb-coh": "UK Companies House company number",
    "reg": "Registration number (other registries)",
    "tax": "Tax number (other countries)",
    "imo": "IMO ship or company number",
    "swift": "SWIFT/BIC code",
    "okpo": "Russian statistical code (OKPO)",
    "passport": "Passport number",
    "national-id": "National identity number",
    "ofac": "OFAC entry number (ent_num / UID)",
    "un": "UN Security Council reference number",
    "eu": "EU FSF logical id",
    "uk": "UK OFSI Group ID",
    "uk-ref": "UK Sanctions List reference (e.g. RUS0251)",
}
"""The identifier schemes records use as ``scheme:value`` prefixes."""

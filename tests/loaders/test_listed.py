"""loaders._listed: the party every sanctions loader builds, and its weak-alias policy."""

from loaders._listed import ListedParty
from ownergraph.model import Entity, Provenance

PROVENANCE = Provenance("test", "list.xml", "1")


def _entity(party: ListedParty) -> Entity:
    records = list(party.records("UN", "Test", PROVENANCE, set()))
    return next(r for r in records if isinstance(r, Entity) and r.id == party.id)


def test_a_weak_alias_is_a_name_and_is_marked_weak() -> None:
    party = ListedParty("1", "Person")
    party.add_name("Ivan SIDOROV", primary=True)
    party.add_name("Iwan SIDOROFF", weak=True)
    entity = _entity(party)
    assert entity.aliases == ("Iwan SIDOROFF",)
    assert entity.properties["weak_aliases"] == "Iwan SIDOROFF"


def test_weak_aliases_follow_the_strong_ones() -> None:
    party = ListedParty("1", "Organization")
    party.add_name("Abu Ali", weak=True)
    party.add_name("SADDAM HUSSEIN", primary=True)
    party.add_name("صدام حسين")
    assert _entity(party).aliases == ("صدام حسين", "Abu Ali")


def test_a_name_also_given_as_strong_is_not_marked_weak() -> None:
    party = ListedParty("1", "Organization")
    party.add_name("VEB.RF", primary=True)
    party.add_name("VEB", weak=True)
    party.add_name("VEB")
    entity = _entity(party)
    assert entity.aliases == ("VEB",)
    assert "weak_aliases" not in entity.properties


def test_a_party_with_only_weak_names_is_named_by_the_first() -> None:
    party = ListedParty("1", "Organization")
    party.add_name("Lazarus", weak=True)
    party.add_name("Hidden Cobra", weak=True)
    entity = _entity(party)
    assert (entity.name, entity.aliases) == ("Lazarus", ("Hidden Cobra",))
    assert entity.properties["weak_aliases"] == "Lazarus; Hidden Cobra"

"""loaders._common: shared address nodes, and the bounded memory of nodes already written."""

from loaders._common import NodeMemory, registered_at
from ownergraph.model import Entity, Provenance

PROVENANCE = Provenance("gb-coh", "psc.jsonl", "7", "https://example.org/psc/7")


def test_the_node_memory_forgets_everything_when_full_and_never_exceeds_its_limit() -> None:
    memory = NodeMemory(limit=3)
    for node in ("a", "b", "c"):
        memory.add(node)
    assert "a" in memory and len(memory) == 3
    memory.add("d")
    assert (len(memory), "a" in memory, "d" in memory) == (1, False, True)


def test_an_address_is_written_once_while_remembered() -> None:
    seen = NodeMemory()
    first = list(registered_at("P1", "9 Princes Square", "GB", PROVENANCE, seen))
    second = list(registered_at("P2", "9 Princes Square", "GB", PROVENANCE, seen))
    assert [type(r).__name__ for r in first] == ["Entity", "Link"]
    assert [type(r).__name__ for r in second] == ["Link"]


def test_an_address_citing_itself_does_not_depend_on_who_mentions_it() -> None:
    node = next(
        r
        for r in registered_at("P1", "9 Princes Square", "GB", PROVENANCE, set(), own_citation=True)
        if isinstance(r, Entity)
    )
    assert node.provenance == Provenance("gb-coh", "psc.jsonl", "addr:gb:9 princes square")

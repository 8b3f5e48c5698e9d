"""The Cypher files: the schema follows the one declaration of link kinds, every file says what
it answers, and queries run read-only."""

from __future__ import annotations

import re

import pytest

from ownergraph import queries
from ownergraph.backends.neo4j import Neo4jError, Settings, library
from ownergraph.backends.neo4j.backend import Neo4jBackend
from ownergraph.model.schema import LINK_KINDS


def test_the_schema_has_a_uniqueness_constraint_for_every_link_kind() -> None:
    constrained = set(re.findall(r"FOR \(\)-\[r:(\w+)\]-\(\) REQUIRE r\.id IS UNIQUE",
                                 queries.text("schema")))  # fmt: skip
    assert constrained == set(LINK_KINDS)


@pytest.mark.parametrize("name", library.names())
def test_every_library_query_says_what_it_answers_and_takes(name: str) -> None:
    header = library.describe(name)
    assert header.startswith(f"{name}: "), name
    assert "Parameters:" in header, name
    used = set(re.findall(r"\$([a-z_]+)", queries.text(name).split("\n", 1)[1]))
    assert all(f"${parameter}" in header for parameter in used), (name, used)


@pytest.mark.neo4j
def test_a_read_transaction_refuses_to_write(neo4j_db: Settings) -> None:
    backend = Neo4jBackend.connect(neo4j_db)
    try:
        with pytest.raises(Neo4jError, match="writes to the database"):
            backend.reader.rows("push/delete_entities", ids=["x"])
    finally:
        backend.close()

"""Connection settings and errors: one sentence naming what to fix, never the password."""

from __future__ import annotations

import pytest

from ownergraph.backends.neo4j import Neo4jError, Settings, connect


def test_settings_come_from_the_drivers_variables() -> None:
    env = {"NEO4J_URI": "neo4j://db:7687", "NEO4J_USERNAME": "ann", "NEO4J_PASSWORD": "pw",
           "NEO4J_DATABASE": "cases"}  # fmt: skip
    settings = Settings.from_env(env)
    assert (settings.uri, settings.username, settings.database) == (
        "neo4j://db:7687",
        "ann",
        "cases",
    )
    assert Settings.from_env(env, database="other").database == "other"
    assert "pw" not in repr(settings)


def test_the_uri_is_shown_without_credentials() -> None:
    settings = Settings(uri="bolt://ann:secret@db.example:7687", password="secret")
    assert settings.where == "bolt://db.example:7687 (database 'neo4j')"


def test_an_unreachable_server_is_named() -> None:
    settings = Settings(uri="bolt://127.0.0.1:9", password="hunter2-secret")
    with pytest.raises(Neo4jError, match=r"cannot reach Neo4j at bolt://127.0.0.1:9") as caught:
        connect(settings)
    assert "hunter2-secret" not in str(caught.value)


@pytest.mark.neo4j
def test_a_wrong_password_is_refused_in_one_sentence(neo4j_settings: Settings) -> None:
    wrong = Settings(neo4j_settings.uri, neo4j_settings.username, "wrong-" + "x" * 8)
    with pytest.raises(Neo4jError, match="refused the login of 'neo4j'") as caught:
        connect(wrong)
    assert "wrong-xxxxxxxx" not in str(caught.value)


@pytest.mark.neo4j
def test_a_missing_database_is_named(neo4j_settings: Settings) -> None:
    missing = Settings(
        neo4j_settings.uri, neo4j_settings.username, neo4j_settings.password, "nosuchdb"
    )
    with pytest.raises(Neo4jError, match="has no database 'nosuchdb'"):
        connect(missing)

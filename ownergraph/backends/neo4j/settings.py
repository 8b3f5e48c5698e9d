"""Where the Neo4j server is and how to log in: ``NEO4J_*`` settings, a driver, clear errors.

The settings come from the driver's usual environment variables (``NEO4J_URI``,
``NEO4J_USERNAME``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``) unless given. A password is never
part of a message, a ``repr`` or a log line: errors name the server and the variable to check.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import neo4j
from neo4j import exceptions

from ownergraph.errors import OwnergraphError

DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_DATABASE = "neo4j"


class Neo4jError(OwnergraphError):
    """The Neo4j server cannot be used as configured: unreachable, refused login, no database,
    or an answer the backend did not expect (exit code 2: the settings need fixing)."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class Settings:
    """How to reach one database on one server."""

    uri: str = DEFAULT_URI
    username: str = "neo4j"
    password: str = field(default="", repr=False)
    database: str = DEFAULT_DATABASE

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: str | None
    ) -> Settings:
        """Settings from ``NEO4J_*`` variables; non-None ``overrides`` (uri, username, password,
        database) win."""
        env = os.environ if environ is None else environ
        values = {
            "uri": env.get("NEO4J_URI") or DEFAULT_URI,
            "username": env.get("NEO4J_USERNAME") or env.get("NEO4J_USER") or "neo4j",
            "password": env.get("NEO4J_PASSWORD", ""),
            "database": env.get("NEO4J_DATABASE") or DEFAULT_DATABASE,
        }
        unknown = set(overrides) - set(values)
        if unknown:
            raise TypeError(f"unknown Neo4j setting(s): {', '.join(sorted(unknown))}")
        values.update({key: value for key, value in overrides.items() if value is not None})
        return cls(**values)

    @property
    def where(self) -> str:
        """The server and database for messages: the URI without any user or password in it."""
        parts = urlsplit(self.uri)
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        shown = urlunsplit((parts.scheme, host, parts.path, "", "")) if parts.scheme else "?"
        return f"{shown} (database {self.database!r})"


def connect(settings: Settings) -> neo4j.Driver:
    """A driver for ``settings``, checked: the server answers, accepts the login and has the
    database. Raises :class:`Neo4jError` with one sentence saying which it was."""
    try:
        driver = neo4j.GraphDatabase.driver(
            settings.uri,
            auth=(settings.username, settings.password),
            user_agent="ownergraph",
            # Planner hints are for whoever writes the queries, not for the people running them.
            notifications_min_severity=neo4j.NotificationMinimumSeverity.OFF,
        )
    except (exceptions.ConfigurationError, ValueError) as error:
        reason = _reason(error, settings.password)
        raise Neo4jError(f"NEO4J_URI is not a usable Neo4j URI: {reason}") from None
    try:
        driver.verify_connectivity()
        driver.execute_query("RETURN 1", database_=settings.database)
    except BaseException as error:
        driver.close()
        raise translate(error, settings) from None
    return driver


def translate(error: BaseException, settings: Settings) -> BaseException:
    """Our one-sentence error for a driver error (other exceptions are returned unchanged)."""
    where = settings.where
    if isinstance(error, exceptions.AuthError):
        return Neo4jError(
            f"Neo4j at {where} refused the login of {settings.username!r}: check "
            "NEO4J_USERNAME and NEO4J_PASSWORD"
        )
    if isinstance(error, exceptions.ServiceUnavailable | exceptions.SessionExpired | OSError):
        reason = _reason(error, settings.password)
        return Neo4jError(f"cannot reach Neo4j at {where}: {reason}; check NEO4J_URI")
    if isinstance(error, exceptions.Neo4jError):
        code = error.code or ""
        if code.endswith("DatabaseNotFound"):
            return Neo4jError(
                f"Neo4j at {where} has no database {settings.database!r}: check NEO4J_DATABASE"
            )
        if code.startswith("Neo.ClientError.Security"):
            return Neo4jError(f"Neo4j at {where} refused: {_reason(error, settings.password)}")
        if code == "Neo.ClientError.Statement.AccessMode":
            return Neo4jError("the query writes to the database, and queries here only read")
        if code.startswith("Neo.ClientError.Statement"):
            return Neo4jError(f"Neo4j refused the query: {_reason(error, settings.password)}")
    return error


def _reason(error: BaseException, secret: str) -> str:
    """The error's own message, first line, with the password taken out should it appear."""
    lines = str(getattr(error, "message", None) or error).strip().splitlines()
    text = lines[0] if lines else type(error).__name__
    return text.replace(secret, "***") if secret else text

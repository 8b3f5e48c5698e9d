"""The Neo4j backend: push the resolved graph to a server and run every analysis there.

- :mod:`.settings`: ``NEO4J_*`` settings, a checked driver, one-sentence errors;
- :mod:`.elements` and :mod:`.push`: the canonical graph as nodes and relationships with content
  hashes, written incrementally (``ownergraph neo4j push``);
- :mod:`.export`: the same graph as ``neo4j-admin database import full`` CSV files;
- :mod:`.backend`: :class:`Neo4jBackend`, the backend contract of :mod:`ownergraph.backends`
  answered with the read queries of ``cypher/``;
- :mod:`.library`: ``ownergraph neo4j query NAME``, the investigators' named queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ownergraph.backends.neo4j.settings import Neo4jError, Settings, connect

if TYPE_CHECKING:
    from ownergraph.backends.neo4j.backend import Neo4jBackend

__all__ = ["Neo4jError", "Settings", "connect", "open"]


def open(settings: Settings | None = None, **overrides: Any) -> Neo4jBackend:  # noqa: A001
    """The Neo4j backend on the server of ``settings`` (default: the ``NEO4J_*`` variables,
    with ``overrides`` such as ``uri=`` or ``database=``)."""
    from ownergraph.backends.neo4j.backend import Neo4jBackend

    if settings is None:
        known = {key: overrides.pop(key) for key in list(overrides) if key in _SETTING_NAMES}
        settings = Settings.from_env(**known)
    return Neo4jBackend.connect(settings, **overrides)


_SETTING_NAMES = ("uri", "username", "password", "database")

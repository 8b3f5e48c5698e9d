"""The backend's Cypher, by name from ``cypher/`` (:mod:`ownergraph.queries`), typed for the driver.

The driver asks for ``LiteralString`` so that no caller splices values into query text. Ours come
only from the bundled files, and every user value travels as a parameter: the cast below is that
promise, made in one place (mypy reads ``LiteralString`` as ``str``; the annotation documents
it).
"""

from __future__ import annotations

from typing import LiteralString

from ownergraph import queries


def statement(name: str) -> LiteralString:
    """The text of ``cypher/<name>.cypher``."""
    return queries.text(name)


def statements(name: str) -> list[LiteralString]:
    """The statements of a multi-statement file (``schema``)."""
    return list(queries.statements(name))

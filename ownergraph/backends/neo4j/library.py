"""``ownergraph neo4j query NAME``: the investigators' query library, run read-only.

The library is every read query in ``cypher/`` (not the schema, not ``cypher/push/``); each file's
header says what it answers and its parameters, and docs/cypher.md has examples to paste into
Neo4j Browser. Parameters arrive as ``name=value`` text: a value that parses as JSON (``3``,
``true``, ``null``, ``["OWNS", "CONTROLS"]``, ``"3"``) is that value, anything else is a string.
They go to the server as parameters; they are never part of the query text.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import neo4j

from ownergraph import queries
from ownergraph.backends.neo4j.reads import Reader
from ownergraph.errors import InputError

NOT_LIBRARY = frozenset({"schema"})


def names() -> list[str]:
    """The queries of the library, by name."""
    return [name for name in queries.names() if name not in NOT_LIBRARY]


def describe(name: str) -> str:
    """The header comment of a query: what it answers and its parameters."""
    lines = queries.text(name).splitlines()
    header = []
    for line in lines:
        if not line.startswith("//"):
            break
        header.append(line[2:].strip())
    return "\n".join(header)


def parameters(pairs: Iterable[str]) -> dict[str, Any]:
    """``["k=v", ...]`` as query parameters (module docstring for how values are read)."""
    found: dict[str, Any] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param needs name=value, not {pair!r}")
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        found[key.strip()] = value
    return found


@dataclass(frozen=True, slots=True)
class QueryResult:
    name: str
    columns: list[str]
    rows: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"query": self.name, "columns": self.columns, "rows": self.rows}


def run(reader: Reader, name: str, values: Mapping[str, Any]) -> QueryResult:
    """Run library query ``name`` in a read transaction with ``values`` as its parameters."""
    if name not in names():
        raise InputError(f"no library query named {name!r}; known: {', '.join(names())}")
    rows = [
        {key: plain(value) for key, value in row.items()} for row in reader.raw_rows(name, **values)
    ]
    columns = list(rows[0]) if rows else []
    return QueryResult(name, columns, rows)


def plain(value: Any) -> Any:
    """A query result as JSON-able data: nodes and relationships become their properties
    (with labels or type), paths their nodes and relationships, temporal values ISO text."""
    if isinstance(value, neo4j.graph.Node):
        return {"labels": sorted(value.labels), **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, **{k: plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Path):
        return {"nodes": [plain(n) for n in value.nodes],
                "relationships": [plain(r) for r in value.relationships]}  # fmt: skip
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)

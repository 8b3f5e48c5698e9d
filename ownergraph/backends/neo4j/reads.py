"""Reading from Neo4j: named queries in read transactions, and entity views from the nodes.

Everything the backend reads goes through :meth:`Reader.rows`: a query from ``cypher/`` by name,
user values only as parameters, in a read transaction (``execute_read``), so a query can never
write, and a transient failure is retried by the driver.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import neo4j

from ownergraph.backends.neo4j.cypher import statement
from ownergraph.backends.neo4j.settings import Settings, translate
from ownergraph.errors import InputError


class Reader:
    """Named read queries against one database."""

    def __init__(self, driver: neo4j.Driver, settings: Settings) -> None:
        self.driver = driver
        self.settings = settings

    def rows(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        """The rows of ``cypher/<name>.cypher`` as dicts, read in a read transaction."""
        return self._read(name, parameters, raw=False)

    def raw_rows(self, name: str, **parameters: Any) -> list[dict[str, Any]]:
        """As :meth:`rows`, with nodes, relationships and paths as the driver's objects."""
        return self._read(name, parameters, raw=True)

    def _read(self, name: str, parameters: dict[str, Any], *, raw: bool) -> list[dict[str, Any]]:
        query = statement(name)

        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            result = tx.run(query, parameters)
            if raw:
                return [dict(zip(record.keys(), record.values(), strict=True)) for record in result]
            return [record.data() for record in result]

        try:
            with self.driver.session(database=self.settings.database) as session:
                return session.execute_read(work)
        except neo4j.exceptions.DriverError as error:
            raise translate(error, self.settings) from None
        except neo4j.exceptions.Neo4jError as error:
            raise translate(error, self.settings) from None

    def entities(self, ids: Sequence[str], day: str | None = None) -> dict[str, dict[str, Any]]:
        """Entity nodes by id (see ``cypher/entities.cypher``), sanctioned as of ``day``."""
        if not ids:
            return {}
        found: dict[str, dict[str, Any]] = {}
        wanted = list(dict.fromkeys(ids))
        for start in range(0, len(wanted), 5000):
            part = wanted[start : start + 5000]
            for row in self.rows("entities", ids=part, day=day or date.today().isoformat()):
                entity = row["entity"]
                found[entity["id"]] = entity
        return found

    def views(self, ids: Sequence[str], day: str | None = None) -> dict[str, dict[str, Any]]:
        """The JSON contract view of each entity id (a stub for ids without a node)."""
        nodes = self.entities(ids, day)
        return {entity: view(nodes.get(entity), entity) for entity in ids}


def view(node: dict[str, Any] | None, entity: str, score: float | None = None) -> dict[str, Any]:
    """The DESIGN.md §7 entity of a node (``lookup.EntityView.as_dict``); a node that no record
    describes, or none at all, gives the stub ``lookup.view_or_stub`` gives."""
    if node is None or node["stub"]:
        return {"id": entity, "name": entity, "aliases": [], "schema": "LegalEntity",
                "country": None, "sanctioned": False, "identifiers": [], "sources": []}  # fmt: skip
    data: dict[str, Any] = {
        "id": node["id"],
        "name": node["name"],
        "aliases": list(node["aliases"] or []),
        "schema": node["schema"],
        "country": node["country"],
        "sanctioned": bool(node["sanctioned"]),
        "identifiers": list(node["identifiers"] or []),
        "sources": [
            {"dataset": dataset, "record": record}
            for dataset, record in zip(
                node["source_datasets"] or [], node["source_records"] or [], strict=True
            )
        ],
    }
    if score is not None:
        data["score"] = score
    return data


def merges_of(node: dict[str, Any]) -> list[Any]:
    return list(json.loads(node["merges"])) if node.get("merges") else []


def loose(node: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return list(json.loads(node[key])) if node.get(key) else []


def distinct(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def not_found(reference: str) -> InputError:
    return InputError(f"no entity matches {reference!r}")

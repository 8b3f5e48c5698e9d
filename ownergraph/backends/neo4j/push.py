"""``neo4j push``: write the workspace's resolved graph to Neo4j, idempotently and incrementally.

Each node and relationship carries a 64-bit hash of its content (:mod:`.elements`). A push reads
the hashes the server holds, streams the workspace's elements and writes only those that are new
or changed; what the server holds and the workspace no longer has (a record removed, a merge that
resolution undid, a link that now joins other entities) is deleted. Pushing twice writes nothing
the second time. The server's own hashes are the state: a wiped or restored database is simply
brought back in step.

Writes go in batches of :data:`BATCH` rows, one transaction each, with the ``UNWIND $rows``
statements of ``cypher/push/``. Relationships are created, not merged: the push already knows
which are new, and the uniqueness constraints on each type's ``id`` refuse a duplicate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any

import neo4j
import numpy as np
import numpy.typing as npt
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ownergraph.backends.neo4j import elements
from ownergraph.backends.neo4j.cypher import statement, statements
from ownergraph.backends.neo4j.elements import Canonical, Element, key_hash
from ownergraph.workspace import Workspace

BATCH = {"entity": 2000, "listing": 5000, "relationship": 10000, "delete": 10000}
"""Rows per transaction (bench/bench_neo4j.py measured these on the test server)."""
_UPSERT = {
    "entity": "push/upsert_entities",
    "listing": "push/upsert_listings",
    "relationship": "push/create_relationships",
}
_DELETE = {"entity": "push/delete_entities", "listing": "push/delete_listings"}
_STATE = {
    "entity": "push/state_entities",
    "listing": "push/state_listings",
    "relationship": "push/state_relationships",
}


@dataclass
class KindCounts:
    written: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class PushSummary:
    """What one push did, per kind of element."""

    database: str
    counts: dict[str, KindCounts] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def written(self) -> int:
        return sum(count.written for count in self.counts.values())

    @property
    def rows(self) -> int:
        """Elements examined (written or unchanged)."""
        return sum(count.written + count.unchanged for count in self.counts.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "seconds": round(self.seconds, 3),
            "written": self.written,
            "rows_per_second": round(self.written / self.seconds, 1) if self.seconds else None,
            **{kind: asdict(count) for kind, count in self.counts.items()},
        }


class _State:
    """The (key hash, content hash) pairs the server holds for one kind, sorted by key hash."""

    def __init__(self, pairs: Iterable[tuple[int, int]]) -> None:
        data = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
        order = np.argsort(data[:, 0], kind="stable")
        self.keys: npt.NDArray[np.int64] = data[order, 0]
        self.hashes: npt.NDArray[np.int64] = data[order, 1]
        self.seen = np.zeros(len(self.keys), dtype=np.bool_)

    def classify(self, chunk: list[Element]) -> tuple[list[Element], list[Element]]:
        """(new, changed) elements of ``chunk``; marks every element found on the server seen."""
        if not len(self.keys):
            return chunk, []
        keys = np.fromiter((key_hash(e.key) for e in chunk), dtype=np.int64, count=len(chunk))
        place = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        found = self.keys[place] == keys
        self.seen[place[found]] = True
        same = found & (self.hashes[place] == np.array([e.hash for e in chunk], dtype=np.int64))
        new = [e for e, hit in zip(chunk, found.tolist(), strict=True) if not hit]
        changed = [
            e
            for e, hit, eq in zip(chunk, found.tolist(), same.tolist(), strict=True)
            if hit and not eq
        ]
        return new, changed

    def gone(self) -> set[int]:
        """Key hashes the server holds that no local element matched."""
        return set(self.keys[~self.seen].tolist())


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


class Pusher:
    """One push: a driver, a database and a place to report progress."""

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str,
        *,
        on_rows: Callable[[str, int], None] | None = None,
        batch: dict[str, int] | None = None,
    ) -> None:
        self.driver = driver
        self.database = database
        self.on_rows = on_rows or (lambda kind, count: None)
        self.batch = {**BATCH, **(batch or {})}
        self.recreated: set[str] = set()
        """Entities created by this push on a server that had entities (see push_kind)."""

    def run(self, query: str, **parameters: Any) -> list[dict[str, Any]]:
        records, _, _ = self.driver.execute_query(
            statement(query), parameters, database_=self.database
        )
        return [record.data() for record in records]

    def stream(self, query: str) -> Iterator[neo4j.Record]:
        with self.driver.session(database=self.database) as session:
            yield from session.run(statement(query))

    def write(self, query: str, key: str, values: list[Any]) -> None:
        if not values:
            return

        def work(tx: neo4j.ManagedTransaction) -> None:
            tx.run(statement(query), {key: values}).consume()

        with self.driver.session(database=self.database) as session:
            session.execute_write(work)

    def schema(self) -> None:
        with self.driver.session(database=self.database) as session:
            for text in statements("schema"):
                session.run(text).consume()

    def state(self, kind: str) -> _State:
        if kind == "relationship":
            pairs = (
                (key_hash(elements.element_key(kind, r["id"], r["type"])), int(r["hash"] or 0))
                for r in self.stream(_STATE[kind])
            )
        else:
            pairs = (
                (key_hash(str(r["id"])), int(r["hash"] or 0)) for r in self.stream(_STATE[kind])
            )
        return _State(pairs)

    def push_kind(self, kind: str, stream: Iterable[Element], counts: KindCounts) -> list[str]:
        """Write the new and changed elements of ``kind``; return the ids of vanished nodes.

        Nodes are merged by id, so a changed node is rewritten in place. A changed relationship
        is deleted and created again, since its ends may have moved; vanished relationships are
        deleted here.
        """
        state = self.state(kind)
        size = self.batch[kind]
        replace: list[Element] = []
        track = kind == "entity" and len(state.keys) > 0
        for chunk in _chunks(stream, size):
            new, changed = state.classify(chunk)
            if track:
                # Entities deleted behind our back took their LISTS relationships with them.
                self.recreated.update(element.key for element in new)
            if kind == "listing" and self.recreated:
                moved = [e for e in chunk if e.row["entity"] in self.recreated]
                changed = list({id(e): e for e in [*changed, *moved]}.values())
                new = [e for e in new if e.row["entity"] not in self.recreated]
            counts.unchanged += len(chunk) - len(new) - len(changed)
            if kind == "relationship":
                replace.extend(changed)
                changed = []
            for part in _chunks([*new, *changed], size):
                self.write(_UPSERT[kind], "rows", [element.row for element in part])
                counts.written += len(part)
            self.on_rows(kind, len(chunk))
        gone = state.gone()
        if kind == "relationship":
            self._replace(replace, gone, counts)
            return []
        if not gone:
            return []
        return [r["id"] for r in self.stream(_STATE[kind]) if key_hash(r["id"]) in gone]

    def _replace(self, changed: list[Element], gone: set[int], counts: KindCounts) -> None:
        """Delete the relationships that vanished or changed, then create the changed ones."""
        doomed = {element.key for element in changed}
        if doomed or gone:
            found = []
            for record in self.stream("push/relationship_elements"):
                key = elements.element_key("relationship", record["id"], record["type"])
                if key in doomed:
                    found.append(record["element"])
                elif key_hash(key) in gone:
                    found.append(record["element"])
                    counts.deleted += 1
            for part in _chunks(found, self.batch["delete"]):
                self.write("push/delete_relationships", "ids", part)
        for part in _chunks(changed, self.batch["relationship"]):
            self.write(_UPSERT["relationship"], "rows", [element.row for element in part])
            counts.written += len(part)

    def delete(self, kind: str, ids: list[str], counts: KindCounts) -> None:
        for part in _chunks(ids, self.batch["delete"]):
            self.write(_DELETE[kind], "ids", part)
        counts.deleted += len(ids)


def push(
    workspace: Workspace,
    driver: neo4j.Driver,
    database: str,
    *,
    console: Console | None = None,
    batch: dict[str, int] | None = None,
) -> PushSummary:
    """Bring the Neo4j database in step with the workspace's resolved graph.

    Parameters
    ----------
    workspace : Workspace
    driver : neo4j.Driver
        A connected driver (:func:`ownergraph.backends.neo4j.settings.connect`).
    database : str
    console : rich.console.Console, optional
        Where to draw a progress bar (none without).
    batch : dict, optional
        Rows per transaction by kind (``entity``, ``listing``, ``relationship``, ``delete``).

    Returns
    -------
    PushSummary
    """
    started = time.perf_counter()
    summary = PushSummary(database)
    totals = _totals(workspace)
    with _progress(console) as progress:
        tasks = {
            kind: progress.add_task(kind, total=totals[kind]) if progress else None
            for kind in totals
        }

        def advance(kind: str, count: int) -> None:
            if progress is not None and (task := tasks[kind]) is not None:
                progress.advance(task, count)

        pusher = Pusher(driver, database, on_rows=advance, batch=batch)
        pusher.schema()
        canonical = Canonical(workspace)
        stubs = elements.stub_ids(workspace)
        for kind in ("entity", "listing", "relationship"):
            summary.counts[kind] = KindCounts()
        entity_stream = elements.entities(workspace, canonical, stubs)
        gone_entities = pusher.push_kind("entity", entity_stream, summary.counts["entity"])
        listing_stream = elements.listings(workspace, canonical, stubs)
        gone_listings = pusher.push_kind("listing", listing_stream, summary.counts["listing"])
        pusher.push_kind(
            "relationship",
            elements.relationships(workspace, canonical),
            summary.counts["relationship"],
        )
        pusher.delete("listing", gone_listings, summary.counts["listing"])
        pusher.delete("entity", gone_entities, summary.counts["entity"])
    summary.seconds = time.perf_counter() - started
    return summary


def wipe(driver: neo4j.Driver, database: str) -> None:
    """Delete every node and relationship of ``database`` (``cypher/push/wipe.cypher``)."""
    with driver.session(database=database) as session:
        for text in statements("push/wipe"):
            session.run(text).consume()


def _totals(workspace: Workspace) -> dict[str, int]:
    """Roughly how many elements of each kind a push examines, for the progress bar."""

    def count(sql: str) -> int:
        return int(workspace.query(sql)[0][0])

    return {
        "entity": count(
            "SELECT count(DISTINCT COALESCE(c.canonical_id, e.id)) FROM entities e "
            "LEFT JOIN clusters c ON c.entity_id = e.id"
        ),
        "listing": count("SELECT count(*) FROM listings"),
        "relationship": count("SELECT count(*) FROM links WHERE target_id IS NOT NULL")
        + count(
            "SELECT count(*) FROM shipments WHERE exporter_id IS NOT NULL "
            "AND importer_id IS NOT NULL"
        ),
    }


class _NoProgress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _progress(console: Console | None) -> Any:
    if console is None:
        return _NoProgress()
    return Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )

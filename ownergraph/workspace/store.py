"""The embedded workspace: one SQLite file holding every record with its provenance.

Writes are idempotent upserts keyed by ``<dataset>:<record id>`` that only touch a row when its
content changed; each batch is one transaction, so an interrupted load leaves whole batches.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ownergraph.errors import WorkspaceError
from ownergraph.model import Entity, Link, Listing, Reject, Shipment
from ownergraph.workspace import rows
from ownergraph.workspace.migrations import MIGRATIONS, SCHEMA_VERSION

DEFAULT_PATH = "ownergraph.db"
# Lookup indexes that a bulk load builds once at the end instead of row by row. The indexes that
# the upserts and the name/identifier triggers use themselves are never deferred.
DEFERRABLE_INDEXES = (
    "entities_dataset", "names_key", "identifiers_value", "links_source", "links_target",
    "listings_entity", "shipments_hs6", "shipments_exporter", "shipments_importer",
    "shipments_declarant",
)  # fmt: skip


def default_path() -> Path:
    """``$OWNERGRAPH_WORKSPACE`` or ``./ownergraph.db``."""
    return Path(os.environ.get("OWNERGRAPH_WORKSPACE") or DEFAULT_PATH)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class BatchCounts:
    """What one batch did to the workspace."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def add(self, other: BatchCounts) -> None:
        self.inserted += other.inserted
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.rejected += other.rejected


@dataclass
class _Table:
    name: str
    columns: tuple[str, ...]
    to_row: Callable[[Any], tuple[Any, ...]]
    sql: str = field(init=False)

    def __post_init__(self) -> None:
        columns = (*self.columns, *rows.PROVENANCE_COLUMNS)
        updates = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
        # Load bookkeeping alone does not make a change; content and citation do.
        compared = [column for column in columns[1:] if column not in ("load_id", "loaded_at")]
        mine = ", ".join(f"{self.name}.{column}" for column in compared)
        theirs = ", ".join(f"excluded.{column}" for column in compared)
        changed = f"({mine}) IS NOT ({theirs})"
        if self.name == "listings":
            # A listing that reappears on a newer full list is no longer withdrawn.
            updates += ", withdrawn_on = NULL"
            changed += " OR listings.withdrawn_on IS NOT NULL"
        self.sql = (
            f"INSERT INTO {self.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT(id) DO UPDATE SET {updates} WHERE {changed}"
        )


_TABLES = {
    Entity: _Table("entities", rows.ENTITY_COLUMNS, rows.entity_row),
    Link: _Table("links", rows.LINK_COLUMNS, rows.link_row),
    Listing: _Table("listings", rows.LISTING_COLUMNS, rows.listing_row),
    Shipment: _Table("shipments", rows.SHIPMENT_COLUMNS, rows.shipment_row),
}


@dataclass
class PreparedBatch:
    """A batch turned into plain rows: picklable, so another process can prepare it."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    rejects: list[tuple[str | None, int | None, str | None, str, str | None]] = field(
        default_factory=list
    )
    records: int = 0


def prepare_batch(records: Iterable[Entity | Link | Listing | Shipment | Reject]) -> PreparedBatch:
    """Rows for each table (content and citation columns) and the rejects of a batch."""
    batch = PreparedBatch()
    for record in records:
        if isinstance(record, Reject):
            batch.rejects.append(
                (record.file, record.line, record.location, record.reason, record.raw)
            )
            continue
        table = _TABLES[type(record)]
        prov = record.provenance
        batch.rows.setdefault(table.name, []).append(
            (*table.to_row(record), prov.source_file, prov.record, prov.source_url)
        )
        batch.records += 1
    return batch


class Workspace:
    """An open workspace file. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path | str | None = None, *, create: bool = True) -> None:
        self.path = Path(path) if path is not None else default_path()
        if not create and not self.path.exists():
            raise WorkspaceError(f"no workspace at {self.path}; load some data first")
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA busy_timeout = 10000")
            # On disk: an index build sorts all its keys in temp storage, and in memory that sort
            # would grow with the file being loaded.
            self.db.execute("PRAGMA temp_store = FILE")
            self.db.execute("PRAGMA cache_size = -65536")
            self._migrate()
            self.build_deferred_indexes()
        except sqlite3.DatabaseError as error:
            raise WorkspaceError(f"{self.path} is not a usable workspace: {error}") from error

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    @property
    def schema_version(self) -> int:
        version: int = self.db.execute("PRAGMA user_version").fetchone()[0]
        return version

    def _migrate(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise WorkspaceError(
                f"{self.path} has workspace schema {version}, but this ownergraph knows only up "
                f"to {SCHEMA_VERSION}: upgrade ownergraph to open it"
            )
        for number in range(version, SCHEMA_VERSION):
            migration = MIGRATIONS[number]
            with self.transaction():
                if isinstance(migration, str):
                    self._run_script(migration)
                else:
                    self._run_steps(migration(self.db), f"upgrading to schema {number + 1}")
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    def _run_steps(self, steps: Iterator[tuple[int, int]], description: str) -> None:
        """Drive a function migration, with a progress bar on a terminal."""
        console = Console(stderr=True)
        bar = Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal,
        )  # fmt: skip
        with bar:
            task = bar.add_task(f"{self.path.name}: {description}", total=None)
            for done, total in steps:
                bar.update(task, completed=done, total=total)

    def _run_script(self, script: str) -> None:
        # executescript() would COMMIT first; run statement by statement inside our transaction.
        statement = ""
        for line in script.splitlines(keepends=True):
            statement += line
            if sqlite3.complete_statement(statement):
                self.db.execute(statement)
                statement = ""

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back on any exception, including KeyboardInterrupt."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def defer_indexes(self) -> None:
        """Drop the lookup indexes for a bulk load; :meth:`build_deferred_indexes` restores them.

        The statements are kept in the workspace in the same transaction, so a crash in between
        leaves a workspace that rebuilds its indexes when next opened.
        """
        placeholders = ", ".join("?" * len(DEFERRABLE_INDEXES))
        with self.transaction() as db:
            found = db.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                f"AND name IN ({placeholders})",
                DEFERRABLE_INDEXES,
            ).fetchall()
            for name, sql in found:
                db.execute("INSERT OR REPLACE INTO deferred_indexes VALUES (?, ?)", (name, sql))
                db.execute(f"DROP INDEX {name}")

    def build_deferred_indexes(self) -> None:
        """Rebuild the indexes a bulk load dropped (no-op when there are none)."""
        pending = self.db.execute("SELECT name, sql FROM deferred_indexes").fetchall()
        if not pending:
            return
        with self.transaction() as db:
            for name, sql in pending:
                db.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
                db.execute("DELETE FROM deferred_indexes WHERE name = ?", (name,))

    def replace_clusters(self, rows: Iterable[tuple[str, str, str, str]]) -> None:
        """Replace the whole resolution: ``(entity_id, canonical_id, explanation, resolved_at)``
        rows, in one transaction.

        Row by row, each insert would fire the triggers that keep ``cluster_keys`` (the integer
        copy the graph reads) in step: several index operations a row, five times the cost of
        the write itself at a million records. A resolution rewrites every row, so inside the
        transaction the triggers are set aside, ``cluster_keys`` is rebuilt by set-based
        statements that give the keys the triggers would, and the triggers are put back; a
        crash rolls all of it back.
        """
        with self.transaction() as db:
            triggers = db.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
                ("clusters",),
            ).fetchall()
            for name, _ in triggers:
                db.execute(f'DROP TRIGGER "{name}"')
            db.execute("DELETE FROM clusters")
            db.executemany(
                "INSERT INTO clusters (entity_id, canonical_id, explanation, resolved_at) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )
            db.execute("DELETE FROM cluster_keys")
            keyed = (
                "INSERT INTO cluster_keys SELECT member.key, canonical.key FROM clusters AS t "
                "JOIN record_keys AS member ON member.id = t.entity_id "
                "JOIN record_keys AS canonical ON canonical.id = t.canonical_id ORDER BY t.rowid"
            )
            written = db.execute(keyed).rowcount
            if written != db.execute("SELECT count(*) FROM clusters").fetchone()[0]:
                # Ids without a key yet (a resolution names loaded records, so rarely): number
                # them in the order the insert trigger would have, then key every row again.
                db.execute("DELETE FROM cluster_keys")
                db.execute(
                    "INSERT OR IGNORE INTO record_keys (id) SELECT id FROM ("
                    " SELECT rowid AS position, 0 AS side, entity_id AS id FROM clusters"
                    " UNION ALL SELECT rowid, 1, canonical_id FROM clusters"
                    ") ORDER BY position, side"
                )
                db.execute(keyed)
            for _, sql in triggers:
                db.execute(sql)

    # -- loads -----------------------------------------------------------------------------

    def begin_load(self, dataset: str, format_name: str, file: str) -> int:
        """Record the start of a load; loads left 'running' by a crash become 'interrupted'."""
        stamp = now()
        with self.transaction() as db:
            db.execute(
                "UPDATE loads SET status = 'interrupted' WHERE status = 'running'",
            )
            db.execute(
                "INSERT INTO datasets (name, format, created_at, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET updated_at = excluded.updated_at",
                (dataset, format_name, stamp, stamp),
            )
            cursor = db.execute(
                "INSERT INTO loads (dataset, format, file, started_at, status) "
                "VALUES (?, ?, ?, ?, 'running')",
                (dataset, format_name, file, stamp),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_load(
        self, load_id: int, status: str, notices: dict[str, int], error: str | None = None
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE loads SET status = ?, finished_at = ?, notices = ?, error = ? WHERE id = ?",
                (status, now(), json.dumps(notices, sort_keys=True), error, load_id),
            )

    def write_batch(
        self,
        load_id: int,
        dataset: str,
        file: str,
        records: Sequence[Entity | Link | Listing | Shipment | Reject],
        *,
        seen_listings: bool = False,
    ) -> BatchCounts:
        """Upsert one batch of records and the load's running totals in a single transaction."""
        return self.write_prepared(
            load_id, dataset, file, prepare_batch(records), seen_listings=seen_listings
        )

    def write_prepared(
        self,
        load_id: int,
        dataset: str,
        file: str,
        batch: PreparedBatch,
        *,
        seen_listings: bool = False,
    ) -> BatchCounts:
        """Write a batch already turned into rows (see :func:`prepare_batch`) in one transaction."""
        counts = BatchCounts()
        tail = (load_id, now())
        with self.transaction() as db:
            for table in _TABLES.values():
                prepared = batch.rows.get(table.name)
                if not prepared:
                    continue
                values = [(*row, *tail) for row in prepared]
                before = self._max_rowid(table.name)
                changed = db.executemany(table.sql, values).rowcount
                inserted = self._max_rowid(table.name) - before
                counts.inserted += inserted
                counts.updated += changed - inserted
                counts.unchanged += len(values) - changed
                if seen_listings and table.name == "listings":
                    db.executemany(
                        "INSERT OR IGNORE INTO temp.seen_listings (id) VALUES (?)",
                        ((row[0],) for row in prepared),
                    )
            if batch.rejects:
                db.executemany(
                    "INSERT INTO rejects (load_id, dataset, file, line, location, reason, raw) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(load_id, dataset, reject_file or file, *rest)
                     for reject_file, *rest in batch.rejects],
                )  # fmt: skip
                counts.rejected = len(batch.rejects)
            db.execute(
                "UPDATE loads SET records = records + ?, inserted = inserted + ?, "
                "updated = updated + ?, rejected = rejected + ? WHERE id = ?",
                (batch.records, counts.inserted, counts.updated, counts.rejected, load_id),
            )
        return counts

    def _max_rowid(self, table: str) -> int:
        value = self.db.execute(f"SELECT max(rowid) FROM {table}").fetchone()[0]
        return int(value or 0)

    def start_listing_snapshot(self) -> None:
        """Begin tracking which listings a full-list load sees (see :meth:`withdraw_unseen`)."""
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS seen_listings (id TEXT PRIMARY KEY)")
        self.db.execute("DELETE FROM temp.seen_listings")

    def withdraw_unseen(self, load_id: int, dataset: str) -> int:
        """Mark listings of ``dataset`` that a finished full-list load did not see as withdrawn."""
        with self.transaction() as db:
            withdrawn = db.execute(
                "UPDATE listings SET withdrawn_on = ? WHERE dataset = ? AND withdrawn_on IS NULL "
                "AND id NOT IN (SELECT id FROM temp.seen_listings)",
                (now()[:10], dataset),
            ).rowcount
            db.execute("UPDATE loads SET withdrawn = ? WHERE id = ?", (withdrawn, load_id))
        return withdrawn

    # -- reads -----------------------------------------------------------------------------

    def query(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """Run a read query and return rows addressable by column name."""
        cursor = self.db.execute(sql, parameters)
        cursor.row_factory = sqlite3.Row
        return list(cursor.fetchall())

    def iterate(
        self, sql: str, parameters: Sequence[Any] = (), *, size: int = 10000
    ) -> Iterable[tuple[Any, ...]]:
        """Stream a large result in chunks without holding it in memory."""
        cursor = self.db.execute(sql, parameters)
        while chunk := cursor.fetchmany(size):
            yield from chunk

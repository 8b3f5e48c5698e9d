"""The workspace schema as an ordered list of forward migrations.

Migration N takes a workspace from schema version N-1 to N. Never edit a released migration: add a
new one. ``PRAGMA user_version`` holds the version a file is at. A migration is an SQL script, or
a function for what SQL cannot compute: it rewrites rows through the connection, a chunk at a
time, and yields (rows done, rows in all) for a progress bar. Either runs inside the one
transaction that also sets the new version.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator

from ownergraph.model.values import search_key
from ownergraph.workspace.rows import dump

CHUNK = 5000
"""Rows a function migration reads at a time."""


def rewrite_name_keys(db: sqlite3.Connection) -> Iterator[tuple[int, int]]:
    """Key every stored name by :func:`~ownergraph.model.values.search_key` (Latin letters
    whatever the script) instead of ``fold``: the ``[name, key]`` pairs of ``entities.data``,
    which the ``entities_updated`` trigger copies into ``names``. The JSON is written as a load
    writes it, so reloading a file afterwards finds its records unchanged. Only rows whose keys
    change are written: an ASCII name's key is its fold."""
    total = int(db.execute("SELECT count(*) FROM entities").fetchone()[0])
    done = last = 0
    query = "SELECT rowid, data FROM entities WHERE rowid > ? ORDER BY rowid LIMIT ?"
    while chunk := db.execute(query, (last, CHUNK)).fetchall():
        changed = []
        for rowid, data in chunk:
            payload = json.loads(data)
            names = payload.get("names") or []
            keyed = [[name, search_key(name)] for name, _ in names]
            if keyed != names:
                changed.append((dump({**payload, "names": keyed}), rowid))
        db.executemany("UPDATE entities SET data = ? WHERE rowid = ?", changed)
        done += len(chunk)
        last = chunk[-1][0]
        yield done, total


Migration = str | Callable[[sqlite3.Connection], Iterator[tuple[int, int]]]

MIGRATIONS: tuple[Migration, ...] = (
    # 1: records with provenance, loads, rejects, resolution tables.
    """
    CREATE TABLE datasets (
        name        TEXT PRIMARY KEY,
        format      TEXT NOT NULL,
        source_url  TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE loads (
        id          INTEGER PRIMARY KEY,
        dataset     TEXT NOT NULL,
        format      TEXT NOT NULL,
        file        TEXT NOT NULL,
        started_at  TEXT NOT NULL,
        finished_at TEXT,
        status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'interrupted')),
        records     INTEGER NOT NULL DEFAULT 0,
        inserted    INTEGER NOT NULL DEFAULT 0,
        updated     INTEGER NOT NULL DEFAULT 0,
        rejected    INTEGER NOT NULL DEFAULT 0,
        withdrawn   INTEGER NOT NULL DEFAULT 0,
        notices     TEXT NOT NULL DEFAULT '{}',
        error       TEXT
    );
    -- Every record table has the same provenance columns: dataset, source_file, record (line or
    -- record id in the file), source_url, load_id (the load that last changed it), loaded_at.
    CREATE TABLE entities (
        id          TEXT PRIMARY KEY,          -- <dataset>:<record id>
        dataset     TEXT NOT NULL,
        schema      TEXT NOT NULL,
        name        TEXT NOT NULL,
        country     TEXT,
        data        TEXT NOT NULL,             -- JSON: names, identifiers, dates, properties
        source_file TEXT NOT NULL,
        record      TEXT NOT NULL,
        source_url  TEXT,
        load_id     INTEGER NOT NULL,
        loaded_at   TEXT NOT NULL
    );
    CREATE INDEX entities_dataset ON entities (dataset, schema);
    CREATE TABLE names (
        entity_id   TEXT NOT NULL,
        name        TEXT NOT NULL,
        key         TEXT NOT NULL              -- fold(name): case- and accent-free
    );
    CREATE INDEX names_key ON names (key);
    CREATE INDEX names_entity ON names (entity_id);
    CREATE TABLE identifiers (
        entity_id   TEXT NOT NULL,
        scheme      TEXT NOT NULL,
        value       TEXT NOT NULL
    );
    CREATE INDEX identifiers_value ON identifiers (value, scheme);
    CREATE INDEX identifiers_entity ON identifiers (entity_id);
    -- Names and identifiers are kept in step with entities.data by triggers, so no writer can
    -- forget them.
    CREATE TRIGGER entities_inserted AFTER INSERT ON entities BEGIN
        INSERT INTO names (entity_id, name, key)
            SELECT new.id, json_extract(value, '$[0]'), json_extract(value, '$[1]')
            FROM json_each(new.data, '$.names');
        INSERT INTO identifiers (entity_id, scheme, value)
            SELECT new.id, substr(value, 1, instr(value, ':') - 1),
                   substr(value, instr(value, ':') + 1)
            FROM json_each(new.data, '$.identifiers');
    END;
    CREATE TRIGGER entities_updated AFTER UPDATE OF data ON entities BEGIN
        DELETE FROM names WHERE entity_id = old.id;
        DELETE FROM identifiers WHERE entity_id = old.id;
        INSERT INTO names (entity_id, name, key)
            SELECT new.id, json_extract(value, '$[0]'), json_extract(value, '$[1]')
            FROM json_each(new.data, '$.names');
        INSERT INTO identifiers (entity_id, scheme, value)
            SELECT new.id, substr(value, 1, instr(value, ':') - 1),
                   substr(value, instr(value, ':') + 1)
            FROM json_each(new.data, '$.identifiers');
    END;
    CREATE TRIGGER entities_deleted AFTER DELETE ON entities BEGIN
        DELETE FROM names WHERE entity_id = old.id;
        DELETE FROM identifiers WHERE entity_id = old.id;
    END;
    CREATE TABLE links (
        id          TEXT PRIMARY KEY,          -- <dataset>:<record id>
        dataset     TEXT NOT NULL,
        type        TEXT NOT NULL,
        source_id   TEXT NOT NULL,
        target_id   TEXT,                      -- NULL while only target_name is known
        target_name TEXT,
        share_low   REAL,
        share_high  REAL,
        share_low_open  INTEGER NOT NULL DEFAULT 0,
        share_high_open INTEGER NOT NULL DEFAULT 0,
        share_known INTEGER NOT NULL DEFAULT 0, -- 1 when a share was stated, even "unknown"
        role        TEXT,
        start_date  TEXT,
        end_date    TEXT,
        data        TEXT NOT NULL,             -- JSON: extra properties
        source_file TEXT NOT NULL,
        record      TEXT NOT NULL,
        source_url  TEXT,
        load_id     INTEGER NOT NULL,
        loaded_at   TEXT NOT NULL
    );
    CREATE INDEX links_source ON links (source_id, type);
    CREATE INDEX links_target ON links (target_id, type);
    CREATE TABLE listings (
        id          TEXT PRIMARY KEY,
        dataset     TEXT NOT NULL,
        entity_id   TEXT NOT NULL,
        authority   TEXT NOT NULL,
        list_name   TEXT NOT NULL,
        programmes  TEXT NOT NULL,             -- JSON array
        listed_on   TEXT,
        delisted_on TEXT,
        withdrawn_on TEXT,                     -- set when a newer full list no longer has it
        data        TEXT NOT NULL,
        source_file TEXT NOT NULL,
        record      TEXT NOT NULL,
        source_url  TEXT,
        load_id     INTEGER NOT NULL,
        loaded_at   TEXT NOT NULL
    );
    CREATE INDEX listings_entity ON listings (entity_id);
    CREATE TABLE shipments (
        id          TEXT PRIMARY KEY,
        dataset     TEXT NOT NULL,
        date        TEXT,
        exporter_id TEXT,
        importer_id TEXT,
        declarant_id TEXT,
        hs_code     TEXT,
        hs6         TEXT,
        chpl_tier   TEXT,
        description TEXT,
        quantity    REAL,
        unit        TEXT,
        value       REAL,
        currency    TEXT,
        origin_country TEXT,
        destination_country TEXT,
        data        TEXT NOT NULL,
        source_file TEXT NOT NULL,
        record      TEXT NOT NULL,
        source_url  TEXT,
        load_id     INTEGER NOT NULL,
        loaded_at   TEXT NOT NULL
    );
    CREATE INDEX shipments_hs6 ON shipments (hs6);
    CREATE INDEX shipments_exporter ON shipments (exporter_id);
    CREATE INDEX shipments_importer ON shipments (importer_id);
    CREATE INDEX shipments_declarant ON shipments (declarant_id);
    CREATE TABLE rejects (
        id          INTEGER PRIMARY KEY,
        load_id     INTEGER NOT NULL,
        dataset     TEXT NOT NULL,
        file        TEXT NOT NULL,
        line        INTEGER,
        location    TEXT,
        reason      TEXT NOT NULL,
        raw         TEXT
    );
    CREATE INDEX rejects_load ON rejects (load_id);
    -- Resolution: record id -> canonical cluster id, with the explanation of the merge.
    CREATE TABLE clusters (
        entity_id   TEXT PRIMARY KEY,
        canonical_id TEXT NOT NULL,
        explanation TEXT NOT NULL DEFAULT '{}',
        resolved_at TEXT NOT NULL
    );
    CREATE INDEX clusters_canonical ON clusters (canonical_id);
    CREATE TABLE judgements (
        id          INTEGER PRIMARY KEY,
        left_id     TEXT NOT NULL,
        right_id    TEXT NOT NULL,
        verdict     TEXT NOT NULL CHECK (verdict IN ('same', 'different', 'unsure')),
        author      TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        retracted_at TEXT
    );
    CREATE INDEX judgements_pair ON judgements (left_id, right_id);
    -- Lookup indexes dropped for a bulk load, with the statement that rebuilds each; a workspace
    -- opened with rows here (a bulk load that crashed) rebuilds them first.
    CREATE TABLE deferred_indexes (
        name        TEXT PRIMARY KEY,
        sql         TEXT NOT NULL
    );
    """,
    # 2: integer keys for record ids, and narrow copies of what the graph reads, kept by triggers.
    # ``record_keys`` numbers every id a record has or names, once and for good; the copies refer
    # to records and ends by those numbers, so the graph is built from numbers in narrow rows
    # instead of mapping millions of strings read from wide ones (docs/architecture.md).
    # ``INSERT OR IGNORE`` skips NULL ids (NOT NULL) as well as ids already keyed.
    """
    CREATE TABLE record_keys (
        key         INTEGER PRIMARY KEY,
        id          TEXT NOT NULL UNIQUE
    );
    CREATE TABLE entity_nodes (
        key         INTEGER PRIMARY KEY,       -- record_keys.key of entities.id
        schema      TEXT NOT NULL,
        country     TEXT
    );
    CREATE TABLE link_edges (
        key         INTEGER PRIMARY KEY,       -- in the order the links were stored
        type        TEXT NOT NULL,
        source_key  INTEGER NOT NULL,
        target_key  INTEGER,
        start_date  TEXT,
        end_date    TEXT,
        share_low   REAL,                      -- NULL unless a share was stated
        share_high  REAL,
        id          TEXT NOT NULL UNIQUE       -- links.id
    );
    CREATE TABLE shipment_edges (
        key         INTEGER PRIMARY KEY,       -- in the order the shipments were stored
        exporter_key INTEGER,
        importer_key INTEGER,
        declarant_key INTEGER,
        date        TEXT,
        hs6         TEXT,
        chpl_tier   TEXT,
        value       REAL,
        quantity    REAL,
        id          TEXT NOT NULL UNIQUE       -- shipments.id
    );
    CREATE TABLE cluster_keys (
        entity_key  INTEGER PRIMARY KEY,
        canonical_key INTEGER NOT NULL
    );
    -- Entity ids first, in the order they were stored (the graph numbers its nodes in key order),
    -- then the ids other records name.
    INSERT INTO record_keys (id) SELECT id FROM entities ORDER BY rowid;
    INSERT OR IGNORE INTO record_keys (id) SELECT source_id FROM links ORDER BY rowid;
    INSERT OR IGNORE INTO record_keys (id) SELECT target_id FROM links ORDER BY rowid;
    INSERT OR IGNORE INTO record_keys (id) SELECT exporter_id FROM shipments ORDER BY rowid;
    INSERT OR IGNORE INTO record_keys (id) SELECT importer_id FROM shipments ORDER BY rowid;
    INSERT OR IGNORE INTO record_keys (id) SELECT declarant_id FROM shipments ORDER BY rowid;
    INSERT OR IGNORE INTO record_keys (id) SELECT entity_id FROM clusters ORDER BY rowid;
    INSERT OR IGNORE INTO record_keys (id) SELECT canonical_id FROM clusters ORDER BY rowid;
    INSERT INTO entity_nodes SELECT
            (SELECT key FROM record_keys WHERE id = t.id), t.schema, t.country
        FROM entities AS t ORDER BY t.rowid;
    INSERT INTO link_edges SELECT
            NULL, t.type,
            (SELECT key FROM record_keys WHERE id = t.source_id),
            (SELECT key FROM record_keys WHERE id = t.target_id), t.start_date, t.end_date,
            CASE WHEN t.share_known THEN t.share_low END,
            CASE WHEN t.share_known THEN t.share_high END, t.id
        FROM links AS t ORDER BY t.rowid;
    INSERT INTO shipment_edges SELECT
            NULL,
            (SELECT key FROM record_keys WHERE id = t.exporter_id),
            (SELECT key FROM record_keys WHERE id = t.importer_id),
            (SELECT key FROM record_keys WHERE id = t.declarant_id),
            t.date, t.hs6, t.chpl_tier, t.value, t.quantity, t.id
        FROM shipments AS t ORDER BY t.rowid;
    INSERT INTO cluster_keys SELECT
            (SELECT key FROM record_keys WHERE id = t.entity_id),
            (SELECT key FROM record_keys WHERE id = t.canonical_id)
        FROM clusters AS t ORDER BY t.rowid;
    -- No conflict clauses in the triggers: an upsert's own would override them. A NULL id is
    -- never keyed (NULL NOT IN ... is not true).
    CREATE TRIGGER entities_to_entity_nodes
        AFTER INSERT ON entities BEGIN
        INSERT INTO record_keys (id) SELECT new.id
            WHERE new.id NOT IN (SELECT id FROM record_keys);
        DELETE FROM entity_nodes WHERE key = (SELECT key FROM record_keys WHERE id = new.id);
        INSERT INTO entity_nodes
            VALUES ((SELECT key FROM record_keys WHERE id = new.id), new.schema, new.country);
    END;
    CREATE TRIGGER entities_to_entity_nodes_updated
        AFTER UPDATE OF id, schema, country ON entities BEGIN
        DELETE FROM entity_nodes WHERE key = (SELECT key FROM record_keys WHERE id = old.id);
        INSERT INTO record_keys (id) SELECT new.id
            WHERE new.id NOT IN (SELECT id FROM record_keys);
        DELETE FROM entity_nodes WHERE key = (SELECT key FROM record_keys WHERE id = new.id);
        INSERT INTO entity_nodes
            VALUES ((SELECT key FROM record_keys WHERE id = new.id), new.schema, new.country);
    END;
    CREATE TRIGGER entities_to_entity_nodes_deleted
        AFTER DELETE ON entities BEGIN
        DELETE FROM entity_nodes WHERE key = (SELECT key FROM record_keys WHERE id = old.id);
    END;
    CREATE TRIGGER links_to_link_edges
        AFTER INSERT ON links BEGIN
        INSERT INTO record_keys (id) SELECT new.source_id
            WHERE new.source_id NOT IN (SELECT id FROM record_keys);
        INSERT INTO record_keys (id) SELECT new.target_id
            WHERE new.target_id NOT IN (SELECT id FROM record_keys);
        DELETE FROM link_edges WHERE id = new.id;
        INSERT INTO link_edges
            (type, source_key, target_key, start_date, end_date, share_low, share_high, id)
            VALUES (new.type, (SELECT key FROM record_keys WHERE id = new.source_id),
            (SELECT key FROM record_keys WHERE id = new.target_id), new.start_date, new.end_date,
            CASE WHEN new.share_known THEN new.share_low END,
            CASE WHEN new.share_known THEN new.share_high END, new.id);
    END;
    CREATE TRIGGER links_to_link_edges_updated
        AFTER UPDATE OF id, type, source_id, target_id, start_date, end_date, share_low,
        share_high, share_known ON links BEGIN
        -- In place: an edge keeps its position when its record changes.
        INSERT INTO record_keys (id) SELECT new.source_id
            WHERE new.source_id NOT IN (SELECT id FROM record_keys);
        INSERT INTO record_keys (id) SELECT new.target_id
            WHERE new.target_id NOT IN (SELECT id FROM record_keys);
        UPDATE link_edges
            SET (type, source_key, target_key, start_date, end_date, share_low, share_high, id) =
            (new.type, (SELECT key FROM record_keys WHERE id = new.source_id),
            (SELECT key FROM record_keys WHERE id = new.target_id), new.start_date, new.end_date,
            CASE WHEN new.share_known THEN new.share_low END,
            CASE WHEN new.share_known THEN new.share_high END, new.id)
            WHERE id = old.id;
    END;
    CREATE TRIGGER links_to_link_edges_deleted
        AFTER DELETE ON links BEGIN
        DELETE FROM link_edges WHERE id = old.id;
    END;
    CREATE TRIGGER shipments_to_shipment_edges
        AFTER INSERT ON shipments BEGIN
        INSERT INTO record_keys (id) SELECT new.exporter_id
            WHERE new.exporter_id NOT IN (SELECT id FROM record_keys);
        INSERT INTO record_keys (id) SELECT new.importer_id
            WHERE new.importer_id NOT IN (SELECT id FROM record_keys);
        INSERT INTO record_keys (id) SELECT new.declarant_id
            WHERE new.declarant_id NOT IN (SELECT id FROM record_keys);
        DELETE FROM shipment_edges WHERE id = new.id;
        INSERT INTO shipment_edges
            (exporter_key, importer_key, declarant_key, date, hs6, chpl_tier, value, quantity, id)
            VALUES ((SELECT key FROM record_keys WHERE id = new.exporter_id),
            (SELECT key FROM record_keys WHERE id = new.importer_id),
            (SELECT key FROM record_keys WHERE id = new.declarant_id),
            new.date, new.hs6, new.chpl_tier, new.value, new.quantity, new.id);
    END;
    CREATE TRIGGER shipments_to_shipment_edges_updated
        AFTER UPDATE OF id, exporter_id, importer_id, declarant_id, date, hs6, chpl_tier,
        value, quantity ON shipments BEGIN
        -- In place: an edge keeps its position when its record changes.
        INSERT INTO record_keys (id) SELECT new.exporter_id
            WHERE new.exporter_id NOT IN (SELECT id FROM record_keys);
        INSERT INTO record_keys (id) SELECT new.importer_id
            WHERE new.importer_id NOT IN (SELECT id FROM record_keys);
        INSERT INTO record_keys (id) SELECT new.declarant_id
            WHERE new.declarant_id NOT IN (SELECT id FROM record_keys);
        UPDATE shipment_edges SET
            (exporter_key, importer_key, declarant_key, date, hs6, chpl_tier, value, quantity, id) =
            ((SELECT key FROM record_keys WHERE id = new.exporter_id),
            (SELECT key FROM record_keys WHERE id = new.importer_id),
            (SELECT key FROM record_keys WHERE id = new.declarant_id),
            new.date, new.hs6, new.chpl_tier, new.value, new.quantity, new.id)
            WHERE id = old.id;
    END;
    CREATE TRIGGER shipments_to_shipment_edges_deleted
        AFTER DELETE ON shipments BEGIN
        DELETE FROM shipment_edges WHERE id = old.id;
    END;
    CREATE TRIGGER clusters_to_cluster_keys
        AFTER INSERT ON clusters BEGIN
        INSERT INTO record_keys (id) SELECT new.entity_id
            WHERE new.entity_id NOT IN (SELECT id FROM record_keys);
        INSERT INTO record_keys (id) SELECT new.canonical_id
            WHERE new.canonical_id NOT IN (SELECT id FROM record_keys);
        DELETE FROM cluster_keys
            WHERE entity_key = (SELECT key FROM record_keys WHERE id = new.entity_id);
        INSERT INTO cluster_keys
            VALUES ((SELECT key FROM record_keys WHERE id = new.entity_id),
                    (SELECT key FROM record_keys WHERE id = new.canonical_id));
    END;
    CREATE TRIGGER clusters_to_cluster_keys_updated
        AFTER UPDATE OF entity_id, canonical_id ON clusters BEGIN
        DELETE FROM cluster_keys
            WHERE entity_key = (SELECT key FROM record_keys WHERE id = old.entity_id);
        INSERT INTO record_keys (id) SELECT new.entity_id
            WHERE new.entity_id NOT IN (SELECT id FROM record_keys);
        INSERT INTO record_keys (id) SELECT new.canonical_id
            WHERE new.canonical_id NOT IN (SELECT id FROM record_keys);
        DELETE FROM cluster_keys
            WHERE entity_key = (SELECT key FROM record_keys WHERE id = new.entity_id);
        INSERT INTO cluster_keys
            VALUES ((SELECT key FROM record_keys WHERE id = new.entity_id),
                    (SELECT key FROM record_keys WHERE id = new.canonical_id));
    END;
    CREATE TRIGGER clusters_to_cluster_keys_deleted
        AFTER DELETE ON clusters BEGIN
        DELETE FROM cluster_keys
            WHERE entity_key = (SELECT key FROM record_keys WHERE id = old.entity_id);
    END;
    """,
    # 3: names.key (and the keys in entities.data) become search_key(name), fold in Latin
    # letters, so that a search finds a name in any script.
    rewrite_name_keys,
)

SCHEMA_VERSION = len(MIGRATIONS)

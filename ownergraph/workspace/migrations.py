"""The workspace schema as an ordered list of forward migrations.

Migration N takes a workspace from schema version N-1 to N. Never edit a released migration: add a
new one. ``PRAGMA user_version`` holds the version a file is at.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
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
)

SCHEMA_VERSION = len(MIGRATIONS)

// schema: uniqueness constraints and indexes of the canonical graph. Idempotent (IF NOT EXISTS).
// Parameters: none. Run statement by statement (separated by semicolons) before any push.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE;
CREATE INDEX entity_name IF NOT EXISTS FOR (e:Entity) ON (e.name);
CREATE INDEX entity_country IF NOT EXISTS FOR (e:Entity) ON (e.country);
CREATE INDEX entity_identifiers IF NOT EXISTS FOR (e:Entity) ON (e.identifiers);

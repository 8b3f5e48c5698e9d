// schema: uniqueness constraints and indexes of the canonical graph. Idempotent (IF NOT EXISTS).
// Parameters: none. Run statement by statement (separated by semicolons) before any push.
// Labels and relationship types cannot be parameters, so each relationship type of
// ownergraph/model/schema.py LINK_KINDS has its own line (tests/neo4j checks they match).
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE;
CREATE CONSTRAINT listing_id IF NOT EXISTS FOR (l:Listing) REQUIRE l.id IS UNIQUE;
CREATE CONSTRAINT owns_id IF NOT EXISTS FOR ()-[r:OWNS]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT controls_id IF NOT EXISTS FOR ()-[r:CONTROLS]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT officer_of_id IF NOT EXISTS FOR ()-[r:OFFICER_OF]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT registered_at_id IF NOT EXISTS FOR ()-[r:REGISTERED_AT]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT family_id IF NOT EXISTS FOR ()-[r:FAMILY]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT associate_id IF NOT EXISTS FOR ()-[r:ASSOCIATE]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT successor_id IF NOT EXISTS FOR ()-[r:SUCCESSOR]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT shipped_to_id IF NOT EXISTS FOR ()-[r:SHIPPED_TO]-() REQUIRE r.id IS UNIQUE;
CREATE CONSTRAINT declared_id IF NOT EXISTS FOR ()-[r:DECLARED]-() REQUIRE r.id IS UNIQUE;
// A range index on the identifier lists (before 2026-11) failed on entities with very many
// identifiers; the text index on lookup_identifiers serves the look-ups.
DROP INDEX entity_identifiers IF EXISTS;
CREATE INDEX entity_name IF NOT EXISTS FOR (e:Entity) ON (e.name);
CREATE INDEX entity_country IF NOT EXISTS FOR (e:Entity) ON (e.country);
CREATE TEXT INDEX entity_lookup_records IF NOT EXISTS FOR (e:Entity) ON (e.lookup_records);
CREATE TEXT INDEX entity_lookup_identifiers IF NOT EXISTS FOR (e:Entity) ON (e.lookup_identifiers);
CREATE TEXT INDEX entity_lookup_keys IF NOT EXISTS FOR (e:Entity) ON (e.lookup_keys);
CREATE INDEX listing_authority IF NOT EXISTS FOR (l:Listing) ON (l.authority);
CREATE INDEX shipment_hs6 IF NOT EXISTS FOR ()-[r:SHIPPED_TO]-() ON (r.hs6);
CREATE INDEX shipment_declarant IF NOT EXISTS FOR ()-[r:SHIPPED_TO]-() ON (r.declarant)

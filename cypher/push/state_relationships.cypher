// state_relationships: type, id, content hash and ends of every relationship a push wrote
// (those carry a hash; LISTS and anything users added by hand do not), for an incremental push.
// Parameters: none.
MATCH (a)-[r]->(b)
WHERE r.hash IS NOT NULL
RETURN type(r) AS type, r.id AS id, r.hash AS hash, a.id AS source, b.id AS target

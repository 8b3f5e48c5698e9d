// state_entities: the id, content hash and labels of every Entity node, for an incremental push.
// Parameters: none.
MATCH (e:Entity)
RETURN e.id AS id, e.hash AS hash, labels(e) AS labels

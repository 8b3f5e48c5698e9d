// export_entity_page: one page of every pushed entity, in id order, as `ownergraph export --all`
// streams them (the id index gives the order, so no page sorts the graph; nodes added by hand,
// without the push's hash, are left out).
// Parameters: $after: the last id of the previous page ("" for the first); $limit: page size.
// Returns: as export_entities (id, stub, node, listings), at most $limit rows, by id.
MATCH (e:Entity)
WHERE e.id > $after AND e.hash IS NOT NULL
WITH e ORDER BY e.id LIMIT $limit
RETURN e.id AS id, e.stub AS stub, e.export_node AS node,
       COLLECT { MATCH (l:Listing)-[:LISTS]->(e) RETURN properties(l) } AS listings
ORDER BY id

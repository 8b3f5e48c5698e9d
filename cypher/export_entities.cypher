// export_entities: entities by id as `ownergraph export` writes them, with their listings.
// Parameters: $ids: entity ids.
// Returns: one row per pushed entity found (nodes added by hand, without the push's hash, are
//   left out): id, stub (true for an id that no record describes), node (the
//   JSON of name, schema, country, aliases, identifiers, properties and source citations that
//   the push stored as export_node; null for stubs) and listings (every listing's properties,
//   active or not: the caller decides `sanctioned` on its as-of day).
UNWIND $ids AS id
MATCH (e:Entity {id: id})
WHERE e.hash IS NOT NULL
RETURN e.id AS id, e.stub AS stub, e.export_node AS node,
       COLLECT { MATCH (l:Listing)-[:LISTS]->(e) RETURN properties(l) } AS listings

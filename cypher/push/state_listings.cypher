// state_listings: the id and content hash of every Listing node, and the entity it lists, for an
// incremental push.
// Parameters: none.
MATCH (l:Listing)
OPTIONAL MATCH (l)-[:LISTS]->(e:Entity)
RETURN l.id AS id, l.hash AS hash, e.id AS entity

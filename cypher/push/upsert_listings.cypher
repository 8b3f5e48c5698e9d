// upsert_listings: create or replace Listing nodes and point each at its entity with LISTS.
// Parameters: $rows = [{entity: "<canonical entity id>", props: {id, authority, ..., hash}}, ...]
UNWIND $rows AS row
MATCH (e:Entity {id: row.entity})
MERGE (l:Listing {id: row.props.id})
SET l = row.props
WITH l, e
CALL (l) {
  MATCH (l)-[old:LISTS]->()
  DELETE old
}
CREATE (l)-[:LISTS]->(e)

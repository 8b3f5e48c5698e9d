// create_relationships: create relationships between Entity nodes. The push has deleted any
// older version first (relationship_elements), and the uniqueness constraints of schema.cypher
// refuse a second relationship with the same type and id.
// Parameters: $rows = [{type: "OWNS", source: "<entity id>", target: "<entity id>",
//                       props: {id, ..., hash}}, ...]
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props

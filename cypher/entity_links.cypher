// entity_links: the links of one entity both ways (not trade: see entity_shipments), with the
// entity at the other end. A link whose two records resolution merged shows once, outgoing.
// Parameters: $id: entity id.
// Returns: one row per link record: direction, type, link properties, other end's id, name, stub.
MATCH (e:Entity {id: $id})-[r]->(other:Entity)
WHERE NOT type(r) IN ['SHIPPED_TO', 'DECLARED']
RETURN 'out' AS direction, type(r) AS type, properties(r) AS link,
       other.id AS other, other.name AS other_name, other.stub AS other_stub
UNION ALL
MATCH (e:Entity {id: $id})<-[r]-(other:Entity)
WHERE NOT type(r) IN ['SHIPPED_TO', 'DECLARED'] AND other <> e
RETURN 'in' AS direction, type(r) AS type, properties(r) AS link,
       other.id AS other, other.name AS other_name, other.stub AS other_stub

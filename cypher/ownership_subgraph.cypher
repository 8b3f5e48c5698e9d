// ownership_subgraph: every ownership and control link reachable from some entities through
// such links: what the 50% rules can count (a stake counts when its owner is listed or caught,
// and a caught entity is reached from a listed one).
// Parameters: $seeds: entity ids (the listed entities of a regime).
// Returns: one row per OWNS or CONTROLS link: owner, asset, type and the link's properties.
MATCH (seed:Entity)
WHERE seed.id IN $seeds
MATCH (seed)-[:OWNS|CONTROLS*0..]->(owner:Entity)
WITH DISTINCT owner
MATCH (owner)-[r:OWNS|CONTROLS]->(asset:Entity)
RETURN owner.id AS owner, asset.id AS asset, type(r) AS type, properties(r) AS link

// sanctioned_entities: the entities with an active listing on a day, by any authority (trace's
// listed targets).
// Parameters: $day: ISO date.
// Returns: id of each listed entity.
MATCH (l:Listing)-[:LISTS]->(e:Entity)
WHERE (l.listed_on IS NULL OR l.listed_on <= $day)
  AND (l.delisted_on IS NULL OR l.delisted_on > $day)
  AND (l.withdrawn_on IS NULL OR l.withdrawn_on > $day)
RETURN DISTINCT e.id AS id
ORDER BY id

// listed_entities: entities with a listing by some authorities that is active on a day.
// Parameters: $authorities: e.g. ["OFAC"] or ["UK", "OFSI"]; $day: ISO date.
// Returns: one row per listing: the listed entity's id and the listing's fields.
MATCH (l:Listing)-[:LISTS]->(e:Entity)
WHERE l.authority IN $authorities
  AND (l.listed_on IS NULL OR l.listed_on <= $day)
  AND (l.delisted_on IS NULL OR l.delisted_on > $day)
  AND (l.withdrawn_on IS NULL OR l.withdrawn_on > $day)
RETURN e.id AS entity, l {.*} AS listing
ORDER BY listing.id

// entities: entities by id, as the JSON contract shows them, with their sanctioned flag on a day.
// Parameters: $ids: entity ids; $day: ISO date (sanctioned = an active listing that day).
// Returns: one row per id found, in the order of $ids.
UNWIND range(0, size($ids) - 1) AS position
MATCH (e:Entity {id: $ids[position]})
RETURN position, e {
  .id, .name, .aliases, .schema, .country, .identifiers, .records, .source_datasets,
  .source_records, .stub, .ord, .merges, .properties, .incorporation_date, .nationality,
  .loose_links, .loose_shipments,
  sanctioned: NOT e.stub AND EXISTS {
    MATCH (l:Listing)-[:LISTS]->(e)
    WHERE (l.listed_on IS NULL OR l.listed_on <= $day)
      AND (l.delisted_on IS NULL OR l.delisted_on > $day)
      AND (l.withdrawn_on IS NULL OR l.withdrawn_on > $day)
  }
} AS entity
ORDER BY position

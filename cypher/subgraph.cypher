// subgraph: the entities of a set and every relationship among them that the filters allow,
// for the analyses that enumerate paths in the shared Python code (k shortest, all simple
// paths, trace) over a bounded part of the graph.
// Parameters: $ids: the entity ids to answer for (a batch of $all_ids); $all_ids: the whole set;
//   $types, $day, $min_share: as in paths_shortest (null: no filter);
//   $day_mode: "valid" (start <= day <= end) or "trade" (shipments: on or before the day).
// Returns: rows of two kinds: node rows (source: the id, target: null, fields: ord, schema,
//   country, stub) and
//   relationship rows (source, target, type and the fields the analyses read).
UNWIND $ids AS id
MATCH (x:Entity {id: id})
CALL (x) {
  RETURN x.id AS source, null AS target, null AS type, x {.ord, .schema, .country, .stub} AS fields
  UNION ALL
  MATCH (x)-[r]->(y:Entity)
  WHERE y.id IN $all_ids
    AND ($types IS NULL OR type(r) IN $types)
    AND ($day IS NULL
         OR (r.start_day <= $day
             AND (r.end_day >= $day OR ($day_mode = 'trade' AND type(r) = 'SHIPPED_TO'))))
    AND ($min_share IS NULL OR type(r) <> 'OWNS' OR r.share_low >= $min_share)
  RETURN x.id AS source, y.id AS target, type(r) AS type,
         r {.start_day, .end_day, .share_low, .share_high, .day, .hs6_code, .chpl_tier, .value,
            .quantity, .declarant, .count} AS fields
}
RETURN source, target, type, fields

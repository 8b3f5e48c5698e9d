// trade_edges: all the trade of some entities: shipments both ways and declarations (what a
// broker's specificity is measured against).
// Parameters: $ids: entity ids.
// Returns: one row per relationship, as trace_subgraph.
UNWIND $ids AS id
MATCH (x:Entity {id: id})
CALL (x) {
  MATCH (x)-[r:SHIPPED_TO|DECLARED]->(y:Entity)
  RETURN x AS a, r, y AS b
  UNION
  MATCH (y:Entity)-[r:SHIPPED_TO]->(x)
  RETURN y AS a, r, x AS b
}
RETURN a.id AS source, b.id AS target, type(r) AS type,
       a {.ord, .schema, .country, .stub} AS source_fields,
       b {.ord, .schema, .country, .stub} AS target_fields,
       r {.id, .start_day, .end_day, .share_low, .share_high, .day, .hs6_code, .chpl_tier, .value,
          .quantity, .declarant, .count} AS fields

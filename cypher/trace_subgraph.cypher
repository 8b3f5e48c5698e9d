// trace_subgraph: what trace and brokers read around some entities of the trace's corridor:
// every relationship among the corridor's entities, each one's whole trade (shipments both
// ways, declarations), the officers of each, and its addresses (everyone else registered at
// them comes from address_registrants, once an address: a mass-registration address is shared
// by many corridor entities).
// Parameters: $ids: a batch of corridor entity ids; $corridor: all of them.
// Returns: one row per relationship: its ends (id and the fields of each end), type and fields.
UNWIND $ids AS id
MATCH (x:Entity {id: id})
CALL (x) {
  MATCH (x)-[r]->(y:Entity)
  WHERE y.id IN $corridor
  RETURN x AS a, r, y AS b
  UNION
  MATCH (x)-[r:SHIPPED_TO|DECLARED]->(y:Entity)
  RETURN x AS a, r, y AS b
  UNION
  MATCH (y:Entity)-[r:SHIPPED_TO|OFFICER_OF]->(x)
  RETURN y AS a, r, x AS b
  UNION
  MATCH (x)-[r:REGISTERED_AT]->(address:Entity)
  RETURN x AS a, r, address AS b
}
RETURN a.id AS source, b.id AS target, type(r) AS type,
       a {.ord, .schema, .country, .stub} AS source_fields,
       b {.ord, .schema, .country, .stub} AS target_fields,
       r {.id, .start_day, .end_day, .share_low, .share_high, .day, .hs6_code, .chpl_tier, .value,
          .quantity, .declarant, .count} AS fields

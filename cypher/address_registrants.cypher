// address_registrants: everyone registered at some addresses (what the mass-registration flag
// of trace counts), with the fields trace reads.
// Parameters: $ids: ids of Address entities.
// Returns: one row per REGISTERED_AT relationship into them, as trace_subgraph.
UNWIND $ids AS id
MATCH (address:Entity {id: id})<-[r:REGISTERED_AT]-(a:Entity)
RETURN a.id AS source, address.id AS target, type(r) AS type,
       a {.ord, .schema, .country, .stub} AS source_fields,
       address {.ord, .schema, .country, .stub} AS target_fields,
       r {.id, .start_day, .end_day, .share_low, .share_high, .day, .hs6_code, .chpl_tier, .value,
          .quantity, .declarant, .count} AS fields

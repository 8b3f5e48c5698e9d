// entity_shipments: shipments one entity exported, imported or declared as customs broker.
// Parameters: $id: entity id; $limit: at most this many, earliest first.
// Returns: total (all of them) and the first $limit shipments with their fields, earliest
//   first, then in the order they were loaded (seq).
CALL (){
  MATCH (e:Entity {id: $id})-[r:SHIPPED_TO]-()
  RETURN r
  UNION
  MATCH ()-[r:SHIPPED_TO {declarant: $id}]->()
  RETURN r
}
WITH r ORDER BY coalesce(r.date, ''), r.seq
WITH collect(r {.seq, .id, .date, .exporter_id, .importer_id, .declarant_id, .hs_code, .chpl_tier,
                .description, .quantity, .unit, .value, .currency}) AS shipments
RETURN size(shipments) AS total, shipments[0..$limit] AS shipments

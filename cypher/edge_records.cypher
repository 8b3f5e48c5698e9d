// edge_records: the source records behind the relationships of one type from one entity to
// another, with their citations. DECLARED answers with the shipments the declarant filed.
// Parameters: $source, $target: entity ids (the link's own direction: owner -> asset,
//   exporter -> importer, declarant -> party); $type: relationship type; $limit: at most this many.
// Returns: one row per record: the relationship's properties (for DECLARED, a shipment's,
//   and whether the party is its exporter).
CALL (){
  MATCH (:Entity {id: $source})-[r]->(:Entity {id: $target})
  WHERE type(r) = $type AND $type <> 'DECLARED'
  RETURN properties(r) AS record, null AS party_exported
  UNION ALL
  // From the party's shipments: a customs broker declares far more than one party trades.
  MATCH (p:Entity {id: $target})-[r:SHIPPED_TO]->(:Entity)
  WHERE $type = 'DECLARED' AND r.declarant = $source
  RETURN properties(r) AS record, true AS party_exported
  UNION ALL
  MATCH (a:Entity)-[r:SHIPPED_TO]->(p:Entity {id: $target})
  WHERE $type = 'DECLARED' AND r.declarant = $source AND a <> p
  RETURN properties(r) AS record, false AS party_exported
}
RETURN record, party_exported
ORDER BY coalesce(CASE WHEN $type IN ['SHIPPED_TO', 'DECLARED'] THEN record.date
                  ELSE record.start_date END, ''),
         record.id
LIMIT $limit

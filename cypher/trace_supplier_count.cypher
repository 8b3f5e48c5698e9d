// trace_supplier_count: how many suppliers a trace starts from: firms of some countries that
// export something and are not sanctioned themselves.
// Parameters: $countries: ISO codes (e.g. the coalition's); $firms: the schemas that count as
//   firms (e.g. ["Company", "Organization", "LegalEntity"]); $targets: ids of the sanctioned.
// Returns: suppliers, the count.
MATCH (e:Entity)
WHERE e.country IN $countries
  AND e.schema IN $firms
  AND NOT e.id IN $targets
  AND EXISTS { (e)-[:SHIPPED_TO]->(:Entity) }
RETURN count(e) AS suppliers

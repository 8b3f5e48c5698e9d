// entity_search: entities with a name whose search key contains every one of some words.
// Parameters: $tokens: the words of the query's search key (ownergraph.model.values.search_key:
//   Latin letters whatever the script), e.g. ["bereke", "trade"] for "Береке Trade" (the longest
//   first: the text index finds the candidates by it); $country: ISO code or null for any.
// Returns: id, name, country and the matching name keys (the caller ranks them by similarity).
CALL () {
  MATCH (e:Entity)
  WHERE e.lookup_keys CONTAINS $tokens[0]
  RETURN e
  UNION
  // Entities whose names are too many for the text index (LookupOverflow): few, scanned.
  MATCH (e:LookupOverflow)
  RETURN e
}
WITH e
WHERE $country IS NULL OR e.country = $country
WITH e, [key IN e.keys WHERE all(token IN $tokens WHERE key CONTAINS token)] AS matched
WHERE size(matched) > 0
RETURN e.id AS id, e.name AS name, e.country AS country, matched
ORDER BY id

// entity_by_identifier: the resolved entities with an identifier, written scheme:value.
// Parameters: $identifier: e.g. "inn:7707083893" or "lei:5299001ERX0K10IZUL40" (scheme in lower
//   case).
// Returns: id and name of each entity holding it, by id.
CALL () {
  MATCH (e:Entity)
  WHERE e.lookup_identifiers CONTAINS ('\u001f' + $identifier + '\u001f')
    AND $identifier IN e.identifiers
  RETURN e
  UNION
  // Entities whose lists are too long for the text index (LookupOverflow): few, scanned.
  MATCH (e:LookupOverflow)
  WHERE $identifier IN e.identifiers
  RETURN e
}
RETURN e.id AS id, e.name AS name
ORDER BY id

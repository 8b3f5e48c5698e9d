// entity_by_name_key: the resolved entities with a name whose search key is exactly $key.
// Parameters: $key: a name's search key: Latin letters whatever the script, lower case, no
//   accents, punctuation as single spaces (ownergraph.model.values.search_key:
//   "ТОО «Береке»" -> "too bereke", the key of "TOO Bereke" too).
// Returns: id and name of each entity, by id.
CALL () {
  MATCH (e:Entity)
  WHERE e.lookup_keys CONTAINS ('\u001f' + $key + '\u001f')
    AND $key IN e.keys
  RETURN e
  UNION
  // Entities whose lists are too long for the text index (LookupOverflow): few, scanned.
  MATCH (e:LookupOverflow)
  WHERE $key IN e.keys
  RETURN e
}
RETURN e.id AS id, e.name AS name
ORDER BY id

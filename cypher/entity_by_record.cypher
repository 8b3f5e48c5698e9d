// entity_by_record: the resolved entity a source record belongs to.
// Parameters: $record: a record id, <dataset>:<record id> (e.g. "synthetic:c-00012").
// Returns: id of the entity (none if no entity record has that id).
CALL () {
  MATCH (e:Entity)
  WHERE e.lookup_records CONTAINS ('\u001f' + $record + '\u001f')
    AND $record IN e.records
  RETURN e
  UNION
  // Entities whose lists are too long for the text index (LookupOverflow): few, scanned.
  MATCH (e:LookupOverflow)
  WHERE $record IN e.records
  RETURN e
}
RETURN e.id AS id

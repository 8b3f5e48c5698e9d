// trace_step_forward: one step forward along trace's moves: the entities that goods or control
// reach from some entities in one move (an importer they ship to; either end of an ownership,
// control, officer or succession link). With trace_step_back, it bounds a trace from given
// suppliers to the entities that can lie on one of its chains.
// Parameters: $ids: entity ids; $traced: types walked from source to target, e.g.
//   ["OWNS", "CONTROLS", "OFFICER_OF", "SUCCESSOR", "SHIPPED_TO"]; $both_ways: those also walked
//   backwards (all but SHIPPED_TO); $day: as-of day (days since 1970-01-01) or null: links valid
//   that day, shipments on or before it.
// Returns: one row per entity found.
UNWIND $ids AS id
MATCH (v:Entity {id: id})
CALL (v) {
  MATCH (v)-[r]->(u:Entity)
  WHERE u <> v AND type(r) IN $traced
    AND ($day IS NULL OR (r.start_day <= $day AND (type(r) = 'SHIPPED_TO' OR r.end_day >= $day)))
  RETURN u
  UNION
  MATCH (u:Entity)-[r]->(v)
  WHERE u <> v AND type(r) IN $both_ways
    AND ($day IS NULL OR (r.start_day <= $day AND r.end_day >= $day))
  RETURN u
}
RETURN DISTINCT u.id AS id

// trace_step_back: one step back along trace's moves: the entities from which goods or control
// reach some entities in one move (an exporter shipping to one of them; either end of an
// ownership, control, officer or succession link).
// Parameters: $ids: entity ids; $traced: types walked from source to target, e.g.
//   ["OWNS", "CONTROLS", "OFFICER_OF", "SUCCESSOR", "SHIPPED_TO"]; $both_ways: those also walked
//   backwards (all but SHIPPED_TO); $day: as-of day (days since 1970-01-01) or null: links valid
//   that day, shipments on or before it.
// Returns: one row per entity found.
UNWIND $ids AS id
MATCH (v:Entity {id: id})
CALL (v) {
  MATCH (u:Entity)-[r]->(v)
  WHERE u <> v AND type(r) IN $traced
    AND ($day IS NULL OR (r.start_day <= $day AND (type(r) = 'SHIPPED_TO' OR r.end_day >= $day)))
  RETURN u
  UNION
  MATCH (v)-[r]->(u:Entity)
  WHERE u <> v AND type(r) IN $both_ways
    AND ($day IS NULL OR (r.start_day <= $day AND r.end_day >= $day))
  RETURN u
}
RETURN DISTINCT u.id AS id

// neighbours: one breadth-first step: the entities one allowed link away from some entities
// (k-hop neighbourhoods and the balls around a path's ends are walked a step at a time, so the
// caller decides how far to go).
// Parameters: $ids: entity ids (the frontier); $forward: with $directed, walk links out of the
//   frontier (true) or into it (false); the filters as in paths_shortest ($types, $day,
//   $directed, $min_share; $countries with $ends, the ids exempt from it).
// Returns: one row per neighbour (an entity of the frontier may be one too).
UNWIND $ids AS id
MATCH (x:Entity {id: id})-[r]-(y:Entity)
WHERE x <> y
  AND ($types IS NULL OR type(r) IN $types)
  AND ($day IS NULL OR (r.start_day <= $day AND r.end_day >= $day))
  AND ($min_share IS NULL OR type(r) <> 'OWNS' OR r.share_low >= $min_share)
  AND (NOT $directed OR (CASE WHEN $forward THEN startNode(r) ELSE endNode(r) END) = x)
  AND ($countries IS NULL
       OR ((x.country IN $countries OR x.id IN $ends)
           AND (y.country IN $countries OR y.id IN $ends)))
RETURN DISTINCT y.id AS to

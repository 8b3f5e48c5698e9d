// hop_edges: for each hop of a path, the kinds of relationship that join its two entities under
// the filters, with their own direction (a hop often has several: ownership and trade, say).
// Parameters: $hops: [[from id, to id], ...]; the filters as in paths_shortest ($types, $day,
//   $directed, $min_share).
// Returns: one row per hop number, type, source and target.
UNWIND range(0, size($hops) - 1) AS hop
MATCH (x:Entity {id: $hops[hop][0]})-[r]-(y:Entity {id: $hops[hop][1]})
WHERE x <> y
  AND ($types IS NULL OR type(r) IN $types)
  AND ($day IS NULL OR (r.start_day <= $day AND r.end_day >= $day))
  AND ($min_share IS NULL OR type(r) <> 'OWNS' OR r.share_low >= $min_share)
  AND (NOT $directed OR startNode(r) = x)
RETURN DISTINCT hop, type(r) AS type, startNode(r).id AS source, endNode(r).id AS target
ORDER BY hop

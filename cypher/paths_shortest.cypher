// paths_shortest: one shortest path between two entities, walking only the links the filters
// allow. Ties between equally short paths are broken by the database.
// Parameters:
//   $source, $target: entity ids;
//   $max_hops: longest path wanted (1-32);
//   $types: relationship types that may be walked, e.g. ["OWNS", "CONTROLS"], or null for all;
//   $day: as-of day as days since 1970-01-01 (only links valid that day), or null;
//   $directed: ignored here (paths_shortest_directed follows links one way; a direction
//     cannot be a parameter, and a predicate on it makes the search exhaustive);
//   $countries: ISO codes of the countries intermediaries must be in, or null for any;
//   $min_share: walk OWNS links only with a stated share of at least this percentage, or null.
// Returns: nodes, the entity ids of the path (no row when there is none within $max_hops).
MATCH (a:Entity {id: $source}), (b:Entity {id: $target})
MATCH p = ANY SHORTEST (a) ((x:Entity)-[r]-(y:Entity)
    WHERE x <> y
      AND ($types IS NULL OR type(r) IN $types)
      AND ($day IS NULL OR (r.start_day <= $day AND r.end_day >= $day))
      AND ($min_share IS NULL OR type(r) <> 'OWNS' OR r.share_low >= $min_share)
      AND ($countries IS NULL
           OR ((x.country IN $countries OR x.id IN [$source, $target])
               AND (y.country IN $countries OR y.id IN [$source, $target])))
  ){1,32} (b)
WITH p
WHERE length(p) <= $max_hops
RETURN [node IN nodes(p) | node.id] AS nodes

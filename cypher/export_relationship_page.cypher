// export_relationship_page: one page of every pushed relationship between entities, as
// `ownergraph export --all` streams them: by the entity that sends them, in id order, then in
// the workspace's order (links, then shipments, then declarations, each by its place `seq`).
// A page holds at most $limit relationships, however many one entity sends; the id index gives
// the entities' order, so no page sorts the graph.
// Parameters: $after_entity, $after_key: the source and key of the previous page's last row
//   ("" and "" for the first page); $limit: relationships per page.
// Returns: source, key, type, target and the relationship's properties, at most $limit rows.
MATCH (a:Entity)
WHERE a.id >= $after_entity AND a.hash IS NOT NULL
WITH a ORDER BY a.id
CALL (a) {
  MATCH (a)-[r]->(b:Entity)
  WHERE r.hash IS NOT NULL AND b.hash IS NOT NULL
  WITH r, b, toString(coalesce(r.seq, 0)) AS seq
  WITH r, b, CASE type(r) WHEN 'SHIPPED_TO' THEN '1' WHEN 'DECLARED' THEN '2' ELSE '0' END
             + substring('00000000000000000000' + seq, size(seq)) + '\u001f' + r.id AS key
  WHERE a.id > $after_entity OR key > $after_key
  RETURN r, b, key ORDER BY key
}
RETURN a.id AS source, key, type(r) AS type, b.id AS target, properties(r) AS properties
ORDER BY source, key
LIMIT $limit

// graph_counts: how many entities of each schema and relationships of each type the database
// holds (what `ownergraph stats` says of the workspace, for the pushed graph).
// Parameters: none.
// Returns: one row per kind: what ("node" or "relationship"), its label or type, and the count.
MATCH (e:Entity)
RETURN 'node' AS what, e.schema AS kind, count(*) AS count
UNION ALL
MATCH (l:Listing)
RETURN 'node' AS what, 'Listing' AS kind, count(*) AS count
UNION ALL
MATCH ()-[r]->()
RETURN 'relationship' AS what, type(r) AS kind, count(*) AS count

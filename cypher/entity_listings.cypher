// entity_listings: the sanctions and export-control listings of one entity (active or not).
// Parameters: $id: entity id.
// Returns: one row per listing, oldest first; then by listed record and load order.
MATCH (l:Listing)-[:LISTS]->(:Entity {id: $id})
RETURN l.id AS id, l.authority AS authority, l.list AS list, l.programmes AS programmes,
       l.listed_on AS listed_on, l.delisted_on AS delisted_on, l.withdrawn_on AS withdrawn_on,
       l.source_file AS source_file, l.record AS record, l.entity_id AS entity_id, l.seq AS seq
ORDER BY coalesce(listed_on, ''), entity_id, seq

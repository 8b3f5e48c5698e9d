// delete_relationships: delete relationships by element id.
// Parameters: $ids = [elementId, ...]
UNWIND $ids AS element
MATCH ()-[r]->()
WHERE elementId(r) = element
DELETE r

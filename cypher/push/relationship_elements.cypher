// relationship_elements: the element id of every relationship a push wrote, to delete the ones
// that vanished from the workspace or must move to other ends.
// Parameters: none.
MATCH ()-[r]->()
WHERE r.hash IS NOT NULL
RETURN type(r) AS type, r.id AS id, elementId(r) AS element

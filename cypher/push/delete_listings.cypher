// delete_listings: delete Listing nodes (and their LISTS relationship) by id.
// Parameters: $ids = [listing id, ...]
UNWIND $ids AS id
MATCH (l:Listing {id: id})
DETACH DELETE l

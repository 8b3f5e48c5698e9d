// delete_entities: delete Entity nodes by id, with whatever relationships they still have.
// Parameters: $ids = [entity id, ...]
UNWIND $ids AS id
MATCH (e:Entity {id: id})
DETACH DELETE e

// upsert_entities: create or replace Entity nodes; their other labels become row.labels (the
// schema, and LookupOverflow for an entity whose look-up lists are too long for a text index).
// Parameters: $rows = [{labels: ["Company"], props: {id, name, ..., hash}}, ...]
UNWIND $rows AS row
MERGE (e:Entity {id: row.props.id})
WITH e, row, [label IN labels(e) WHERE label <> 'Entity'] AS old
REMOVE e:$(old)
SET e = row.props, e:$(row.labels)

// wipe: delete every relationship, then every node, of the database, in batches small enough
// for the transaction memory of a small server (the schema stays).
// Parameters: none. Two statements, each in an auto-commit transaction (CALL ... IN TRANSACTIONS).
MATCH ()-[r]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS;
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS

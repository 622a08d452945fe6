-- table_columns: the columns of one table of the DB with their types and comments
-- params: table_name
SELECT column_name, data_type, is_nullable, comment
FROM duckdb_columns()
WHERE table_name = $table_name AND schema_name = 'main' AND NOT internal
ORDER BY column_index

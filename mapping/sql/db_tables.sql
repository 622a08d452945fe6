-- db_tables: every table of the DB with what it holds, its rows and columns
-- params: none
SELECT table_name, comment AS description, estimated_size AS rows, column_count AS columns
FROM duckdb_tables()
WHERE NOT temporary AND schema_name = 'main'
ORDER BY table_name

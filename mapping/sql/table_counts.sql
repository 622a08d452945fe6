-- table_counts: the tables of the DB with their row counts
-- params: none
SELECT table_name, estimated_size AS rows FROM duckdb_tables() WHERE NOT temporary ORDER BY table_name

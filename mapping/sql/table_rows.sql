-- table_rows: every row of one table of the DB, named by a bound parameter (checked against duckdb_tables by the caller)
-- params: table_name
SELECT * FROM query_table($table_name)

"""The SQL console refuses hostile statements with a clear message, runs read statements, stops runaway queries,
and DuckDB's own configuration refuses what the checker might miss."""

from __future__ import annotations

import duckdb
import pytest

from mapping import db
from mapping.console import (
    MAX_COLUMNS,
    Console,
    ConsoleError,
    Refused,
    TooWide,
    check,
    frame_bytes,
    plain_table,
    result_row_cap,
)

TABLES = frozenset({"t", "sources"})  # the tables of the tiny DB below

HOSTILE = {
    # writes and DDL
    "INSERT INTO sources VALUES ('x')": "read-only",
    "UPDATE t SET x = 1": "read-only",
    "DELETE FROM t": "read-only",
    "CREATE TABLE evil AS SELECT 1": "read-only",
    "CREATE OR REPLACE MACRO m() AS 1": "read-only",
    "DROP TABLE t": "read-only",
    "ALTER TABLE t RENAME TO u": "read-only",
    "TRUNCATE t": "read-only",
    "COMMENT ON TABLE t IS 'x'": "read-only",
    "MERGE INTO t USING t AS s ON true WHEN MATCHED THEN DELETE": "read-only",
    "VACUUM": "read-only",
    "CHECKPOINT": "read-only",
    "CREATE SECRET (TYPE s3, KEY_ID 'a', SECRET 'b')": "read-only",
    # files
    "COPY t TO '/tmp/out.csv'": "COPY",
    "COPY t FROM '/etc/passwd'": "COPY",
    "EXPORT DATABASE '/tmp/dump'": "EXPORT",
    "IMPORT DATABASE '/tmp/dump'": "read-only",
    # other databases
    "ATTACH '/tmp/other.duckdb' AS o": "ATTACH",
    "ATTACH ':memory:' AS m": "ATTACH",
    "DETACH clustermap": "DETACH",
    "USE memory": "USE",
    # extensions
    "INSTALL httpfs": "extensions",
    "FORCE INSTALL httpfs": "read-only",
    "LOAD httpfs": "extensions",
    "LOAD '/tmp/evil.duckdb_extension'": "extensions",
    # settings
    "PRAGMA enable_profiling": "locked",
    "PRAGMA table_info('t')": "locked",
    "SET enable_external_access = true": "locked",
    "SET lock_configuration = false": "locked",
    "RESET threads": "locked",
    "CALL pragma_version()": "CALL",
    # reading local files and URLs
    "SELECT * FROM read_csv('/etc/passwd')": "reads files",
    "EXPLAIN (FORMAT json) SELECT 1": "no options",
    "SELECT * FROM read_csv_auto('/etc/passwd')": "reads files",
    "select * from READ_TEXT('/etc/passwd')": "reads files",
    "SELECT content FROM read_blob('/root/.ssh/id_rsa')": "reads files",
    "SELECT * FROM glob('/**')": "reads files",
    "SELECT * FROM read_parquet('https://example.com/x.parquet')": "reads files",
    "SELECT * FROM read_json('/etc/hosts')": "reads files",
    "SELECT * FROM parquet_scan('/tmp/x.parquet')": "reads files",
    "SELECT * FROM sniff_csv('/etc/passwd')": "reads files",
    "SELECT * FROM ST_Read('/etc/passwd')": "reads files",
    "SELECT * FROM st_read_meta('/etc/passwd')": "reads files",
    "SELECT * FROM \"read_csv\"('/etc/passwd')": "reads files",
    "SELECT * FROM main.read_text('/etc/passwd')": "reads files",
    "SELECT * FROM read_csv /* comment */ ('/etc/passwd')": "reads files",
    "SELECT * FROM '/etc/passwd'": "would read a file",
    "SELECT * FROM 'https://example.com/data.csv'": "would read a file",
    "SELECT * FROM t JOIN '/etc/passwd' ON true": "would read a file",
    "SELECT getenv('HOME')": "not available",
    "SELECT * FROM query('SELECT * FROM read_csv(''/etc/passwd'')')": "not available",
    "SELECT * FROM query_table('/etc/passwd')": "not available",
    "SELECT * FROM json_execute_serialized_sql('{}')": "not available",
    "SELECT * FROM parquet_full_metadata('/tmp/x.parquet')": "not available",
    "SELECT * FROM read_blob('data/clustermap.duckdb')": "not available",
    "SELECT * FROM duckdb_settings()": "not available",
    "SELECT current_setting('temp_directory')": "not available",
    # state a table function could change behind the locked configuration
    "SELECT * FROM enable_logging('QueryLog', storage := 'stdout')": "not available",
    "SELECT * FROM enable_profiling()": "not available",
    "SELECT * FROM duckdb_logs()": "not available",
    "SELECT * FROM checkpoint()": "not available",
    # PROJ reads files named in a coordinate-system definition
    "SELECT ST_Transform(ST_Point(0, 0), 'EPSG:4326', '+init=/tmp/myinit:foo', always_xy := true)": "EPSG:3035",
    "SELECT ST_Transform(ST_Point(0, 0), 'EPSG:4326', c) FROM (SELECT 'EPSG:3035' AS c)": "constants",
    "SELECT ST_Transform(ST_Point(0, 0), 'EPSG:4326', '+proj=merc +nadgrids=/etc/passwd')": "EPSG:3035",
    # files by name in other places
    'SELECT * FROM "f.csv"': "would read a file",
    "SELECT * FROM sources, 'f.csv'": "would read a file",
    "SELECT * FROM (FROM 'z.csv')": "would read a file",
    "DESCRIBE 'f.csv'": "would read a file",
    "SUMMARIZE SELECT * FROM 'f.csv'": "would read a file",
    # unicode tricks: byte offsets, invisible characters
    "SELECT 'é' AS x, * FROM query('SELECT 42 AS q') -- pad": "not available",
    "SELECT 'éé' AS x, * FROM read_text('/etc/passwd') -- pad": "not available",
    "/* é */ IMPORT DATABASE '/tmp/imp'": "read-only",
    "\ufeffIMPORT DATABASE '/tmp/imp'": "invisible",
    "SELECT 1\u200b": "invisible",
    # several statements, transactions, prepared statements
    "SELECT 1; DROP TABLE t": "read-only",
    "SELECT 1; SELECT 2": "One statement at a time",
    "SELECT 1;\nATTACH '/tmp/x.db'": "ATTACH",
    "SELECT 1; IMPORT DATABASE '/tmp/dump'": "read-only",  # refused before the parser reads /tmp/dump/schema.sql
    "BEGIN TRANSACTION": "Transactions",
    "PREPARE p AS SELECT 1": "Prepared statements",
    "EXECUTE p": "Prepared statements",
    # EXPLAIN around a forbidden statement
    "EXPLAIN COPY t TO '/tmp/x.csv'": "COPY",
    "EXPLAIN ANALYZE CREATE TABLE x AS SELECT 1": "read-only",
    "EXPLAIN SELECT * FROM read_csv('/etc/passwd')": "reads files",
    # junk
    "": "Type a query",
    "   -- only a comment": "Type a query",
    "SELEC 1": "only read statements",
    "SELECT FROM WHERE": "syntax error",
    "SELECT 'a\x00b'": "NUL",
    "SELECT 1 " + "-- x" * 6000: "characters long",
    # found by the third red-team review: names that are not tables of the DB
    "SELECT name, setting FROM pg_settings": "not a table",
    "SELECT * FROM pg_catalog.pg_settings": "not a table",
    "SELECT * FROM duckdb_databases": "not a table",
    "SELECT * FROM pragma_database_list": "not a table",
    "SELECT * FROM duckdb_logs": "not a table",
    "SELECT * FROM pg_prepared_statements": "not a table",
    "SELECT * FROM sqlite_master": "not a table",
    "SELECT * FROM x.csv": "not a table",
    "SELECT * FROM x.parquet": "not a table",
    'SELECT * FROM "/etc/passwd".csv': "would read a file",
    'SELECT * FROM "/proc/self/environ".csv': "would read a file",
    "DESCRIBE x.csv": "not a table",
    "SHOW x.json": "not a table",
    "SUMMARIZE x.csv": "not a table",
    "EXPLAIN ANALYZE SELECT * FROM x.csv": "not a table",
    "SELECT * FROM clustermap.main.sources": "not a table",
    "SELECT * FROM system.main.duckdb_settings": "not a table",
    "SELECT * FROM nosuch": "not a table",
    "SELECT * FROM histogram('x.csv', column0)": "not available",
    "SELECT * FROM histogram_values('t', x)": "not available",
    "WITH pg_settings AS (SELECT 1) SELECT * FROM pg_settings": "system view",
    "SELECT * FROM (WITH duckdb_databases AS (SELECT 1 AS x) SELECT x FROM duckdb_databases), duckdb_databases": (
        "system view"
    ),
    "SELECT ST_Transform(ST_Point(1, 2)::GEOMETRY('BOUNDCRS[PARAMETERFILE[\"a\",\"/etc/passwd\"]]'), 'EPSG:4326')": (
        "EPSG:3035"
    ),
    "SELECT CAST(ST_Point(1, 2) AS GEOMETRY('+init=/tmp/x:y'))": "EPSG:3035",
}

ALLOWED = [
    "SELECT 1",
    "select * from t",
    "  SELECT 1;  ",
    "WITH a AS (SELECT 1 AS x) SELECT * FROM a",
    "FROM t",
    "VALUES (1, 2)",
    "TABLE t",
    "(SELECT 1) UNION ALL (SELECT 2)",
    "DESCRIBE t",
    "DESC t",
    "SUMMARIZE t",
    "SHOW TABLES",
    "SHOW ALL TABLES",
    "EXPLAIN SELECT * FROM t",
    "EXPLAIN ANALYZE SELECT count(*) FROM t",
    "SELECT url FROM sources WHERE url LIKE 'https://%'",  # a URL as a value is fine
    "SELECT 'read_csv(/etc/passwd)' AS just_text",
    "SELECT * FROM duckdb_tables()",
    "-- a comment first\nSELECT 1",
    "UNPIVOT t ON x INTO NAME k VALUE v",
    "SELECT * FROM main.t",
    "SELECT table_name FROM information_schema.tables",
    "SELECT column_name FROM information_schema.columns WHERE table_name = 't'",
    "SELECT * FROM duckdb_columns",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
    "WITH t AS (SELECT 2 AS y) SELECT * FROM t",  # a CTE may hide a table of the DB
    "SELECT * FROM pragma_table_info('t')",
    "SELECT 1 AS a_1, 2 AS a, 3 AS a",
    "SELECT ST_AsText(ST_Point(1, 2)::GEOMETRY('EPSG:4326')) AS p",
]


def test_the_list_is_long_enough():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("sql", list(HOSTILE))
def test_hostile_statements_are_refused_with_a_reason(sql):
    with pytest.raises(Refused) as refused:
        check(sql, tables=TABLES)
    assert HOSTILE[sql].lower() in str(refused.value).lower()


def test_checking_never_reads_files(tmp_path):
    """IMPORT DATABASE makes DuckDB's parser read schema.sql: the checker refuses before parsing, and parses with
    file access off."""
    (tmp_path / "schema.sql").write_text("CREATE TABLE pwned (x INTEGER);\n")
    (tmp_path / "load.sql").write_text("")
    with pytest.raises(Refused, match="read-only"):
        check(f"IMPORT DATABASE '{tmp_path}'")
    with pytest.raises(Refused, match="read-only"):
        check(f"SELECT 1; IMPORT DATABASE '{tmp_path}'")


@pytest.mark.parametrize("sql", ALLOWED)
def test_read_statements_pass(sql):
    assert check(sql, tables=TABLES) == sql.strip().rstrip(";").strip()


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("console") / "tiny.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT range AS x, 'r' || range AS label FROM range(100)")
        con.execute("CREATE TABLE sources (url VARCHAR)")
        con.execute("INSERT INTO sources VALUES ('https://ec.europa.eu')")
    return path


@pytest.fixture(scope="module")
def console(tiny_db):
    c = Console(tiny_db, timeout=2.0, row_cap=50, cell_cap=1000, workers=1)
    yield c
    c.close()


def test_allowed_statements_run(console):
    for sql in ALLOWED:
        result = console.run(sql)
        assert result.frame is not None, sql


def test_rows_are_capped_and_the_cut_is_reported(console):
    result = console.run("SELECT * FROM t")
    assert len(result.frame) == 50 and result.truncated
    assert console.run("SELECT * FROM t LIMIT 10").truncated is False


def test_a_runaway_query_is_interrupted_and_the_console_keeps_working(console):
    with pytest.raises(ConsoleError, match="longer than 2 s"):
        console.run("SELECT count(*) FROM range(1000000000000)")
    assert console.run("SELECT count(*) AS n FROM t").frame["n"].iat[0] == 100


def test_a_query_duckdb_cannot_interrupt_is_killed_with_its_worker(tiny_db):
    # repeat() builds one huge string in a single call: DuckDB checks for interrupts only between chunks.
    c = Console(tiny_db, timeout=0.3, workers=1)
    try:
        first = c._all[0]
        with pytest.raises(ConsoleError):
            c.run("SELECT length(repeat('x', 600000000))")  # ~3 s of one function call, 600 MB
        assert first.proc.poll() is not None, "the worker that ran away is gone"
        assert c.run("SELECT 42 AS x").frame["x"].iat[0] == 42  # a fresh worker answers
    finally:
        c.close()


def test_memory_hungry_queries_stop_with_a_message(tiny_db):
    # A small memory limit and a generous timeout: the memory wall must be what stops it, however slow the machine
    # (with a 2 s timeout a slow CI runner hit the clock first).
    c = Console(tiny_db, timeout=60.0, memory_mb=256, workers=1)
    try:
        with pytest.raises(ConsoleError, match="memory"):
            c.run("SELECT max(length(x)) FROM (SELECT list(range) AS x FROM range(400000000))")
        assert c.run("SELECT 1 AS one").frame["one"].iat[0] == 1
    finally:
        c.close()


def test_errors_are_messages_not_tracebacks(console):
    with pytest.raises(Refused, match="nosuch"):
        console.run("SELECT * FROM nosuch")
    with pytest.raises(ConsoleError, match="nosuch"):
        console.run("SELECT nosuch FROM t")


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM glob('/*')",
        "SELECT * FROM 'https://example.com/x.csv'",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
        "CREATE TABLE evil AS SELECT 1",
        "ATTACH ':memory:' AS m",
        "INSTALL httpfs",
        "COPY t TO '/tmp/evil.csv'",
    ],
)
def test_duckdb_itself_refuses_what_the_checker_might_miss(tiny_db, sql, tmp_path):
    """Defence in depth: the connection the workers use refuses these even without the checker."""
    con = db.connect(tiny_db)
    try:
        with pytest.raises(db.QueryError):
            db.run_sql(con, sql)
    finally:
        con.close()
    assert not (tmp_path / "evil.csv").exists()


# ----------------------------------------------------------------------------- found by a red-team review


def test_a_tokenizer_bomb_is_stopped_in_the_worker_not_in_the_app(tiny_db):
    """DuckDB's tokenizer is cubic on long operator runs: checking happens in the worker, which is killed."""
    c = Console(tiny_db, timeout=1.5, workers=1)
    try:
        with pytest.raises(ConsoleError, match="longer than"):
            c.run("SELECT 1 " + "+" * 9000)
        assert c.run("SELECT 7 AS x").frame["x"].iat[0] == 7
    finally:
        c.close()


def test_logging_cannot_drain_the_pool_or_leak_queries(console):
    for _ in range(3):  # more times than there are workers
        with pytest.raises(Refused):
            console.run("SELECT * FROM enable_logging('QueryLog', storage := 'stdout')")
    for _ in range(4):
        assert console.run("SELECT 1 AS one").frame["one"].iat[0] == 1
    with pytest.raises(Refused):
        console.run("SELECT type, message FROM duckdb_logs()")


def test_odd_types_become_text_and_duplicate_names_stay_apart(console):
    result = console.run(
        "SELECT 1 AS a, 2 AS a, DATE '5881580-07-10' AS far, 'infinity'::DATE AS inf, '24:00:00'::TIME AS t24, "
        "TIME_NS '23:59:59.999999999' AS tns, union_value(k := 1) AS u, [1, 2] AS l, {'x': 1} AS s, "
        "MAP {'k': 1} AS m, INTERVAL 1 DAY AS i, '101'::BIT AS b, 'ab'::BLOB AS bl, "
        "ST_GeomFromText('LINESTRING (0 0)') AS bad_geom, ST_Point(1, 2) AS good_geom"
    )
    frame = result.frame
    assert list(frame.columns[:2]) == ["a", "a_1"] and frame["a"].iat[0] == 1 and frame["a_1"].iat[0] == 2
    assert frame["l"].iat[0] == "[1, 2]" and isinstance(frame["inf"].iat[0], str)
    assert frame["good_geom"].iat[0] == "POINT (1 2)" and frame["bad_geom"].isna().iat[0]


def test_a_type_arrow_cannot_export_is_a_message_and_the_worker_survives(console):
    with pytest.raises(ConsoleError):
        console.run("SELECT 1::VARIANT AS v")
    assert console.run("SELECT 2 AS two").frame["two"].iat[0] == 2


def test_nested_results_are_bounded_in_the_worker(tiny_db):
    c = Console(tiny_db, timeout=60.0, byte_cap=4 * 2**20, row_cap=100_000, workers=1)  # the byte cap, not the clock
    try:
        with pytest.raises(ConsoleError, match="larger than"):
            # ~1.5 MB of Arrow, ~80 MB as text: cut in the worker, never sent to the app
            c.run("SELECT list_transform(range(300), x -> {'a': true}) AS l FROM range(20000)")
    finally:
        c.close()


def test_catalog_views_with_paths_or_settings_are_refused_in_the_worker(console, tiny_db):
    for sql in ("SELECT * FROM pg_settings", "SELECT path FROM duckdb_databases", "SELECT * FROM x.csv"):
        with pytest.raises(Refused, match="not a table"):
            console.run(sql)
    assert console.run("SELECT count(*) AS n FROM information_schema.tables").frame["n"].iat[0] == 2
    assert str(tiny_db) not in console.run("SELECT * FROM duckdb_tables").frame.to_csv()


def test_wide_results_get_fewer_rows_and_too_wide_ones_a_message(console):
    """171 characters of SELECT *,*,* made 1,600 date columns x 10,000 rows: 64 MB as Arrow, ~4.7 GB in the app."""
    assert result_row_cap(1, 10_000) == 10_000
    assert result_row_cap(250, 10_000) == 4_000
    with pytest.raises(TooWide):
        result_row_cap(MAX_COLUMNS + 1, 10_000)
    stars = "SELECT " + ",".join(["*"] * 16) + " FROM (SELECT " + ",".join(["*"] * 20) + " FROM t)"  # 640 columns
    with pytest.raises(ConsoleError, match="640 columns"):
        console.run(stars)
    result = console.run("SELECT " + ", ".join(f"x AS c{i}" for i in range(40)) + " FROM t")  # cell cap 1,000
    assert len(result.frame) == 25 and result.truncated and result.row_cap == 25
    assert console.run("SELECT x, label FROM t LIMIT 20").row_cap == 50


def test_the_byte_cap_counts_what_pandas_will_hold():
    import pyarrow as pa

    dates = pa.table({"d": pa.array([0] * 1000, pa.date32())})
    ints = pa.table({"i": pa.array(range(1000), pa.int64())})
    null_bools = pa.table({"b": pa.array([None] * 1000, pa.bool_())})
    assert frame_bytes(ints) == 8000
    assert frame_bytes(dates) > 50 * 1000 > dates.nbytes
    assert frame_bytes(null_bools) > 50 * 1000 > null_bools.nbytes


def test_generated_column_names_never_collide():
    import pyarrow as pa

    table = pa.table([pa.array([1]), pa.array([2]), pa.array([3]), pa.array([4])], names=["a_1", "a", "a", "a"])
    names = plain_table(table).column_names
    assert len(set(names)) == 4 and names[:2] == ["a_1", "a"]


def test_a_huge_error_message_is_cut_and_the_worker_answers_at_once(console):
    first = console._all[0] if console._all else None
    with pytest.raises(ConsoleError) as failed:
        console.run("SELECT error(repeat('x', 100000))")
    assert "longer than" not in str(failed.value) and len(str(failed.value)) <= 2000
    assert first is None or first.proc.poll() is None  # not killed for a long message

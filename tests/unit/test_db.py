"""The query gate: named SQL files, bound parameters, row cap, time limit, no file access."""

from __future__ import annotations

import re

import pytest

from mapping import db
from mapping.config import SQL_DIR
from mapping.ingest import build
from tests.minisources import write_mini_sources

# Sample values for every parameter name used by the SQL files (line 2: "-- params: ...").
SAMPLE_PARAMS = {
    "indicator": "ris.0",
    "year": 2014,
    "level": 2,
    "nuts_version": "2021",
    "region": "DE11",
    "country": "DE",
    "nace": "C29",
    "scale": "60M",
    "source_id": "sbs",
    "lon": 11.0,
    "lat": 51.0,
    "lons": [11.0, 21.0, 0.0],
    "lats": [51.0, 51.0, 0.0],
    "indicators": ["ris.0", "eurostat.unemployment_rate"],  # with "years" for scoreboard_values
    "eu": ["DE", "FR"],  # member states, for ranks in the EU (region_key_figures)
    "sector_set": "division",
    "method": "observatory",
    "base_year": 2013,
    "spec_lq": 2.0,
    "top_pct": 10.0,
    "cmp_lq_pct": 75.0,
    "cmp_size_pct": 25.0,
    "alt_spec_lq": 1.5,
    "alt_top_pct": 10.0,
    "alt_cmp_lq_pct": 75.0,
    "alt_cmp_size_pct": 25.0,
    "min_coverage": 0.5,
    "members": ["C29"],
    "weights": [1.0],
    "param": "spec_lq",
    "values": [1.0, 2.0],
    "alt_min_coverage": 0.5,
    "countries": ["DE", "PL"],
    "years": [2014, 2023],
    "sbs_year": 2014,
    "manuf_year": 2022,
    "table_name": "sources",
}


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate")
    manifest = write_mini_sources(root / "sources")
    build(root / "sources", root / "gate.duckdb", manifest=manifest, progress=lambda _m: None)
    c = db.connect(root / "gate.duckdb")
    yield c
    c.close()


def declared_params(name: str) -> list[str]:
    second = db.sql_text(name).splitlines()[1]
    assert second.startswith("-- params:"), f"{name}.sql: line 2 must declare its params"
    listed = second.split(":", 1)[1].strip()
    return [] if listed == "none" else [p.strip().lstrip("$") for p in listed.split(",")]


@pytest.mark.parametrize("name", db.query_names())
def test_every_sql_file_runs_on_the_fixture_db(con, name):
    params = declared_params(name)
    used = set(re.findall(r"\$([a-z_]+)", db.sql_text(name)))
    assert used == set(params), f"{name}.sql declares {params} but uses {sorted(used)}"
    df = db.query(con, name, **{p: SAMPLE_PARAMS[p] for p in params})
    assert df.attrs["truncated"] is False


def test_sql_files_follow_the_header_convention():
    for path in SQL_DIR.glob("*.sql"):
        assert path.read_text().startswith(f"-- {path.stem}: "), path.name


def test_sources_query_returns_provenance(con):
    df = db.query(con, "sources")
    assert set(df.source_id) == {"labels", "geo60", "geo20", "nuts2024", "xwalk", "nace", "sbs"}
    assert df.set_index("source_id").loc["sbs", "rows_loaded"] == 9


def test_parameters_are_bound_not_formatted(con):
    hostile = "DE11' OR '1'='1"
    df = db.run_sql(con, "SELECT count(*) AS n FROM employment WHERE region_code = $r", {"r": hostile})
    assert df.n.iloc[0] == 0


def test_row_cap_truncates_and_says_so(con):
    df = db.run_sql(con, "SELECT * FROM range(1000) t(i)", row_cap=10)
    assert len(df) == 10 and df.attrs["truncated"] is True
    df = db.run_sql(con, "SELECT * FROM range(10) t(i)", row_cap=10)
    assert len(df) == 10 and df.attrs["truncated"] is False


def test_runaway_query_is_interrupted(con):
    with pytest.raises(db.QueryTimeout):
        db.run_sql(con, "SELECT count(*) FROM range(100000000000) a", timeout=0.3)


def test_file_access_is_off_and_locked(con):
    with pytest.raises(db.QueryError, match="disabled"):
        db.run_sql(con, "SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(db.QueryError):
        db.run_sql(con, "SET enable_external_access = true")


def test_connection_is_read_only(con):
    with pytest.raises(db.QueryError):
        db.run_sql(con, "CREATE TABLE x AS SELECT 1")


def test_unknown_or_odd_query_names_are_refused(con):
    with pytest.raises(db.QueryError):
        db.query(con, "../etc/passwd")
    with pytest.raises(db.QueryError):
        db.query(con, "no_such_query")


def test_missing_database_has_a_clear_message(tmp_path):
    with pytest.raises(db.DatabaseMissing, match="make data"):
        db.connect(tmp_path / "nope.duckdb")


def test_assign_points_finds_the_containing_region(con):
    # Fixture squares: DE11 lon 10-12, PL91 lon 20-22, PL92 lon 22-24 (lat 50-52).
    df = db.query(con, "assign_points", lons=[11.0, 21.5, 23.9, 0.0], lats=[51.0, 50.5, 51.9, 0.0], level=2)
    assert df["i"].tolist() == [1, 2, 3, 4]
    assert df["code"].tolist()[:3] == ["DE11", "PL91", "PL92"]
    assert df["code"].isna().tolist()[3]


def test_second_connection_to_the_same_file_shares_the_locked_setup(con, tmp_path_factory):
    path = con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchone()[0]
    other = db.connect(path)
    try:
        assert db.run_sql(other, "SELECT count(*) AS n FROM regions").n.iloc[0] > 0
        with pytest.raises(db.QueryError, match="disabled"):
            db.run_sql(other, "SELECT * FROM read_csv('/etc/passwd')")
    finally:
        other.close()

"""The derived tables and macros every cluster query reads, built from the loaded tables in three steps."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .cluster_ranks import add_ranks
from .density import add_density

CLUSTER_INPUT = Path(__file__).with_name("cluster_input.sql")
MACROS = Path(__file__).with_name("macros.sql")
# DuckDB's default limit is 80% of RAM: at 100x the sorts held 14-19 GB. Under this limit they spill to disk
# (the DB's .tmp folder) and the build's peak stays within the 4 GB goal (bench/clusters.py measures both).
MEMORY_LIMIT = "2GB"


def build_derived(con: duckdb.DuckDBPyConnection) -> None:
    """cluster_input (cells and their threshold-free measures, SQL), their percentile ranks at every level of the
    coverage rule (numpy), the totals, macros and relatedness tables (SQL), and the relatedness density (numpy)."""
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    try:
        _build(con)
    finally:
        con.execute(f"SET memory_limit = '{limit}'")


def _build(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(CLUSTER_INPUT.read_text())
    add_ranks(con)
    con.execute(MACROS.read_text())
    add_density(con)
    con.execute(
        "COMMENT ON TABLE cluster_density IS 'Relatedness density of every region x sector by sector set and year "
        "(integer ids; read it with relatedness_density).'"
    )

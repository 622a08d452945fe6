"""The derived tables and macros every cluster query reads, built from the loaded tables in three steps."""

from __future__ import annotations

from pathlib import Path

import duckdb

from .cluster_ranks import add_ranks
from .density import add_density

CLUSTER_INPUT = Path(__file__).with_name("cluster_input.sql")
MACROS = Path(__file__).with_name("macros.sql")


def build_derived(con: duckdb.DuckDBPyConnection) -> None:
    """cluster_input (cells and their threshold-free measures, SQL), their percentile ranks at every level of the
    coverage rule (numpy), the totals, macros and relatedness tables (SQL), and the relatedness density (numpy)."""
    con.execute(CLUSTER_INPUT.read_text())
    add_ranks(con)
    con.execute(MACROS.read_text())
    add_density(con)
    con.execute(
        "COMMENT ON TABLE cluster_density IS 'Relatedness density of every region x sector by sector set and year "
        "(integer ids; read it with relatedness_density).'"
    )

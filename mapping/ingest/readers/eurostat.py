"""Eurostat tables: regional business statistics (employment), LFS employment and single-indicator tables.

Every table is staged by :mod:`mapping.ingest.eurostat`, which accepts each layout Eurostat publishes and finds
dimensions by name; the manifest's ``select`` picks codes by dimension name (``unit``, ``sex``, ``age`` ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import eurostat
from ..errors import BuildError
from ..io import first_line_where, load_csv, read_header
from ..landing import land
from ._registry import insert_employment, land_indicators, reader, sql_literal

if TYPE_CHECKING:
    from ..manifest import Source
    from ..pipeline import Context


def _prefer(source: Source) -> str:
    return source.nuts_version if source.nuts_version in ("2021", "2024") else "2021"


def _outside_nace(ctx: Context, source: Source, staging: str) -> None:
    """Rows whose NACE code is not in the NACE table (aggregates such as B-S_X_O_S94) go to ``unplaced``."""
    con = ctx.con
    con.execute(
        f"""INSERT INTO unplaced
            SELECT $sid, code, key, year, value, flag,
                   'NACE code ' || split_part(key, '|', 2) || ' is not in data/nace_r2.csv (an aggregate or a code '
                   || 'outside the classes mapped here)'
            FROM "{staging}" WHERE split_part(key, '|', 2) NOT IN (SELECT code FROM nace)""",
        {"sid": source.id},
    )
    n, codes = con.execute(
        f"""SELECT count(*), string_agg(DISTINCT split_part(key, '|', 2), ', ' ORDER BY split_part(key, '|', 2))
            FROM "{staging}" WHERE split_part(key, '|', 2) NOT IN (SELECT code FROM nace)"""
    ).fetchone()
    if n:
        ctx.report(source.id, "rows with NACE codes not in the NACE table (kept in unplaced)", n, (codes or "")[:400])
        con.execute(f"""DELETE FROM "{staging}" WHERE split_part(key, '|', 2) NOT IN (SELECT code FROM nace)""")


@reader("sbs_regional")
def read_sbs(ctx: Context, source: Source, paths: list[Path]) -> int:
    """Persons employed, local units and wages by region and NACE code (sbs_r_nuts06_r2, sbs_r_nuts2021)."""
    path = paths[0]
    dim = source.options["measure_dim"]
    measures: dict[str, str] = source.options["measures"]
    con = ctx.con
    eurostat.stage(con, path, "stg_sbs_long", keep=["nace_r2", dim], select={dim: list(measures)})
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_sbs AS
            SELECT code, m.measure || '|' || nace_r2 AS key, year, value, flag, line
            FROM stg_sbs_long JOIN (SELECT unnest($codes) AS indic, unnest($names) AS measure) m
              ON m.indic = "{dim}" """,
        {"codes": list(measures), "names": list(measures.values())},
    )
    _outside_nace(ctx, source, "stg_sbs")
    bad = first_line_where(con, "stg_sbs", "value < 0 AND NOT starts_with(key, 'wages')")
    if bad:
        raise BuildError("negative persons employed or local units", file=path, line=bad)
    # Eurostat publishes a few negative wage sums (adjustments); they are kept and reported.
    n_neg, lines = con.execute(
        "SELECT count(*), string_agg(line::VARCHAR, ', ') FROM stg_sbs WHERE value < 0"
    ).fetchone()
    if n_neg:
        ctx.report(source.id, "negative wages and salaries kept as published", n_neg, f"lines {lines}")
    landed = land(
        con, source_id=source.id, staging="stg_sbs", prefer=_prefer(source), all_additive=True, file=str(path)
    )
    return insert_employment(ctx, landed, source.id)


@reader("sbs_manufacturing")
def read_sbs_manufacturing(ctx: Context, source: Source, paths: list[Path]) -> int:
    """Manufacturing persons employed: the LOCALISED project's extract of sbs_r_nuts2021 (2022), or any Eurostat
    layout of the same table."""
    path = paths[0]
    con = ctx.con
    if "Empl_pers" in read_header(path):
        load_csv(
            con,
            path,
            "stg_manuf_raw",
            required=["NUTS_ID", "Sector", "Time", "Empl_pers"],
            types={"Time": "INTEGER", "Empl_pers": "DOUBLE"},
        )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE stg_manuf AS
               SELECT NUTS_ID AS code, 'persons|' || Sector AS key, Time AS year, Empl_pers AS value,
                      NULL::VARCHAR AS flag, row_number() OVER () + 1 AS line
               FROM stg_manuf_raw"""
        )
        bad = first_line_where(con, "stg_manuf", "key = 'persons|' OR key IS NULL")
        if bad:
            # One source row has no Sector; it cannot be attributed to an industry.
            ctx.report(source.id, "rows without a NACE code (skipped)", 1, f"line {bad}")
            con.execute("DELETE FROM stg_manuf WHERE key IS NULL OR key = 'persons|'")
        con.execute("DELETE FROM stg_manuf WHERE value IS NULL")
    else:
        eurostat.stage(con, path, "stg_manuf_long", keep=["nace_r2"], select={"indic_sbs": ["EMP_LOC_NR"]})
        con.execute(
            """CREATE OR REPLACE TEMP TABLE stg_manuf AS
               SELECT code, 'persons|' || nace_r2 AS key, year, value, flag, line FROM stg_manuf_long"""
        )
    _outside_nace(ctx, source, "stg_manuf")
    bad = first_line_where(con, "stg_manuf", "value < 0")
    if bad:
        raise BuildError("negative persons employed", file=path, line=bad)
    landed = land(con, source_id=source.id, staging="stg_manuf", prefer="2021", all_additive=True, file=str(path))
    return insert_employment(ctx, landed, source.id)


@reader("lfs_regional")
def read_lfs(ctx: Context, source: Source, paths: list[Path]) -> int:
    """LFS employment by broad NACE groups (thousand persons, 15 years or over)."""
    path = paths[0]
    con = ctx.con
    eurostat.stage(con, path, "stg_lfs_long", keep=["nace_r2"], select=source.options.get("select"))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stg_lfs AS SELECT code, nace_r2 AS key, year, value, flag, line FROM stg_lfs_long"
    )
    landed = land(con, source_id=source.id, staging="stg_lfs", prefer="2021", all_additive=True, file=str(path))
    before = con.execute("SELECT count(*) FROM lfs_employment").fetchone()[0]
    con.execute(
        f"""INSERT INTO lfs_employment
            SELECT region_code, nuts_version, key, year, value, flag, $sid, source_code, placement, nuts_note
            FROM "{landed}" WHERE nuts_version <> 'aggregate'""",
        {"sid": source.id},
    )
    return con.execute("SELECT count(*) FROM lfs_employment").fetchone()[0] - before


@reader("eurostat_indicator")
def read_indicator(ctx: Context, source: Source, paths: list[Path]) -> int:
    """One indicator from a Eurostat table, picked by the manifest's ``select``."""
    path = paths[0]
    meta = source.options["indicator"]
    eurostat.stage(ctx.con, path, "stg_ind_long", select=source.options.get("select"))
    ctx.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE stg_ind AS
            SELECT code, '{sql_literal(meta["id"])}' AS key, year, value, flag, line FROM stg_ind_long"""
    )
    ctx.add_catalog(
        indicator_id=meta["id"],
        label=meta["label"],
        unit=meta["unit"],
        description=meta.get("description", ""),
        source_id=source.id,
        higher_is_better=meta.get("higher_is_better"),
        dimension=meta["dimension"],
        additive=bool(meta.get("additive", False)),
        nuts_version=source.nuts_version,
    )
    return land_indicators(ctx, source, path, "stg_ind", prefer=source.nuts_version)

"""Eurostat files, read by dimension name: bulk TSV, dissemination-API TSV, SDMX-CSV 1.0/2.0, plain exports.

Every layout Eurostat has published for the same table is accepted, and its dimensions are found by
*name*, never by position, so a table whose dimensions come in another order, or with an extra ``freq``
or ``sex`` dimension, is read the same way:

* bulk TSV (to 2023):  ``nace_r2,indic_sb,geo\\time<TAB>2015 <TAB>2014 ...``, cells ``123 b``, ``: c``;
* API TSV (2023-):     ``freq,nace_r2,indic_sb,geo\\TIME_PERIOD<TAB>2008 <TAB>2009 ...`` (years ascending);
* SDMX-CSV 1.0 / 2.0:  ``DATAFLOW,LAST UPDATE,<dims>,TIME_PERIOD,OBS_VALUE,OBS_FLAG[,CONF_STATUS]`` or
                       ``STRUCTURE,STRUCTURE_ID,...`` with or without label columns (``labels=both``);
* plain exports:       ``freq,unit,geo,time,obs_value``.

Flags become lower-case letters; confidentiality (``c`` in old files, ``C`` or a ``CONF_STATUS`` column since
the 2025 flag reform) becomes ``c``. A layout that is not understood fails naming the file and its header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from .errors import BuildError
from .io import load_csv, read_header

DIM_RE = re.compile(r"^[a-z][a-z0-9_]*$")
YEAR_RE = re.compile(r"^\d{4}$")
# One TSV cell: a number or ':' (not available), then observation flags (lower case) and, since the 2025 flag
# reform, possibly a confidentiality status in upper case (C confidential, N not for publication, P secrecy).
CELL_RE = r"^\s*(:|-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*([a-zCNP]*)\s*$"
# Columns of SDMX-CSV that are not dimensions (compared in lower case).
META_COLUMNS = {"dataflow", "last update", "structure", "structure_id", "structure_name", "action"}
TIME_COLUMNS = ("time_period", "time")
VALUE_COLUMN = "obs_value"


@dataclass(frozen=True)
class Layout:
    """What a Eurostat file holds: its kind, dimension names in file order, and the header as read."""

    kind: str  # "tsv" | "csv"
    dims: tuple[str, ...]
    header: tuple[str, ...]
    years: tuple[str, ...] = ()  # TSV: the period columns as named in the header


def _not_understood(path: Path, header: Sequence[str], why: str) -> BuildError:
    shown = ",".join(header)[:200]
    return BuildError(f"Eurostat layout not understood ({why}); header is {shown!r}", file=path, line=1)


def detect(path: Path) -> Layout:
    """Read the header of a Eurostat file and say what it is."""
    first = read_header(path, delimiter="\t")
    if len(first) > 1 and "\\" in first[0]:
        left, _, period = first[0].rpartition("\\")
        dims = tuple(d.strip() for d in left.split(","))
        if period.strip().lower() not in TIME_COLUMNS:
            raise _not_understood(path, first, "the first column should end with \\time or \\TIME_PERIOD")
        if not all(DIM_RE.match(d) for d in dims):
            raise _not_understood(path, first, "dimension names should be lower-case codes")
        years = tuple(h.strip() for h in first[1:])
        if not all(YEAR_RE.match(y) for y in years):
            raise _not_understood(path, first, f"time columns should be years (annual data), found {list(years[:4])}")
        return Layout("tsv", dims, tuple(first), years)
    header = read_header(path)
    lower = [h.strip().lower() for h in header]
    if not any(t in lower for t in TIME_COLUMNS) or VALUE_COLUMN not in lower:
        raise _not_understood(path, header, "expected a TSV with geo\\TIME_PERIOD or a CSV with TIME_PERIOD, OBS_VALUE")
    skip = META_COLUMNS | set(TIME_COLUMNS) | {VALUE_COLUMN, "obs_flag", "conf_status"}
    dims = tuple(h for h in header if DIM_RE.match(h) and h not in skip)
    if "geo" not in dims:
        raise _not_understood(path, header, "no geo dimension")
    return Layout("csv", dims, tuple(header))


def stage(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    *,
    keep: Sequence[str] = (),
    select: Mapping[str, Sequence[str] | str] | None = None,
) -> Layout:
    """Stage a Eurostat file as long rows ``code, <keep dims>, year, value, flag, line`` in ``table``.

    Args:
        keep: dimensions that vary and stay as columns (besides ``geo``, which becomes ``code``).
        select: allowed codes per dimension name (``{"unit": ["THS", "THS_PER"], "sex": "T"}``); a dimension
            the file does not have is skipped, ``freq`` is restricted to ``A`` when present. Every other
            dimension must have a single value after the selection, or the layout is not understood.

    Cells that are neither a value nor flagged (pure "not available") are dropped; confidential cells stay
    with a NULL value and flag ``c``.
    """
    layout = detect(path)
    wanted = {d: [v] if isinstance(v, str) else list(v) for d, v in (select or {}).items()}
    wanted.setdefault("freq", ["A"])
    for d in (*keep, *wanted):
        if not DIM_RE.match(d):
            raise BuildError(f"dimension name {d!r} is not a code", file=path)
    missing = [d for d in keep if d not in layout.dims]
    if missing:
        raise _not_understood(path, layout.header, f"dimension(s) {', '.join(missing)} not found")
    wanted = {d: v for d, v in wanted.items() if d in layout.dims}
    if layout.kind == "tsv":
        _stage_tsv(con, path, table, layout, keep, wanted)
    else:
        _stage_csv(con, path, table, layout)
        _select(con, path, table, layout, keep, wanted)
    return layout


def _stage_tsv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    layout: Layout,
    keep: Sequence[str],
    wanted: dict[str, list[str]],
) -> None:
    """TSV: the selection applies to the series (rows) before their cells are unpivoted and parsed, once each."""
    names = ["_key", *(f"y{y}" for y in layout.years)]
    raw = f"{table}_raw"
    load_csv(con, path, raw, delimiter="\t", names=names)
    n = len(layout.dims)
    bad = con.execute(
        f"""SELECT line FROM (SELECT row_number() OVER () + 1 AS line, _key FROM "{raw}")
            WHERE length(_key) - length(replace(_key, ',', '')) <> {n - 1} LIMIT 1"""
    ).fetchone()
    if bad is not None:
        raise BuildError(f"row key does not have the {n} parts {','.join(layout.dims)}", file=path, line=int(bad[0]))
    dims = ", ".join(f"trim(split_part(_key, ',', {i + 1})) AS \"{d}\"" for i, d in enumerate(layout.dims))
    years = ", ".join(f'"y{y}"' for y in layout.years)
    where = " AND ".join(f'list_contains(${d}, "{d}")' for d in wanted) or "true"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}_wide" AS
            SELECT * FROM (SELECT row_number() OVER () + 1 AS line, {dims}, {years} FROM "{raw}") WHERE {where}""",
        wanted,
    )
    _check_selection(con, path, f"{table}_wide", layout, keep, wanted, source=raw, dims_sql=dims)
    con.execute(f'DROP TABLE IF EXISTS "{raw}"')
    kept = ", ".join(f'"{d}"' for d in keep)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}_cells" AS
            SELECT line, geo, {kept + "," if keep else ""} CAST(substr(period, 2) AS INTEGER) AS year, cell,
                   regexp_extract(cell, $re, ['num', 'flags']) AS m
            FROM (UNPIVOT "{table}_wide" ON {years} INTO NAME period VALUE cell)""",
        {"re": CELL_RE},
    )
    con.execute(f'DROP TABLE IF EXISTS "{table}_wide"')
    bad = con.execute(
        f"""SELECT line, year, cell FROM "{table}_cells" WHERE m.num = '' ORDER BY line LIMIT 1"""
    ).fetchone()
    if bad:
        raise BuildError(f"cell for {bad[1]} is not a number or ':' with flags: {bad[2]!r}", file=path, line=bad[0])
    # Pure "not available" cells (':' without a flag) carry nothing; confidential ones keep their flag.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}" AS
            SELECT geo AS code, {kept + "," if keep else ""} year,
                   CASE WHEN m.num = ':' THEN NULL ELSE CAST(m.num AS DOUBLE) END AS value,
                   nullif(regexp_replace(m.flags, '[CNP]', '', 'g')
                          || CASE WHEN regexp_matches(m.flags, '[CNP]') THEN 'c' ELSE '' END, '') AS flag,
                   line
            FROM "{table}_cells"
            WHERE m.num <> ':' OR m.flags <> ''"""
    )
    con.execute(f'DROP TABLE IF EXISTS "{table}_cells"')


def _check_selection(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    selected: str,
    layout: Layout,
    keep: Sequence[str],
    wanted: dict[str, list[str]],
    *,
    source: str,
    dims_sql: str,
) -> None:
    """The selection must leave rows, and one value of every dimension that is neither kept nor the region."""
    if con.execute(f'SELECT count(*) FROM "{selected}"').fetchone()[0] == 0:
        present = {
            d: [
                r[0]
                for r in con.execute(
                    f'SELECT DISTINCT "{d}" FROM (SELECT {dims_sql} FROM "{source}") ORDER BY 1 LIMIT 12'
                ).fetchall()
            ]
            for d in wanted
        }
        raise BuildError(f"no values for the selection {wanted}; codes present: {present}", file=path, line=1)
    for d in layout.dims:
        if d in keep or d == "geo":
            continue
        values = [r[0] for r in con.execute(f'SELECT DISTINCT "{d}" FROM "{selected}" ORDER BY 1 LIMIT 6').fetchall()]
        if len(values) > 1:
            shown = ", ".join(map(str, values[:5])) + ("..." if len(values) > 5 else "")
            raise _not_understood(
                path,
                layout.header,
                f"dimension {d} has several values ({shown}) after the selection {wanted}; select one",
            )


def _stage_csv(con: duckdb.DuckDBPyConnection, path: Path, table: str, layout: Layout) -> None:
    lower = {}
    for h in layout.header:
        lower.setdefault(h.strip().lower(), h)  # the code column precedes its label column
    time_col = next(lower[t] for t in TIME_COLUMNS if t in lower)
    value_col = lower[VALUE_COLUMN]
    raw = f"{table}_raw"
    header = load_csv(con, path, raw, types={value_col: "DOUBLE"})
    renamed = dict(zip(layout.header, header, strict=True))  # load_csv renames case-duplicates (sex / Sex)
    obs = f"lower(trim(coalesce(\"{renamed[lower['obs_flag']]}\", '')))" if "obs_flag" in lower else "''"
    conf = f"upper(trim(coalesce(\"{renamed[lower['conf_status']]}\", '')))" if "conf_status" in lower else "''"
    bad = con.execute(
        f"""SELECT line, period FROM (SELECT row_number() OVER () + 1 AS line, trim("{renamed[time_col]}") AS period
            FROM "{raw}") WHERE NOT regexp_matches(coalesce(period, ''), '^[0-9]{{4}}$') LIMIT 1"""
    ).fetchone()
    if bad:
        raise BuildError(f"time period {bad[1]!r} is not a year (annual data only)", file=path, line=int(bad[0]))
    dims = ", ".join(f'trim("{renamed[d]}") AS "{d}"' for d in layout.dims)
    # Confidentiality: an old-style 'c' among the observation flags or any CONF_STATUS but F (free) -> 'c', last.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}_all" AS
            SELECT {dims}, CAST(trim("{renamed[time_col]}") AS INTEGER) AS year, "{renamed[value_col]}" AS value,
                   nullif(replace({obs}, 'c', '')
                          || CASE WHEN contains({obs}, 'c') OR {conf} NOT IN ('', 'F') THEN 'c' ELSE '' END,
                          '') AS flag,
                   line
            FROM (SELECT row_number() OVER () + 1 AS line, * FROM "{raw}")"""
    )
    con.execute(f'DROP TABLE IF EXISTS "{raw}"')


def _select(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    layout: Layout,
    keep: Sequence[str],
    wanted: dict[str, list[str]],
) -> None:
    src = f"{table}_all"
    where = " AND ".join(f'list_contains(${d}, "{d}")' for d in wanted) or "true"
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}_sel" AS SELECT * FROM "{src}" WHERE {where}""",
        wanted,
    )
    dims_sql = ", ".join(f'"{d}"' for d in layout.dims)
    _check_selection(con, path, f"{table}_sel", layout, keep, wanted, source=src, dims_sql=dims_sql)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}" AS
            SELECT geo AS code, {", ".join(f'"{d}"' for d in keep) + "," if keep else ""} year, value, flag, line
            FROM "{table}_sel" WHERE value IS NOT NULL OR flag IS NOT NULL"""
    )
    for t in (src, f"{table}_sel"):
        con.execute(f'DROP TABLE IF EXISTS "{t}"')

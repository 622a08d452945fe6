"""One reader per source: file(s) -> staging -> landed rows in the DB tables.

Readers get a build ``Context`` and their manifest ``Source``; they return the number of rows
they loaded. Validation errors raise ``BuildError`` naming file and line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import nuts
from .errors import BuildError
from .io import first_line_where, load_csv, read_header
from .landing import land

if TYPE_CHECKING:
    from .manifest import Source
    from .pipeline import Context

READERS: dict[str, Callable[[Context, Source], int]] = {}

CELL_RE = r"^\s*(:|-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)\s*([a-z]*)\s*$"


def reader(name: str):
    def deco(fn):
        READERS[name] = fn
        return fn

    return deco


# --------------------------------------------------------------------------- reference tables
@reader("crosswalk")
def read_crosswalk(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    cols = ["from_code", "from_version", "to_code", "to_version", "method", "unit_code", "note"]
    load_csv(ctx.con, path, "stg_xwalk", required=cols)
    bad = first_line_where(ctx.con, "stg_xwalk", "method NOT IN ('recode', 'split', 'group')")
    if bad:
        raise BuildError("method must be recode, split or group", file=path, line=bad)
    bad = first_line_where(
        ctx.con,
        "stg_xwalk",
        "to_code NOT IN (SELECT code FROM regions WHERE nuts_version = '2021')",
    )
    if bad:
        raise BuildError("to_code is not a NUTS 2021 code", file=path, line=bad)
    bad = first_line_where(
        ctx.con,
        "stg_xwalk",
        "from_code IN (SELECT code FROM regions WHERE nuts_version = '2021')",
    )
    if bad:
        raise BuildError("from_code is still valid in NUTS 2021; it needs no crosswalk", file=path, line=bad)
    ctx.con.execute(
        """INSERT INTO nuts_crosswalk
           SELECT from_code, from_version, to_code, to_version, method, unit_code, nullif(note, ''), $sid
           FROM stg_xwalk""",
        {"sid": source.id},
    )
    # Split regions and boundary groups become map units drawn on the union of their successors.
    units = ctx.con.execute(
        """SELECT unit_code, any_value(from_version), any_value(method),
                  string_agg(DISTINCT to_code, '+' ORDER BY to_code),
                  string_agg(DISTINCT from_code, '+' ORDER BY from_code)
           FROM nuts_crosswalk WHERE method IN ('split', 'group') GROUP BY unit_code"""
    ).fetchall()
    for unit_code, version, method, members, olds in units:
        label = "split into" if method == "split" else "boundaries redrawn; drawn on"
        name = f"{olds} (NUTS {version}; {label} {members.replace('+', ', ')})"
        ctx.add_unit(unit_code, version, members.split("+"), method=method, name=name)
    return ctx.con.execute("SELECT count(*) FROM stg_xwalk").fetchone()[0]


@reader("nace")
def read_nace(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    load_csv(ctx.con, path, "stg_nace", required=["code", "level", "parent", "label"])
    ctx.con.execute("INSERT INTO nace SELECT code, level, nullif(parent, ''), label FROM stg_nace")
    return ctx.con.execute("SELECT count(*) FROM stg_nace").fetchone()[0]


# --------------------------------------------------------------------------- NUTS
@reader("nuts_labels")
def read_nuts_labels(ctx: Context, source: Source) -> int:
    df = nuts.read_labels(source.paths(ctx.sources_dir), source.nuts_version)
    ctx.insert_df("regions", df)
    return len(df)


@reader("nuts_geometry")
def read_nuts_geometry(ctx: Context, source: Source) -> int:
    df = nuts.read_geometry(source.paths(ctx.sources_dir), source.nuts_version, source.options["scale"])
    ctx.insert_geometry(df)
    return len(df)


@reader("nuts2024")
def read_nuts2024(ctx: Context, source: Source) -> int:
    regions, geometry = nuts.read_nuts2024(source.paths(ctx.sources_dir)[0])
    ctx.insert_df("regions", regions)
    ctx.insert_geometry(geometry)
    return len(regions)


# --------------------------------------------------------------------------- Eurostat bulk TSV
def load_eurostat_tsv(ctx: Context, path: Path, table: str, dims: list[str]) -> None:
    """Eurostat bulk TSV (``dim1,dim2,geo\\time<TAB>2015 <TAB>2014 ...``) -> long table.

    Output columns: the dims, ``year``, ``value`` (NULL for ':'), ``flag`` (letters or NULL), ``line``.
    """
    header = read_header(path, delimiter="\t")
    first = header[0].replace("\\time", "").replace("\\TIME_PERIOD", "").split(",")
    if first != dims:
        raise BuildError(f"first column should list {dims} then geo\\time, found {header[0]!r}", file=path, line=1)
    years = header[1:]
    if not years or not all(re.fullmatch(r"\d{4}", y) for y in years):
        raise BuildError(f"time columns should be years, found {years[:5]}", file=path, line=1)
    load_csv(ctx.con, path, table + "_raw", delimiter="\t")
    con = ctx.con
    # Column names come from the checked header above (years are digits only).
    cols = ", ".join(f'"{h}"' for h in header)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}_wide" AS
            SELECT row_number() OVER () + 1 AS line, * FROM "{table}_raw" """
    )
    unpivot_cols = ", ".join(f'"{h}"' for h in header[1:])
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}_cells" AS
            SELECT line, "{header[0]}" AS dims, trim(period) AS period, cell
            FROM (UNPIVOT "{table}_wide" ON {unpivot_cols} INTO NAME period VALUE cell)"""
    )
    bad = con.execute(
        f"""SELECT line, period, cell FROM "{table}_cells"
            WHERE NOT regexp_matches(cell, $re) ORDER BY line LIMIT 1""",
        {"re": CELL_RE},
    ).fetchone()
    if bad:
        raise BuildError(f"cell for {bad[1]} is not a number or ':' with flags: {bad[2]!r}", file=path, line=bad[0])
    nd = len(dims)
    bad = con.execute(
        f"SELECT line, dims FROM \"{table}_cells\" WHERE len(string_split(dims, ',')) <> {nd} LIMIT 1"
    ).fetchone()
    if bad:
        raise BuildError(f"row key {bad[1]!r} does not have {nd} parts", file=path, line=bad[0])
    dim_exprs = ", ".join(f"string_split(dims, ',')[{i + 1}] AS {d}" for i, d in enumerate(dims))
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}" AS
            SELECT {dim_exprs}, period::INTEGER AS year,
                   CASE WHEN trim(regexp_extract(cell, $re, 1)) = ':' THEN NULL
                        ELSE regexp_extract(cell, $re, 1)::DOUBLE END AS value,
                   nullif(regexp_extract(cell, $re, 4), '') AS flag,
                   line
            FROM "{table}_cells" """,
        {"re": CELL_RE},
    )
    del cols


@reader("sbs_regional")
def read_sbs(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    load_eurostat_tsv(ctx, path, "stg_sbs_long", ["nace_r2", "indic_sb", "geo"])
    measures = {"V16110": "persons", "V11210": "local_units", "V13320": "wages_meur"}
    con = ctx.con
    con.execute(
        """CREATE OR REPLACE TEMP TABLE stg_sbs AS
           SELECT geo AS code, m.measure || '|' || nace_r2 AS key, year, value, flag, line
           FROM stg_sbs_long JOIN (SELECT unnest($codes) AS indic, unnest($names) AS measure) m
             ON m.indic = indic_sb
           -- pure 'not available' cells carry no information; confidential ones keep their flag
           WHERE value IS NOT NULL OR flag IS NOT NULL""",
        {"codes": list(measures), "names": list(measures.values())},
    )
    bad = first_line_where(con, "stg_sbs", "value < 0 AND NOT starts_with(key, 'wages')")
    if bad:
        raise BuildError("negative persons employed or local units", file=path, line=bad)
    # Eurostat publishes a few negative wage sums (adjustments); they are kept and reported.
    n_neg, lines = con.execute(
        "SELECT count(*), string_agg(line::VARCHAR, ', ') FROM stg_sbs WHERE value < 0"
    ).fetchone()
    if n_neg:
        ctx.report(source.id, "negative wages and salaries kept as published", n_neg, f"lines {lines}")
    landed = land(con, source_id=source.id, staging="stg_sbs", prefer="2021", all_additive=True, file=str(path))
    return _insert_employment(ctx, landed, source.id)


def _insert_employment(ctx: Context, landed: str, source_id: str) -> int:
    con = ctx.con
    before = con.execute("SELECT count(*) FROM employment").fetchone()[0]
    con.execute(
        f"""INSERT INTO employment
            SELECT region_code, nuts_version, split_part(key, '|', 2) AS nace, year,
                   max(value) FILTER (WHERE split_part(key, '|', 1) = 'persons'),
                   max(value) FILTER (WHERE split_part(key, '|', 1) = 'local_units'),
                   max(value) FILTER (WHERE split_part(key, '|', 1) = 'wages_meur'),
                   max(flag) FILTER (WHERE split_part(key, '|', 1) = 'persons'),
                   max(flag) FILTER (WHERE split_part(key, '|', 1) = 'local_units'),
                   max(flag) FILTER (WHERE split_part(key, '|', 1) = 'wages_meur'),
                   $sid, min(source_code), min(placement), min(nuts_note)
            FROM "{landed}"
            WHERE nuts_version <> 'aggregate'
            GROUP BY region_code, nuts_version, split_part(key, '|', 2), year""",
        {"sid": source_id},
    )
    return con.execute("SELECT count(*) FROM employment").fetchone()[0] - before


@reader("sbs_manufacturing")
def read_sbs_manufacturing(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    header = read_header(path)
    con = ctx.con
    if "Empl_pers" in header:  # the LOCALISED extract as stored in the sources folder
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
    else:  # SDMX-CSV from the Eurostat API (python -m mapping fetch)
        _stage_sdmx_csv(ctx, path, "stg_manuf", key_expr="'persons|' || nace_r2", required_dims=["nace_r2"])
    bad = first_line_where(con, "stg_manuf", "value < 0")
    if bad:
        raise BuildError("negative persons employed", file=path, line=bad)
    landed = land(con, source_id=source.id, staging="stg_manuf", prefer="2021", all_additive=True, file=str(path))
    return _insert_employment(ctx, landed, source.id)


@reader("lfs_regional")
def read_lfs(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    load_eurostat_tsv(ctx, path, "stg_lfs_long", ["unit", "nace_r2", "age", "geo"])
    con = ctx.con
    con.execute(
        """CREATE OR REPLACE TEMP TABLE stg_lfs AS
           SELECT geo AS code, nace_r2 AS key, year, value, flag, line FROM stg_lfs_long
           WHERE age = 'Y_GE15' AND unit = 'THS' AND (value IS NOT NULL OR flag IS NOT NULL)"""
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


# --------------------------------------------------------------------------- Eurostat CSV (API / SDMX-CSV)
def _stage_sdmx_csv(ctx: Context, path: Path, table: str, *, key_expr: str, required_dims=()) -> None:
    """SDMX-CSV (with or without label columns) or the plain ``geo,time,obs_value`` export -> staging."""
    header = read_header(path)
    lower: dict[str, str] = {}
    for h in header:  # first occurrence wins: the code column precedes its label column
        lower.setdefault(h.lower(), h)
    time_col = lower.get("time_period") or lower.get("time")
    value_col = lower.get("obs_value")
    flag_col = lower.get("obs_flag")
    if "geo" not in lower or not time_col or not value_col:
        raise BuildError(
            f"expected columns geo, TIME_PERIOD (or time) and OBS_VALUE; header is {header}",
            file=path,
            line=1,
        )
    for d in required_dims:
        if d not in lower:
            raise BuildError(f"missing column {d}", file=path, line=1)
    load_csv(ctx.con, path, table + "_raw", types={time_col: "INTEGER", value_col: "DOUBLE"})
    dims = {d: f'"{lower[d]}"' for d in required_dims}
    key_sql = key_expr
    for d, col in dims.items():
        key_sql = key_sql.replace(d, col)
    flag_sql = f"nullif(trim(\"{flag_col}\"), '')" if flag_col else "NULL::VARCHAR"
    ctx.con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}" AS
            SELECT "{lower["geo"]}" AS code, {key_sql} AS key, "{time_col}" AS year, "{value_col}" AS value,
                   {flag_sql} AS flag, line
            FROM (SELECT row_number() OVER () + 1 AS line, * FROM "{table}_raw")
            WHERE "{value_col}" IS NOT NULL OR {flag_sql} IS NOT NULL"""
    )


@reader("eurostat_csv")
def read_eurostat_csv(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    meta = source.options["indicator"]
    _stage_sdmx_csv(ctx, path, "stg_ind", key_expr=f"'{_sql_literal(meta['id'])}'")
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
    return _land_indicators(ctx, source, path, "stg_ind", prefer=source.nuts_version)


def _sql_literal(text: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", text):
        raise BuildError(f"indicator id {text!r} may only use letters, digits, '_', '.', '-'")
    return text


def _land_indicators(ctx: Context, source: Source, path: Path, staging: str, *, prefer: str, units=()) -> int:
    con = ctx.con
    additive = {r[0] for r in con.execute("SELECT indicator_id FROM indicator_catalog WHERE additive").fetchall()}
    landed = land(
        con,
        source_id=source.id,
        staging=staging,
        prefer=prefer or "2021",
        additive_keys=additive,
        source_units=set(units),
        file=str(path),
    )
    before = con.execute("SELECT count(*) FROM indicators").fetchone()[0]
    con.execute(
        f"""INSERT INTO indicators
            SELECT region_code, nuts_version, key, year, value, flag, $sid, source_code, placement, nuts_note
            FROM "{landed}" """,
        {"sid": source.id},
    )
    return con.execute("SELECT count(*) FROM indicators").fetchone()[0] - before


# --------------------------------------------------------------------------- legacy 2007-2018
LEGACY_META = {
    # variable: (label, unit, dimension, higher_is_better, additive)
    "region_gdp": ("GDP (million EUR), 2007-2018 vintage", "million EUR", "Economic performance", True, True),
    "region_population": ("Population on 1 January", "persons", "Demography", None, True),
    "unemployment_rate_t": (
        "Unemployment rate, total (2007-2018 vintage)",
        "%",
        "Labour market",
        False,
        False,
    ),
    "unemployment_rate_f": ("Unemployment rate, females", "%", "Labour market", False, False),
    "unemployment_rate_m": ("Unemployment rate, males", "%", "Labour market", False, False),
    "life_expectancy_t": ("Life expectancy at birth, total", "years", "Health", True, False),
    "life_expectancy_f": ("Life expectancy at birth, females", "years", "Health", True, False),
    "life_expectancy_m": ("Life expectancy at birth, males", "years", "Health", True, False),
    "gender_employ_gap": ("Gender employment gap", "percentage points", "Labour market", False, False),
    "disp_income_household": (
        "Disposable income of private households per inhabitant",
        "PPCS per inhabitant (inferred; verify)",
        "Economic performance",
        True,
        False,
    ),
    "broadband_access_household": (
        "Households with broadband access",
        "% of households with internet access",
        "Digital and infrastructure",
        True,
        False,
    ),
    "patents": (
        "Patent applications to the EPO",
        "per million inhabitants (inferred; verify)",
        "Innovation and knowledge",
        True,
        False,
    ),
}


@reader("eurostat_legacy")
def read_legacy(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    con = ctx.con
    load_csv(
        con,
        path,
        "stg_legacy_raw",
        required=["nuts_id", "year", "variable", "value", "description"],
        types={"year": "INTEGER", "value": "DOUBLE"},
    )
    unknown = con.execute(
        "SELECT DISTINCT variable FROM stg_legacy_raw WHERE variable NOT IN (SELECT unnest($v))",
        {"v": list(LEGACY_META)},
    ).fetchall()
    if unknown:
        line = first_line_where(con, "stg_legacy_raw", f"variable = '{_sql_literal(unknown[0][0])}'")
        raise BuildError(f"unknown variable {unknown[0][0]!r}", file=path, line=line)
    descriptions = dict(
        con.execute("SELECT variable, any_value(description) FROM stg_legacy_raw GROUP BY 1").fetchall()
    )
    for var, (label, unit, dim, hib, additive) in LEGACY_META.items():
        if var in descriptions:
            ctx.add_catalog(
                indicator_id=f"legacy.{var}",
                label=label,
                unit=unit,
                description=descriptions[var],
                source_id=source.id,
                higher_is_better=hib,
                dimension=dim,
                additive=additive,
                nuts_version=source.nuts_version,
            )
    con.execute(
        """CREATE OR REPLACE TEMP TABLE stg_legacy AS
           SELECT nuts_id AS code, 'legacy.' || variable AS key, year, value, NULL::VARCHAR AS flag,
                  row_number() OVER () + 1 AS line
           FROM stg_legacy_raw"""
    )
    con.execute("DELETE FROM stg_legacy WHERE value IS NULL")
    return _land_indicators(ctx, source, path, "stg_legacy", prefer="2021")


# --------------------------------------------------------------------------- scoreboards
SCORE_UNIT = "normalised score (EU 2016 = 100)"
IND_RE = re.compile(r"^(\d+(?:[.,]\d+)*)\s+(.*?)\s*$")


def _split_indicator(raw: str, *, path: Path) -> tuple[str, str]:
    m = IND_RE.match(raw or "")
    if not m:
        raise BuildError(f"indicator {raw!r} does not start with its number", file=path)
    number = m.group(1).replace(",", ".")  # the RIS file has one '5.1,7'
    return number, m.group(2)


def _eis_dimension_names(labels: dict[str, str]) -> dict[str, str]:
    return {num: label for num, label in labels.items() if num.count(".") == 1}


def _scoreboard_catalog(ctx: Context, source: Source, prefix: str, labels: dict[str, str], path: Path) -> None:
    """Catalog entries for EIS/RIS-style numbered indicators (0 = summary index)."""
    dims = _eis_dimension_names(labels)
    for num, raw_label in labels.items():
        label = raw_label.replace("(Regional)", "").replace("(SD)", "").strip()
        regional = "(Regional)" in raw_label
        top = num.split(".")[0]
        if num == "0":
            dimension, unit, hib = "Summary", SCORE_UNIT, True
        elif top == "5":
            dimension = "Structural differences"
            unit, hib = "raw value (see EIS 2023 methodology)", None
        else:
            parent = ".".join(num.split(".")[:2])
            dimension = dims.get(parent, parent)
            unit, hib = SCORE_UNIT, True
        desc = f"{raw_label.strip()} ({source.title})"
        if regional:
            desc += "; marked (Regional): also measured at regional level"
        ctx.add_catalog(
            indicator_id=f"{prefix}.{num}",
            label=label if num != "0" else ("Regional Innovation Index" if prefix == "ris" else label),
            unit=unit,
            description=desc,
            source_id=source.id,
            higher_is_better=hib,
            dimension=dimension,
            additive=False,
            nuts_version=source.nuts_version,
        )


@reader("ris")
def read_ris(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    con = ctx.con
    load_csv(
        con,
        path,
        "stg_ris_raw",
        required=["Indicator", "Year", "Region", "Value", "performance group"],
        types={"Year": "INTEGER", "Value": "DOUBLE"},
    )
    labels = {}
    for (raw,) in con.execute("SELECT DISTINCT Indicator FROM stg_ris_raw ORDER BY 1").fetchall():
        num, label = _split_indicator(raw, path=path)
        labels[num] = raw[len(raw.split(" ", 1)[0]) + 1 :] if " " in raw else label
    _scoreboard_catalog(ctx, source, "ris", labels, path)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE stg_ris AS
           SELECT Region AS code,
                  'ris.' || replace(regexp_extract(Indicator, '^([0-9.,]+)', 1), ',', '.') AS key,
                  Year AS year, Value AS value, NULL::VARCHAR AS flag, row_number() OVER () + 1 AS line,
                  "performance group" AS perf
           FROM stg_ris_raw"""
    )
    con.execute("DELETE FROM stg_ris WHERE value IS NULL")
    # Performance groups (Leader/Strong/Moderate/Emerging, with +/-) per region and year.
    con.execute(
        """INSERT INTO ris_performance
           SELECT s.code, r.nuts_version, s.year, any_value(s.perf), $sid
           FROM stg_ris s JOIN regions r ON r.code = s.code AND r.nuts_version = '2021'
           WHERE s.key = 'ris.0' AND s.perf IS NOT NULL AND s.perf <> ''
           GROUP BY ALL""",
        {"sid": source.id},
    )
    return _land_indicators(ctx, source, path, "stg_ris", prefer="2021")


@reader("eis")
def read_eis(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    con = ctx.con
    load_csv(
        con,
        path,
        "stg_eis_raw",
        required=["Indicator", "Year", "Country", "Value"],
        types={"Year": "INTEGER", "Value": "DOUBLE"},
    )
    labels = {}
    for (raw,) in con.execute("SELECT DISTINCT Indicator FROM stg_eis_raw ORDER BY 1").fetchall():
        num, label = _split_indicator(raw, path=path)
        labels[num] = label
    _scoreboard_catalog(ctx, source, "eis", labels, path)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE stg_eis AS
           SELECT Country AS code,
                  'eis.' || replace(regexp_extract(Indicator, '^([0-9.,]+)', 1), ',', '.') AS key,
                  Year AS year, Value AS value, NULL::VARCHAR AS flag, row_number() OVER () + 1 AS line
           FROM stg_eis_raw"""
    )
    con.execute("DELETE FROM stg_eis WHERE value IS NULL")
    return _land_indicators(ctx, source, path, "stg_eis", prefer="2021")


# RCI 2022: raw-data column names that differ from the description sheet's indicator names.
RCI_ALIASES = {
    "Child mortality": "Infant mortality",
    "Cancer disease death rate (x1000)": "Cancer disease death rate",
    "Heart disease death rate (x1000)": "Heart disease death rate",
    "Households with broadband access (%)": "Households with broadband access",
    "NEET rate": "NEET",
}
# Indicators where a lower raw value is better (the RCI methodology inverts them before scoring).
RCI_LOWER_IS_BETTER = {
    "Presence of corruption in the national public institutions in the country",
    "Presence of corruption in the local or regional public institutions in the country",
    "Government bond yields",
    "Government debt",
    "Road fatalities",
    "Infant mortality",
    "Cancer disease death rate",
    "Heart disease death rate",
    "Suicide death rate",
    "Low achievement in reading (15-year-olds)",
    "Low achievement in maths (15-year-olds)",
    "Low achievement in science (15-year-olds)",
    "Early school leavers",
    "Lower-secondary completion only",
    "Long-term unemployment",
    "Unemployment rate",
    "Gender balance unemployment",
    "Gender balance employment",
    "NEET",
    "Labour market slack",
    "Temporary employment",
}
# The aggregated-capital sheet abbreviates three Belgian codes.
RCI_CODE_FIXES = {"B10": "BE10", "B24": "BE24", "B31": "BE31"}


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", (name or "").replace("\xa0", " ")).strip().rstrip(".").strip()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60]


@reader("rci")
def read_rci(ctx: Context, source: Source) -> int:
    raw_path, desc_path, pop_path, cap_path = source.paths(ctx.sources_dir)
    con = ctx.con
    # Capital areas first: they are map units that the raw data refers to.
    cap_header = read_header(cap_path)
    if len(cap_header) < 5:
        raise BuildError("expected 5 columns (country, RCI code, RCI name, NUTS2 code, NUTS2 name)", file=cap_path)
    load_csv(con, cap_path, "stg_rci_cap")
    cap = con.execute("SELECT * FROM stg_rci_cap").fetchdf()
    cap.columns = ["country", "rci_code", "rci_name", "nuts_code", "nuts_name"]
    cap[["rci_code", "rci_name"]] = cap[["rci_code", "rci_name"]].ffill()
    cap["nuts_code"] = cap["nuts_code"].str.strip().replace(RCI_CODE_FIXES)
    valid = {r[0] for r in con.execute("SELECT code FROM regions WHERE nuts_version = '2021'").fetchall()}
    for rci_code, grp in cap.groupby("rci_code", sort=True):
        members = grp["nuts_code"].tolist()
        wrong = [m for m in members if m not in valid]
        if wrong:
            raise BuildError(f"{rci_code}: members {wrong} are not NUTS 2021 codes", file=cap_path)
        name = _norm(grp["rci_name"].iloc[0])
        ctx.add_unit(rci_code, "RCI2022", members, method="unit", name=f"{name} ({'+'.join(members)})")
        for m in members:
            con.execute(
                "INSERT INTO nuts_crosswalk VALUES ($f, 'RCI2022', $t, '2021', 'unit', $f, $n, $sid)",
                {"f": rci_code, "t": m, "n": f"RCI 2022 capital area {name}", "sid": source.id},
            )

    # Descriptions: units, pillar and reference period per indicator.
    load_csv(con, desc_path, "stg_rci_desc", required=["Pillar name", "Indicator name", "Unit of measurement"])
    desc = con.execute('SELECT * FROM stg_rci_desc WHERE "Indicator name" IS NOT NULL').fetchdf()
    desc_by_name = {_norm(r["Indicator name"]): r for _, r in desc.iterrows()}

    header = load_csv(con, raw_path, "stg_rci_raw", required=["NUTS", "Region name"])
    long_rows = []
    indicator_cols = header[2:]
    for col in indicator_cols:
        name = RCI_ALIASES.get(_norm(col), _norm(col))
        d = desc_by_name.get(name)
        if d is None:
            raise BuildError(f"column {col!r} has no entry in the description sheet", file=raw_path, line=1)
        ref = str(d.get("Reference year") or "")
        years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", ref)]
        year = max(years) if years else 2022
        unit = _norm(d["Unit of measurement"])
        hib = name not in RCI_LOWER_IS_BETTER
        ind_id = f"rci.{_slug(name)}"
        ctx.add_catalog(
            indicator_id=ind_id,
            label=name,
            unit=unit,
            description=_norm(str(d.get("Description") or "")) + f" Source: {_norm(str(d.get('Source') or ''))}.",
            source_id=source.id,
            higher_is_better=hib,
            dimension=f"RCI: {_norm(d['Pillar name'])}",
            additive=False,
            reference_period=ref.strip(),
            nuts_version=source.nuts_version,
        )
        long_rows.append((col, ind_id, year))
    mapping = pd.DataFrame(long_rows, columns=["col", "indicator_id", "year"])
    raw = con.execute("SELECT * FROM stg_rci_raw").fetchdf()
    raw.insert(0, "line", range(2, len(raw) + 2))
    melted = raw.melt(id_vars=["line", "NUTS"], value_vars=indicator_cols, var_name="col", value_name="cell")
    melted = melted.merge(mapping, on="col")
    values = pd.to_numeric(melted["cell"], errors="coerce")
    bad = melted[melted["cell"].notna() & values.isna()]
    if not bad.empty:
        r = bad.iloc[0]
        raise BuildError(
            f"value {r['cell']!r} in column {r['col']!r} is not a number", file=raw_path, line=int(r["line"])
        )
    stg = pd.DataFrame(
        {
            "code": melted["NUTS"],
            "key": melted["indicator_id"],
            "year": melted["year"].astype("int32"),
            "value": values,
            "flag": None,
            "line": melted["line"],
        }
    )
    stg = stg[stg["value"].notna()]

    # Population and GDP per head (PPS, EU27 = 100), 2018-2020, from the population sheet.
    pop_cols = ["NUTS", "population_2018", "population_2019", "population_2020"]
    gdp_cols = [f"gdp_per_capita_pps_index_eu27_{y}" for y in (2018, 2019, 2020)]
    load_csv(con, pop_path, "stg_rci_pop", required=pop_cols + gdp_cols)
    pop = con.execute("SELECT * FROM stg_rci_pop").fetchdf()
    pop.insert(0, "line", range(2, len(pop) + 2))
    extra = []
    for prefix, ind_id in (
        ("population_", "rci.population"),
        ("gdp_per_capita_pps_index_eu27_", "rci.gdp_pps_index"),
    ):
        for y in (2018, 2019, 2020):
            vals = pd.to_numeric(pop[f"{prefix}{y}"], errors="coerce")
            bad = pop[pop[f"{prefix}{y}"].notna() & vals.isna()]
            if not bad.empty:
                raise BuildError(f"{prefix}{y} is not a number", file=pop_path, line=int(bad.iloc[0]["line"]))
            extra.append(
                pd.DataFrame(
                    {
                        "code": pop["NUTS"],
                        "key": ind_id,
                        "year": y,
                        "value": vals,
                        "flag": None,
                        "line": pop["line"],
                    }
                )
            )
    ctx.add_catalog(
        indicator_id="rci.population",
        label="Population (RCI 2022 reference)",
        unit="inhabitants",
        description="Population, inhabitants (JRC-ARDECO based on Eurostat), as used by the RCI 2022.",
        source_id=source.id,
        higher_is_better=None,
        dimension="Demography",
        additive=True,
        nuts_version=source.nuts_version,
    )
    ctx.add_catalog(
        indicator_id="rci.gdp_pps_index",
        label="GDP per inhabitant in PPS, EU27 = 100 (RCI 2022 reference)",
        unit="index, EU27 = 100",
        description="GDP per capita in PPS, index EU27 = 100 (JRC-ARDECO based on Eurostat), as used by the RCI 2022.",
        source_id=source.id,
        higher_is_better=True,
        dimension="Economic performance",
        additive=False,
        nuts_version=source.nuts_version,
    )
    stg = pd.concat([stg, *extra], ignore_index=True)
    stg = stg[stg["value"].notna()]
    con.register("_stg_rci_df", stg)
    con.execute("CREATE OR REPLACE TEMP TABLE stg_rci AS SELECT * FROM _stg_rci_df")
    con.unregister("_stg_rci_df")
    return _land_indicators(ctx, source, raw_path, "stg_rci", prefer="2021", units=set(cap["rci_code"]))


# --------------------------------------------------------------------------- ESCP
ESCP_MEMBER_COLS = [
    "programme",
    "generation",
    "period",
    "partnership_acronym",
    "partnership_name",
    "member_organisation",
    "member_country",
    "role",
    "source_url",
    "note",
    "member_country_source",
    "completeness",
]


def _country_check(ctx: Context, source: Source, table: str, column: str) -> None:
    n, codes = ctx.con.execute(
        f"""SELECT count(*), string_agg(DISTINCT "{column}", ', ')
            FROM "{table}" WHERE "{column}" IS NOT NULL AND "{column}" <> ''
              AND "{column}" NOT IN (SELECT code FROM regions WHERE level = 0)"""
    ).fetchone()
    if n:
        ctx.report(source.id, f"{column}: codes not found among NUTS countries", n, codes or "")


@reader("escp_members")
def read_escp_members(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    con = ctx.con
    load_csv(con, path, "stg_escp_m", required=ESCP_MEMBER_COLS)
    for col in ("programme", "partnership_acronym", "source_url", "completeness"):
        bad = first_line_where(con, "stg_escp_m", f'"{col}" IS NULL OR trim("{col}") = \'\'')
        if bad:
            raise BuildError(f"{col} is empty", file=path, line=bad)
    bad = first_line_where(
        con, "stg_escp_m", "member_country IS NOT NULL AND NOT regexp_matches(member_country, '^[A-Z]{2}$')"
    )
    if bad:
        raise BuildError("member_country must be a two-letter Eurostat country code", file=path, line=bad)
    _country_check(ctx, source, "stg_escp_m", "member_country")
    con.execute(
        f"""INSERT INTO escp_members
            SELECT {", ".join(ESCP_MEMBER_COLS[:5])}, nullif(trim(member_organisation), ''),
                   nullif(member_country, ''), nullif(role, ''), source_url, nullif(note, ''),
                   nullif(member_country_source, ''), completeness, line, $sid
            FROM (SELECT row_number() OVER () + 1 AS line, * FROM stg_escp_m)""",
        {"sid": source.id},
    )
    return con.execute("SELECT count(*) FROM stg_escp_m").fetchone()[0]


@reader("escp_partnerships")
def read_escp_partnerships(ctx: Context, source: Source) -> int:
    path = source.paths(ctx.sources_dir)[0]
    con = ctx.con
    cols = [
        "programme",
        "generation",
        "period",
        "acronym",
        "name",
        "coordinator",
        "coordinator_country",
        "sector_theme",
        "target_markets",
        "members_expected",
        "members_listed",
        "source_url",
    ]
    header = load_csv(con, path, "stg_escp_p", required=cols, types={"members_listed": "INTEGER"})
    for col in ("programme", "acronym", "source_url"):
        bad = first_line_where(con, "stg_escp_p", f'"{col}" IS NULL OR trim("{col}") = \'\'')
        if bad:
            raise BuildError(f"{col} is empty", file=path, line=bad)
    _country_check(ctx, source, "stg_escp_p", "coordinator_country")
    note = "nullif(note, '')" if "note" in header else "NULL"
    con.execute(
        f"""INSERT INTO escp_partnerships
            SELECT programme, generation, period, acronym, name, nullif(coordinator, ''),
                   nullif(coordinator_country, ''), sector_theme, target_markets,
                   TRY_CAST(nullif(regexp_extract(trim(members_expected), '^([0-9]+)', 1), '') AS INTEGER),
                   nullif(trim(members_expected), ''), members_listed, source_url, {note}, $sid
            FROM stg_escp_p""",
        {"sid": source.id},
    )
    return con.execute("SELECT count(*) FROM stg_escp_p").fetchone()[0]


@reader("escp_programmes")
def read_escp_programmes(ctx: Context, source: Source) -> int:
    pages_path, docs_path = source.paths(ctx.sources_dir)
    con = ctx.con
    load_csv(con, pages_path, "stg_escp_f1", required=["programme", "generation", "fact", "value", "source_url"])
    load_csv(
        con,
        docs_path,
        "stg_escp_f2",
        required=["programme", "generation", "fact", "value", "source_document"],
    )
    con.execute(
        """INSERT INTO escp_programmes
           SELECT programme, generation, fact, value, source_url, 'web page', $sid FROM stg_escp_f1
           UNION ALL
           SELECT programme, generation, fact, value, source_document, 'document', $sid FROM stg_escp_f2""",
        {"sid": source.id},
    )
    return con.execute("SELECT (SELECT count(*) FROM stg_escp_f1) + (SELECT count(*) FROM stg_escp_f2)").fetchone()[0]

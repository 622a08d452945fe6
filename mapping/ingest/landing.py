"""Placing source codes on map units without inventing numbers.

Every staged observation ``(code, key, year, value, flag)`` lands in one of these ways:

* ``nuts``      the code is valid in NUTS 2021 or 2024 (the source's own version preferred);
* ``recode``    a one-to-one code change (boundaries unchanged): exact, re-labelled to NUTS 2021;
* ``split``     an old region later split: kept under its old code and drawn on the union of the
                successor regions (an exact outline), flagged in ``nuts_note``;
* ``group``     old regions whose boundaries were redrawn (many-to-many): additive measures are
                summed over the whole group and drawn on the union of the group's successors;
                non-additive measures (rates, indices) cannot be placed and go to ``unplaced``;
* ``unit``      a source-defined unit (e.g. RCI capital areas), drawn on the union of its members;
* ``aggregate`` EU/euro-area aggregates, kept as benchmarks and never drawn.

Anything else (extra-regio codes, unknown codes, superseded duplicates) is kept in ``unplaced``
with its reason and counted in ``build_report`` -- never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from mapping.config import AGGREGATE_CODES

from .errors import BuildError

EXTRA_REGIO = re.compile(r"^[A-Z]{2}Z{1,3}$")
PLACEMENT_PRIORITY = {"nuts": 0, "recode": 1, "split": 2, "unit": 2, "group": 3, "aggregate": 0}


@dataclass(frozen=True)
class Placement:
    region_code: str | None
    nuts_version: str | None
    placement: str  # nuts | recode | split | group | unit | aggregate | unplaced
    note: str = ""


def classify_codes(
    con: duckdb.DuckDBPyConnection, codes: list[str], *, prefer: str, source_units: set[str] = frozenset()
) -> pd.DataFrame:
    """Decide, for each distinct code of a source, where its values land."""
    versions = ("2024", "2021") if prefer == "2024" else ("2021", "2024")
    valid = {
        v: {r[0] for r in con.execute("SELECT code FROM regions WHERE nuts_version = $v", {"v": v}).fetchall()}
        for v in ("2021", "2024")
    }
    xwalk: dict[str, tuple] = {}
    for frm, fver, method, unit, to_codes in con.execute(
        """SELECT from_code, from_version, method, unit_code, string_agg(to_code, '+' ORDER BY to_code)
           FROM nuts_crosswalk GROUP BY ALL"""
    ).fetchall():
        xwalk[frm] = (fver, method, unit, to_codes)
    units = dict(con.execute("SELECT code, nuts_version FROM regions WHERE is_unit").fetchall())

    rows = []
    for code in codes:
        p = _classify_one(code, versions, valid, xwalk, units, source_units)
        rows.append((code, p.region_code, p.nuts_version, p.placement, p.note))
    return pd.DataFrame(rows, columns=["code", "region_code", "nuts_version", "placement", "nuts_note"])


def _classify_one(code, versions, valid, xwalk, units, source_units) -> Placement:
    if code in AGGREGATE_CODES:
        return Placement(AGGREGATE_CODES[code], "aggregate", "aggregate", f"aggregate {code}")
    for v in versions:
        if code in valid[v]:
            return Placement(code, v, "nuts")
    if code in source_units and code in units:
        return Placement(code, units[code], "unit", f"{code} is a merge of NUTS 2021 regions; drawn on their union")
    if code in xwalk:
        fver, method, unit, to_codes = xwalk[code]
        if method == "recode":
            return Placement(unit, "2021", "recode", f"recoded from {code} (NUTS {fver})")
        if method == "split":
            return Placement(
                code,
                fver,
                "split",
                f"{code} (NUTS {fver}) was split; its value is drawn on {to_codes} (NUTS 2021)",
            )
        if method == "group":
            return Placement(
                unit,
                fver,
                "group",
                f"boundary change: sum over {unit} (NUTS {fver}), drawn on their successors",
            )
    if EXTRA_REGIO.match(code):
        return Placement(None, None, "unplaced", "extra-regio (not a territory)")
    return Placement(None, None, "unplaced", "code not found in NUTS 2021/2024 nor in the crosswalk")


def land(
    con: duckdb.DuckDBPyConnection,
    *,
    source_id: str,
    staging: str,
    prefer: str,
    additive_keys: set[str] | None = None,
    all_additive: bool = False,
    source_units: set[str] = frozenset(),
    file: str | None = None,
) -> str:
    """Land a staging table ``(code, key, year, value, flag[, line])`` and return the landed table name.

    The landed table has ``region_code, nuts_version, key, year, value, flag, source_code,
    placement, nuts_note``. Unplaced rows go to ``unplaced``; counts go to ``build_report``.
    """
    _check_duplicates(con, staging, file)
    codes = [r[0] for r in con.execute(f'SELECT DISTINCT code FROM "{staging}" ORDER BY 1').fetchall()]
    cmap = classify_codes(con, codes, prefer=prefer, source_units=source_units)
    con.register("_cmap_df", cmap)
    con.execute("CREATE OR REPLACE TEMP TABLE _cmap AS SELECT * FROM _cmap_df")
    con.unregister("_cmap_df")
    additive = sorted(additive_keys or [])
    con.execute("CREATE OR REPLACE TEMP TABLE _additive(key VARCHAR)")
    if additive:
        con.executemany("INSERT INTO _additive VALUES (?)", [[k] for k in additive])
    params = {"all_additive": all_additive}
    landed = f"landed_{source_id}"
    # Direct placements: identical codes, recodes, splits, units, aggregates.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{landed}" AS
            SELECT m.region_code, m.nuts_version, s.key, s.year, s.value::DOUBLE AS value, s.flag,
                   s.code AS source_code, m.placement, m.nuts_note
            FROM "{staging}" s JOIN _cmap m USING (code)
            WHERE m.placement IN ('nuts', 'recode', 'split', 'unit', 'aggregate')"""
    )
    # Boundary groups: additive keys summed when every old member of the group is present.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _groups AS
            WITH expected AS (
                SELECT unit_code, count(DISTINCT from_code) AS n_expected
                FROM nuts_crosswalk WHERE method = 'group' GROUP BY 1
            )
            SELECT m.region_code, m.nuts_version, s.key, s.year,
                   count(DISTINCT s.code) AS n, any_value(e.n_expected) AS n_expected,
                   CASE WHEN bool_and(s.value IS NOT NULL) THEN sum(s.value::DOUBLE) END AS value,
                   nullif(string_agg(DISTINCT s.flag, '' ORDER BY s.flag), '') AS flag,
                   any_value(m.nuts_note) AS nuts_note,
                   ($all_additive OR s.key IN (SELECT key FROM _additive)) AS is_additive
            FROM "{staging}" s JOIN _cmap m USING (code) JOIN expected e ON e.unit_code = m.region_code
            WHERE m.placement = 'group'
            GROUP BY ALL""",
        params,
    )
    con.execute(
        f"""INSERT INTO "{landed}"
            SELECT region_code, nuts_version, key, year, value, flag, region_code, 'group',
                   nuts_note || CASE WHEN flag IS NOT NULL AND value IS NULL
                                     THEN ' (a member value is missing or confidential)' ELSE '' END
            FROM _groups WHERE is_additive AND n = n_expected"""
    )
    # Unplaceable rows, with their reason.
    con.execute(
        f"""INSERT INTO unplaced
            SELECT $sid, s.code, s.key, s.year, s.value::DOUBLE, s.flag, m.nuts_note
            FROM "{staging}" s JOIN _cmap m USING (code) WHERE m.placement = 'unplaced'
            UNION ALL
            SELECT $sid, s.code, s.key, s.year, s.value::DOUBLE, s.flag,
                   CASE WHEN NOT g.is_additive
                        THEN 'boundary change; a non-additive value cannot be placed on NUTS 2021 regions'
                        ELSE 'boundary change; not every old region of the group has this cell' END
            FROM "{staging}" s JOIN _cmap m USING (code)
            JOIN _groups g ON g.region_code = m.region_code AND g.key = s.key AND g.year = s.year
            WHERE m.placement = 'group' AND NOT (g.is_additive AND g.n = g.n_expected)""",
        {"sid": source_id},
    )
    _drop_superseded(con, landed, source_id)
    _report(con, landed, staging, source_id, cmap)
    return landed


def _check_duplicates(con, staging: str, file: str | None) -> None:
    has_line = "line" in [r[0] for r in con.execute(f'DESCRIBE "{staging}"').fetchall()]
    line_expr = "min(line)" if has_line else "NULL"
    dup = con.execute(
        f"""SELECT code, key, year, count(*), {line_expr} FROM "{staging}"
            GROUP BY code, key, year HAVING count(*) > 1 LIMIT 1"""
    ).fetchone()
    if dup:
        code, key, year, n, line = dup
        raise BuildError(f"{n} rows for the same region {code}, {key}, {year}", file=file, line=line)


def _drop_superseded(con, landed: str, source_id: str) -> None:
    """Where old-code rows and their successors both have a value for a year, keep the successors."""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _superseded AS
            SELECT DISTINCT d.region_code, d.nuts_version, d.key, d.year
            FROM "{landed}" d
            JOIN region_units u ON u.unit_code = d.region_code AND u.unit_version = d.nuts_version
            JOIN "{landed}" n ON n.region_code = u.member_code AND n.key = d.key AND n.year = d.year
                              AND n.placement IN ('nuts', 'recode')
            WHERE d.placement IN ('split', 'group', 'unit')"""
    )
    # Two rows on the same unit (a recode meeting its native code): keep the native code.
    con.execute(
        f"""INSERT INTO _superseded
            SELECT region_code, nuts_version, key, year FROM (
                SELECT *, row_number() OVER (PARTITION BY region_code, nuts_version, key, year
                    ORDER BY CASE placement WHEN 'nuts' THEN 0 WHEN 'recode' THEN 1 ELSE 2 END, source_code) rn
                FROM "{landed}") WHERE rn > 1"""
    )
    con.execute(
        f"""INSERT INTO unplaced
            SELECT $sid, l.source_code, l.key, l.year, l.value, l.flag,
                   'superseded: the successor code has a value for the same year'
            FROM "{landed}" l SEMI JOIN _superseded s
              ON s.region_code = l.region_code AND s.nuts_version = l.nuts_version AND s.key = l.key AND s.year = l.year
            WHERE l.placement <> 'nuts' OR l.source_code <> l.region_code""",
        {"sid": source_id},
    )
    con.execute(
        f"""DELETE FROM "{landed}" l USING _superseded s
            WHERE s.region_code = l.region_code AND s.nuts_version = l.nuts_version AND s.key = l.key
              AND s.year = l.year AND (l.placement <> 'nuts' OR l.source_code <> l.region_code)"""
    )


def _report(con, landed: str, staging: str, source_id: str, cmap: pd.DataFrame) -> None:
    rows = []
    n_read = con.execute(f'SELECT count(*) FROM "{staging}"').fetchone()[0]
    n_landed = con.execute(f'SELECT count(*) FROM "{landed}"').fetchone()[0]
    rows.append((source_id, "rows read", n_read, ""))
    rows.append((source_id, "rows landed", n_landed, ""))
    labels = {
        "nuts": "codes valid in NUTS 2021/2024",
        "recode": "codes recoded one-to-one to NUTS 2021",
        "split": "codes of split regions (drawn on the union of successors)",
        "group": "codes in boundary-change groups (additive sums only)",
        "unit": "source-defined merged units (drawn on the union of members)",
        "aggregate": "aggregate codes (benchmarks, not drawn)",
        "unplaced": "codes not placed on any map unit",
    }
    for placement, label in labels.items():
        sel = cmap[cmap.placement == placement]
        if len(sel):
            detail = "" if placement == "nuts" else ", ".join(sel.code.tolist()[:40])
            rows.append((source_id, label, len(sel), detail))
    for reason, n, codes in con.execute(
        """SELECT reason, count(*), string_agg(DISTINCT source_code, ', ' ORDER BY source_code)
           FROM unplaced WHERE source_id = $sid GROUP BY 1 ORDER BY 1""",
        {"sid": source_id},
    ).fetchall():
        rows.append((source_id, f"rows unplaced: {reason}", n, codes[:400]))
    con.executemany("INSERT INTO build_report VALUES (?, ?, ?, ?)", rows)

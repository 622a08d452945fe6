"""Reference tables kept in this repository: the NUTS crosswalk and the NACE Rev. 2 titles."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BuildError
from ..io import first_line_where, load_csv
from ._registry import reader

if TYPE_CHECKING:
    from ..manifest import Source
    from ..pipeline import Context


@reader("crosswalk")
def read_crosswalk(ctx: Context, source: Source, paths: list[Path]) -> int:
    path = paths[0]
    cols = ["from_code", "from_version", "to_code", "to_version", "method", "unit_code", "note"]
    load_csv(ctx.con, path, "stg_xwalk", required=cols)
    bad = first_line_where(ctx.con, "stg_xwalk", "method NOT IN ('recode', 'split', 'group')")
    if bad:
        raise BuildError("method must be recode, split or group", file=path, line=bad)
    # A target outside the boundaries loaded (a partial or test geography) cannot be drawn: such rows are skipped
    # and counted; on the full GISCO boundaries there are none (an integration test holds that).
    n_out, codes = ctx.con.execute(
        """SELECT count(*), string_agg(DISTINCT to_code, ', ' ORDER BY to_code) FROM stg_xwalk
           WHERE to_code NOT IN (SELECT code FROM regions WHERE nuts_version = '2021')"""
    ).fetchone()
    if n_out:
        ctx.report(source.id, "crosswalk rows whose NUTS 2021 target is not in the boundaries (skipped)", n_out, codes)
        ctx.con.execute(
            """DELETE FROM stg_xwalk WHERE unit_code IN (SELECT unit_code FROM stg_xwalk
               WHERE to_code NOT IN (SELECT code FROM regions WHERE nuts_version = '2021'))"""
        )
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
def read_nace(ctx: Context, source: Source, paths: list[Path]) -> int:
    load_csv(ctx.con, paths[0], "stg_nace", required=["code", "level", "parent", "label"])
    ctx.con.execute("INSERT INTO nace SELECT code, level, nullif(parent, ''), label FROM stg_nace")
    return ctx.con.execute("SELECT count(*) FROM stg_nace").fetchone()[0]

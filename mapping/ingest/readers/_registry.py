"""The reader registry and the landing steps readers share."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BuildError
from ..landing import land

if TYPE_CHECKING:
    from ..manifest import Source
    from ..pipeline import Context

Reader = Callable[["Context", "Source", list[Path]], int]
READERS: dict[str, Reader] = {}


def reader(name: str) -> Callable[[Reader], Reader]:
    def deco(fn: Reader) -> Reader:
        READERS[name] = fn
        return fn

    return deco


def sql_literal(text: str) -> str:
    """An indicator id that may appear in SQL text: letters, digits, '_', '.', '-' only."""
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", text):
        raise BuildError(f"indicator id {text!r} may only use letters, digits, '_', '.', '-'")
    return text


def land_indicators(ctx: Context, source: Source, path: Path, staging: str, *, prefer: str, units=()) -> int:
    """Place a staged ``(code, key, year, value, flag, line)`` table and append it to ``indicators``."""
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


def insert_employment(ctx: Context, landed: str, source_id: str) -> int:
    """Landed ``measure|nace`` keys -> one ``employment`` row per region, NACE code and year."""
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

"""This project's records of the European cluster partnerships: partnerships, members, programme figures.

Facts recorded by hand from public pages and Commission documents, kept in ``data/escp/`` with a citation on
every row (``source_url`` / ``source_document``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BuildError
from ..io import first_line_where, load_csv
from ._registry import reader

if TYPE_CHECKING:
    from ..manifest import Source
    from ..pipeline import Context

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
def read_escp_members(ctx: Context, source: Source, paths: list[Path]) -> int:
    path = paths[0]
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
def read_escp_partnerships(ctx: Context, source: Source, paths: list[Path]) -> int:
    path = paths[0]
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
def read_escp_programmes(ctx: Context, source: Source, paths: list[Path]) -> int:
    pages_path, docs_path = paths
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

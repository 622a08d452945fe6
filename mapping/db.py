"""The one query gate: every query in the app goes through here.

* read-only connection, spatial extension loaded, then file and network access switched off;
* queries live in ``mapping/sql/<name>.sql`` (first line: ``-- <name>: what it returns``) and take
  ``$named`` parameters bound by DuckDB, never formatted into the SQL text;
* results are capped at ``row_cap`` rows (``df.attrs["truncated"]`` tells) and interrupted after
  ``timeout`` seconds.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from mapping import config

NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class QueryError(Exception):
    """A query could not run; the message is fit to show to a user."""


class QueryTimeout(QueryError):
    """The query ran longer than its time limit and was interrupted."""


class DatabaseMissing(QueryError):
    """No built DB at the configured path."""


def connect(
    path: str | Path | None = None, *, lock: bool = True, settings: dict[str, Any] | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the built DB read-only with spatial loaded and external access disabled.

    Args:
        path: DB file; defaults to ``config.db_path()``.
        lock: also lock the configuration so no statement can re-enable file access.
        settings: DuckDB settings applied before the lock (names checked, values bound), e.g. ``threads``.
    """
    db = config.db_path(path)
    if not db.exists():
        # The message reaches visitors: the file's name, not the server's path.
        raise DatabaseMissing(f"No database ({db.name}) has been built yet. Build it with `make data`.")
    con = duckdb.connect(str(db), read_only=True)
    # DuckDB shares one database instance per file within a process: a second connection finds
    # the instance already configured and locked by the first.
    if con.execute("SELECT current_setting('lock_configuration')").fetchone()[0]:
        if con.execute("SELECT current_setting('enable_external_access')").fetchone()[0]:
            con.close()
            raise QueryError("the database is open with file access enabled; refusing to serve queries")
        return con
    # The extension must be loaded before file access is switched off.
    con.execute(f"LOAD '{config.spatial_extension_path()}'")
    for name, value in (settings or {}).items():
        if not NAME_RE.match(name):
            raise QueryError(f"invalid setting name {name!r}")
        con.execute(f"SET {name} = $value", {"value": value})
    con.execute("SET enable_external_access = false")
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    if lock:
        con.execute("SET lock_configuration = true")
    return con


@cache
def sql_text(name: str) -> str:
    """The text of ``mapping/sql/<name>.sql``; unknown or oddly named queries are refused."""
    if not NAME_RE.match(name):
        raise QueryError(f"invalid query name {name!r}")
    path = config.SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise QueryError(f"no query named {name!r}")
    text = path.read_text(encoding="utf-8")
    if not text.startswith(f"-- {name}:"):
        raise QueryError(f"{path.name} must start with '-- {name}: <what it returns>'")
    return text


def query_names() -> list[str]:
    return sorted(p.stem for p in config.SQL_DIR.glob("*.sql"))


def query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    /,
    *,
    row_cap: int = config.ROW_CAP,
    timeout: float = config.QUERY_TIMEOUT_S,
    **params: Any,
) -> pd.DataFrame:
    """Run the named query with bound parameters and return a DataFrame."""
    return run_sql(con, sql_text(name), params, row_cap=row_cap, timeout=timeout)


def run_sql(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any] | None = None,
    *,
    row_cap: int = config.ROW_CAP,
    timeout: float = config.QUERY_TIMEOUT_S,
) -> pd.DataFrame:
    """Execute SQL on a fresh cursor, with an interrupting timer and a streamed row cap."""
    table, truncated = run_arrow(con, sql, params, row_cap=row_cap, timeout=timeout)
    df = table.to_pandas()
    df.attrs["truncated"] = truncated
    return df


def run_arrow(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any] | None = None,
    *,
    row_cap: int = config.ROW_CAP,
    timeout: float = config.QUERY_TIMEOUT_S,
) -> tuple[pa.Table, bool]:
    """Like :func:`run_sql` but returns the Arrow table (types and geometry metadata kept) and ``truncated``."""
    cur = con.cursor()
    timer = threading.Timer(timeout, cur.interrupt)
    timer.start()
    try:
        result = cur.execute(sql, params or None)
        reader = result.to_arrow_reader(min(row_cap + 1, 100_000))
        batches, n = [], 0
        for batch in reader:
            batches.append(batch)
            n += batch.num_rows
            if n > row_cap:
                break
        table = pa.Table.from_batches(batches, schema=reader.schema)
    except duckdb.InterruptException as exc:
        raise QueryTimeout(f"query stopped after {timeout:g} s") from exc
    except duckdb.Error as exc:
        raise QueryError(str(exc).split("\n")[0]) from exc
    finally:
        timer.cancel()
        cur.close()
    return table.slice(0, row_cap), table.num_rows > row_cap


def query_arrow(con: duckdb.DuckDBPyConnection, name: str, /, *, row_cap: int = config.ROW_CAP, **params: Any):
    """A named query as an Arrow table and whether it was cut at ``row_cap``."""
    return run_arrow(con, sql_text(name), params, row_cap=row_cap)


def scalar(con: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> Any:
    """First cell of a named query, or None."""
    df = query(con, name, **params)
    return None if df.empty else df.iat[0, 0]

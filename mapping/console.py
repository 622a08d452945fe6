"""The SQL console: read-only queries typed by users, checked and run in worker processes, never in the app's.

The app process only checks that the text is a string of sane length; it never tokenizes, parses or runs it
(DuckDB's tokenizer takes minutes on some inputs and its parser reads files for ``IMPORT DATABASE``). Each
worker (``python -m mapping.console <db> <memory_mb>``):

1. **checks** the text (:func:`check`): no invisible characters; one statement; its first keyword a read
   keyword (SELECT, WITH, FROM, VALUES, TABLE, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW, PIVOT/UNPIVOT), known
   refusals (writes, COPY, ATTACH, INSTALL/LOAD, PRAGMA/SET, CALL, ...) named before parsing; then parsed on an
   empty in-memory connection with file access off, and its syntax tree (``json_serialize_sql``) walked: every
   table function must be on an allowlist (or a table macro of the DB), every table name a table of the DB, a
   CTE of the query or one of a few catalog views (``FROM 'file.csv'``, ``FROM x.csv`` and ``FROM "file.csv"`` are
   file reads; ``pg_settings`` and ``duckdb_databases`` show paths), no function on a denylist, coordinate
   systems only as ``AUTH:code``, also inside a type (PROJ reads files named in ``+init=``);
2. **runs** it on the DB opened read-only with file and network access off and the configuration locked (the
   guard for whatever the checker misses), one DuckDB thread, a DuckDB memory limit, an address-space limit, a
   zero file-size limit (no file can be written) and, where the kernel allows, no network namespace;
3. **converts** the result to plain columns (numbers, text, dates; geometry as WKT; nested and exotic types as
   text; duplicate names made unique) within caps on columns, cells (rows x columns) and bytes - bytes as pandas
   will hold them, one Python object per text or date cell - so the app process only ever receives a small,
   simple table;
4. reports a changed setting so its parent replaces it.

The parent interrupts nothing itself: a worker that has not answered by the time limit is killed and replaced.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import re
import select
import subprocess
import sys
import threading
import time
import unicodedata
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from mapping import config

MAX_CHARS = 10_000
MAX_COLUMNS = 300  # columns in a result
CELL_CAP = 1_000_000  # rows x columns in a result: wide results get fewer rows (each cell can become an object)
RSS_MARGIN_MB = 1024  # a worker is killed above memory_mb + this much resident memory
ADDRESS_MARGIN_MB = 5120  # address-space backstop above memory_mb (DuckDB reserves ~1.5 GB it does not touch)
PAGE = os.sysconf("SC_PAGE_SIZE")

READ_KEYWORDS = {"select", "with", "from", "values", "table", "describe", "desc", "summarize", "show", "explain"}
PIVOT_KEYWORDS = {"pivot", "unpivot", "pivot_wider", "pivot_longer"}

_WRITES = "The console is read-only: it cannot change the database ({what})."
_SETTINGS = "Settings are locked in the console ({what}); the connection is configured once and cannot be changed."
_TRANSACTIONS = "Transactions are not needed for reading; write a single query."
_PREPARED = "Prepared statements are not available in the console; write the query itself."
REFUSED_KEYWORDS = {
    **{
        k: _WRITES.format(what=f"{k.upper()} writes or changes data")
        for k in ("insert", "update", "delete", "merge", "truncate", "upsert", "replace")
    },
    **{
        k: _WRITES.format(what=f"{k.upper()} changes the schema or storage")
        for k in ("create", "drop", "alter", "comment", "import", "vacuum", "analyze", "checkpoint", "force")
    },
    "copy": "COPY reads or writes files; the console cannot touch files. Use the Downloads tab for CSV / Parquet.",
    "export": "EXPORT DATABASE writes files; the console cannot touch files. Use the Downloads tab.",
    "attach": "ATTACH opens another database; the console only reads this one.",
    "detach": "DETACH closes a database; the console only reads this one.",
    "use": "USE switches databases; the console only reads this one.",
    "install": "INSTALL fetches extensions; the console cannot install or load extensions.",
    "load": "LOAD loads extensions; the console cannot install or load extensions.",
    "pragma": _SETTINGS.format(what="PRAGMA") + " For a table's columns write DESCRIBE <table>.",
    "set": _SETTINGS.format(what="SET"),
    "reset": _SETTINGS.format(what="RESET"),
    "call": "CALL runs procedures; write SELECT * FROM <function>(...) for table functions.",
    **{k: _TRANSACTIONS for k in ("begin", "start", "commit", "rollback", "abort", "end")},
    **{k: _PREPARED for k in ("prepare", "execute", "deallocate")},
}

# Table functions a query may use; everything else (file readers, logging, profiling, secrets, dynamic SQL,
# checkpoints ...) is refused. Table macros stored in the DB (cluster_cells) are added by the worker.
TABLE_FUNCTIONS = {
    "range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree",
    "duckdb_tables", "duckdb_columns", "duckdb_views", "duckdb_schemas", "duckdb_types",
    "duckdb_functions", "duckdb_constraints", "duckdb_indexes", "duckdb_keywords", "duckdb_dependencies",
    "duckdb_sequences", "pragma_table_info", "pragma_version", "icu_calendar_names", "pg_timezone_names",
}  # fmt: skip
# Scalar and aggregate functions refused wherever they appear.
DENIED_FUNCTIONS = {
    "getenv", "write_log", "enable_logging", "disable_logging", "enable_profiling", "disable_profiling",
    "json_execute_serialized_sql", "query", "query_table", "current_setting", "set_variable", "getvariable",
}  # fmt: skip
CRS_FUNCTIONS = {"st_transform", "st_setcrs"}
CRS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*:[A-Za-z0-9_.-]+$")
PROJ_MARKERS = re.compile(r"\+?\b(init|nadgrids|geoidgrids|grids|proj|pipeline)\s*=|/vsi|parameterfile", re.I)
PLAIN_NAME = re.compile(r'^(?:[A-Za-z_][A-Za-z0-9_]*|"[A-Za-z_][A-Za-z0-9_]*")$')
SHOW_NAMES = {'"tables"', "__show_tables_expanded", "tables"}
# Catalog views a query may read besides the DB's own tables (no paths, settings, logs or prepared statements:
# duckdb_databases, pragma_database_list, pg_settings, duckdb_logs ... are refused like any unknown name).
CATALOG_VIEWS = {
    ("", "duckdb_tables"), ("", "duckdb_columns"), ("", "duckdb_views"), ("", "duckdb_schemas"),
    ("", "duckdb_types"), ("", "duckdb_constraints"), ("", "duckdb_indexes"),
    ("information_schema", "tables"), ("information_schema", "columns"), ("information_schema", "schemata"),
    ("information_schema", "views"),
}  # fmt: skip
MAX_MESSAGE = 2000  # characters of an error message sent back to the app

_IDENT = re.compile(rb'"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*')
_ALLOWED_CONTROL = {"\t", "\n", "\r"}


class Refused(Exception):
    """The console will not run this text; the message says why and what to do instead."""


class ConsoleError(Exception):
    """The query ran and failed (syntax, unknown table, time or memory limit); message for the user."""


@dataclass
class Result:
    frame: pd.DataFrame
    truncated: bool
    seconds: float
    sql: str
    row_cap: int = config.CONSOLE_ROW_CAP  # rows shown at most (fewer for very wide results)


def precheck(sql: Any) -> str:
    """The checks the app process makes itself: a string of sane length without NUL characters."""
    if not isinstance(sql, str) or not sql.strip():
        raise Refused("Type a query, e.g. SELECT * FROM sources.")
    if len(sql) > MAX_CHARS:
        raise Refused(f"The query is {len(sql):,} characters long; the console takes up to {MAX_CHARS:,}.")
    if "\x00" in sql:
        raise Refused("The query contains a NUL character.")
    return sql.strip()


# ------------------------------------------------------------------------------------------------- the checker


def _tokens(sql: str) -> list[tuple[str, str, int]]:
    """(kind, text, byte offset) per token; DuckDB's tokenizer skips comments and reports byte offsets."""
    import duckdb

    raw = sql.encode("utf-8")
    out = []
    for pos, kind in duckdb.tokenize(sql):
        name = kind.name
        if name in ("identifier", "keyword"):
            m = _IDENT.match(raw, pos)
            text = (m.group(0) if m else raw[pos : pos + 1]).decode("utf-8", "replace")
            text = text[1:-1].replace('""', '"') if text.startswith('"') else text
            out.append(("name", text.lower(), pos))
        elif name == "operator":
            out.append(("op", raw[pos : pos + 1].decode("utf-8", "replace"), pos))
        else:
            out.append((name, "", pos))
    return out


def _first_keyword(tokens: list[tuple[str, str, int]]) -> tuple[str, int]:
    for i, (kind, text, _pos) in enumerate(tokens):
        if kind == "op" and text == "(":
            continue
        return (text if kind == "name" else kind), i
    return "", len(tokens)


def _parser():
    """An empty in-memory connection for parsing, with file access off and the configuration locked."""
    import duckdb

    return duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "lock_configuration": True,
        },
    )


def _walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _strings(node: Any):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _constant_text(node: dict) -> str | None:
    if node.get("class") == "CONSTANT":
        value = node.get("value", {})
        if isinstance(value, dict) and not value.get("is_null") and isinstance(value.get("value"), str):
            return value["value"]
    return None


def _cte_names(tree: dict) -> set[str]:
    names = set()
    for node in _walk(tree):
        entries = node.get("cte_map", {})
        for entry in entries.get("map", []) if isinstance(entries, dict) else []:
            names.add(str(entry.get("key", "")).lower())
    return names


def _check_relation(node: dict, tables: frozenset[str], ctes: set[str]) -> None:
    """A table name must be a table of the DB, a CTE of the query or an allowed catalog view; anything else (a
    dotted name DuckDB would read as a file, a system view with paths or settings) is refused."""
    name = str(node.get("table_name", ""))
    schema = str(node.get("schema_name", ""))
    if not PLAIN_NAME.match(name) or (schema and not PLAIN_NAME.match(schema)):
        shown = f"{schema}.{name}" if schema else name
        raise Refused(
            f"FROM {shown[:60]!r} would read a file or URL; the console only queries the tables of the "
            "database (SHOW TABLES lists them)."
        )
    key = name.strip('"').lower()
    schema = schema.strip('"').lower()
    known = (
        (schema in ("", "main") and key in tables)
        or (not schema and key in ctes)
        or ((schema if schema != "main" else "", key) in CATALOG_VIEWS)
    )
    if node.get("catalog_name") or not known:
        shown = ".".join(p for p in (node.get("catalog_name"), schema, key) if p)
        raise Refused(
            f"{shown[:60]!r} is not a table of the database; the console queries its tables (SHOW TABLES lists "
            "them) and the catalog views duckdb_tables, duckdb_columns and information_schema.tables/columns."
        )


def _check_tree(tree: dict, table_macros: frozenset[str], tables: frozenset[str], system_views: frozenset[str]) -> None:
    """Walk the syntax tree of a SELECT (json_serialize_sql) and refuse what reads files or changes state."""
    ctes = _cte_names(tree)
    hiding = sorted(ctes & system_views)
    if hiding:
        raise Refused(f"{hiding[0]!r} names a system view; give the WITH query another name.")
    for text in _strings(tree):
        if PROJ_MARKERS.search(text):
            raise Refused(
                "Coordinate-system definitions and GDAL paths (+init=, nadgrids=, /vsi...) can read files; "
                "write a coordinate system as 'EPSG:3035'."
            )
    for node in _walk(tree):
        kind = node.get("type")
        if kind == "TABLE_FUNCTION":
            fn = node.get("function", {})
            name = str(fn.get("function_name", "")).lower()
            if name not in TABLE_FUNCTIONS and name not in table_macros:
                raise Refused(
                    f"{name}() is not available in the console: it reads files, URLs or settings, or changes state. "
                    "Query the tables of the database (SHOW TABLES lists them); table functions allowed: "
                    f"{', '.join(sorted(TABLE_FUNCTIONS | table_macros))}."
                )
        elif kind == "BASE_TABLE":
            _check_relation(node, tables, ctes)
        elif kind == "SHOW_REF":
            name = str(node.get("table_name", ""))
            if name and name not in SHOW_NAMES and not PLAIN_NAME.match(name):
                raise Refused(f"{name[:60]!r} is not a table of the database.")
        if node.get("class") == "FUNCTION" or kind == "FUNCTION":
            name = str(node.get("function_name", "")).lower()
            if name in DENIED_FUNCTIONS:
                raise Refused(f"{name}() is not available in the console (it reads settings or runs SQL from text).")
            if name in CRS_FUNCTIONS:
                for arg in node.get("children", [])[1:]:
                    text = _constant_text(arg)
                    if arg.get("class") == "CONSTANT" and (text is None or CRS_RE.match(text)):
                        continue  # AUTH:code, or a boolean (always_xy)
                    raise Refused(f"{name}() takes coordinate systems written as 'EPSG:3035' (constants) here.")
        for modifier in node.get("user_type_modifiers") or []:  # GEOMETRY('EPSG:3035'): a CRS inside a type
            value = modifier.get("value") if isinstance(modifier, dict) else None
            if isinstance(value, str) and not CRS_RE.match(value):
                raise Refused("Type parameters such as a coordinate system are written as 'EPSG:3035' here.")


def _serialize(parser, text: str) -> dict:
    tree = json.loads(parser.execute("SELECT json_serialize_sql($q)", {"q": text}).fetchone()[0])
    if tree.get("error"):
        raise Refused(f"This statement cannot be checked: {tree.get('error_message', 'not a query')}")
    return tree


def check(sql: str, *, tables: frozenset[str] = frozenset(), table_macros: frozenset[str] = frozenset()) -> str:
    """Return the one read statement in ``sql`` (trailing semicolons dropped) or raise :class:`Refused`.

    ``tables`` are the (lower-case) table and view names of the DB a query may read; ``table_macros`` its table
    macros.

    Runs DuckDB's tokenizer and parser: call it in a worker process, never in the app's (see the module doc).
    """
    import duckdb

    text = precheck(sql).rstrip(";").strip()
    odd = [c for c in text if c not in _ALLOWED_CONTROL and unicodedata.category(c) in ("Cc", "Cf")]
    if odd:
        raise Refused(f"The query contains invisible control or format characters (U+{ord(odd[0]):04X}).")
    tokens = _tokens(text)
    segments = [[]]
    for token in tokens:
        if token[:2] == ("op", ";"):
            segments.append([])
        else:
            segments[-1].append(token)
    segments = [s for s in segments if s]
    if not segments:
        raise Refused("Type a query, e.g. SELECT * FROM sources.")
    for segment in segments:  # named before parsing: the parser runs IMPORT DATABASE's file reads
        keyword, _ = _first_keyword(segment)
        if keyword in REFUSED_KEYWORDS:
            raise Refused(REFUSED_KEYWORDS[keyword])
    if len(segments) > 1:
        raise Refused(f"One statement at a time: this text holds {len(segments)} statements separated by semicolons.")
    keyword, at = _first_keyword(tokens)
    if keyword not in READ_KEYWORDS | PIVOT_KEYWORDS:
        raise Refused(
            f"Only read statements run here (SELECT, WITH, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW); not {keyword}."
        )
    with _parser() as parser:
        try:
            statements = parser.extract_statements(text)
        except duckdb.Error as exc:
            raise Refused(friendly(str(exc))) from exc
        if keyword in PIVOT_KEYWORDS and len(statements) != 1:
            raise Refused(
                "PIVOT without an IN list creates a type first; name the values: PIVOT t ON col IN ('a', 'b')."
            )
        if len(statements) != 1:
            raise Refused("One statement at a time.")
        kind = statements[0].type.name
        if kind not in ("SELECT", "EXPLAIN"):
            raise Refused(
                f"Only read statements run here (SELECT, WITH, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW); not {kind}."
            )
        inner = text
        if kind == "EXPLAIN":
            rest = tokens[at + 1 :]
            if rest and rest[0][:2] == ("name", "analyze"):
                rest = rest[1:]
            if not rest or rest[0][:2] == ("op", "("):
                raise Refused("Write EXPLAIN SELECT ... or EXPLAIN ANALYZE SELECT ... (no options).")
            inner_kw, _ = _first_keyword(rest)
            if inner_kw not in READ_KEYWORDS | PIVOT_KEYWORDS or inner_kw == "explain":
                raise Refused(REFUSED_KEYWORDS.get(inner_kw, "EXPLAIN works on a read query here: EXPLAIN SELECT ..."))
            inner = text.encode("utf-8")[rest[0][2] :].decode("utf-8")
        system_views = frozenset(
            r[0].lower()
            for r in parser.execute(
                "SELECT view_name FROM duckdb_views() WHERE internal AND schema_name IN ('main', 'pg_catalog')"
            ).fetchall()
        )
        _check_tree(_serialize(parser, inner), table_macros, tables, system_views)
    return text


def friendly(
    message: str, *, timeout: float = config.CONSOLE_TIMEOUT_S, memory_mb: int = config.CONSOLE_MEMORY_MB
) -> str:
    """DuckDB's error text as a message for the console's user."""
    first = message.split("\n")[0]
    low = first.lower()
    if "permission error" in low or "disabled by configuration" in low or "external access is disabled" in low:
        return "Reading files or network addresses is switched off in the console; query the database's tables."
    if "read-only" in low:
        return "The console is read-only: it cannot change the database."
    if "configuration has been locked" in low:
        return "Settings are locked in the console."
    if "out of memory" in low or "bad allocation" in low:
        return f"The query needed more than {memory_mb:,} MB of memory and was stopped; aggregate or add a LIMIT."
    if "interrupt" in low:
        return f"The query ran longer than {timeout:g} s and was stopped; filter it, aggregate or add a LIMIT."
    return first[:500]


# ------------------------------------------------------------------------------------ results as plain columns


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


class ResultTooLarge(ValueError):
    """The result, as text, would exceed the byte cap."""


def _as_text(column: pa.ChunkedArray, type_: pa.DataType, budget: int) -> pa.Array:
    """Values as text, 2,000 rows at a time, stopping once ``budget`` bytes are exceeded (nested values can grow
    a hundredfold as Python objects and text)."""
    out: list[str | None] = []
    used = 0
    try:
        for start in range(0, len(column), 2000):
            for v in column.slice(start, 2000).to_pylist():
                text = None if v is None else _text(v)
                used += len(text) if text else 0
                out.append(text)
            if used > budget:
                raise ResultTooLarge(f"{used:,} bytes as text")
        return pa.array(out, pa.string())
    except (pa.ArrowException, ValueError, OverflowError, TypeError) as exc:
        if isinstance(exc, ResultTooLarge):
            raise
    try:
        return column.cast(pa.string()).combine_chunks()
    except (pa.ArrowException, ValueError):
        return pa.array([f"<{type_}>"] * len(column), pa.string())


def _simple(type_: pa.DataType) -> bool:
    t = pa.types
    if t.is_dictionary(type_):
        return t.is_string(type_.value_type) or t.is_large_string(type_.value_type)
    return (
        any(
            f(type_)
            for f in (
                t.is_integer,
                t.is_floating,
                t.is_boolean,
                t.is_string,
                t.is_large_string,
                t.is_decimal,
                t.is_null,
            )
        )
        or t.is_date(type_)
        or t.is_timestamp(type_)
    )


class TooWide(ValueError):
    """The result has more columns than the console shows."""


def result_row_cap(columns: int, row_cap: int, cell_cap: int = CELL_CAP) -> int:
    """Rows shown for a result this wide: the row cap, fewer when rows x columns would pass the cell cap."""
    if columns > MAX_COLUMNS:
        raise TooWide(f"The result has {columns:,} columns; the console shows up to {MAX_COLUMNS}: select fewer.")
    return max(1, min(row_cap, cell_cap // max(1, columns)))


def frame_bytes(table: pa.Table) -> int:
    """Rough size of ``table`` as a pandas DataFrame: text, dates, decimals, nulls in boolean columns and the like
    become one Python object per cell (a pointer plus ~50 bytes), which Arrow's byte count does not show."""
    total = 0
    for column in table.columns:
        t = column.type
        native = (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_timestamp(t)) or (
            pa.types.is_boolean(t) and column.null_count == 0
        )
        total += column.nbytes if native else column.nbytes + 58 * len(column)
    return total


def plain_table(table: pa.Table, *, budget: int = config.CONSOLE_BYTE_CAP) -> pa.Table:
    """Columns a DataFrame and a spreadsheet can hold: geometry as WKT, nested/binary/odd types as text, unique
    names. Numbers, text, dates and timestamps keep their type when pandas can hold the values."""
    from mapping.downloads import is_geometry, wkt

    names: list[str] = []
    seen: dict[str, int] = {}
    arrays = []
    for field, column in zip(table.schema, table.columns, strict=True):
        name = base = field.name or "column"
        while name in seen:
            seen[base] += 1
            name = f"{base}_{seen[base]}"
        seen.setdefault(name, 0)
        names.append(name)
        if is_geometry(field):
            arrays.append(pa.array(wkt(column), pa.string()))
            continue
        if _simple(field.type):
            try:
                pa.table({"c": column}).to_pandas()
                arrays.append(column)
                continue
            except (pa.ArrowException, ValueError, OverflowError, TypeError):
                pass
        arrays.append(_as_text(column, field.type, budget))
    return pa.table(arrays, names=names)


# ----------------------------------------------------------------------------------------------- the app side


class _Worker:
    """One ``python -m mapping.console`` process with a line protocol on stdin/stdout."""

    def __init__(self, db: Path, *, memory_mb: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mapping.console", str(db), str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(config.PROJECT_ROOT),
            env={**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT), "PROJ_NETWORK": "OFF"},
        )
        self.ready = False
        # Resident memory is watched while waiting for an answer (DuckDB reserves far more address space than it
        # uses, so an address-space limit can only be a coarse backstop).
        self.rss_limit_mb = memory_mb + RSS_MARGIN_MB
        self.over_memory = False

    def rss_mb(self) -> float:
        try:
            with open(f"/proc/{self.proc.pid}/statm", encoding="ascii") as statm:
                return int(statm.read().split()[1]) * PAGE / 2**20
        except (OSError, ValueError, IndexError):
            return 0.0

    def _read_exact(self, n: int, deadline: float) -> bytes | None:
        fd = self.proc.stdout.fileno()
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not select.select([fd], [], [], min(left, 0.05))[0]:
                if self.rss_limit_mb and self.rss_mb() > self.rss_limit_mb:
                    self.over_memory = True
                    self.proc.kill()
                    return None
                continue
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _read_line(self, deadline: float, limit: int = 1 << 16) -> dict | None:
        buf = bytearray()
        while not buf.endswith(b"\n"):
            if len(buf) > limit:
                return None
            part = self._read_exact(1, deadline)
            if part is None:
                return None
            buf += part
        return json.loads(buf)

    def wait_ready(self, seconds: float) -> bool:
        if not self.ready:
            hello = self._read_line(time.monotonic() + seconds)
            self.ready = bool(hello and hello.get("ready"))
            if not self.ready and hello and hello.get("error"):
                raise ConsoleError(hello["error"])
        return self.ready

    def ask(self, request: dict, deadline: float, byte_cap: int) -> tuple[dict, bytes] | None:
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            return None
        head = self._read_line(deadline)
        if head is None:
            return None
        n = int(head.get("nbytes", 0))
        if n > byte_cap * 2:
            return None
        body = self._read_exact(n, deadline + 5) if n else b""
        return (head, body) if body is not None else None

    def crashed(self) -> bool:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=1.0)
        return self.proc.poll() is not None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                f.close()


def _kill_all(workers: list[_Worker]) -> None:
    for w in list(workers):
        w.kill()


class Console:
    """Runs read statements on the DB in a small pool of worker processes that check and run them.

    Args:
        db: the DuckDB file.
        timeout: seconds before a query is stopped (interrupted in the worker, or the worker killed).
        row_cap: rows returned at most (the result says when it was cut).
        cell_cap: rows x columns returned at most: a wide result gets fewer rows (``Result.row_cap`` says how many).
        byte_cap: bytes of result at most; larger results are refused.
        memory_mb: DuckDB memory limit per worker; the worker is killed above ``memory_mb + RSS_MARGIN_MB`` resident.
        workers: processes, i.e. queries running at once; others wait up to ``timeout`` for a free one.
    """

    def __init__(
        self,
        db: str | Path,
        *,
        timeout: float = config.CONSOLE_TIMEOUT_S,
        row_cap: int = config.CONSOLE_ROW_CAP,
        cell_cap: int = CELL_CAP,
        byte_cap: int = config.CONSOLE_BYTE_CAP,
        memory_mb: int = config.CONSOLE_MEMORY_MB,
        workers: int = 2,
    ) -> None:
        self.db = Path(db)
        self.timeout, self.row_cap, self.byte_cap, self.memory_mb = timeout, row_cap, byte_cap, memory_mb
        self.cell_cap = cell_cap
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        for _ in range(workers):
            self._spawn()
        self._finalizer = weakref.finalize(self, _kill_all, self._all)

    def _spawn(self) -> None:
        worker = _Worker(self.db, memory_mb=self.memory_mb)
        with self._lock:
            self._all.append(worker)
        self._idle.put(worker)

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)
        self._spawn()

    def close(self) -> None:
        self._finalizer()

    def run(self, sql: str) -> Result:
        """Check and run ``sql``; raises :class:`Refused` or :class:`ConsoleError` with a user message."""
        text = precheck(sql)
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ConsoleError("The console is busy with other queries; try again in a few seconds.") from None
        try:
            head, body, seconds = self._ask(worker, text)
        except BaseException:
            self._retire(worker)  # whatever happened, this worker is not trusted again
            raise
        if head.get("retire"):
            self._retire(worker)
        else:
            self._idle.put(worker)
        if head.get("refused"):
            raise Refused(head.get("error", "refused"))
        if not head.get("ok"):
            raise ConsoleError(friendly(head.get("error", "failed"), timeout=self.timeout, memory_mb=self.memory_mb))
        try:
            frame = pa.ipc.open_stream(io.BytesIO(body)).read_all().to_pandas()
        except (pa.ArrowException, ValueError, OverflowError, TypeError) as exc:
            raise ConsoleError(f"The result could not be shown: {exc}") from exc
        cap = int(head.get("row_cap", self.row_cap))
        return Result(frame=frame, truncated=bool(head.get("truncated")), seconds=seconds, sql=text, row_cap=cap)

    def _ask(self, worker: _Worker, text: str) -> tuple[dict, bytes, float]:
        if not worker.wait_ready(30.0):
            raise ConsoleError("The query process did not start; try again.")
        start = time.monotonic()
        request = {
            "sql": text,
            "row_cap": self.row_cap,
            "cell_cap": self.cell_cap,
            "byte_cap": self.byte_cap,
            "timeout": self.timeout * 0.9,
        }
        answer = worker.ask(request, start + self.timeout, self.byte_cap)
        seconds = time.monotonic() - start
        if answer is None:
            if worker.over_memory:
                raise ConsoleError(
                    f"The query needed more than {worker.rss_limit_mb:,} MB of memory and was stopped; "
                    "aggregate or add a LIMIT."
                )
            if worker.crashed():
                raise ConsoleError(
                    f"The query process stopped (usually memory: over {self.memory_mb:,} MB); aggregate or add a LIMIT."
                )
            raise ConsoleError(
                f"The query ran longer than {self.timeout:g} s and was stopped; filter it, aggregate or add a LIMIT."
            )
        head, body = answer
        return head, body, seconds


# -------------------------------------------------------------------------------------------- the worker side


def _confine(memory_mb: int) -> None:  # pragma: no cover - runs in the worker process
    """Address-space and file-size limits; no network namespace where the kernel lets us."""
    import ctypes
    import resource

    limit = (memory_mb + ADDRESS_MARGIN_MB) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # no file can be written or grown
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.unshare(0x40000000)  # CLONE_NEWNET: an empty network namespace (needs privileges; else skipped)


def _settings(con) -> list:
    return con.execute("SELECT name, value FROM duckdb_settings() ORDER BY name").fetchall()


def _serve(db: str, memory_mb: int) -> None:  # pragma: no cover - runs in the worker process
    import signal

    # The protocol gets its own descriptors; fd 0 and 1 go to /dev/null so that nothing a query does (GDAL's
    # /vsistdin/, logging to stdout) can read or write the protocol.
    proto_in = os.fdopen(os.dup(0), "rb")
    proto_out = os.fdopen(os.dup(1), "wb")
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the file-size limit fails instead of killing us
    import shapely  # noqa: F401 - shared libraries are mapped before the address-space limit

    from mapping import db as gate

    _confine(memory_mb)

    def reply(head: dict, body: bytes = b"") -> None:
        proto_out.write((json.dumps({**head, "nbytes": len(body)}) + "\n").encode())
        proto_out.write(body)
        proto_out.flush()

    try:
        con = gate.connect(
            db,
            settings={
                "threads": 1,
                "memory_limit": f"{memory_mb}MB",
                "temp_directory": "",
                "python_enable_replacements": False,
            },
        )
        macros = frozenset(
            r[0].lower()
            for r in con.execute(
                "SELECT function_name FROM duckdb_functions() WHERE function_type = 'table_macro' AND NOT internal"
            ).fetchall()
        )
        tables = frozenset(
            r[0].lower()
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE NOT internal AND schema_name = 'main' "
                "UNION SELECT view_name FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'"
            ).fetchall()
        )
        baseline = _settings(con)
    except Exception as exc:  # reported to the parent, which shows it
        reply({"error": f"cannot open the database: {exc}"})
        return
    reply({"ready": True})
    for line in proto_in:
        request = json.loads(line)
        try:
            text = check(request["sql"], tables=tables, table_macros=macros)
        except Refused as exc:
            reply({"ok": False, "refused": True, "error": str(exc)})
            continue
        except Exception as exc:
            reply({"ok": False, "refused": True, "error": f"The query could not be checked: {exc}"[:500]})
            continue
        cur = con.cursor()
        timer = threading.Timer(request["timeout"], cur.interrupt)
        timer.start()
        body, head = b"", {}
        try:
            reader = cur.execute(text).to_arrow_reader(min(request["row_cap"] + 1, 10_000))
            row_cap = result_row_cap(len(reader.schema), request["row_cap"], request.get("cell_cap", CELL_CAP))
            batches, rows, size = [], 0, 0
            for batch in reader:
                batches.append(batch)
                rows += batch.num_rows
                size += batch.nbytes
                if rows > row_cap or size > request["byte_cap"]:
                    break
            too_large = ValueError(
                f"The result is larger than {request['byte_cap'] / 2**20:.0f} MB; select fewer columns or rows."
            )
            if size > request["byte_cap"]:
                raise too_large
            table = pa.Table.from_batches(batches, schema=reader.schema)
            del batches
            truncated = table.num_rows > row_cap
            table = plain_table(table.slice(0, row_cap), budget=request["byte_cap"])
            if table.nbytes > request["byte_cap"] or frame_bytes(table) > request["byte_cap"]:
                raise too_large
            sink = io.BytesIO()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            del table
            body, head = sink.getvalue(), {"ok": True, "truncated": truncated, "row_cap": row_cap}
        except TooWide as exc:
            body, head = b"", {"ok": False, "error": str(exc)}
        except ResultTooLarge:
            body, head = b"", {"ok": False, "error": str(too_large)}
        except MemoryError:
            body, head = b"", {"ok": False, "error": "Out of memory", "retire": True}
        except Exception as exc:  # every failure is a message for the user; the worker stays usable
            body, head = b"", {"ok": False, "error": (str(exc) or type(exc).__name__)[:MAX_MESSAGE]}
        finally:
            timer.cancel()
            cur.close()
        try:
            if _settings(con) != baseline:
                head["retire"] = True  # something changed this worker's state: the parent replaces it
        except Exception:
            head["retire"] = True
        reply(head, body)
        if head.get("retire"):
            return


if __name__ == "__main__":  # pragma: no cover
    _serve(sys.argv[1], int(sys.argv[2]))

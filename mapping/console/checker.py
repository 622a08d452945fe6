"""The checker: is this text one read statement on this database's tables? (runs in the worker process).

No invisible characters; one statement; its first keyword a read keyword, known refusals named before parsing;
then parsed on an empty in-memory connection with file access off, and its syntax tree (``json_serialize_sql``)
walked: table functions on an allowlist (or table macros of the DB), table names of the DB, CTEs of the query or a
few catalog views, no function on a denylist, coordinate systems only as ``AUTH:code``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from mapping import config

from ._base import Refused, precheck

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

_IDENT = re.compile(rb'"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*')
_ALLOWED_CONTROL = {"\t", "\n", "\r"}


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
    return scrub_paths(first[:500])


def scrub_paths(text: str) -> str:
    """The server's own folders out of a message (a visitor learns nothing about where the app runs)."""
    import sys
    import tempfile
    from pathlib import Path

    places = {str(config.PROJECT_ROOT), str(config.PROJECT_ROOT.parent), sys.prefix, tempfile.gettempdir()}
    places.add(str(Path.home()))
    for place in sorted((p for p in places if len(p) > 1), key=len, reverse=True):
        text = text.replace(place, "<server>")
    return text

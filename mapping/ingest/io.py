"""Reading source files strictly: every malformed input stops the build naming file and line.

DuckDB does the heavy reading (``read_csv`` with ``store_rejects`` reports the line of every
row it cannot parse); Python checks the parts DuckDB cannot name a line for (encoding, header).
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
from pathlib import Path
from typing import Any

import duckdb

from .errors import BuildError

_counter = itertools.count()


def _open_text(path: Path) -> io.TextIOBase:
    raw = gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")  # noqa: SIM115 (closed by the wrapper)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="strict", newline="")


def check_encoding(path: Path) -> None:
    """Fail with the first line that is not valid UTF-8."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    msg = f"not valid UTF-8 ({exc.reason} at byte {exc.start})"
                    raise BuildError(msg, file=path, line=lineno) from None
    except (OSError, EOFError) as exc:
        raise BuildError(f"cannot read file: {exc}", file=path) from exc


def read_header(path: Path, *, delimiter: str = ",") -> list[str]:
    """Return the header row (BOM stripped); an empty file is an error."""
    if not path.exists():
        raise BuildError("file is missing", file=path)
    check_encoding(path)
    with _open_text(path) as fh:
        # csv.reader over the stream: a quoted header name may span lines.
        quoting = csv.QUOTE_NONE if delimiter == "\t" else csv.QUOTE_MINIMAL
        try:
            header = next(csv.reader(fh, delimiter=delimiter, quoting=quoting), [])
        except csv.Error as exc:
            raise BuildError(f"header row cannot be parsed: {exc}", file=path, line=1) from exc
    if not header or not "".join(header).strip():
        raise BuildError("file is empty (no header row)", file=path, line=1)
    header[0] = header[0].lstrip("\ufeff")
    return [h.strip() if delimiter == "\t" else h for h in header]


def require_columns(path: Path, header: list[str], required: list[str] | tuple[str, ...]) -> None:
    missing = [c for c in required if c not in header]
    if missing:
        raise BuildError(f"missing column(s) {', '.join(missing)}; header is {header}", file=path, line=1)


def load_csv(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    *,
    types: dict[str, str] | None = None,
    required: list[str] | tuple[str, ...] = (),
    delimiter: str = ",",
    names: list[str] | None = None,
) -> list[str]:
    """Load a CSV into ``table`` with every column VARCHAR unless typed in ``types``.

    Rows DuckDB cannot parse (wrong field count, unterminated quote, a value that does not cast)
    stop the build with the first such line. ``names`` replaces the header's column names (same
    count). Returns the column names used.
    """
    header = read_header(path, delimiter=delimiter)
    require_columns(path, header, required)
    if names is not None:
        if len(names) != len(header):
            raise BuildError(f"expected {len(names)} columns, header has {len(header)}", file=path, line=1)
        header = list(names)
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise BuildError(f"duplicate column name(s) {dupes}", file=path, line=1)
    # DuckDB names are case-insensitive: SDMX-CSV has both `sex` (code) and `Sex` (label).
    seen: set[str] = set()
    names = []
    for h in header:
        name = h
        while name.lower() in seen:
            name += "_label"
        seen.add(name.lower())
        names.append(name)
    header = names
    types = types or {}
    columns = {h: types.get(h, "VARCHAR") for h in header}
    n = next(_counter)
    rej_table, rej_scan = f"rej_err_{n}", f"rej_scan_{n}"
    # Identifiers below are generated here, never user input; the path is bound as a parameter.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE "{table}" AS
            SELECT * FROM read_csv($path, delim=$delim, quote='"', escape='"', header=true,
                auto_detect=false, columns=$columns, store_rejects=true,
                rejects_table='{rej_table}', rejects_scan='{rej_scan}', null_padding=false,
                encoding='utf-8')""",
        {"path": str(path), "delim": delimiter, "columns": columns},
    )
    bad = con.execute(f"SELECT line, error_message, csv_line FROM {rej_table} ORDER BY line LIMIT 1").fetchone()
    n_bad = con.execute(f"SELECT count(*) FROM {rej_table}").fetchone()[0]
    con.execute(f"DROP TABLE IF EXISTS {rej_table}; DROP TABLE IF EXISTS {rej_scan}")
    if bad is not None:
        line, message, text = bad
        more = f" ({n_bad} bad rows in all)" if n_bad > 1 else ""
        raise BuildError(f"{message}; row text: {str(text).strip()[:120]!r}{more}", file=path, line=int(line))
    return header


def load_json(path: Path) -> Any:
    """Parse a JSON/GeoJSON file; syntax errors name line and column."""
    if not path.exists():
        raise BuildError("file is missing", file=path)
    check_encoding(path)
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        raise BuildError("file is empty", file=path, line=1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BuildError(f"invalid JSON: {exc.msg} (column {exc.colno})", file=path, line=exc.lineno) from exc


def first_line_where(con: duckdb.DuckDBPyConnection, table: str, condition: str) -> int | None:
    """Line number (header = line 1) of the first row of a staged table matching ``condition``.

    Uses the table's ``line`` column when it has one; otherwise the row position, which matches the
    file because DuckDB keeps insertion order when reading a CSV into a fresh table.
    """
    cols = [r[0] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]
    if "line" in cols:
        row = con.execute(f'SELECT min(line) FROM "{table}" WHERE {condition}').fetchone()
        return None if row is None or row[0] is None else int(row[0])
    row = con.execute(
        f'SELECT rn FROM (SELECT row_number() OVER () AS rn, * FROM "{table}") WHERE {condition} LIMIT 1'
    ).fetchone()
    return None if row is None else int(row[0]) + 1

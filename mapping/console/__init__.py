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

from ._base import CELL_CAP, MAX_CHARS, MAX_COLUMNS, ConsoleError, Refused, Result, precheck
from .checker import check, friendly
from .convert import ResultTooLarge, TooWide, frame_bytes, plain_table, preview, result_row_cap
from .gate import ConsoleBusy, FairGate
from .pool import Console

__all__ = [
    "CELL_CAP",
    "MAX_CHARS",
    "MAX_COLUMNS",
    "Console",
    "ConsoleBusy",
    "ConsoleError",
    "FairGate",
    "Refused",
    "Result",
    "ResultTooLarge",
    "TooWide",
    "check",
    "frame_bytes",
    "friendly",
    "plain_table",
    "precheck",
    "preview",
    "result_row_cap",
]

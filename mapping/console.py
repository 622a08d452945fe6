"""The SQL console: read-only queries typed by users, checked, then run in a separate process.

Two layers keep the app standing:

* :func:`check` refuses anything that is not a single read statement (SELECT, WITH, FROM, VALUES,
  TABLE, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW) and anything that names a file- or URL-reading
  function, with a message that says why. It only parses; it never runs the text.
* :class:`Console` runs what passes in worker processes (``python -m mapping.console DB``) that open
  the DB read-only with file and network access off and the configuration locked (the real guard,
  whatever the checker misses), one DuckDB thread, a DuckDB memory limit and an address-space limit.
  A query is interrupted at the time limit; a worker that does not answer by then is killed and
  replaced, so a runaway query (a huge ``repeat()`` that DuckDB cannot interrupt) never reaches the
  app's own process.
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
import weakref
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from mapping import config, downloads

MAX_CHARS = 20_000

# First keyword of a statement the console runs.
READ_KEYWORDS = {"select", "with", "from", "values", "table", "describe", "desc", "summarize", "show", "explain"}
PIVOT_KEYWORDS = {"pivot", "unpivot", "pivot_wider", "pivot_longer"}

_WRITES = "The console is read-only: it cannot change the database ({what})."
_SETTINGS = "Settings are locked in the console ({what}); the connection is configured once and cannot be changed."
REFUSED_KEYWORDS = {
    **{
        k: _WRITES.format(what=f"{k.upper()} writes or changes data")
        for k in ("insert", "update", "delete", "merge", "truncate", "upsert")
    },
    **{
        k: _WRITES.format(what=f"{k.upper()} changes the schema")
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
    "begin": "Transactions are not needed for reading; write a single query.",
    "start": "Transactions are not needed for reading; write a single query.",
    "commit": "Transactions are not needed for reading; write a single query.",
    "rollback": "Transactions are not needed for reading; write a single query.",
    "abort": "Transactions are not needed for reading; write a single query.",
    "end": "Transactions are not needed for reading; write a single query.",
    "prepare": "Prepared statements are not available in the console; write the query itself.",
    "execute": "Prepared statements are not available in the console; write the query itself.",
    "deallocate": "Prepared statements are not available in the console; write the query itself.",
}

# Table and scalar functions that read files, URLs or the environment, or run SQL built from text.
FILE_FUNCTIONS = {
    "read_csv", "read_csv_auto", "csv_scan", "sniff_csv", "read_parquet", "parquet_scan", "parquet_metadata",
    "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata", "parquet_bloom_probe", "read_json",
    "read_json_auto", "read_json_objects", "read_json_objects_auto", "read_ndjson", "read_ndjson_auto",
    "read_ndjson_objects", "json_scan", "read_text", "read_blob", "glob", "read_xlsx", "st_read", "st_read_meta",
    "st_readosm", "st_readshp", "st_read_shp", "st_drivers", "delta_scan", "iceberg_scan", "iceberg_metadata",
    "iceberg_snapshots", "sqlite_scan", "sqlite_attach", "postgres_scan", "postgres_attach", "mysql_scan",
    "getenv", "which_secret", "duckdb_secrets", "load_aws_credentials", "read_duckdb", "duckdb_extensions",
}  # fmt: skip
DYNAMIC_FUNCTIONS = {"query", "query_table"}

_IDENT = re.compile(r'"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_$]*')
_STRING = re.compile(r"(?:[eE])?'(?:[^']|'')*'|\$([A-Za-z_]*)\$.*?\$\1\$", re.S)


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


def _tokens(sql: str) -> list[tuple[str, str]]:
    """(kind, text) per token; comments are skipped by DuckDB's tokenizer."""
    out = []
    for pos, kind in duckdb.tokenize(sql):
        name = kind.name
        if name in ("identifier", "keyword"):
            m = _IDENT.match(sql, pos)
            text = m.group(0) if m else sql[pos]
            text = text[1:-1].replace('""', '"') if text.startswith('"') else text
            out.append(("name", text.lower()))
        elif name == "string_const":
            m = _STRING.match(sql, pos)
            out.append(("string", m.group(0) if m else sql[pos]))
        elif name == "operator":
            out.append(("op", sql[pos]))
        else:
            out.append((name, ""))
    return out


def _first_keyword(tokens: list[tuple[str, str]]) -> tuple[str, int]:
    for i, (kind, text) in enumerate(tokens):
        if kind == "op" and text == "(":
            continue
        return (text if kind == "name" else text or kind), i
    return "", len(tokens)


def _scan_functions(tokens: list[tuple[str, str]]) -> None:
    for i, (kind, text) in enumerate(tokens):
        follows = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if kind == "name" and follows == ("op", "("):
            if text in FILE_FUNCTIONS or text.startswith(("read_", "st_read")) or text.endswith("_scan"):
                raise Refused(
                    f"{text}() reads files, URLs or the environment; the console only queries the tables of the "
                    "database (SHOW TABLES lists them). Source files are listed on the Sources tab."
                )
            if text in DYNAMIC_FUNCTIONS:
                raise Refused(f"{text}() runs SQL built from text; write the query itself.")
        if kind == "name" and text in ("from", "join") and follows[0] == "string":
            raise Refused(
                f"FROM {follows[1][:60]} would read a file or URL; the console only queries the tables of the "
                "database (SHOW TABLES lists them)."
            )


def _parser() -> duckdb.DuckDBPyConnection:
    """An empty in-memory connection for parsing, with file access off and the configuration locked."""
    return duckdb.connect(
        ":memory:",
        config={
            "enable_external_access": False,
            "autoload_known_extensions": False,
            "autoinstall_known_extensions": False,
            "lock_configuration": True,
        },
    )


def check(sql: str) -> str:
    """Return the one read statement in ``sql`` (trailing semicolons dropped) or raise :class:`Refused`."""
    if not isinstance(sql, str) or not sql.strip():
        raise Refused("Type a query, e.g. SELECT * FROM sources.")
    if len(sql) > MAX_CHARS:
        raise Refused(f"The query is {len(sql):,} characters long; the console takes up to {MAX_CHARS:,}.")
    if "\x00" in sql:
        raise Refused("The query contains a NUL character.")
    # Keywords first: the parser itself reads files for some statements (IMPORT DATABASE reads schema.sql).
    text = sql.strip().rstrip(";").strip()
    tokens = _tokens(text)
    keyword, at = _first_keyword(tokens)
    if keyword in REFUSED_KEYWORDS:
        raise Refused(REFUSED_KEYWORDS[keyword])
    try:
        with _parser() as parser:
            statements = parser.extract_statements(sql)
    except duckdb.Error as exc:
        raise Refused(friendly(str(exc))) from exc
    if not statements:
        raise Refused("Type a query, e.g. SELECT * FROM sources.")
    if len(statements) > 1:
        raise Refused(f"One statement at a time: this text holds {len(statements)} statements separated by semicolons.")
    # The original text is what runs, not statement.query: DuckDB rewrites some statements (PRAGMA -> SELECT).
    statement = statements[0]
    kind = statement.type.name
    if keyword in PIVOT_KEYWORDS and kind != "SELECT":
        raise Refused("PIVOT without an IN list creates a type first; name the values: PIVOT t ON col IN ('a', 'b').")
    if keyword not in READ_KEYWORDS | PIVOT_KEYWORDS or kind not in ("SELECT", "EXPLAIN"):
        raise Refused(
            f"Only read statements run here (SELECT, WITH, EXPLAIN, DESCRIBE, SUMMARIZE, SHOW); this is {kind}."
        )
    if kind == "EXPLAIN":
        inner = tokens[at + 1 :]
        if inner and inner[0] == ("name", "analyze"):
            inner = inner[1:]
        inner_kw, _ = _first_keyword(inner)
        if inner_kw in REFUSED_KEYWORDS:
            raise Refused(REFUSED_KEYWORDS[inner_kw])
        if inner_kw not in READ_KEYWORDS | PIVOT_KEYWORDS or inner_kw == "explain":
            raise Refused("EXPLAIN works on a read query here: EXPLAIN SELECT ...")
    _scan_functions(tokens)
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
    if "out of memory" in low:
        return f"The query needed more than {memory_mb:,} MB of memory and was stopped; aggregate or add a LIMIT."
    if "interrupt" in low:
        return f"The query ran longer than {timeout:g} s and was stopped; filter it, aggregate or add a LIMIT."
    return first


# ----------------------------------------------------------------------------------------------------------------------
# Worker processes


class _Worker:
    """One ``python -m mapping.console`` process with a line protocol on stdin/stdout."""

    def __init__(self, db: Path, *, memory_mb: int) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "mapping.console", str(db), str(memory_mb)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(config.PROJECT_ROOT),
            env={**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)},
        )
        self.ready = False

    def _read_exact(self, n: int, deadline: float) -> bytes | None:
        fd = self.proc.stdout.fileno()
        chunks, got = [], 0
        while got < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _read_line(self, deadline: float) -> dict | None:
        buf = b""
        while not buf.endswith(b"\n"):
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

    def ask(self, request: dict, deadline: float) -> tuple[dict, bytes] | None:
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except OSError:
            return None
        head = self._read_line(deadline)
        if head is None:
            return None
        body = self._read_exact(head.get("nbytes", 0), deadline + 5) if head.get("nbytes") else b""
        return (head, body) if body is not None else None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                f.close()


def _kill_all(workers: list[_Worker]) -> None:
    for w in workers:
        w.kill()


class Console:
    """Runs checked read statements on the DB in a small pool of worker processes.

    Args:
        db: the DuckDB file.
        timeout: seconds before a query is interrupted (and its worker killed if it does not stop).
        row_cap: rows returned at most (the result says when it was cut).
        byte_cap: bytes of result at most; larger results are refused.
        memory_mb: DuckDB memory limit per worker (the address-space limit is 1.5 GB above it).
        workers: processes, i.e. queries running at once; others wait up to ``timeout`` for a free one.
    """

    def __init__(
        self,
        db: str | Path,
        *,
        timeout: float = config.CONSOLE_TIMEOUT_S,
        row_cap: int = config.CONSOLE_ROW_CAP,
        byte_cap: int = config.CONSOLE_BYTE_CAP,
        memory_mb: int = config.CONSOLE_MEMORY_MB,
        workers: int = 2,
    ) -> None:
        self.db = Path(db)
        self.timeout, self.row_cap, self.byte_cap, self.memory_mb = timeout, row_cap, byte_cap, memory_mb
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
        text = check(sql)
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ConsoleError("The console is busy with other queries; try again in a few seconds.") from None
        try:
            ready = worker.wait_ready(30.0)
        except ConsoleError:
            self._retire(worker)
            raise
        if not ready:
            self._retire(worker)
            raise ConsoleError("The query process did not start; try again.")
        start = time.monotonic()
        request = {"sql": text, "row_cap": self.row_cap, "byte_cap": self.byte_cap, "timeout": self.timeout * 0.9}
        answer = worker.ask(request, start + self.timeout)
        seconds = time.monotonic() - start
        if answer is None:
            crashed = worker.proc.poll() is not None
            self._retire(worker)
            if crashed:
                raise ConsoleError(
                    f"The query process stopped (usually memory: over {self.memory_mb:,} MB); aggregate or add a LIMIT."
                )
            raise ConsoleError(
                f"The query ran longer than {self.timeout:g} s and was stopped; filter it, aggregate or add a LIMIT."
            )
        self._idle.put(worker)
        head, body = answer
        if not head.get("ok"):
            raise ConsoleError(friendly(head.get("error", "failed"), timeout=self.timeout, memory_mb=self.memory_mb))
        table = pa.ipc.open_stream(io.BytesIO(body)).read_all()
        return Result(frame=downloads.to_frame(table), truncated=bool(head.get("truncated")), seconds=seconds, sql=text)


# ----------------------------------------------------------------------------------------------------------------------
# The worker side: ``python -m mapping.console <db> <memory_mb>``


def _serve(db: str, memory_mb: int) -> None:  # pragma: no cover - runs in the worker process
    import resource

    limit = (memory_mb + 1536) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from mapping import db as gate

    out = sys.stdout.buffer
    try:
        con = gate.connect(db, settings={"threads": 1, "memory_limit": f"{memory_mb}MB", "temp_directory": ""})
    except Exception as exc:  # reported to the parent, which shows it
        out.write((json.dumps({"error": f"cannot open the database: {exc}"}) + "\n").encode())
        out.flush()
        return
    out.write(b'{"ready": true}\n')
    out.flush()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        cur = con.cursor()
        timer = threading.Timer(request["timeout"], cur.interrupt)
        timer.start()
        try:
            reader = cur.execute(request["sql"]).to_arrow_reader(min(request["row_cap"] + 1, 10_000))
            batches, rows, size = [], 0, 0
            for batch in reader:
                batches.append(batch)
                rows += batch.num_rows
                size += batch.nbytes
                if rows > request["row_cap"] or size > request["byte_cap"]:
                    break
            if size > request["byte_cap"]:
                raise ValueError(
                    f"the result is larger than {request['byte_cap'] / 2**20:.0f} MB; select fewer columns or rows"
                )
            table = pa.Table.from_batches(batches, schema=reader.schema)
            truncated = table.num_rows > request["row_cap"]
            table = table.slice(0, request["row_cap"])
            sink = io.BytesIO()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            body = sink.getvalue()
            head = {"ok": True, "truncated": truncated, "nbytes": len(body)}
        except (duckdb.Error, ValueError, MemoryError, pa.ArrowException) as exc:
            body, head = b"", {"ok": False, "error": str(exc)}
        finally:
            timer.cancel()
            cur.close()
        out.write((json.dumps(head) + "\n").encode())
        out.write(body)
        out.flush()


if __name__ == "__main__":  # pragma: no cover
    _serve(sys.argv[1], int(sys.argv[2]))

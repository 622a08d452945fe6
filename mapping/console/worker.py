"""The worker side (``python -m mapping.console <db> <memory_mb>``): check, run on a locked read-only connection,
convert, answer; report a changed setting so the parent replaces this process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import threading

import pyarrow as pa

from ._base import ADDRESS_MARGIN_MB, CELL_CAP, MAX_MESSAGE, Refused
from .checker import check
from .convert import ResultTooLarge, TooWide, frame_bytes, plain_table, result_row_cap


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

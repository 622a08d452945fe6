"""The app side: a small pool of worker processes, each asked one query at a time over a private pipe."""

from __future__ import annotations

import contextlib
import io
import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

import pyarrow as pa

from mapping import config

from ._base import CELL_CAP, PAGE, RSS_MARGIN_MB, ConsoleError, Refused, Result, precheck
from .checker import friendly, scrub_paths
from .gate import FairGate


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
        # Turns are fair across visitors; a turn waits up to three query lengths for a free worker.
        self.gate = FairGate(workers)
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

    def run(self, sql: str, *, owner: str | None = None) -> Result:
        """Check and run ``sql`` in ``owner``'s turn (a browser session: one query at a time, in arrival order);
        raises :class:`Refused` or :class:`ConsoleError` (:class:`ConsoleBusy` without a turn) with a user message."""
        text = precheck(sql)
        with self.gate.turn(owner, timeout=3 * self.timeout):
            return self._run(text)

    def _run(self, text: str) -> Result:
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
            raise Refused(scrub_paths(head.get("error", "refused")))
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

"""A local HTTP mirror of the official hosts: plain files with Range requests, and Eurostat's dissemination API.

Content root layout (filled by tests, or by ``tests/mirror/content.py`` from real or tiny files):

- ``<root>/files/<url path>``: served at ``/<url path>`` with ``ETag``, ``Last-Modified`` and Range support
  (206 + ``Content-Range``; ``If-Range`` honoured; 416 beyond the end).
- ``<root>/eurostat/<dataset>.tsv``: an uncompressed API TSV, served at
  ``/eurostat/api/dissemination/sdmx/2.1/data/<dataset>?format=TSV[&compressed=true]`` (gzip when compressed);
  ``startPeriod``/``endPeriod`` keep the year columns in range and drop series without any value there,
  as Eurostat does. A filter that leaves nothing answers 404 with a SOAP fault (``NO_RECORDS_FOUND``).

Behaviours, per dataset or per URL path (see :class:`Behaviour`): HTTP 413 above a number of cells,
asynchronous answers (status PROCESSING once, then AVAILABLE), expired keys, data not yet available,
503 for the first n requests, a connection cut after n bytes. Every request is logged.

With ``CLUSTERMAP_FETCH_BASE`` set to :attr:`Mirror.url`, every official URL of the manifest lands here.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import socket
import sys
import threading
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit

EUROSTAT_API = "/eurostat/api/dissemination"
DATA_PREFIX = f"{EUROSTAT_API}/sdmx/2.1/data/"
STATUS_PREFIX = f"{EUROSTAT_API}/1.0/async/status/"
ASYNC_DATA_PREFIX = f"{EUROSTAT_API}/1.0/async/data/"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_CACHE_SIZE = 32
_TYPES = {".geojson": "application/geo+json", ".json": "application/json", ".csv": "text/csv; charset=utf-8"}
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Logged(NamedTuple):
    """One request as the mirror saw it."""

    method: str
    path: str  # URL path, percent-decoded
    query: dict[str, str]
    status: int
    headers: dict[str, str]  # the resume headers sent (Range, If-Range), when present


@dataclass
class Behaviour:
    """What the mirror does besides serving content; every field may be changed while it runs.

    Attributes:
        too_big: dataset -> max cells: answer HTTP 413 (EXTRACTION_TOO_BIG) when series x requested years exceed it.
        asynchronous: datasets answered asynchronously (a SUBMITTED envelope with a fresh key).
        expire: dataset -> n: the first n asynchronous keys of the dataset report EXPIRED.
        not_ready: datasets whose first data request per key answers DATA_NOT_YET_AVAILABLE (HTTP 400).
        packaging: dataset -> "gzip" | "zip" | "plain": how asynchronous data is sent (default: as requested).
        flaky: URL path -> n: the first n requests of the path answer 503.
        cut: URL path -> n bytes: the first successful answer of the path stops after n bytes and drops the
            connection (the announced Content-Length stays the full one).
        retry_after: ``Retry-After`` seconds sent with the 503 answers (None: no header).
    """

    too_big: dict[str, int] = field(default_factory=dict)
    asynchronous: set[str] = field(default_factory=set)
    expire: dict[str, int] = field(default_factory=dict)
    not_ready: set[str] = field(default_factory=set)
    packaging: dict[str, str] = field(default_factory=dict)
    flaky: dict[str, int] = field(default_factory=dict)
    cut: dict[str, int] = field(default_factory=dict)
    retry_after: int | None = None


@dataclass(frozen=True)
class _Table:
    dims: str  # e.g. ``freq,unit,geo\TIME_PERIOD``
    periods: tuple[str, ...]  # without the trailing space
    rows: tuple[tuple[str, tuple[str, ...]], ...]  # (series key, cells as written, one per period)
    stamp: int = 0  # mtime of the file it was read from: the answer cache is keyed on it


@dataclass
class _AsyncJob:
    dataset: str
    query: dict[str, str]
    expired: bool
    status_calls: int = 0
    data_calls: int = 0
    available: bool = False


def eurostat_path(dataset: str) -> str:
    """The URL path of a dataset's TSV on the mirror (and on Eurostat)."""
    return DATA_PREFIX + dataset


class Mirror:
    """A running mirror: :attr:`url`, :attr:`requests`, :meth:`stop`; also a context manager."""

    def __init__(self, root: Path, behaviour: Behaviour):
        self.root = Path(root)
        self.behaviour = behaviour
        self.requests: list[Logged] = []
        self._lock = threading.Lock()
        self._hits: Counter[str] = Counter()
        self._cut_done: set[str] = set()
        self._expired: Counter[str] = Counter()
        self._jobs: dict[str, _AsyncJob] = {}
        self._tables: dict[str, tuple[int, _Table]] = {}
        self._bodies: dict[tuple[object, ...], bytes | None] = {}
        handler = type("MirrorHandler", (_Handler,), {"mirror": self})
        self._server = _Server(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:43123`` (for ``CLUSTERMAP_FETCH_BASE``)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def requests_for(self, path: str) -> list[Logged]:
        """The logged requests of one URL path."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Mirror:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # -- state shared by the handler threads -------------------------------------------------------------------
    def _hit(self, path: str) -> int:
        with self._lock:
            self._hits[path] += 1
            return self._hits[path]

    def _take_cut(self, path: str) -> int | None:
        with self._lock:
            if path in self.behaviour.cut and path not in self._cut_done:
                self._cut_done.add(path)
                return self.behaviour.cut[path]
        return None

    def _log(self, entry: Logged) -> None:
        with self._lock:
            self.requests.append(entry)

    def _new_job(self, dataset: str, query: dict[str, str]) -> str:
        key = str(uuid.uuid4())
        with self._lock:
            expired = self._expired[dataset] < self.behaviour.expire.get(dataset, 0)
            self._expired[dataset] += expired
            self._jobs[key] = _AsyncJob(dataset, dict(query), expired)
        return key

    def _job(self, key: str) -> _AsyncJob | None:
        with self._lock:
            return self._jobs.get(key)

    def _table(self, dataset: str) -> _Table | None:
        path = self.root / "eurostat" / f"{dataset}.tsv"
        if not re.fullmatch(r"[A-Za-z0-9_$-]+", dataset) or not path.is_file():
            return None
        stamp = path.stat().st_mtime_ns
        with self._lock:
            cached = self._tables.get(dataset)
        if cached and cached[0] == stamp:
            return cached[1]
        table = _parse_table(path.read_text(encoding="utf-8"), stamp)
        with self._lock:
            self._tables[dataset] = (stamp, table)
        return table

    def _body(self, dataset: str, table: _Table, first: int, last: int, packaging: str) -> bytes | None:
        """The answer for a period filter, packed; None when the filter leaves no data."""
        key = (dataset, table.stamp, first, last, packaging)
        with self._lock:
            if key in self._bodies:
                return self._bodies[key]
        text = _render(table, first, last)
        body = None if text is None else _pack(text.encode("utf-8"), packaging, f"{dataset}.tsv")
        with self._lock:
            if len(self._bodies) >= _CACHE_SIZE:
                self._bodies.pop(next(iter(self._bodies)))
            self._bodies[key] = body
        return body


def start_mirror(
    root: Path | str,
    *,
    too_big: dict[str, int] | None = None,
    asynchronous: set[str] | frozenset[str] | tuple[str, ...] = (),
    expire: dict[str, int] | None = None,
    not_ready: set[str] | frozenset[str] | tuple[str, ...] = (),
    packaging: dict[str, str] | None = None,
    flaky: dict[str, int] | None = None,
    cut: dict[str, int] | None = None,
    retry_after: int | None = None,
) -> Mirror:
    """Serve ``root`` on 127.0.0.1 (a free port) until :meth:`Mirror.stop`; see :class:`Behaviour` for the options.

    Example:
        ``with start_mirror(tmp, too_big={"tgs00007": 50}) as mirror: fetch(..., base=mirror.url)``
    """
    behaviour = Behaviour(
        too_big=dict(too_big or {}),
        asynchronous=set(asynchronous),
        expire=dict(expire or {}),
        not_ready=set(not_ready),
        packaging=dict(packaging or {}),
        flaky=dict(flaky or {}),
        cut=dict(cut or {}),
        retry_after=retry_after,
    )
    return Mirror(Path(root), behaviour)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # a client that hangs up mid-answer is part of the tests (cut, timeouts); anything else is a mirror bug
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    mirror: Mirror
    server_version = "clustermap-mirror/1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # the mirror keeps its own log (Mirror.requests)

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        self._path, self._query = unquote(split.path), dict(parse_qsl(split.query))
        behaviour = self.mirror.behaviour
        if self.mirror._hit(self._path) <= behaviour.flaky.get(self._path, 0):
            extra = {} if behaviour.retry_after is None else {"Retry-After": str(behaviour.retry_after)}
            page = b"<html><head><title>503 Service Unavailable</title></head><body>Try later</body></html>"
            self._send(503, page, "text/html", extra)
        elif self._path.startswith(DATA_PREFIX):
            self._table_answer(self._path[len(DATA_PREFIX) :].strip("/").split("/")[0])
        elif self._path.startswith(STATUS_PREFIX):
            self._status_answer(self._path[len(STATUS_PREFIX) :])
        elif self._path.startswith(ASYNC_DATA_PREFIX):
            self._async_data_answer(self._path[len(ASYNC_DATA_PREFIX) :])
        else:
            self._file_answer()

    # -- answers -----------------------------------------------------------------------------------------------
    def _file_answer(self) -> None:
        base = (self.mirror.root / "files").resolve()
        path = (base / self._path.lstrip("/")).resolve()
        if not path.is_relative_to(base) or not path.is_file():
            self._send(404, b"<html><head><title>404 Not Found</title></head></html>", "text/html")
            return
        data, stat = path.read_bytes(), path.stat()
        etag, modified = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"', formatdate(stat.st_mtime, usegmt=True)
        kind = _XLSX if path.suffix == ".xlsx" else _TYPES.get(path.suffix, "application/octet-stream")
        headers = {"ETag": etag, "Last-Modified": modified, "Accept-Ranges": "bytes"}
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", (self.headers.get("Range") or "").strip())
        if_range = self.headers.get("If-Range")
        if wanted and (not if_range or if_range in (etag, modified)):
            start = int(wanted.group(1))
            end = min(int(wanted.group(2)) if wanted.group(2) else len(data) - 1, len(data) - 1)
            if start >= len(data):
                self._send(416, b"", "text/plain", {"Content-Range": f"bytes */{len(data)}"})
                return
            headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            self._send(206, data[start : end + 1], kind, headers)
            return
        self._send(200, data, kind, headers)

    def _table_answer(self, dataset: str) -> None:
        mirror, query = self.mirror, self._query
        table = mirror._table(dataset)
        if table is None:
            self._fault(404, "100", f"NO_RECORDS_FOUND: No records found for dataset {dataset}", wrap=True)
            return
        if query.get("format", "TSV").upper() != "TSV":
            self._fault(400, "140", "SYNTAX_ERROR: this mirror serves format=TSV only", wrap=True)
            return
        first, last = _year(query.get("startPeriod"), 0), _year(query.get("endPeriod"), 9999)
        cells = len(table.rows) * sum(first <= _year(p, 0) <= last for p in table.periods)
        limit = mirror.behaviour.too_big.get(dataset)
        if limit is not None and cells > limit:
            self._fault(
                413,
                "413",
                f"EXTRACTION_TOO_BIG: The requested extraction is too big, estimated {cells} rows, max authorised is "
                f"{limit}, please change your filters to reduce the extraction size",
            )
            return
        if dataset in mirror.behaviour.asynchronous:
            self._send(200, _envelope(mirror._new_job(dataset, query), "SUBMITTED"), "application/xml")
            return
        packaging = "gzip" if query.get("compressed", "").lower() == "true" else "plain"
        self._send_table(dataset, table, first, last, packaging)

    def _status_answer(self, key: str) -> None:
        job = self.mirror._job(key)
        if job is None:
            self._fault(400, "100", "UNKNOWN_REQUEST: Unknown request.", wrap=True)
            return
        with self.mirror._lock:
            job.status_calls += 1
            status = "EXPIRED" if job.expired else "PROCESSING" if job.status_calls == 1 else "AVAILABLE"
            job.available = status == "AVAILABLE"
        self._send(200, _envelope(key, status), "application/xml")

    def _async_data_answer(self, key: str) -> None:
        mirror = self.mirror
        job = mirror._job(key)
        if job is None or job.expired:
            self._fault(400, "100", "UNKNOWN_REQUEST: Unknown request.", wrap=True)
            return
        with mirror._lock:
            job.data_calls += 1
            ready = job.available and not (job.dataset in mirror.behaviour.not_ready and job.data_calls == 1)
        if not ready:
            self._fault(
                400,
                "100",
                "DATA_NOT_YET_AVAILABLE: Requested data is not yet available for download. "
                "Check the status of your request.",
                wrap=True,
            )
            return
        table = mirror._table(job.dataset)
        if table is None:
            self._fault(404, "100", f"NO_RECORDS_FOUND: dataset {job.dataset} is gone", wrap=True)
            return
        requested = "gzip" if job.query.get("compressed", "").lower() == "true" else "plain"
        packaging = mirror.behaviour.packaging.get(job.dataset, requested)
        first, last = _year(job.query.get("startPeriod"), 0), _year(job.query.get("endPeriod"), 9999)
        self._send_table(job.dataset, table, first, last, packaging)

    def _send_table(self, dataset: str, table: _Table, first: int, last: int, packaging: str) -> None:
        body = self.mirror._body(dataset, table, first, last, packaging)
        if body is None:
            self._fault(404, "100", "NO_RECORDS_FOUND: No records found for this query", wrap=True)
            return
        kind = {"gzip": "application/octet-stream", "zip": "application/zip"}.get(
            packaging, "text/tab-separated-values"
        )
        self._send(200, body, kind)

    # -- sending -----------------------------------------------------------------------------------------------
    def _fault(self, status: int, code: str, text: str, *, wrap: bool = False) -> None:
        fault = f'<S:Fault xmlns:S="{SOAP_NS}"><faultcode>{code}</faultcode><faultstring>{text}</faultstring></S:Fault>'
        if wrap:  # the async and query errors come inside an envelope, the 413 bare (as documented)
            fault = f'<S:Envelope xmlns:S="{SOAP_NS}"><S:Body>{fault}</S:Body></S:Envelope>'
        self._send(status, fault.encode(), "application/xml")

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None) -> None:
        cut = self.mirror._take_cut(self._path) if 200 <= status < 300 else None
        sent = {k: v for k, v in self.headers.items() if k.lower() in ("range", "if-range")}
        # logged before any byte goes out: a client that has its answer finds its request in the log
        self.mirror._log(Logged(self.command, self._path, self._query, status, sent))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if cut is None:
            self.wfile.write(body)
            return
        self.wfile.write(body[:cut])
        self.wfile.flush()
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may have gone already
            self.connection.shutdown(socket.SHUT_RDWR)


def _year(value: str | None, default: int) -> int:
    match = re.match(r"\s*(\d{4})", value or "")
    return int(match.group(1)) if match else default


def _parse_table(text: str, stamp: int) -> _Table:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("empty Eurostat TSV")
    dims, *periods = lines[0].split("\t")
    width = len(periods)
    rows = []
    for line in lines[1:]:
        key, *cells = line.split("\t")
        rows.append((key, tuple(cells[:width]) + (": ",) * (width - len(cells))))
    return _Table(dims, tuple(p.strip() for p in periods), tuple(rows), stamp)


def _render(table: _Table, first: int, last: int) -> str | None:
    """The TSV for years ``first``-``last``; series with no value in range left out; None when nothing is left."""
    keep = [i for i, p in enumerate(table.periods) if first <= _year(p, 0) <= last]
    out = ["\t".join([table.dims, *(f"{table.periods[i]} " for i in keep)])]
    for key, cells in table.rows:
        picked = [cells[i] for i in keep]
        if any(c.strip() != ":" for c in picked):
            out.append("\t".join([key, *picked]))
    return "\n".join(out) + "\n" if keep and len(out) > 1 else None


def _pack(data: bytes, packaging: str, member: str) -> bytes:
    if packaging == "gzip":
        return gzip.compress(data, compresslevel=6, mtime=0)
    if packaging == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(member, data)
        return buffer.getvalue()
    return data


def _envelope(key: str, status: str) -> bytes:
    return (
        f'<S:Envelope xmlns:S="{SOAP_NS}"><env:Header xmlns:env="{SOAP_NS}"/><S:Body>'
        '<ns0:asyncResponse xmlns:ns1="http://estat.ec.europa.eu/disschain/asynchronous" '
        'xmlns:ns0="http://estat.ec.europa.eu/disschain/soap/asynchronous">'
        f"<ns1:status><ns1:key>{key}</ns1:key><ns1:status>{status}</ns1:status></ns1:status>"
        "</ns0:asyncResponse></S:Body></S:Envelope>"
    ).encode()

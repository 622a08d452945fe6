"""Uploading over HTTP as the browser does: multipart bodies, the XSRF cookie, raw HTTP/1.1 requests that see an
early refusal, and a :class:`~bench.wsclient.Session` that fills ``st.file_uploader`` widgets.

Used by the attack bench and by the upload-limit tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench.wsclient import Session

_MIB = 1024 * 1024
_XSRF_COOKIE = "_streamlit_xsrf"


def filler(size: int, chunk: int = _MIB) -> Iterator[bytes]:
    """``size`` bytes of CSV-looking filler in chunks (never all in memory)."""
    block = b"0,0\n" * (chunk // 4)
    full, rest = divmod(size, len(block))
    for _ in range(full):
        yield block
    if rest:
        yield block[:rest]


def multipart(name: str, content: Iterable[bytes], size: int, content_type: str) -> tuple[str, int, Iterator[bytes]]:
    """A browser-style multipart form with one file field (FormData: field name = file name).

    Returns the Content-Type header, the body length and the body's chunks (``content`` must yield ``size``
    bytes)."""
    boundary = "----WebKitFormBoundary" + uuid.uuid4().hex[:16]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
        f"Content-Type: {content_type}\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:
        yield head
        yield from content
        yield tail

    return f"multipart/form-data; boundary={boundary}", len(head) + size + len(tail), chunks()


# ------------------------------------------------------------------------------------------------ HTTP
@dataclass
class HttpResult:
    """An HTTP exchange: status 0 when no answer came (``error`` says why)."""

    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    seconds: float = 0.0
    sent: int = 0  # body bytes written before the answer (or the end of the connection)
    error: str = ""

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


async def _read_response(sock: socket.socket) -> tuple[int, list[tuple[str, str]], bytes]:
    loop = asyncio.get_running_loop()
    data = bytearray()
    while b"\r\n\r\n" not in data:
        chunk = await loop.sock_recv(sock, 65536)
        if not chunk:
            raise ConnectionError(f"closed without an answer ({len(data)} bytes read)")
        data += chunk
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:] if line)]
    length = [int(v) for k, v in headers if k.lower() == "content-length"]
    rest = bytearray(body)
    while not length or len(rest) < length[0]:
        try:
            chunk = await loop.sock_recv(sock, 65536)
        except ConnectionError:
            break  # the answer's head is what counts; a reset after it is the server closing on an unread body
        if not chunk:
            break
        rest += chunk
    return status, headers, bytes(rest)


async def http_request(
    url: str,
    method: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | Iterable[bytes] = b"",
    length: int | None = None,
    timeout: float = 30.0,
) -> HttpResult:
    """One HTTP/1.1 request on its own connection; the body is streamed while the answer is awaited, so an
    early refusal (413 before the body is read) is seen as soon as it is sent. Never raises for network
    failures or timeouts: they come back as status 0 with ``error``.

    Raw non-blocking socket calls rather than asyncio streams: a stream transport that fails a write (the
    server closed on an oversized body) drops what it had not read yet, which may be the 413 itself."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if isinstance(body, bytes):
        length, chunks = len(body), [body]
    else:
        if length is None:
            raise ValueError("a streamed body needs its length")
        chunks = body
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    if length or method in ("PUT", "POST"):
        lines.append(f"Content-Length: {length}")
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    result = HttpResult()
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setblocking(False)
    sender: asyncio.Task[None] | None = None
    t0 = time.perf_counter()

    async def send() -> None:
        await loop.sock_sendall(sock, ("\r\n".join(lines) + "\r\n\r\n").encode())
        for chunk in chunks:
            await loop.sock_sendall(sock, chunk)
            result.sent += len(chunk)

    try:
        async with asyncio.timeout(timeout):
            await loop.sock_connect(sock, (host, port))
            sender = asyncio.create_task(send())
            try:
                result.status, result.headers, result.body = await _read_response(sock)
            except (ConnectionError, OSError, ValueError, IndexError) as exc:
                await asyncio.sleep(0)
                cause = sender.exception() if sender.done() and not sender.cancelled() else None
                result.error = f"{type(cause or exc).__name__}: {cause or exc}"[:200]
    except TimeoutError:
        result.error = f"TimeoutError: no answer in {timeout:g} s"
    except OSError as exc:
        result.error = f"{type(exc).__name__}: {exc}"[:200]
    finally:
        result.seconds = time.perf_counter() - t0
        if sender is not None:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
        sock.close()
    return result


async def xsrf_headers(base_url: str, *, timeout: float = 10.0) -> dict[str, str]:
    """The XSRF cookie as the browser gets it (``/_stcore/health`` sets it) and sends it back on uploads
    (``X-Xsrftoken`` header + cookie); empty when the server has XSRF protection off."""
    answer = await http_request(base_url.rstrip("/") + "/_stcore/health", "GET", timeout=timeout)
    for value in answer.header("set-cookie"):
        name, _, rest = value.partition("=")
        if name.strip() == _XSRF_COOKIE:
            token = rest.split(";", 1)[0]
            return {"X-Xsrftoken": token, "Cookie": f"{_XSRF_COOKIE}={token}"}
    return {}


# ------------------------------------------------------------------------------------------------ upload
@dataclass
class UploadResult:
    status: int  # of the PUT (204 = stored); 0 = no answer
    put_seconds: float
    rerun_seconds: float | None = None  # None: the PUT failed, or the widget defers its change
    detail: str = ""  # the refusal's body or the network error


class UploadSession(Session):
    """A :class:`~bench.wsclient.Session` that can also upload to ``st.file_uploader`` as the browser does.

    Protocol (Streamlit 1.67 frontend ``FileUploader`` / ``uploadClient``, server ``app_session`` and
    ``starlette_routes.create_upload_routes``): the browser sends a ``BackMsg.file_urls_request``
    (request id, file names, session id) and gets a ``ForwardMsg.file_urls_response`` with one ``FileURLs``
    (file id, upload and delete URL) per name. It PUTs each file to its upload URL as multipart form data
    (field name = file name), with the ``_streamlit_xsrf`` cookie echoed in ``X-Xsrftoken``; the server
    answers 204, or 413 over ``server.maxUploadSize`` (the widget's ``max_upload_size`` is enforced by the
    browser only, not here). The widget's state then becomes a ``FileUploaderState`` listing the
    ``UploadedFileInfo`` (file id, URLs, name, size), sent with every later rerun (not just an empty state).
    """

    def __init__(self, base_url: str, *, page: str = "", query: str = "", timeout: float = 60.0) -> None:
        super().__init__(base_url, page=page, query=query, timeout=timeout)
        self.xsrf: dict[str, str] | None = None
        self._url_waiters: dict[str, asyncio.Future[Any]] = {}
        self._files: dict[str, Any] = {}  # widget id -> FileUploaderState sent with each rerun
        self.stage = ""  # the step of the last upload: "file URLs", "PUT", "rerun", "done"

    @property
    def alerts(self) -> list[str]:
        """Bodies of the st.error/warning/info/success elements of the last run, in page order."""
        return [n.text or "" for _, n in sorted(self._nodes.items()) if n.kind == "alert"]

    async def file_urls(self, names: list[str], *, timeout: float | None = None) -> list[Any]:
        """Ask the server for upload URLs (``FileURLs`` protos), as the browser does when files are chosen."""
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if self._ws is None or not self.session_id:
            raise RuntimeError("open the session first")
        request_id = uuid.uuid4().hex
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names[:] = names
        msg.file_urls_request.session_id = self.session_id
        waiter = asyncio.get_running_loop().create_future()
        self._url_waiters[request_id] = waiter
        try:
            await self._ws.send(msg.SerializeToString())
            response = await asyncio.wait_for(waiter, timeout or self.timeout)
        finally:
            self._url_waiters.pop(request_id, None)
        if response.error_msg:
            raise RuntimeError(f"file URLs refused: {response.error_msg}")
        return list(response.file_urls)

    async def put_file(
        self, upload_url: str, name: str, data: bytes, *, content_type: str = "text/csv", timeout: float | None = None
    ) -> HttpResult:
        """PUT one file to an upload URL (relative URLs are on this server, as in the frontend)."""
        if self.xsrf is None:
            self.xsrf = await xsrf_headers(self.base_url, timeout=timeout or self.timeout)
        url = upload_url if urlsplit(upload_url).scheme else self.base_url + upload_url  # under the base path
        ctype, length, chunks = multipart(name, [data], len(data), content_type)
        headers = {"Content-Type": ctype, "Origin": self.origin, **self.xsrf}
        return await http_request(
            url, "PUT", headers=headers, body=chunks, length=length, timeout=timeout or self.timeout
        )

    async def upload(
        self, key: str, name: str, data: bytes, *, content_type: str = "text/csv", timeout: float | None = None
    ) -> UploadResult:
        """Upload ``data`` as file ``name`` to the file uploader ``key`` and rerun with it (as a user dropping a
        file does). A refused PUT is returned (status, detail), not raised."""
        from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo

        info = self._widget(key)
        if info.type != "file_uploader":
            raise ValueError(f"{key} is a {info.type}, not a file_uploader")
        self.stage = "file URLs"
        (urls,) = await self.file_urls([name], timeout=timeout)
        self.stage = "PUT"
        put = await self.put_file(urls.upload_url, name, data, content_type=content_type, timeout=timeout)
        result = UploadResult(put.status, put.seconds, detail=put.error or put.body[:200].decode("utf-8", "replace"))
        if put.status not in (200, 204):
            return result
        state = FileUploaderState()
        state.uploaded_file_info.append(
            UploadedFileInfo(file_id=urls.file_id, file_urls=urls, name=name, size=len(data))
        )
        self._files[info.id] = state
        self.stage = "rerun"
        if not info.defers:
            result.rerun_seconds = await self._request(self._rerun_msg(), fragment_id=info.fragment_id, timeout=timeout)
        self.stage = "done"
        return result

    def _rerun_msg(self, trigger: Any = None) -> Any:
        msg = super()._rerun_msg(trigger)
        for ws in msg.rerun_script.widget_states.widgets:
            if ws.id in self._files:
                ws.file_uploader_state_value.CopyFrom(self._files[ws.id])
        return msg

    def _on_file_urls_response(self, msg: Any, _now: float) -> None:
        waiter = self._url_waiters.get(msg.file_urls_response.response_id)
        if waiter is not None and not waiter.done():
            waiter.set_result(msg.file_urls_response)

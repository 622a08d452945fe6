"""One HTTP GET with retries and resume: the body lands in a ``.part`` file the caller checks and places.

A try that breaks off (connection reset, timeout, short body) keeps ``<dest>.part`` and a small
``<dest>.part.json`` (url, bytes, ETag/Last-Modified); the next try, in this run or the next, asks
``Range: bytes=N-`` with ``If-Range`` when a validator is known: 206 appends, 200 starts over.
Connection errors, timeouts, HTTP 429 and 5xx are retried with exponential back-off (a ``Retry-After``
wins); other HTTP errors are raised at once as :class:`HttpError`.
"""

from __future__ import annotations

import email.utils
import errno
import http.client
import json
import os
import re
import socket
import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import urlsplit, urlunsplit

from .settings import FetchSettings

BASE_ENV = "CLUSTERMAP_FETCH_BASE"
USER_AGENT = "clustermap-fetch/2"
CHUNK = 1 << 16
SMALL_LIMIT = 1 << 20  # error bodies and status answers are small; never hold more of one in memory
_NETWORK_ERRNOS = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN}

Say = Callable[[str], None]
OnBytes = Callable[[int, int | None], None]
T = TypeVar("T")


class HttpError(Exception):
    """The server answered with an error status (a retryable one only after the last try)."""

    def __init__(self, url: str, status: int, reason: str, body: bytes = b"", headers: Message | None = None):
        self.url = url
        self.status = status
        self.body = body
        self.headers = headers if headers is not None else Message()
        text, detail = f"HTTP {status} {reason}", error_detail(body)
        super().__init__(f"{text}: {detail}" if detail and detail not in text else text)

    @property
    def retryable(self) -> bool:
        return self.status == 429 or self.status >= 500


class Interrupted(ConnectionError):
    """The body ended before its announced length: what arrived is kept for a resume."""


class GaveUp(Exception):
    """A retryable error lasted through every try; the message names it and the number of tries."""


@dataclass(frozen=True)
class Transfer:
    """The outcome of :func:`download`."""

    status: int  # 200, or 206 when an earlier part was continued
    size: int  # bytes in the part file
    resumed_from: int  # bytes kept from an earlier try (0 = downloaded whole)


def rebase_url(url: str, base: str | None = None) -> str:
    """Replace scheme and host of ``url`` with those of ``base`` (default ``$CLUSTERMAP_FETCH_BASE``).

    Args:
        url: The official URL.
        base: Replacement base such as ``http://127.0.0.1:8000`` (a path in it is prepended); empty or None
            leaves ``url`` unchanged.

    Returns:
        The URL to download.
    """
    base = os.environ.get(BASE_ENV, "") if base is None else base
    if not base:
        return url
    b, u = urlsplit(base), urlsplit(url)
    return urlunsplit((b.scheme, b.netloc, b.path.rstrip("/") + u.path, u.query, ""))


def fault_string(body: bytes) -> str:
    """The ``<faultstring>`` of a SOAP fault (Eurostat's error answers), or ''."""
    match = re.search(rb"<faultstring>(.*?)</faultstring>", body[:SMALL_LIMIT], re.S)
    return " ".join(match.group(1).decode("utf-8", "replace").split()) if match else ""


def error_detail(body: bytes) -> str:
    """A short human reason found in an error body: a SOAP fault string or an HTML title."""
    if fault := fault_string(body):
        return fault
    match = re.search(rb"<title[^>]*>(.*?)</title>", body[:SMALL_LIMIT], re.S | re.I)
    return " ".join(match.group(1).decode("utf-8", "replace").split())[:200] if match else ""


def is_retryable(exc: BaseException) -> bool:
    """Whether another try may succeed: network trouble, timeouts, short bodies, HTTP 429 and 5xx."""
    if isinstance(exc, HttpError):
        return exc.retryable
    if isinstance(exc, urllib.error.URLError):  # urllib wraps network trouble; a reason of another kind is a bad URL
        return isinstance(exc.reason, BaseException) and is_retryable(exc.reason)
    if isinstance(exc, ssl.SSLCertVerificationError):  # a wrong certificate stays wrong
        return False
    if isinstance(exc, socket.gaierror) and exc.errno == socket.EAI_NONAME:  # the name is unknown: offline, no DNS
        return False
    if isinstance(exc, ConnectionRefusedError):  # nothing listens there: waiting will not change that
        return False
    if isinstance(exc, ConnectionError | TimeoutError | ssl.SSLError | http.client.HTTPException | socket.gaierror):
        return True
    return isinstance(exc, OSError) and exc.errno in _NETWORK_ERRNOS


def describe(exc: BaseException) -> str:
    """The reason of a failed try in a few words."""
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return str(exc.reason)
    return str(exc) or type(exc).__name__


def retry_after(exc: BaseException) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta seconds or HTTP date), or None."""
    value = exc.headers.get("Retry-After") if isinstance(exc, HttpError) else None
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def with_retries(action: Callable[[], T], *, settings: FetchSettings, say: Say) -> T:
    """Run ``action`` until it succeeds, retrying retryable errors with exponential back-off.

    Raises:
        GaveUp: A retryable error on the last try (chained to it).
        Exception: Any error that is not retryable, unchanged.
    """
    attempt = 1
    while True:
        try:
            return action()
        except Exception as exc:
            if not is_retryable(exc):
                raise
            if attempt >= settings.attempts:
                tries = "1 try" if attempt == 1 else f"{attempt} tries"
                raise GaveUp(f"{describe(exc)} (gave up after {tries})") from exc
            hinted = retry_after(exc)
            wait = settings.retry_delay(attempt) if hinted is None else min(hinted, settings.max_delay)
            say(f"{describe(exc)}; retrying in {wait:.1f} s (try {attempt + 1} of {settings.attempts})")
            settings.sleep(wait)
            attempt += 1


def meta_path(part: Path) -> Path:
    """Where the resume facts of ``part`` are kept."""
    return part.with_name(part.name + ".json")


def discard(part: Path) -> None:
    """Remove a part file and its resume facts."""
    part.unlink(missing_ok=True)
    meta_path(part).unlink(missing_ok=True)


def download(
    url: str, part: Path, *, timeout: float, settings: FetchSettings, say: Say, on_bytes: OnBytes | None = None
) -> Transfer:
    """GET ``url`` into ``part``, continuing a part an earlier try left for the same URL.

    Args:
        url: What to download.
        part: The file to fill; its resume facts live beside it (``<part>.json``) until the body is complete.
        timeout: Socket timeout in seconds: a try that waits longer for the server is retried.
        settings: Tries and back-off.
        say: Reports each retry.
        on_bytes: Called with (bytes in the part so far, expected total or None) as data arrives.

    Returns:
        What was transferred; ``part`` holds the whole body.

    Raises:
        HttpError: An error status that is not retryable (the part is discarded).
        GaveUp: Retryable trouble on every try (the part is kept for the next run).
    """
    part.parent.mkdir(parents=True, exist_ok=True)
    report = on_bytes or (lambda _done, _total: None)
    return with_retries(lambda: _download_once(url, part, timeout, report, say), settings=settings, say=say)


def get_small(url: str, *, timeout: float, settings: FetchSettings, say: Say) -> bytes:
    """GET a small answer (a status document) into memory, with the same retries as :func:`download`."""

    def once() -> bytes:
        try:
            with urllib.request.urlopen(_request(url), timeout=timeout) as resp:
                return _read_limited(resp)
        except urllib.error.HTTPError as err:
            raise _http_error(url, err) from None

    return with_retries(once, settings=settings, say=say)


def _request(url: str, extra: dict[str, str] | None = None) -> urllib.request.Request:
    # identity: the body is stored as sent (a .tsv.gz is gzip by content, not by transfer encoding)
    return urllib.request.Request(
        url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity", **(extra or {})}
    )


def _read_limited(fh: BinaryIO) -> bytes:
    try:
        return fh.read(SMALL_LIMIT) or b""
    except (OSError, http.client.HTTPException):
        return b""


def _http_error(url: str, err: urllib.error.HTTPError) -> HttpError:
    with err:
        body = _read_limited(err)
    return HttpError(url, err.code, str(err.reason), body, err.headers)


def _resume_point(url: str, part: Path) -> tuple[int, str]:
    """Bytes kept for ``url`` in ``part`` and the validator to send with If-Range ('' when none is known)."""
    meta = meta_path(part)
    if not part.exists():
        meta.unlink(missing_ok=True)
        return 0, ""
    try:
        info = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        info = None
    if not isinstance(info, dict) or info.get("url") != url:  # a part of something else: start over
        discard(part)
        return 0, ""
    etag, modified = str(info.get("etag") or ""), str(info.get("last_modified") or "")
    # If-Range takes only a strong validator: a weak ETag falls back to the date
    return part.stat().st_size, etag if etag and not etag.startswith("W/") else modified


def _write_meta(part: Path, url: str, size: int, headers: Message) -> None:
    info = {
        "url": url,
        "bytes": size,
        "etag": headers.get("ETag", ""),
        "last_modified": headers.get("Last-Modified", ""),
    }
    meta_path(part).write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")


def _content_range(value: str) -> tuple[int, int | None]:
    """(first byte, total or None) of ``bytes 100-199/200``; (-1, None) when unreadable."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*", value or "")
    if not match:
        return -1, None
    return int(match.group(1)), None if match.group(2) == "*" else int(match.group(2))


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _download_once(
    url: str, part: Path, timeout: float, on_bytes: OnBytes, say: Say, *, fresh: bool = False
) -> Transfer:
    offset, validator = (0, "") if fresh else _resume_point(url, part)
    extra = {"Range": f"bytes={offset}-"} if offset else {}
    if offset and validator:
        extra["If-Range"] = validator
    try:
        resp = urllib.request.urlopen(_request(url, extra), timeout=timeout)
    except urllib.error.HTTPError as err:
        error = _http_error(url, err)
        if err.code == 416 and offset:  # the kept part does not fit the file any more: start over
            discard(part)
            say("the kept partial download no longer fits the file: starting over")
            return _download_once(url, part, timeout, on_bytes, say, fresh=True)
        if not error.retryable:  # the file is gone or refused: a kept part is of no use
            discard(part)
        raise error from None
    with resp:
        length = _int(resp.headers.get("Content-Length"))
        if resp.status == 206:
            start, total = _content_range(resp.headers.get("Content-Range", ""))
            if start != offset:
                discard(part)
                raise Interrupted(f"the server resumed at byte {start}, not {offset}; starting over")
            say(f"resuming after {offset:,} bytes kept from an earlier try")
        else:  # 200: the whole body (the server ignored the range, or the file changed)
            if offset:
                say("the server sent the whole file, not the rest: starting over")
            offset, total = 0, length
        done = offset
        try:
            with part.open("ab" if offset else "wb") as out:
                while chunk := resp.read(CHUNK):
                    out.write(chunk)
                    done += len(chunk)
                    on_bytes(done, total)
        finally:  # whatever happens, the next try knows what the part holds
            _write_meta(part, url, done, resp.headers)
    # http.client returns a short body without complaint when the connection drops: compare with the length
    if length is not None and done - offset < length:
        raise Interrupted(f"connection closed after {done:,} of {offset + length:,} bytes")
    meta_path(part).unlink(missing_ok=True)
    return Transfer(resp.status, done, offset)

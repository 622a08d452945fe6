"""A whole Eurostat table as one gzip TSV, however the dissemination API chooses to answer.

- Directly: the gzip TSV itself.
- Asynchronously: HTTP 200 with a SOAP envelope holding a key (``asyncResponse/status/key`` or
  ``syncResponse/queued/id``); poll ``{api}/1.0/async/status/{key}`` with back-off until AVAILABLE, then get
  ``{api}/1.0/async/data/{key}`` (gzip, a zip with one member, or plain text). EXPIRED (or a key the server
  no longer knows) earns one fresh request, then the file fails.
- Too large: HTTP 413 ``EXTRACTION_TOO_BIG``. The years from ``since`` (default 1990) to this year are
  asked for in halves (``startPeriod``/``endPeriod``), recursively down to single years, and the answers
  are merged into one table (a single year still too large fails with Eurostat's message).

``{api}`` is the part of the table URL before ``/sdmx/``, so a mirror (``CLUSTERMAP_FETCH_BASE``) serves it all.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from xml.etree import ElementTree

from .http import HttpError, discard, download, fault_string, get_small
from .progress import FileProgress
from .report import EurostatOrigin, FetchProblem
from .settings import FetchSettings
from .tsv import merge_parts

WAITING = ("SUBMITTED", "PROCESSING")
_ENVELOPE_LIMIT = 1 << 16  # an asynchronous answer is a few hundred bytes; data is never this small and XML


class TooBig(Exception):
    """HTTP 413: the extraction is too large for one request."""


@dataclass
class _Job:
    """One table download: where and how, and what happened on the way."""

    url: str
    api: str
    timeout: float
    settings: FetchSettings
    ticker: FileProgress
    keys: list[str]


def api_base(url: str) -> str:
    """``https://host/eurostat/api/dissemination`` from a ``.../sdmx/2.1/data/<dataset>?...`` URL."""
    head, sep, _tail = url.partition("/sdmx/")
    if not sep:
        raise FetchProblem(f"cannot find the API base of {url} (no /sdmx/ in the path)")
    return head


def with_period(url: str, first: int, last: int) -> str:
    """``url`` asking only for the years ``first`` to ``last`` (any earlier period filter replaced)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("startPeriod", "endPeriod")]
    query += [("startPeriod", str(first)), ("endPeriod", str(last))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def parse_async_answer(body: bytes) -> tuple[str, str] | None:
    """(key, status) of an asynchronous SOAP answer, or None when ``body`` is not one.

    Raises:
        FetchProblem: The body is a SOAP fault (Eurostat's error message is in the text).
    """
    text = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text.startswith(b"<"):
        return None
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return None
    found: dict[str, str] = {}
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        value = (element.text or "").strip()
        if name == "faultstring":
            raise FetchProblem(f"Eurostat answered with an error: {value}")
        if value and name in ("key", "id", "status"):
            found.setdefault("key" if name == "id" else name, value)
    if "key" not in found or not any(e.tag.endswith(("asyncResponse", "syncResponse")) for e in root.iter()):
        return None
    return found["key"], found.get("status", "SUBMITTED").upper()


def fetch_table(
    url: str,
    part: Path,
    *,
    dataset: str,
    since: int | None,
    timeout: float,
    settings: FetchSettings,
    ticker: FileProgress,
) -> EurostatOrigin:
    """Fill ``part`` with the whole table at ``url`` as gzip TSV.

    Args:
        url: The table's TSV URL (``.../sdmx/2.1/data/<dataset>?format=TSV&compressed=true``), already rebased.
        part: The file to fill (checked and placed by the caller).
        dataset: The dataset code, for messages and the record.
        since: First year worth asking for when the table must be split (None: ``settings.first_year``).
        timeout: Socket timeout per request.
        settings: Retries, polling and splitting knobs.
        ticker: Where events and byte counts are reported.

    Returns:
        How the table was obtained.

    Raises:
        FetchProblem: Too large even for a single year, expired twice, no data at all, or a deadline passed.
        HttpError: An error status of the API.
    """
    job = _Job(url, api_base(url), timeout, settings, ticker, [])
    try:
        _obtain(job, url, part, ticker.on_bytes)
        return EurostatOrigin(dataset, "asynchronous" if job.keys else "direct", (), tuple(job.keys))
    except TooBig as big:
        first, last = since or settings.first_year, settings.final_year()
        if first > last:
            raise FetchProblem(f"too large (HTTP 413) and no years to split ({first} is after {last}): {big}") from None
        folder = Path(tempfile.mkdtemp(dir=part.parent, prefix=f".{part.name}.split-"))
        try:
            pieces = _split(job, first, last, folder, str(big))
            if not pieces:
                raise FetchProblem(f"no data for any year from {first} to {last}") from None
            discard(part)  # a part kept from an interrupted direct download is of no use now
            rows, periods = merge_parts([path for path, _label in pieces], part)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        ticker.event(f"merged {len(pieces)} periods: {rows:,} series, {periods} periods")
        return EurostatOrigin(dataset, "split", tuple(label for _path, label in pieces), tuple(job.keys))


def _label(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _split(job: _Job, first: int, last: int, folder: Path, fault: str) -> list[tuple[Path, str]]:
    """Ask for [first, last] in two halves (recursively); the parts that carry data, in period order."""
    if first == last:
        raise FetchProblem(f"too large (HTTP 413) even for the single year {first}: {fault}")
    middle = (first + last + 1) // 2  # the later half gets the extra year: recent years are the ones wanted
    halves = ((first, middle - 1), (middle, last))
    job.ticker.event(f"too large (HTTP 413): split into {_label(*halves[0])} and {_label(*halves[1])}")
    pieces: list[tuple[Path, str]] = []
    for lo, hi in halves:
        path = folder / f"{_label(lo, hi)}.tsv.gz"
        try:
            _obtain(job, with_period(job.url, lo, hi), path, job.ticker.on_part_bytes)
        except TooBig as big:
            pieces += _split(job, lo, hi, folder, str(big))
            continue
        except HttpError as err:
            if err.status != 404:  # 404 on a period filter: no data in those years
                raise
            job.ticker.event(f"no data for {_label(lo, hi)} ({err})")
            continue
        pieces.append((path, _label(lo, hi)))
    return pieces


def _obtain(job: _Job, url: str, dest: Path, on_bytes: Callable[[int, int | None], None]) -> None:
    """Fill ``dest`` with gzip TSV from ``url``, following an asynchronous answer (one fresh request if it expires)."""
    fresh_requests = 1
    while True:
        try:
            download(url, dest, timeout=job.timeout, settings=job.settings, say=job.ticker.event, on_bytes=on_bytes)
        except HttpError as err:
            if err.status == 413:
                raise TooBig(fault_string(err.body) or str(err)) from None
            raise
        finally:
            job.ticker.end_transfer()
        answer = _async_answer(dest)
        if answer is None:
            _to_gzip(dest)
            return
        key, status = answer
        discard(dest)
        job.ticker.event(f"answered asynchronously, key {key}, polling")
        if _poll(job, key, status, dest, on_bytes):
            job.keys.append(key)
            _to_gzip(dest)
            return
        if not fresh_requests:
            raise FetchProblem(f"asynchronous request expired again (key {key}); try later")
        fresh_requests -= 1
        job.ticker.event(f"asynchronous request {key} expired: asking again")


def _poll(job: _Job, key: str, status: str, dest: Path, on_bytes: Callable[[int, int | None], None]) -> bool:
    """Wait for ``key`` and get its data into ``dest``; False when the request expired or is unknown."""
    settings = job.settings
    deadline = time.monotonic() + settings.async_deadline
    delay = settings.poll_delay
    while True:
        if status == "AVAILABLE":
            try:
                data_url = f"{job.api}/1.0/async/data/{key}"
                download(
                    data_url, dest, timeout=job.timeout, settings=settings, say=job.ticker.event, on_bytes=on_bytes
                )
                return True
            except HttpError as err:
                if err.status != 400 or "DATA_NOT_YET_AVAILABLE" not in fault_string(err.body):
                    raise
                job.ticker.event(f"data of {key} not yet available; polling again")
            finally:
                job.ticker.end_transfer()
        elif status == "EXPIRED":
            return False
        elif status not in WAITING:
            raise FetchProblem(f"unexpected status {status!r} of asynchronous request {key}")
        if time.monotonic() + delay > deadline:
            raise FetchProblem(f"asynchronous request {key} still {status} after {settings.async_deadline:g} s")
        settings.sleep(delay)
        delay = min(delay * 2, settings.poll_max_delay)
        try:
            status_url = f"{job.api}/1.0/async/status/{key}"
            body = get_small(status_url, timeout=job.timeout, settings=settings, say=job.ticker.event)
        except HttpError as err:
            if err.status == 400 and "UNKNOWN_REQUEST" in fault_string(err.body):
                job.ticker.event(f"the server no longer knows key {key}")
                return False
            raise
        answer = parse_async_answer(body)
        if answer is None:
            raise FetchProblem(f"unreadable status answer for asynchronous request {key}: {body[:120]!r}")
        if answer[1] != status:
            job.ticker.event(f"asynchronous request {key}: {answer[1]}")
        status = answer[1]


def _async_answer(path: Path) -> tuple[str, str] | None:
    if path.stat().st_size > _ENVELOPE_LIMIT:
        return None
    return parse_async_answer(path.read_bytes())


def _to_gzip(path: Path) -> None:
    """Make ``path`` gzip whatever came: gzip stays, a zip's single member or plain text is compressed."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic[:2] == b"\x1f\x8b":
        return
    tmp = path.with_name(path.name + ".gz-tmp")
    try:
        if magic == b"PK\x03\x04":
            with zipfile.ZipFile(path) as zf:
                members = [m for m in zf.infolist() if not m.is_dir()]
                if len(members) != 1:
                    raise FetchProblem(f"the zip holds {len(members)} files, expected one TSV")
                with zf.open(members[0]) as src:
                    head = src.read(2)
                    with tmp.open("wb") as raw:
                        if head == b"\x1f\x8b":  # a gzip inside the zip: keep it as is
                            raw.write(head)
                            shutil.copyfileobj(src, raw)
                        else:
                            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as out:
                                out.write(head)
                                shutil.copyfileobj(src, out)
        else:
            with path.open("rb") as src, gzip.open(tmp, "wb", compresslevel=6) as out:
                shutil.copyfileobj(src, out)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)

"""Download the official source files listed in data/sources.toml into a sources folder.

Every ``fetch`` URL of the selected sources is streamed into a temporary file beside its
destination, checked (GeoJSON is a FeatureCollection, ``.tsv.gz`` is gzip with a Eurostat
header, ``.csv`` is UTF-8 with a ``geo`` column) and only then moved into place with
an atomic rename: a failed or refused download never leaves a partial file nor replaces a good one.
Checksums go to ``<target>/FETCHED.json`` (merged with earlier runs, keyed by file).
Sources without official machine-readable files (``fetch_note``) are listed to place by hand.

Environment: ``CLUSTERMAP_FETCH_BASE`` (e.g. ``http://127.0.0.1:8000``), when set, replaces the
scheme and host of every URL, keeping path and query (a path in the base is prepended); for
mirrors and tests.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from mapping.build.manifest import Manifest, Source, load_manifest

RECORD_NAME = "FETCHED.json"
BASE_ENV = "CLUSTERMAP_FETCH_BASE"
_CHUNK = 1 << 16
# Columns a source's CSV must carry beyond ``geo`` (lower case).
_EXTRA_COLUMNS = {"eurostat_sbs_r_nuts2021_manuf": {"nace_r2", "time_period", "obs_value"}}


class FetchError(Exception):
    """One or more downloads failed or were refused; the message lists every failure."""

    def __init__(self, message: str, report: FetchReport | None = None):
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class FetchedFile:
    source_id: str
    file: str
    url: str
    sha256: str
    bytes: int
    fetched_at: str


@dataclass
class FetchReport:
    fetched: list[FetchedFile] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    by_hand: list[Source] = field(default_factory=list)


def rebase_url(url: str, base: str | None = None) -> str:
    """Replace scheme and host of ``url`` with those of ``base`` (default ``$CLUSTERMAP_FETCH_BASE``).

    Args:
        url: The official URL.
        base: Replacement base such as ``http://127.0.0.1:8000``; empty or None leaves ``url`` unchanged.

    Returns:
        The URL to download.
    """
    base = os.environ.get(BASE_ENV, "") if base is None else base
    if not base:
        return url
    b, u = urlsplit(base), urlsplit(url)
    return urlunsplit((b.scheme, b.netloc, b.path.rstrip("/") + u.path, u.query, ""))


def check_payload(path: Path, file: str, source_id: str = "") -> None:
    """Raise ValueError when the downloaded file at ``path`` is not what ``file``'s type promises."""
    if path.stat().st_size == 0:
        raise ValueError("empty response")
    name = file.lower()
    if name.endswith(".geojson"):
        try:
            with path.open("rb") as fh:
                doc = json.load(fh)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"not valid JSON ({exc})") from exc
        if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
            raise ValueError("JSON is not a GeoJSON FeatureCollection")
    elif name.endswith(".tsv.gz"):
        try:
            with gzip.open(path, "rb") as fh:
                first = fh.readline(1 << 20).decode("utf-8", "replace")
                while fh.read(_CHUNK):  # read to the end: checks the CRC and length
                    pass
        except (OSError, EOFError) as exc:
            raise ValueError(f"not valid gzip ({exc})") from exc
        if "\t" not in first or not ("\\time" in first or "TIME_PERIOD" in first):
            raise ValueError(f"first line is not a Eurostat TSV header: {first[:80]!r}")
    elif name.endswith(".csv"):
        try:
            with path.open(encoding="utf-8-sig", errors="strict", newline="") as fh:
                header = fh.readline()
                while fh.read(_CHUNK):
                    pass
        except UnicodeDecodeError as exc:
            raise ValueError(f"not valid UTF-8 text ({exc.reason} at byte {exc.start})") from exc
        delim = max(",;\t", key=header.count)
        cols = {c.strip().strip('"').lower() for c in header.strip().split(delim)}
        missing = sorted(({"geo"} | _EXTRA_COLUMNS.get(source_id, set())) - cols)
        if missing:
            raise ValueError(f"CSV header lacks column(s) {', '.join(missing)}: {header[:120].strip()!r}")


def _download(url: str, dest: Path, file: str, source_id: str, timeout: float) -> tuple[str, int]:
    """Stream ``url`` to a temp file beside ``dest``, check it, then move it into place."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        h, size, deadline = hashlib.sha256(), 0, time.monotonic() + timeout
        req = urllib.request.Request(url, headers={"User-Agent": "clustermap-fetch/1"})
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(req, timeout=timeout) as resp:
            while chunk := resp.read(_CHUNK):
                out.write(chunk)
                h.update(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"download took longer than {timeout:g} s")
        check_payload(tmp, file, source_id)
        tmp.replace(dest)
        return h.hexdigest(), size
    finally:
        tmp.unlink(missing_ok=True)


def _write_record(target: Path, entries: Iterable[FetchedFile], progress: Callable[[str], None]) -> None:
    path = target / RECORD_NAME
    record: dict[str, dict] = {}
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            record = loaded if isinstance(loaded, dict) else {}
        except ValueError as exc:
            progress(f"warning: {path} is not valid JSON ({exc}); starting a new record")
    record.update({e.file: asdict(e) for e in entries})
    fd, tmp_name = tempfile.mkstemp(dir=target, prefix=f".{RECORD_NAME}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(dict(sorted(record.items())), fh, indent=2)
            fh.write("\n")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


def fetch(
    target: str | Path,
    *,
    only: list[str] | None = None,
    timeout: float = 120.0,
    manifest: Manifest | None = None,
    progress: Callable[[str], None] | None = None,
) -> FetchReport:
    """Download the official files of the selected sources into ``target``.

    Args:
        target: Sources folder to fill; created when absent. Files land at ``<target>/<fetch.file>``.
        only: Source ids to fetch; None or empty means every source of the manifest.
        timeout: Seconds allowed per download (also the socket timeout).
        manifest: Manifest to use instead of data/sources.toml (for tests).
        progress: Called with one line of text per event; default prints to stderr.

    Returns:
        A FetchReport with the files fetched, failures (empty) and sources to place by hand.

    Raises:
        FetchError: An id in ``only`` is unknown, or any download failed or was refused; the other
            files are still attempted and recorded, and the message lists every failure.
    """
    say = progress or _stderr
    manifest = manifest or load_manifest()
    target = Path(target).expanduser().resolve()
    known = {s.id for s in manifest.sources}
    unknown = sorted(set(only or ()) - known)
    if unknown:
        raise FetchError(f"unknown source id(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    selected = [s for s in manifest.sources if not only or s.id in only]
    report = FetchReport()
    target.mkdir(parents=True, exist_ok=True)
    for source in selected:
        if source.location == "project":
            if only:
                say(f"{source.id}: kept in this repository, nothing to fetch")
            continue
        if not source.fetch:
            report.by_hand.append(source)
            continue
        for item in source.fetch:
            url = rebase_url(item.url)
            dest = target / item.file
            start = time.monotonic()
            try:
                if not dest.resolve().is_relative_to(target):
                    raise ValueError(f"file {item.file!r} lies outside the target folder")
                sha, size = _download(url, dest, item.file, source.id, timeout)
            except Exception as exc:  # every failure is reported, the rest still fetched
                report.failures.append(f"{source.id}: {url}: {type(exc).__name__}: {exc}")
                say(f"FAILED {source.id} {item.file}: {exc}")
                continue
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            report.fetched.append(FetchedFile(source.id, item.file, url, sha, size, stamp))
            say(f"fetched {source.id} {item.file}: {size:,} bytes in {time.monotonic() - start:.1f} s")
    if report.fetched:
        _write_record(target, report.fetched, say)
    if report.by_hand:
        say("Place by hand (no official machine-readable file):")
        for source in report.by_hand:
            say(f"  {source.id}: {source.fetch_note or 'no fetch URL in the manifest'}")
            for path in source.paths(target):
                say(f"    -> {path}")
    if report.failures:
        raise FetchError(f"{len(report.failures)} download(s) failed:\n" + "\n".join(report.failures), report)
    return report

"""The fetch run: plan the files of the selected sources, skip what is already there, fetch, check, place, record."""

from __future__ import annotations

import errno
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from mapping.ingest.manifest import FetchItem, Manifest, Source, load_manifest, sha256_file

from .checks import check_payload
from .eurostat import fetch_table
from .http import GaveUp, HttpError, discard, download, meta_path, rebase_url
from .progress import FileProgress, RunProgress, to_stderr
from .record import entry_of, is_current, load_record, save_record
from .report import FetchedFile, FetchError, FetchProblem, FetchReport
from .settings import FetchSettings


@dataclass
class _Planned:
    """One distinct destination file and every source that reads it."""

    file: str
    url: str  # rebased onto $CLUSTERMAP_FETCH_BASE when set
    item: FetchItem
    source_ids: list[str] = field(default_factory=list)


def fetch(
    target: str | Path,
    *,
    only: list[str] | None = None,
    timeout: float = 120.0,
    manifest: Manifest | None = None,
    progress: Callable[[str], None] | None = None,
    refresh: bool = False,
    settings: FetchSettings | None = None,
) -> FetchReport:
    """Download the official files of the selected sources into ``target``.

    Each distinct file is downloaded once (several sources may share a Eurostat table), into
    ``<dest>.part``, checked, then moved into place atomically and recorded in ``<target>/FETCHED.json``.
    A file whose SHA-256 equals its record is skipped; an interrupted download resumes on the next run.

    Args:
        target: Sources folder to fill; created when absent. Files land at ``<target>/<fetch.file>``.
        only: Source ids to fetch; None or empty means every source of the manifest.
        timeout: Socket timeout in seconds: a request silent for longer is retried (then fails).
        manifest: Manifest to use instead of data/sources.toml (for tests).
        progress: Called with one line of text per event; default prints to stderr.
        refresh: Download again even files already present with the recorded checksum.
        settings: Retries, back-off, polling and splitting knobs (defaults suit the real hosts).

    Returns:
        A FetchReport: files fetched, skipped, failures (empty) and sources to place by hand.

    Raises:
        FetchError: An id in ``only`` is unknown, or any download failed or was refused; the other
            files are still fetched and recorded, and the message lists every failure.
    """
    say = progress or to_stderr
    settings = settings or FetchSettings()
    manifest = manifest or load_manifest()
    target = Path(target).expanduser().resolve()
    known = {s.id for s in manifest.sources}
    unknown = sorted(set(only or ()) - known)
    if unknown:
        raise FetchError(f"unknown source id(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    report = FetchReport()
    planned = _plan([s for s in manifest.sources if not only or s.id in only], report, say, explicit=bool(only))
    target.mkdir(parents=True, exist_ok=True)
    run = RunProgress(say, len(planned), every=settings.progress_every)
    record = load_record(target, say)
    unreachable: dict[str, str] = {}  # host -> why: offline, a run fails each further file of that host at once
    for index, job in enumerate(planned, start=1):
        ticker = run.file(index, job.file)
        sources = ", ".join(job.source_ids)
        dest = target / job.file
        host = urlsplit(job.url).netloc
        started = time.monotonic()
        try:
            if not dest.resolve().is_relative_to(target):
                raise FetchProblem(f"file {job.file!r} lies outside the target folder")
            if host in unreachable and not (not refresh and is_current(dest, record.get(job.file))):
                raise FetchProblem(f"{host} could not be reached earlier in this run ({unreachable[host]})")
            if not refresh and is_current(dest, record.get(job.file)):
                report.skipped.append(job.file)
                ticker.finish(f"already fetched: {job.file} ({sources}), checksum as recorded")
                continue
            ticker.say(f"<- {job.url} ({sources})")
            fetched = _fetch_one(job, dest, timeout=timeout, settings=settings, ticker=ticker)
        except Exception as exc:  # every failure is reported, the other files still fetched
            reason = _reason(exc)
            if _no_route(exc):
                unreachable.setdefault(host, reason)
            report.failures.append(f"{sources}: {job.url}: {reason}")
            ticker.finish(f"FAILED {sources} {job.file}: {reason}{_keep_or_drop(dest)}")
            continue
        entry = entry_of(fetched)
        record[job.file] = entry
        save_record(target, {job.file: entry})  # at once: an interrupted run still skips what it placed
        report.fetched.append(fetched)
        how = f" ({fetched.eurostat.describe()})" if fetched.eurostat else ""
        elapsed = time.monotonic() - started
        ticker.finish(f"fetched {sources} {job.file}: {fetched.bytes:,} bytes in {elapsed:.1f} s{how}")
    run.summary(report, target)
    if report.failures:
        raise FetchError(f"{len(report.failures)} download(s) failed:\n" + "\n".join(report.failures), report)
    return report


def _plan(selected: list[Source], report: FetchReport, say: Callable[[str], None], *, explicit: bool) -> list[_Planned]:
    """The distinct files to fetch, in manifest order; sources to place by hand go to the report."""
    planned: dict[str, _Planned] = {}
    for source in selected:
        if source.location == "project":
            if explicit:
                say(f"{source.id}: kept in this repository, nothing to fetch")
            continue
        if not source.fetch:
            report.by_hand.append(source)
            continue
        for item in source.fetch:
            url = rebase_url(item.url)
            job = planned.get(item.file)
            if job is None:
                planned[item.file] = _Planned(item.file, url, item, [source.id])
            elif job.url == url:
                job.source_ids.append(source.id)
            else:
                report.failures.append(
                    f"{source.id}: {url}: {item.file} is also fetched for {job.source_ids[0]} from {job.url}; "
                    "the manifest must give one URL per file"
                )
    return list(planned.values())


def _fetch_one(
    job: _Planned, dest: Path, *, timeout: float, settings: FetchSettings, ticker: FileProgress
) -> FetchedFile:
    """Download ``job`` into ``<dest>.part``, check it, move it into place; the record entry."""
    part = dest.with_name(dest.name + ".part")
    dest.parent.mkdir(parents=True, exist_ok=True)
    origin = None
    if job.item.is_eurostat:
        origin = fetch_table(
            job.url,
            part,
            dataset=job.item.dataset,
            since=job.item.since,
            timeout=timeout,
            settings=settings,
            ticker=ticker,
        )
    else:
        download(job.url, part, timeout=timeout, settings=settings, say=ticker.event, on_bytes=ticker.on_bytes)
    try:
        check_payload(part, job.file, job.source_ids[0])
    except ValueError as exc:
        discard(part)
        raise FetchProblem(f"refused: {exc}") from None
    sha, size = sha256_file(part), part.stat().st_size
    os.replace(part, dest)  # atomic: readers see the old file or the new one, never half of one
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    return FetchedFile(job.source_ids[0], job.file, job.url, sha, size, stamp, tuple(job.source_ids), origin)


def _no_route(exc: BaseException | None) -> bool:
    """Whether the failure means the host cannot be reached at all (no name resolution, refused, no route)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, socket.gaierror | ConnectionRefusedError):
            return True
        if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            return True
        reason = getattr(exc, "reason", None)
        exc = reason if isinstance(reason, BaseException) else (exc.__cause__ or exc.__context__)
        seen += 1
    return False


def _reason(exc: Exception) -> str:
    if isinstance(exc, FetchProblem | HttpError | GaveUp | ValueError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _keep_or_drop(dest: Path) -> str:
    """Keep a part an interrupted transfer can resume; drop anything else a failure left."""
    part = dest.with_name(dest.name + ".part")
    if part.exists() and meta_path(part).exists():
        return f" (partial download of {part.stat().st_size:,} bytes kept: the next run resumes it)"
    discard(part)
    return ""

"""Attack: the load bench's users alone, then the same users beside hostile visitors, on one app server.

``python -m bench attack`` starts the app on 127.0.0.1 (same DB and command as ``bench load``), opens each page
once (untimed warm-up) and measures two phases of ``SECONDS`` each:

1. baseline: the ``bench.load`` users (``load.SESSIONS``, same seeds, think time and actions);
2. attack: the same users plus ``HOSTILES`` clients that loop until the deadline, one kind each (round robin):

   * ``console``: a fresh session on the console link ``/data?tab=console&sql=<CONSOLE_SQL> -- N`` (N counts
     up, so no cache holds the query), then a click on the console form's "Run" submit button when it is on
     screen; the outcome names what the link and the click showed (result rows, refusal, nothing);
   * ``wide_header``: a CSV whose header has 150,000 columns (~1.1 MB) uploaded to the map page's "Map your own
     data" uploader (key ``upload_file``) the way the browser does it (see :class:`UploadSession`), then the
     rerun with the file;
   * ``bad_rows``: the same with 20,000,000 bytes of ``!,1`` lines after a ``code,value`` header;
   * ``big_body``: a 190 MiB multipart PUT straight to ``/_stcore/upload_file/<session>/<file>`` of a live
     session (with the XSRF cookie and header, so it is the size limit that answers, not the XSRF check).

The hostile clients run in a separate process, so that their decoding of huge replies never delays the event
loop that times the normal users; their attempts never count in the normal figures: each kind reports its
attempts and outcomes (HTTP statuses, app messages, exceptions) on its own. The server's RSS (its own, and with
its console workers) is sampled every ``RSS_INTERVAL`` s in both phases. A memory guard stops the hostile
clients early if the server tree passes ``RSS_GUARD_MB`` or the machine runs low, and says so. Bounded: every
request has a timeout, each phase stops at its deadline and the server is stopped. The bench measures; it
asserts nothing about the app (it works on the app before and after hardening).

Settings (environment): CLUSTERMAP_ATTACK_SECONDS (60), CLUSTERMAP_ATTACK_HOSTILES (5),
CLUSTERMAP_ATTACK_PACE (1: a hostile client starts at most one attempt a second, so that a quickly refused request
measures the refusal, not a request flood), CLUSTERMAP_ATTACK_RSS_GUARD_MB (8000); the normal users follow
``bench.load``'s settings except its duration.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import re
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import numpy as np

from bench import load
from bench.common import Figure, db_path, percentiles_ms, streamlit_server
from bench.upload_client import UploadSession, filler, http_request, multipart, xsrf_headers
from bench.wsclient import Session

SECONDS = float(os.environ.get("CLUSTERMAP_ATTACK_SECONDS", "60"))
HOSTILES = int(os.environ.get("CLUSTERMAP_ATTACK_HOSTILES", "5"))
RSS_GUARD_MB = float(os.environ.get("CLUSTERMAP_ATTACK_RSS_GUARD_MB", "8000"))
MIN_AVAILABLE_MB = 2000  # the guard also trips when the machine has less than this left
RSS_INTERVAL = 0.5
HOSTILE_TIMEOUT = 60.0  # per hostile request; the phase deadline cuts them anyway
PACE = float(os.environ.get("CLUSTERMAP_ATTACK_PACE", "1"))  # a hostile client starts at most one attempt a second
SETTLE = 3.0  # untimed pause between the phases

KINDS = ("console", "wide_header", "bad_rows", "big_body")
CONSOLE_SQL = "SELECT repeat('ab',3000) AS s FROM range(10000)"
WIDE_COLUMNS = 150_000
BAD_ROWS_BYTES = 20_000_000  # under the app's 20 MB and a 20 MiB server cap: it tests the row checks, not the size
BIG_BODY_BYTES = 190 * 1024 * 1024
UPLOAD_KEY = "upload_file"
_MIB = 1024 * 1024
_XSRF_COOKIE = "_streamlit_xsrf"


# ------------------------------------------------------------------------------------------------ payloads
def console_link(n: int) -> str:
    """The query string of the console link with the heavy query and a distinct ``-- n`` comment."""
    return "tab=console&sql=" + quote(f"{CONSOLE_SQL} -- {n}", safe="")


def wide_header_csv(columns: int = WIDE_COLUMNS) -> bytes:
    """A CSV whose header has ``columns`` names (``code,value,c3,c4,...``) and one short data row."""
    names = ["code", "value", *(f"c{i}" for i in range(3, columns + 1))]
    return (",".join(names) + "\nDE11,1\n").encode()


def bad_rows_csv(size: int = BAD_ROWS_BYTES) -> bytes:
    """A ``code,value`` header and as many ``!,1`` lines as fit in ``size`` bytes."""
    header = b"code,value\n"
    return header + b"!,1\n" * ((size - len(header)) // 4)


# ------------------------------------------------------------------------------------------------ hostiles
@dataclass
class Attempt:
    kind: str
    outcome: str
    seconds: float


_ROWS_RE = re.compile(r"^([\d,]+) rows in ")


def _clip(text: str, n: int) -> str:
    """Markdown escapes dropped, cut to ``n`` characters."""
    text = re.sub(r"\\(.)", r"\1", text).replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def _short(exc: BaseException) -> str:
    return _clip(f"{type(exc).__name__}: {exc}", 60)


class _Visitor:
    """A hostile client: ``attempt`` again and again (at most one start per ``PACE`` s) until cancelled."""

    kind = ""

    def __init__(self, url: str, record: list[Attempt]) -> None:
        self.url, self.record = url, record
        self.session: UploadSession | None = None
        self.stage = ""

    async def attempt(self) -> str:
        raise NotImplementedError

    async def open(self, page: str, query: str = "") -> UploadSession:
        if self.session is None:
            self.stage = "page open"
            self.session = await UploadSession.open(self.url, page=page, query=query, timeout=HOSTILE_TIMEOUT)
        return self.session

    async def reset(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None

    async def run(self) -> None:
        try:
            while True:
                t0 = time.perf_counter()
                try:
                    outcome = await self.attempt()
                except asyncio.CancelledError:
                    where = self.session.stage if self.stage == "upload" and self.session else self.stage
                    self.record.append(
                        Attempt(self.kind, f"unfinished at the deadline ({where})", time.perf_counter() - t0)
                    )
                    raise
                except Exception as exc:
                    outcome = f"{self.stage}: {_short(exc)}"
                    await self.reset()
                seconds = time.perf_counter() - t0
                self.record.append(Attempt(self.kind, outcome, seconds))
                await asyncio.sleep(max(0.0, PACE - seconds))
        finally:
            await self.reset()


class _ConsoleVisitor(_Visitor):
    """The heavy console link in a fresh session, then its "Run" submit button when there is one."""

    kind = "console"
    counter = itertools.count(1)  # shared by the console visitors: every link is new to the server

    async def attempt(self) -> str:
        try:
            session = await self.open("data", console_link(next(self.counter)))
            outcome = f"link: {self._shown(session)}"
            run = [w for w in session.widgets.values() if w.type == "button" and w.form_id and w.label == "Run"]
            if not run:
                return outcome + "; no Run button"
            self.stage = "Run"
            await session.click(run[0].key, timeout=HOSTILE_TIMEOUT)
            return outcome + f"; Run: {self._shown(session)}"
        finally:
            await self.reset()

    @staticmethod
    def _shown(session: UploadSession) -> str:
        if session.exceptions:
            return "exception " + _clip(session.exceptions[0], 24)
        for text in session.texts:
            if m := _ROWS_RE.match(text):
                return f"{m.group(1)} rows"
        return f"'{_clip(session.alerts[0], 24)}'" if session.alerts else "no result"


class _UploadVisitor(_Visitor):
    """The payload uploaded again and again to the map page's uploader, in one session (reopened if it breaks)."""

    def __init__(self, url: str, record: list[Attempt], kind: str, payload: bytes) -> None:
        super().__init__(url, record)
        self.kind, self.payload, self.n = kind, payload, 0
        self.page_alerts: list[str] = []

    async def attempt(self) -> str:
        if self.session is None:
            await self.open("")
            self.page_alerts = self.session.alerts  # what the page says without an upload
        session = self.session
        self.n += 1
        self.stage = "upload"
        result = await session.upload(UPLOAD_KEY, f"{self.kind}_{self.n}.csv", self.payload, timeout=HOSTILE_TIMEOUT)
        if result.rerun_seconds is None:
            return f"PUT {result.status or 'no answer'}: {_clip(result.detail, 40)}"
        if session.exceptions:
            return "exception " + _clip(session.exceptions[0], 50)
        said = [a for a in session.alerts if a not in self.page_alerts]
        return "app: " + (_clip(said[0], 60) if said else "no message")


class _BigBodyVisitor(_Visitor):
    """A 190 MiB multipart PUT straight to the upload endpoint of one live session."""

    kind = "big_body"

    async def attempt(self) -> str:
        session = await self.open("")
        if session.xsrf is None:
            session.xsrf = await xsrf_headers(self.url)
        self.stage = "PUT"
        ctype, length, chunks = multipart("big.csv", filler(BIG_BODY_BYTES), BIG_BODY_BYTES, "text/csv")
        answer = await http_request(
            f"{self.url}/_stcore/upload_file/{session.session_id}/{uuid.uuid4()}",
            "PUT",
            headers={"Content-Type": ctype, "Origin": session.origin, **session.xsrf},
            body=chunks,
            length=length,
            timeout=HOSTILE_TIMEOUT,
        )
        sent = "none" if answer.sent <= 0 else "all" if answer.sent >= BIG_BODY_BYTES else "part"
        if answer.status:
            return f"HTTP {answer.status} {_clip(answer.body.decode('utf-8', 'replace'), 30)} ({sent} of body sent)"
        return f"no answer: {_clip(answer.error, 40)} ({sent} sent)"


async def _hostiles(url: str, deadline: float, stop: Any, kinds: list[str]) -> list[Attempt]:
    record: list[Attempt] = []
    payloads = {"wide_header": wide_header_csv(), "bad_rows": bad_rows_csv()}
    visitors: list[_Visitor] = []
    for kind in kinds:
        if kind == "console":
            visitors.append(_ConsoleVisitor(url, record))
        elif kind == "big_body":
            visitors.append(_BigBodyVisitor(url, record))
        else:
            visitors.append(_UploadVisitor(url, record, kind, payloads[kind]))
    tasks = [asyncio.create_task(v.run()) for v in visitors]
    while time.monotonic() < deadline and not stop.is_set() and not all(t.done() for t in tasks):
        await asyncio.sleep(0.2)
    for task in tasks:
        task.cancel()
    await asyncio.wait(tasks, timeout=15)
    for task in tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            record.append(Attempt("crash", _short(task.exception()), 0.0))
    return record


def _hostile_process(url: str, kinds: list[str], stop: Any, conn: Any) -> None:
    """Child process: say ready, take the deadline (a monotonic time, shared by processes on Linux), run."""
    conn.send("ready")
    deadline = conn.recv()
    try:
        conn.send(asyncio.run(_hostiles(url, deadline, stop, kinds)))
    except BaseException as exc:
        conn.send([Attempt("crash", _short(exc), 0.0)])
    conn.close()


# ------------------------------------------------------------------------------------------------ memory
class RssSampler:
    """A thread sampling the server's RSS (its own, and with its child processes) every ``interval`` s; with a
    ``stop`` event it also trips the memory guard."""

    def __init__(self, pid: int, *, interval: float = RSS_INTERVAL, stop: Any = None) -> None:
        self.pid, self.interval, self.stop_event = pid, interval, stop
        self.peak_mb = 0.0
        self.peak_tree_mb = 0.0
        self.samples = 0
        self.tripped: str = ""
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil is in the dev requirements
            psutil = None
        while not self._done.is_set():
            own, tree = _rss_mb(self.pid, psutil)
            if own == own:  # not NaN
                self.samples += 1
                self.peak_mb = max(self.peak_mb, own)
                self.peak_tree_mb = max(self.peak_tree_mb, tree)
                if self.stop_event is not None and not self.tripped:
                    available = psutil.virtual_memory().available / _MIB if psutil else float("inf")
                    if tree > RSS_GUARD_MB or available < MIN_AVAILABLE_MB:
                        self.tripped = f"server tree {tree:,.0f} MB, machine {available:,.0f} MB available"
                        self.stop_event.set()
            self._done.wait(self.interval)


def _rss_mb(pid: int, psutil: Any) -> tuple[float, float]:
    """(process RSS, process + children RSS) in MB; NaN when the process is gone."""
    if psutil is not None:
        try:
            proc = psutil.Process(pid)
            own = proc.memory_info().rss / _MIB
            tree = own
            for child in proc.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    tree += child.memory_info().rss / _MIB
            return own, tree
        except psutil.Error:
            return float("nan"), float("nan")
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    own = int(line.split()[1]) / 1024
                    return own, own
    except OSError:
        pass
    return float("nan"), float("nan")


# ------------------------------------------------------------------------------------------------ phases
@dataclass
class Phase:
    name: str
    tally: load.Tally
    peak_rss_mb: float
    peak_tree_mb: float
    seconds: float
    attempts: list[Attempt] = field(default_factory=list)
    guard: str = ""


async def _normal_users(url: str, deadline: float) -> load.Tally:
    """``bench.load``'s users until ``deadline`` (load._run, with the deadline given)."""
    tally = load.Tally()
    users = [asyncio.create_task(load._user(i, url, deadline, tally)) for i in range(load.SESSIONS)]
    left = deadline - time.monotonic()
    done, pending = await asyncio.wait(users, timeout=left + load.REQUEST_TIMEOUT + 15)
    for task in pending:
        task.cancel()
        tally.errors.append("a session did not stop by the deadline")
    for task in done:
        if task.exception() is not None:
            tally.errors.append(f"session crashed: {task.exception()!r}"[:300])
    return tally


def _phase(name: str, url: str, pid: int, *, hostile: bool) -> Phase:
    kinds = [KINDS[i % len(KINDS)] for i in range(HOSTILES)] if hostile else []
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    proc = None
    if kinds:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_hostile_process, args=(url, kinds, stop, child), name="attack-hostiles")
        proc.start()
        if not parent.poll(60) or parent.recv() != "ready":
            raise RuntimeError("the hostile clients' process did not start")
    what = f"{load.SESSIONS} users" + (f" + {len(kinds)} hostile clients ({', '.join(kinds)})" if kinds else "")
    print(f"attack: {name} phase started: {what}, {SECONDS:g} s", file=sys.stderr, flush=True)
    attempts: list[Attempt] = []
    with RssSampler(pid, stop=stop if kinds else None) as rss:
        started = time.monotonic()
        deadline = started + SECONDS
        if proc is not None:
            parent.send(deadline)
        tally = asyncio.run(_normal_users(url, deadline))
        if proc is not None:
            stop.set()
            if parent.poll(30):
                attempts = parent.recv()
            else:
                attempts = [Attempt("crash", "no report from the hostile process", 0.0)]
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
                proc.join(5)
        elapsed = time.monotonic() - started
    phase = Phase(name, tally, rss.peak_mb, rss.peak_tree_mb, elapsed, attempts, rss.tripped)
    print(
        f"attack: {name} phase ended after {elapsed:.0f} s: {len(tally.latencies)} changes, {len(tally.loads)} "
        f"page opens, {len(tally.errors)} errors, {len(attempts)} hostile attempts, peak RSS {rss.peak_mb:,.0f} MB"
        + (f"; memory guard stopped the hostiles ({rss.tripped})" if rss.tripped else ""),
        file=sys.stderr,
        flush=True,
    )
    for message in tally.errors[:5]:
        print(f"  error: {message}", file=sys.stderr)
    return phase


async def _warm_up(url: str) -> None:
    """Open each page once (untimed) so the baseline does not pay the server's first-visit costs alone."""
    for page, queries in load.PAGES.items():
        with contextlib.suppress(Exception):
            session = await Session.open(url, page=page, query=queries[0], timeout=load.REQUEST_TIMEOUT)
            await session.close()


def _p(values: list[float]) -> tuple[float, float]:
    return percentiles_ms(values) if values else (float("nan"), float("nan"))


def _figures(base: Phase, attack: Phase) -> list[Figure]:
    figures: list[Figure] = []
    stats = {}
    for ph in (base, attack):
        lat = [s for _, s in ph.tally.latencies]
        opens = [s for _, s in ph.tally.loads]
        stats[ph.name] = (_p(lat), _p(opens)[1])
        figures += [
            Figure("attack", f"{ph.name}: normal control changes", len(lat), "count"),
            Figure("attack", f"{ph.name}: normal page opens", len(opens), "count"),
            Figure("attack", f"{ph.name}: normal sessions' errors", len(ph.tally.errors), "count", "0",
                   not ph.tally.errors),
        ]  # fmt: skip
    (b50, b95), b_open = stats[base.name]
    (a50, a95), a_open = stats[attack.name]
    ratio = a95 / b95 if b95 > 0 else float("nan")
    figures += [
        Figure("attack", f"interaction p50, {base.name}", b50, "ms"),
        Figure("attack", f"interaction p50, {attack.name}", a50, "ms"),
        Figure("attack", f"interaction p95, {base.name}", b95, "ms"),
        Figure("attack", f"interaction p95, {attack.name}", a95, "ms"),
        Figure("attack", "interaction p95 ratio, attack / baseline", ratio, "x", "<= 1.5x", bool(ratio <= 1.5)),
        Figure("attack", f"page open p95, {base.name}", b_open, "ms"),
        Figure("attack", f"page open p95, {attack.name}", a_open, "ms"),
        Figure("attack", f"server peak RSS, {base.name}", base.peak_rss_mb, "MB"),
        Figure("attack", f"server peak RSS, {attack.name}", attack.peak_rss_mb, "MB"),
        Figure("attack", f"server + console workers peak RSS, {base.name}", base.peak_tree_mb, "MB"),
        Figure("attack", f"server + console workers peak RSS, {attack.name}", attack.peak_tree_mb, "MB"),
    ]
    if attack.guard:
        figures.append(Figure("attack", f"memory guard stopped hostiles: {attack.guard}"[:72], 1, "flag"))
    by_kind: dict[str, list[Attempt]] = {}
    for a in attack.attempts:
        by_kind.setdefault(a.kind, []).append(a)
    for kind in [*KINDS, "crash"]:
        attempts = by_kind.get(kind, [])
        if not attempts:
            continue
        secs = [a.seconds for a in attempts]
        figures.append(Figure("attack", f"hostile {kind}: attempts", len(attempts), "count"))
        figures.append(Figure("attack", f"hostile {kind}: median attempt time", float(np.median(secs)), "s"))
        outcomes = Counter(a.outcome for a in attempts).most_common()
        for outcome, count in outcomes[:4]:
            figures.append(Figure("attack", f"  {kind}: {outcome}"[:72], count, "count"))
        if len(outcomes) > 4:
            rest = sum(c for _, c in outcomes[4:])
            figures.append(Figure("attack", f"  {kind}: {len(outcomes) - 4} other outcomes", rest, "count"))
    return figures


def run() -> list[Figure]:
    env = {**os.environ, "CLUSTERMAP_DB": str(db_path())}
    with streamlit_server(["-m", "mapping.ui.serve"], env=env) as (server, url):
        started = time.monotonic()
        asyncio.run(_warm_up(url))
        base = _phase("baseline", url, server.pid, hostile=False)
        time.sleep(SETTLE)
        attack = _phase("with attackers", url, server.pid, hostile=True)
        elapsed = time.monotonic() - started
    for attempt in attack.attempts:
        if attempt.kind == "crash":
            print(f"  hostile crash: {attempt.outcome}", file=sys.stderr)
    return [*_figures(base, attack), Figure("attack", "run time incl. warm-up (stops by itself)", elapsed, "s")]

"""Load: concurrent sessions on the app over Streamlit's websocket protocol, each changing controls with think time.

``python -m bench load`` starts the app on 127.0.0.1, runs ``SESSIONS`` simulated users for ``SECONDS`` and prints
the errors and the interaction latency (from sending a changed control to the end of the rerun, as in the other
benches). Each user opens a random page with a random link, then repeatedly waits (think time), picks a control
that is on screen and gives it another value; now and then they open another page (a new session, timed as a page
load). Bounded: every request has a timeout, the run stops at its deadline and the server is stopped.

Three runs, the same mix each (``CLUSTERMAP_LOAD_RUNS``, default ``single,replicas,kill``):

* ``single``: one app process, ``SESSIONS`` users;
* ``replicas``: ``REPLICAS`` app processes behind nginx (deploy/replicas.py), ``2 x SESSIONS`` users;
* ``kill``: the same, and one replica is killed (SIGKILL) at ``KILL_AT`` seconds. A user whose connection drops
  does what Streamlit's frontend does: it reconnects to the same address with the page's URL (nginx passes it to a
  living replica) and goes on. Counted: users whose connection dropped, those that got their view back, and errors
  of everyone else.

For each replica: CPU seconds used during the run (utime + stime from /proc) and peak RSS.

Settings (environment): CLUSTERMAP_LOAD_SESSIONS (25), CLUSTERMAP_LOAD_SECONDS (60), CLUSTERMAP_LOAD_THINK
("1-5" seconds, uniform), CLUSTERMAP_LOAD_REPLICAS (2), CLUSTERMAP_LOAD_KILL_AT (30).
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.common import Figure, db_path, streamlit_server

SESSIONS = int(os.environ.get("CLUSTERMAP_LOAD_SESSIONS", "25"))
SECONDS = float(os.environ.get("CLUSTERMAP_LOAD_SECONDS", "60"))
THINK = tuple(float(x) for x in os.environ.get("CLUSTERMAP_LOAD_THINK", "1-5").split("-"))
REQUEST_TIMEOUT = 30.0
NAVIGATE = 0.12  # share of actions that open another page
REPLICAS = int(os.environ.get("CLUSTERMAP_LOAD_REPLICAS", "2"))
KILL_AT = float(os.environ.get("CLUSTERMAP_LOAD_KILL_AT", "30"))
RUNS = os.environ.get("CLUSTERMAP_LOAD_RUNS", "single,replicas,kill").split(",")

# (URL path, query strings a user might arrive with)
PAGES = {
    "": ["", "indicator=ris.0&level=2&year=2021", "indicator=eurostat.unemployment_rate&country=DE", "region=PL91"],
    "clusters": ["", "tab=portfolio&region=DE11", "tab=summary", "tab=sensitivity", "sector=C10&year=2012"],
    "scoreboard": ["", "region=DE11", "region=PL91&score=innovation", "country=ES"],
    "compare": ["regions=DE11,FR10,PL91", "regions=SE11,FI1B,DK01&chart=parallel"],
    "escp": ["", "tab=partnerships", "tab=coparticipation", "tab=compare&countries=ES,PL,SE", "tab=gap"],
    "data": ["", "tab=indicators&q=employment", "tab=methods", "tab=console&sql=SELECT%20*%20FROM%20sources",
             "tab=downloads", "tab=report"],
}  # fmt: skip
CHANGEABLE = {"selectbox", "button_group", "radio", "multiselect"}


@dataclass
class Tally:
    latencies: list[tuple[str, float]] = field(default_factory=list)  # (page, seconds) per control change
    loads: list[tuple[str, float]] = field(default_factory=list)  # (page, seconds) per page open
    errors: list[str] = field(default_factory=list)
    dropped: int = 0  # connections that dropped (a replica died under them)
    recovered: int = 0  # ... whose user reconnected and got the same view back
    recover_seconds: list[float] = field(default_factory=list)


def _pick_change(session, rng: random.Random):
    """A control on screen and a different value for it, or None."""
    widgets = [
        w
        for w in session.widgets.values()
        if w.type in CHANGEABLE and not w.disabled and not w.defers and len(w.options) > 1
    ]
    if not widgets:
        return None
    w = rng.choice(widgets)
    if w.multi:
        return w.key, rng.sample(w.options, k=min(len(w.options), rng.randint(1, 3)))
    others = [o for o in w.options if o != w.value]
    return w.key, rng.choice(others)


async def _user(n: int, url: str, deadline: float, tally: Tally) -> None:
    from websockets.exceptions import ConnectionClosed

    from bench.wsclient import ConnectionLost, Session

    rng = random.Random(n)
    await asyncio.sleep(rng.uniform(0, 5))  # users arrive over the first seconds
    session = None
    page = ""
    try:
        while time.monotonic() < deadline:
            if session is None or rng.random() < NAVIGATE:
                if session is not None:
                    await session.close()
                    session = None
                page = rng.choice(list(PAGES))
                query = rng.choice(PAGES[page])
                try:
                    session = await Session.open(url, page=page, query=query, timeout=REQUEST_TIMEOUT)
                except ConnectionLost:
                    # the replica died while the page opened: the browser reconnects, and so does this user
                    tally.dropped += 1
                    try:
                        session = await Session.open(url, page=page, query=query, timeout=REQUEST_TIMEOUT)
                    except Exception as exc:
                        tally.errors.append(f"reopen /{page}?{query}: {type(exc).__name__}: {exc}"[:300])
                        await asyncio.sleep(1)
                        continue
                    tally.recovered += 1
                except Exception as exc:
                    tally.errors.append(f"open /{page}?{query}: {type(exc).__name__}: {exc}"[:300])
                    await asyncio.sleep(1)
                    continue
                tally.loads.append((page or "map", session.open_seconds))
                if session.exceptions:
                    tally.errors.append(f"/{page}?{query}: {session.exceptions[0]}"[:300])
            await asyncio.sleep(rng.uniform(*THINK))
            if time.monotonic() >= deadline:
                break
            change = _pick_change(session, rng)
            if change is None:
                continue
            key, value = change
            try:
                seconds = await session.set_value(key, value, timeout=REQUEST_TIMEOUT)
            except Exception as exc:
                if not (isinstance(exc, ConnectionClosed) or session.lost):
                    tally.errors.append(f"/{page} {key}={value!r}: {type(exc).__name__}: {exc}"[:300])
                    await session.close()
                    session = None
                    continue
                # the replica went away: reconnect with the URL the page shows, as the browser's frontend does
                tally.dropped += 1
                view = session.query_string
                await session.close()
                session = None
                t0 = time.monotonic()
                try:
                    session = await Session.open(url, page=page, query=view, timeout=REQUEST_TIMEOUT)
                except Exception as exc:
                    tally.errors.append(f"reconnect /{page}?{view}: {type(exc).__name__}: {exc}"[:300])
                    continue
                if session.exceptions or session.query_string != view:
                    tally.errors.append(f"reconnect /{page}?{view}: {session.exceptions[:1]} {session.query_string}")
                else:
                    tally.recovered += 1
                    tally.recover_seconds.append(time.monotonic() - t0)
                continue
            if seconds is not None:
                tally.latencies.append((page or "map", seconds))
            if session.exceptions:
                tally.errors.append(f"/{page} {key}={value!r}: {session.exceptions[0]}"[:300])
    finally:
        if session is not None:
            await session.close()


async def _run(url: str, sessions: int = SESSIONS, kill=None) -> Tally:
    """``sessions`` users on ``url`` for SECONDS; ``kill()`` is called at KILL_AT seconds when given."""
    tally = Tally()
    deadline = time.monotonic() + SECONDS
    users = [asyncio.create_task(_user(i, url, deadline, tally)) for i in range(sessions)]
    if kill is not None:
        await asyncio.sleep(KILL_AT)
        await asyncio.to_thread(kill)
    done, pending = await asyncio.wait(users, timeout=SECONDS + REQUEST_TIMEOUT + 15)
    for task in pending:
        task.cancel()
        tally.errors.append("a session did not stop by the deadline")
    for task in done:
        if task.exception() is not None:
            tally.errors.append(f"session crashed: {task.exception()!r}"[:300])
    return tally


def _peak_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def _figures(name: str, tally: Tally, elapsed: float, sessions: int, extra: list[Figure]) -> list[Figure]:
    lat = np.array([s for _, s in tally.latencies]) * 1000
    loads = np.array([s for _, s in tally.loads]) * 1000
    for message in tally.errors[:10]:
        print(f"  {name} error: {message}")
    for p in sorted({p for p, _ in tally.latencies}):
        xs = np.array([s for q, s in tally.latencies if q == p]) * 1000
        print(f"  {name} {p:<11} {len(xs):>5} changes  p50 {np.percentile(xs, 50):7.0f} ms  "
              f"p95 {np.percentile(xs, 95):7.0f} ms")  # fmt: skip
    pct = lambda xs, q: float(np.percentile(xs, q)) if len(xs) else float("nan")  # noqa: E731
    label = f"{name}: {sessions} sessions x {SECONDS:g} s, think {THINK[0]:g}-{THINK[1]:g} s"
    open_goal = [] if name == "single" else ["<= 2000 ms", pct(loads, 95) <= 2000]
    return [
        Figure("load", f"{label}: control changes", len(lat), "count"),
        Figure("load", f"{name}: page opens (new sessions)", len(loads), "count"),
        Figure("load", f"{name}: errors (exceptions, timeouts, dropped connections not recovered)",
               len(tally.errors), "count", "0", not tally.errors),
        Figure("load", f"{name}: interaction latency p50", pct(lat, 50), "ms"),
        Figure("load", f"{name}: interaction latency p95", pct(lat, 95), "ms", "<= 1000 ms", pct(lat, 95) <= 1000),
        Figure("load", f"{name}: page open p95", pct(loads, 95), "ms", *open_goal),
        Figure("load", f"{name}: run time (stops by itself)", elapsed, "s"),
        *extra,
    ]  # fmt: skip


def _single() -> list[Figure]:
    env = {**os.environ, "CLUSTERMAP_DB": str(db_path())}
    with streamlit_server(["-m", "mapping.ui.serve"], env=env) as (server, url):
        cpu0 = _cpu_seconds(server.pid)
        started = time.monotonic()
        tally = asyncio.run(_run(url))
        elapsed = time.monotonic() - started
        extra = [
            Figure("load", "single: server CPU during the run", _cpu_seconds(server.pid) - cpu0, "s"),
            Figure("load", "single: server peak RSS", _peak_rss_mb(server.pid), "MB"),
        ]
    return _figures("single", tally, elapsed, SESSIONS, extra)


def _replicated(kill: bool) -> list[Figure]:
    from deploy import replicas

    name = "kill" if kill else "replicas"
    env = {**os.environ, "CLUSTERMAP_DB": str(db_path())}
    with tempfile.TemporaryDirectory() as tmp, replicas.running(REPLICAS, run_dir=Path(tmp), env=env) as cluster:
        pids = [r.proc.pid for r in cluster.replicas]
        cpu0 = [_cpu_seconds(p) for p in pids]
        cpu_at_kill: dict[int, float] = {}
        rss_at_kill: dict[int, float] = {}

        def kill_one() -> None:
            cpu_at_kill[0] = _cpu_seconds(pids[0])
            rss_at_kill[0] = _peak_rss_mb(pids[0])
            cluster.kill(0)

        started = time.monotonic()
        tally = asyncio.run(_run(cluster.url, 2 * SESSIONS, kill_one if kill else None))
        elapsed = time.monotonic() - started
        extra = []
        for i, pid in enumerate(pids):
            cpu = cpu_at_kill.get(i, _cpu_seconds(pid)) - cpu0[i]
            rss = rss_at_kill.get(i, _peak_rss_mb(pid))
            note = f" (killed at {KILL_AT:g} s)" if i in cpu_at_kill else ""
            extra += [
                Figure("load", f"{name}: replica {i} CPU during the run{note}", cpu, "s"),
                Figure("load", f"{name}: replica {i} peak RSS", rss, "MB"),
            ]
        if kill:
            extra += [
                Figure("load", "kill: connections dropped by the killed replica", tally.dropped, "count"),
                Figure("load", "kill:   reconnected with the same view on the other replica", tally.recovered,
                       "count", "= dropped", tally.recovered == tally.dropped),
                Figure("load", "kill:   time to reconnect, p95",
                       float(np.percentile(tally.recover_seconds, 95)) * 1000 if tally.recover_seconds
                       else float("nan"), "ms"),
            ]  # fmt: skip
    return _figures(name, tally, elapsed, 2 * SESSIONS, extra)


def run() -> list[Figure]:
    figures = []
    for name in RUNS:
        if name == "single":
            figures += _single()
        elif name in ("replicas", "kill"):
            figures += _replicated(kill=name == "kill")
    return figures

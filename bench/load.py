"""Load: concurrent sessions on the app over Streamlit's websocket protocol, each changing controls with think time.

``python -m bench load`` starts the app on 127.0.0.1, runs ``SESSIONS`` simulated users for ``SECONDS`` and prints
the errors and the interaction latency (from sending a changed control to the end of the rerun, as in the other
benches). Each user opens a random page with a random link, then repeatedly waits (think time), picks a control
that is on screen and gives it another value; now and then they open another page (a new session, timed as a page
load). Bounded: every request has a timeout, the run stops at its deadline and the server is stopped.

Settings (environment): CLUSTERMAP_LOAD_SESSIONS (25), CLUSTERMAP_LOAD_SECONDS (60), CLUSTERMAP_LOAD_THINK
("1-5" seconds, uniform).
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field

import numpy as np

from bench.common import Figure, db_path, streamlit_server

SESSIONS = int(os.environ.get("CLUSTERMAP_LOAD_SESSIONS", "25"))
SECONDS = float(os.environ.get("CLUSTERMAP_LOAD_SECONDS", "60"))
THINK = tuple(float(x) for x in os.environ.get("CLUSTERMAP_LOAD_THINK", "1-5").split("-"))
REQUEST_TIMEOUT = 30.0
NAVIGATE = 0.12  # share of actions that open another page

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
    from bench.wsclient import Session

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
                tally.errors.append(f"/{page} {key}={value!r}: {type(exc).__name__}: {exc}"[:300])
                await session.close()
                session = None
                continue
            if seconds is not None:
                tally.latencies.append((page or "map", seconds))
            if session.exceptions:
                tally.errors.append(f"/{page} {key}={value!r}: {session.exceptions[0]}"[:300])
    finally:
        if session is not None:
            await session.close()


async def _run(url: str) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + SECONDS
    users = [asyncio.create_task(_user(i, url, deadline, tally)) for i in range(SESSIONS)]
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


def run() -> list[Figure]:
    env = {**os.environ, "CLUSTERMAP_DB": str(db_path())}
    with streamlit_server(["-m", "mapping.ui.serve"], env=env) as (server, url):
        started = time.monotonic()
        tally = asyncio.run(_run(url))
        elapsed = time.monotonic() - started
        rss = _peak_rss_mb(server.pid)
    lat = np.array([s for _, s in tally.latencies]) * 1000
    loads = np.array([s for _, s in tally.loads]) * 1000
    for message in tally.errors[:10]:
        print(f"  error: {message}")
    pages = sorted({p for p, _ in tally.latencies})
    for p in pages:
        xs = np.array([s for q, s in tally.latencies if q == p]) * 1000
        print(
            f"  {p:<11} {len(xs):>5} changes  p50 {np.percentile(xs, 50):7.0f} ms  p95 {np.percentile(xs, 95):7.0f} ms"
        )
    p50 = float(np.percentile(lat, 50)) if len(lat) else float("nan")
    p95 = float(np.percentile(lat, 95)) if len(lat) else float("nan")
    label = f"{SESSIONS} sessions x {SECONDS:g} s, think {THINK[0]:g}-{THINK[1]:g} s"
    return [
        Figure("load", f"{label}: control changes", len(lat), "count"),
        Figure("load", "page opens (new sessions)", len(loads), "count"),
        Figure("load", "errors (exceptions, timeouts, dropped connections)", len(tally.errors), "count", "0",
               not tally.errors),
        Figure("load", "interaction latency p50", p50, "ms"),
        Figure("load", "interaction latency p95", p95, "ms", "<= 1000 ms", p95 <= 1000),
        Figure("load", "page open p95", float(np.percentile(loads, 95)) if len(loads) else float("nan"), "ms"),
        Figure("load", "run time (stops by itself)", elapsed, "s"),
        Figure("load", "server peak RSS", rss, "MB"),
    ]  # fmt: skip

"""Browser latency: what a person waits for, measured in Chromium beside a bare one-selectbox page in the same run.

The server-side rerun (``bench map``) is not what a person sees. This bench drives Debian's Chromium (the one
the e2e tests use; headless, ``--disable-gpu``, so WebGL is drawn by the CPU) against the bare page
(``bench.common.BARE_PAGE``) and the app, served side by side on the real database by
``bench.common.bare_page_and_app``. Pages: the bare page, the map (``/``), clusters (``/clusters``, sector view),
the scoreboard (``/scoreboard``), related sectors (``/related``) and the region dashboard (``/region``; main figure:
its locator). Every time below is on the page's own clock (``performance.now()``, zero
at navigation start); viewport 1500 x 1400; requests to anything but 127.0.0.1 fail in the resolver.

What is measured
----------------
* **First paint**: a fresh browser context (empty HTTP cache, a new Streamlit session) navigates to the page.
  From navigation start to the first animation frame in which the page's main figure is drawn *and* the app
  is idle (the ``stApp`` root says ``notRunning``; no spinner, no status widget). Main figure: the page's first
  plotly chart (the choropleth on all three pages) has fired ``plotly_afterplot``; plotly fires it for a map
  only once maplibre has rendered with every source loaded (the geometry the figure names by URL included).
  Bare page: its selectbox and the line it writes are on screen. ``WARMUP`` untimed rounds first (server
  caches, Chromium's code cache), then ``REPS`` timed contexts per page; pages interleaved, so a load spike on
  the machine hits all pages alike. Median and p90.
* **Return visit**: the same, in a second tab of the same context right after (HTTP cache warm, new session).
* **Control change**: one tab per page, after its first paint. From the person's press on another option of
  the page's main control (``pointerdown`` on the option, its ``event.timeStamp``) to the first animation frame
  in which the main figure has fired ``plotly_afterplot`` with other data than before the press (a hash of its
  traces' values) and the app is idle. Bare page: the line it writes names the new option and the app is
  idle. Controls: map "Year", clusters "Year", scoreboard "Score", related and region dashboard "Region", bare
  "Year", cycling over the control's
  first three options. One untimed pass over them first (server caches warm, as on a server in use), then
  ``CHANGES`` timed changes per page, interleaved across pages, ``PAUSE_MS`` apart (a person's pace).

Where the time goes (per measurement, from the DevTools protocol and the page)
------------------------------------------------------------------------------
The total splits into three consecutive parts that add up to it:

* **before request**: from the start (navigation, or the press) to the browser sending the ``rerun_script``
  BackMsg over the websocket. First paint: HTML, the JS bundle and fonts, the websocket handshake. Change: the
  widget's own handling.
* **server script + transfer**: from that BackMsg to the arrival of the last ``script_finished`` ForwardMsg
  (network timestamps of the frames, parsed as Streamlit's protobufs). On 127.0.0.1 transfer is small; this is
  the server's run, as ``bench map`` sees it, plus any extra run the first one triggers.
* **browser after the script**: from there to the figure drawn (React, plotly and maplibre, and what they fetch
  first: the lazily loaded plotly chunk, the geometry files).

Beside them: **main-thread busy** (sum of Chromium's long animation frames, > 50 ms each, in the window: a
lower bound), split into script and style/layout, with the scripts that took longest; websocket messages and
bytes received (payload, uncompressed), the plotly figure messages' bytes; HTTP requests and bytes (encoded,
as transferred); script runs (``script_finished`` messages) and DOM elements at the end.

Settings (environment): CLUSTERMAP_BROWSER_REPS (5), CLUSTERMAP_BROWSER_CHANGES (6), CLUSTERMAP_CHROMIUM
(/usr/bin/chromium).
"""

from __future__ import annotations

import base64
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from bench import common
from bench.common import Figure, bare_page_and_app, db_path

REPS = int(os.environ.get("CLUSTERMAP_BROWSER_REPS", "5"))
CHANGES = int(os.environ.get("CLUSTERMAP_BROWSER_CHANGES", "6"))
WARMUP = 1  # untimed first-paint rounds (and an untimed pass over the control's options) before the timed ones
GOAL_RATIO = 1.5
PAUSE_MS = 500
POOL = 3  # options of the main control cycled over
TIMEOUT_MS = 120_000
CHROMIUM = common.CHROMIUM
CHROMIUM_ARGS = [*common.CHROMIUM_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
VIEWPORT = {"width": 1500, "height": 1400}
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    control: str  # the label of the main control's selectbox

    @property
    def bare(self) -> bool:
        return self.name == "bare"


TARGETS = (
    Target("bare", "/", "Year"),
    Target("map", "/", "Year"),
    Target("clusters", "/clusters", "Year"),
    Target("scoreboard", "/scoreboard", "Score"),
    Target("related", "/related", "Region"),
    Target("region", "/region", "Region"),
)

# Installed before any script of the page. It records every plotly_afterplot (time, which chart, a hash of the
# traces' values), presses on listbox options and long animation frames, and offers __bench.done(spec): the
# figure drawn (or the bare page's text shown) and the app idle, else false.
# Plotly's Events.init assigns gd.emit = function; an accessor on HTMLElement.prototype wraps that function,
# so even an afterplot emitted in the same task as the chart's creation is seen.
INIT_JS = r"""
(() => {
  if (window.__bench) return;
  const B = window.__bench = {plots: [], presses: [], loaf: []};
  const charts = () => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"]'));
  const hash = (s) => { let h = 0; for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0; return h; };
  const plain = (v) => (v && v.bdata) ? v.bdata : (ArrayBuffer.isView(v) ? Array.from(v) : v);
  const sig = (gd) => {
    const values = (t) => [plain(t.z), plain(t.x), plain(t.y), plain(t.locations)];
    try { return hash(JSON.stringify((gd.data || []).map(values))); } catch (e) { return 0; }
  };
  const wrap = (gd, fn) => function (ev) {
    if (ev === 'plotly_afterplot') {
      const box = gd.closest('[data-testid="stPlotlyChart"]');
      B.plots.push({t: performance.now(), chart: box ? charts().indexOf(box) : -1, sig: sig(gd)});
    }
    return fn.apply(this, arguments);
  };
  Object.defineProperty(HTMLElement.prototype, 'emit', {
    configurable: true,
    get() { return this.__benchEmit; },
    set(fn) { this.__benchEmit = typeof fn === 'function' ? wrap(this, fn) : fn; },
  });
  addEventListener('pointerdown', (e) => {
    if (e.target.closest && e.target.closest('[role="option"]')) B.presses.push(e.timeStamp);
  }, true);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) B.loaf.push({
        start: e.startTime, duration: e.duration, style: e.styleAndLayoutStart || 0,
        scripts: (e.scripts || []).map(s => ({duration: s.duration, source: s.sourceURL || ''})),
      });
    }).observe({type: 'long-animation-frame', buffered: true});
  } catch (e) { B.noLoaf = true; }
  B.done = (spec) => {
    if (!document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]')) return false;
    if (document.querySelector('[data-testid="stSpinner"], [data-testid="stStatusWidget"]')) return false;
    const t0 = spec.change ? B.presses[0] : 0;
    if (t0 === undefined) return false;
    const end = {t: performance.now(), t0, charts: charts().length, dom: document.getElementsByTagName('*').length};
    if (spec.figure) {
      const before = B.plots.filter(p => p.chart === 0 && p.t < t0).pop();
      const drawn = B.plots.find(p => p.chart === 0 && p.t >= t0 && (!before || p.sig !== before.sig));
      return drawn ? {...end, paint: drawn.t} : false;
    }
    if (!document.querySelector('[data-testid="stSelectbox"]')) return false;
    const texts = Array.from(document.querySelectorAll('[data-testid="stMarkdownContainer"]'), e => e.innerText.trim());
    return texts.some(x => spec.text ? x === spec.text : x.startsWith('chosen ')) ? {...end, paint: end.t} : false;
  };
})();
"""


# --------------------------------------------------------------------------- records and the breakdown (pure)


@dataclass
class WsFrame:
    t: float  # ms on the page clock (network arrival / departure)
    sent: bool
    size: int  # payload bytes
    kind: str  # BackMsg / ForwardMsg type: rerun_script, delta, script_finished ...
    detail: str = ""  # script_finished status; a delta's element type (plotly_chart ...)


@dataclass
class Fetch:
    url: str
    start: float  # ms on the page clock
    end: float | None = None
    encoded: int = 0  # bytes as transferred (headers included)
    decoded: int = 0  # body bytes after decoding

    @property
    def name(self) -> str:
        return short_name(self.url)


@dataclass
class LongFrame:
    start: float
    duration: float
    style: float = 0.0  # style-and-layout start, 0 if none
    scripts: list[tuple[float, str]] = field(default_factory=list)  # (ms, source)


def short_name(url: str) -> str:
    """``http://h/static/js/PlotlyChart.D9Z0_fxz.js`` -> ``PlotlyChart.js``; other URLs keep their path."""
    path = url.split("?")[0].split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else "/"
    base = path.rsplit("/", 1)[-1]
    parts = base.split(".")
    if path.startswith("/static/") and len(parts) >= 3:  # Streamlit's hashed bundles: name.<hash>.ext
        return f"{parts[0]}.{parts[-1]}"
    return path or url


def describe(payload: bytes, *, sent: bool) -> tuple[str, str]:
    """(type, detail) of a websocket payload: a BackMsg if sent, else a ForwardMsg."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        if sent:
            return BackMsg.FromString(payload).WhichOneof("type") or "", ""
        msg = ForwardMsg.FromString(payload)
    except Exception:  # not a Streamlit protobuf
        return "?", ""
    kind = msg.WhichOneof("type") or ""
    if kind == "script_finished":
        return kind, ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
    if kind == "delta":
        which = msg.delta.WhichOneof("type") or ""
        if which == "new_element":
            return kind, msg.delta.new_element.WhichOneof("type") or ""
        return kind, which
    return kind, ""


@dataclass
class Breakdown:
    total: float
    before_request: float
    server: float
    browser: float
    paint: float  # the main figure's afterplot (or the bare text), from the start
    runs: int
    ws_in: int
    ws_in_bytes: int
    figure_bytes: int
    http_requests: int
    http_bytes: int
    busy: float
    busy_script: float
    busy_layout: float
    dom: int = 0
    scripts: dict[str, float] = field(default_factory=dict)  # source -> ms in long frames
    fetches: list[Fetch] = field(default_factory=list)  # HTTP requests started in the window
    finished_at: float = 0.0  # the last script_finished, from the start
    cpu: dict[str, float] = field(default_factory=dict)  # Chromium's CPU ms in the window, by process type

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())


NUMERIC = (
    "total",
    "before_request",
    "server",
    "browser",
    "paint",
    "runs",
    "ws_in",
    "ws_in_bytes",
    "figure_bytes",
    "http_requests",
    "http_bytes",
    "busy",
    "busy_script",
    "busy_layout",
    "dom",
)


def breakdown(
    start: float,
    done: float,
    *,
    paint: float,
    frames: list[WsFrame],
    fetches: list[Fetch],
    long_frames: list[LongFrame],
    dom: int = 0,
) -> Breakdown:
    """Split the wait from ``start`` to ``done`` (page-clock ms) into before request / server / browser, and
    count what travelled and what kept the main thread busy in that window."""
    window = [f for f in frames if start <= f.t <= done]
    request = next((f.t for f in window if f.sent and f.kind == "rerun_script"), start)
    finished = [f for f in window if not f.sent and f.kind == "script_finished" and f.t >= request]
    finish = finished[-1].t if finished else request
    incoming = [f for f in window if not f.sent]
    http = [f for f in fetches if start <= f.start <= done and f.url.startswith("http")]
    busy = script = layout = 0.0
    scripts: dict[str, float] = defaultdict(float)
    for lf in long_frames:
        if not start <= lf.start <= done:
            continue
        end = min(lf.start + lf.duration, done)
        busy += end - lf.start
        if lf.style:
            layout += max(0.0, end - lf.style)
        for ms, source in lf.scripts:
            script += ms
            scripts[short_name(source) if source else "(no source)"] += ms
    return Breakdown(
        total=done - start,
        before_request=request - start,
        server=finish - request,
        browser=done - finish,
        paint=paint - start,
        runs=len(finished),
        ws_in=len(incoming),
        ws_in_bytes=sum(f.size for f in incoming),
        figure_bytes=sum(f.size for f in incoming if f.detail == "plotly_chart"),
        http_requests=len(http),
        http_bytes=sum(f.encoded for f in http),
        busy=busy,
        busy_script=script,
        busy_layout=layout,
        dom=dom,
        scripts=dict(scripts),
        fetches=http,
        finished_at=finish - start,
    )


def next_option(pool: list[str], current: str) -> str:
    """The option after ``current`` in ``pool`` (wrapping round), never ``current`` itself when the pool has
    another; the pool's first option when ``current`` is not in it."""
    if current not in pool:
        return pool[0]
    i = pool.index(current)
    return next((o for o in pool[i + 1 :] + pool[:i] if o != current), current)


def median_p90(values: list[float]) -> tuple[float, float]:
    arr = np.asarray(values, dtype=float)
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 90))


def median_breakdown(items: list[Breakdown]) -> Breakdown:
    """The run whose total is the median (lower middle for an even count): its parts add up to its total."""
    ordered = sorted(items, key=lambda b: b.total)
    return ordered[(len(ordered) - 1) // 2]


def ratio_figures(area: str, what: str, page: list[float], bare: list[float]) -> list[Figure]:
    """Median and p90 of a page beside the bare page's, and the ratio of medians against the goal."""
    m, p = median_p90(page)
    bm, _ = median_p90(bare)
    ratio = m / bm if bm else float("inf")
    return [
        Figure(area, f"{what} median (n={len(page)})", m, "ms"),
        Figure(area, f"{what} p90", p, "ms"),
        Figure(area, f"{what} median / bare median", ratio, "x", f"<= {GOAL_RATIO}x", ratio <= GOAL_RATIO),
    ]


# --------------------------------------------------------------------------- the browser side


class Recorder:
    """DevTools-protocol listener of one tab: websocket frames (parsed), HTTP requests, the navigation start."""

    def __init__(self, context, page) -> None:
        self.page = page
        self.cdp = context.new_cdp_session(page)
        self._frames: list[tuple[float, bool, bytes]] = []
        self._requests: dict[str, dict[str, Any]] = {}
        self.outside: list[str] = []
        self.cdp.on("Network.webSocketFrameSent", lambda e: self._frame(e, sent=True))
        self.cdp.on("Network.webSocketFrameReceived", lambda e: self._frame(e, sent=False))
        self.cdp.on("Network.requestWillBeSent", self._request)
        self.cdp.on("Network.dataReceived", self._data)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")
        self.cdp.send("Performance.enable")
        self.nav_start = 0.0

    def _frame(self, e: dict, *, sent: bool) -> None:
        r = e["response"]
        payload = base64.b64decode(r["payloadData"]) if r.get("opcode") == 2 else r["payloadData"].encode()
        self._frames.append((e["timestamp"], sent, payload))

    def _request(self, e: dict) -> None:
        url = e["request"]["url"]
        if not url.startswith(LOCAL):
            self.outside.append(url)
        self._requests.setdefault(e["requestId"], {"url": url, "start": e["timestamp"], "decoded": 0})

    def _data(self, e: dict) -> None:
        if e["requestId"] in self._requests:
            self._requests[e["requestId"]]["decoded"] += e.get("dataLength", 0)

    def _finished(self, e: dict) -> None:
        if e["requestId"] in self._requests:
            self._requests[e["requestId"]].update(end=e["timestamp"], encoded=int(e.get("encodedDataLength", 0)))

    def mark_navigation(self) -> None:
        """Read the monotonic time of the current document's navigation start (the page clock's zero)."""
        metrics = {m["name"]: m["value"] for m in self.cdp.send("Performance.getMetrics")["metrics"]}
        self.nav_start = metrics["NavigationStart"]

    def ms(self, timestamp: float) -> float:
        return (timestamp - self.nav_start) * 1000

    def frames(self) -> list[WsFrame]:
        out = []
        for ts, sent, payload in self._frames:
            kind, detail = describe(payload, sent=sent)
            out.append(WsFrame(self.ms(ts), sent, len(payload), kind, detail))
        return out

    def fetches(self) -> list[Fetch]:
        return [
            Fetch(
                r["url"],
                self.ms(r["start"]),
                self.ms(r["end"]) if "end" in r else None,
                r.get("encoded", 0),
                r["decoded"],
            )
            for r in self._requests.values()
        ]

    def long_frames(self) -> list[LongFrame]:
        raw = self.page.evaluate("() => window.__bench.loaf")
        return [
            LongFrame(x["start"], x["duration"], x["style"], [(s["duration"], s["source"]) for s in x["scripts"]])
            for x in raw
        ]


class CpuMeter:
    """CPU time of every Chromium process (browser, renderers, GPU, utilities) from the browser's DevTools
    session. Unlike the waits, it hardly grows when other work on the machine competes for the cores."""

    def __init__(self, browser) -> None:
        self.cdp = browser.new_browser_cdp_session()

    def sample(self) -> dict[int, tuple[str, float]]:
        info = self.cdp.send("SystemInfo.getProcessInfo")["processInfo"]
        return {p["id"]: (p["type"], p["cpuTime"]) for p in info}

    def since(self, before: dict[int, tuple[str, float]]) -> dict[str, float]:
        """CPU ms spent since ``before``, by process type (a process started since counts from zero; one
        that has ended since is left out)."""
        spent: dict[str, float] = defaultdict(float)
        for pid, (kind, seconds) in self.sample().items():
            spent[kind] += max(0.0, seconds - before.get(pid, (kind, 0.0))[1]) * 1000
        return dict(spent)


def _wait_done(page, spec: dict) -> dict:
    handle = page.wait_for_function("(spec) => window.__bench.done(spec)", arg=spec, polling="raf", timeout=TIMEOUT_MS)
    return handle.json_value()


def _measure_load(context, url: str, target: Target, meter: CpuMeter) -> tuple[Breakdown, Recorder]:
    cpu_before = meter.sample()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    rec = Recorder(context, page)
    page.goto(url + target.path, wait_until="commit")
    end = _wait_done(page, {"figure": not target.bare, "change": False, "text": None})
    cpu = meter.since(cpu_before)
    rec.mark_navigation()
    b = breakdown(
        0.0,
        end["t"],
        paint=end["paint"],
        frames=rec.frames(),
        fetches=rec.fetches(),
        long_frames=rec.long_frames(),
        dom=end["dom"],
    )
    b.cpu = cpu
    return b, rec


def _options(page, label: str) -> tuple[str, list[str]]:
    """The control's current value and its first POOL options (as displayed)."""
    box = page.get_by_role("combobox", name=label)
    current = box.input_value()
    box.click()
    options = page.get_by_role("option")
    options.first.wait_for()
    texts = [t.strip() for t in options.all_inner_texts()][:POOL]
    page.keyboard.press("Escape")
    page.get_by_role("option").first.wait_for(state="detached")
    return current, texts


def _change(page, rec: Recorder, target: Target, option: str, meter: CpuMeter) -> Breakdown:
    page.get_by_role("combobox", name=target.control).click()
    choice = page.get_by_role("option", name=option, exact=True)
    choice.wait_for()
    page.evaluate("() => { window.__bench.presses = []; }")
    cpu_before = meter.sample()
    choice.click()
    end = _wait_done(page, {"figure": not target.bare, "change": True, "text": f"chosen {option}"})
    cpu = meter.since(cpu_before)
    b = breakdown(
        end["t0"],
        end["t"],
        paint=end["paint"],
        frames=rec.frames(),
        fetches=rec.fetches(),
        long_frames=rec.long_frames(),
        dom=end["dom"],
    )
    b.cpu = cpu
    return b


@dataclass
class Results:
    first: dict[str, list[Breakdown]] = field(default_factory=lambda: defaultdict(list))
    revisit: dict[str, list[Breakdown]] = field(default_factory=lambda: defaultdict(list))
    change: dict[str, list[Breakdown]] = field(default_factory=lambda: defaultdict(list))
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # measurements that timed out (left out of the figures)


def _new_tab(browser, url: str, target: Target, meter: CpuMeter) -> tuple[Any, Breakdown, Recorder]:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INIT_JS)
    try:
        b, rec = _measure_load(context, url, target, meter)
    except Exception:
        context.close()
        raise
    return context, b, rec


def _first_paints(browser, url_of: dict[str, str], targets, *, reps: int, warmup: int, res: Results) -> None:
    meter = CpuMeter(browser)
    """``warmup`` untimed rounds, then ``reps`` rounds; a round loads every target once in a fresh context
    (first paint), then again in a second tab of that context (return visit)."""
    for rep in range(warmup + reps):
        for target in targets:
            print(f"  browser: first paint {target.name} #{rep}", file=sys.stderr, flush=True)
            try:
                context, first, rec = _new_tab(browser, url_of[target.name], target, meter)
            except PlaywrightTimeout:
                res.failed.append(f"first paint {target.name} #{rep}")
                continue
            try:
                again, rec2 = _measure_load(context, url_of[target.name], target, meter)
                res.outside += rec.outside + rec2.outside
            except PlaywrightTimeout:
                res.failed.append(f"return visit {target.name} #{rep}")
                continue
            finally:
                context.close()
            if rep >= warmup:  # the warm-up rounds fill the servers' caches and Chromium's code cache
                res.first[target.name].append(first)
                res.revisit[target.name].append(again)


def _control_changes(browser, url_of: dict[str, str], targets, *, changes: int, warmup: bool, res: Results) -> None:
    """One tab per target; ``changes`` timed changes of its main control, interleaved across targets, after an
    untimed pass over the options (``warmup``) that fills the server's caches for them."""
    meter = CpuMeter(browser)
    tabs = []
    try:
        for target in targets:
            context, _, rec = _new_tab(browser, url_of[target.name], target, meter)
            tabs.append((target, context, rec))
        state = {}
        for target, _, rec in tabs:
            state[target.name] = _options(rec.page, target.control)
        untimed = POOL if warmup else 0
        for i in range(untimed + changes):
            for target, _, rec in tabs:
                current, pool = state[target.name]
                option = next_option(pool, current)
                print(f"  browser: change {target.name} -> {option}", file=sys.stderr, flush=True)
                try:
                    b = _change(rec.page, rec, target, option, meter)
                except PlaywrightTimeout:
                    res.failed.append(f"change {target.name} -> {option}")
                    rec.page.keyboard.press("Escape")
                    state[target.name] = _options(rec.page, target.control)
                    continue
                if i >= untimed:
                    res.change[target.name].append(b)
                state[target.name] = (option, pool)
                rec.page.wait_for_timeout(PAUSE_MS)  # a person's pace between two changes, not a wait for state
    finally:
        for _, context, rec in tabs:
            res.outside += rec.outside
            context.close()


def measure(
    bare_url: str,
    app_url: str,
    *,
    targets: tuple[Target, ...] = TARGETS,
    reps: int = REPS,
    changes: int = CHANGES,
    warmup: int = WARMUP,
) -> Results:
    """First paints, return visits and control changes of ``targets`` in one Chromium (see the module doc)."""
    from playwright.sync_api import sync_playwright

    res = Results()
    url_of = {t.name: bare_url if t.bare else app_url for t in targets}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            _first_paints(browser, url_of, targets, reps=reps, warmup=warmup, res=res)
            _control_changes(browser, url_of, targets, changes=changes, warmup=warmup > 0, res=res)
        finally:
            browser.close()
    return res


# --------------------------------------------------------------------------- report


def _kb(n: float) -> str:
    return f"{n / 1024:,.0f}"


def _fetch_list(fetches: list[Fetch]) -> str:
    return ", ".join(f"{f.name} {_kb(f.encoded)} KB @{f.start:.0f}-{(f.end or 0):.0f}" for f in fetches) or "-"


def print_breakdown(res: Results) -> None:
    """One row per page and measurement (the median run), then what filled the browser's part of it."""
    head = (
        f"{'page':<11}{'measure':<13}{'total':>7}{'before':>8}{'server':>8}{'browser':>8}{'paint':>7}"
        f"{'busy':>7}{'script':>7}{'layout':>7}{'runs':>5}{'ws msgs':>8}{'ws KB':>7}{'fig KB':>7}"
        f"{'http':>5}{'http KB':>8}{'DOM':>6}{'CPU':>7}{'rend.':>7}{'GPU':>7}"
    )
    print(
        "\nBrowser breakdown (median run; ms unless noted; before+server+browser = total; CPU: Chromium's CPU ms"
        " in the window, all processes, then the renderers' and the GPU process's share)"
    )
    print(head)
    print("-" * len(head))
    sections = (("first paint", res.first), ("return visit", res.revisit), ("change", res.change))
    for target in TARGETS:
        for what, data in sections:
            if not data.get(target.name):
                continue
            b = median_breakdown(data[target.name])
            print(
                f"{target.name:<11}{what:<13}{b.total:>7.0f}{b.before_request:>8.0f}{b.server:>8.0f}{b.browser:>8.0f}"
                f"{b.paint:>7.0f}{b.busy:>7.0f}{b.busy_script:>7.0f}{b.busy_layout:>7.0f}{b.runs:>5}{b.ws_in:>8}"
                f"{_kb(b.ws_in_bytes):>7}{_kb(b.figure_bytes):>7}{b.http_requests:>5}{_kb(b.http_bytes):>8}"
                f"{b.dom:>6}{b.cpu_total:>7.0f}{b.cpu.get('renderer', 0):>7.0f}{b.cpu.get('GPU', 0):>7.0f}"
            )
    print("\nDetails of the median runs")
    for target in TARGETS:
        for what, data in sections:
            if not data.get(target.name):
                continue
            b = median_breakdown(data[target.name])
            top = sorted(b.scripts.items(), key=lambda kv: -kv[1])[:4]
            scripts = ", ".join(f"{name} {ms:.0f}" for name, ms in top) or "-"
            big = sorted(b.fetches, key=lambda f: -f.encoded)[:4]
            late = [f for f in b.fetches if f.end is None or f.end > b.finished_at]
            print(f"  {target.name} {what}: long-frame scripts (ms): {scripts}")
            print(f"  {target.name} {what}: largest HTTP (KB, from-to ms): {_fetch_list(big)}")
            if late:
                print(f"  {target.name} {what}: HTTP still loading after the script finished: {_fetch_list(late[:6])}")


def figures(res: Results) -> list[Figure]:
    out: list[Figure] = []
    sections = (
        ("first paint", res.first, True),
        ("return visit first paint", res.revisit, False),
        ("control change", res.change, True),
    )
    for what, data, goal in sections:
        bare = [b.total for b in data.get("bare", [])]
        if not bare:
            continue
        m, p = median_p90(bare)
        out.append(Figure("browser", f"bare: {what} median (n={len(bare)})", m, "ms"))
        out.append(Figure("browser", f"bare: {what} p90", p, "ms"))
        for target in TARGETS[1:]:
            page = [b.total for b in data.get(target.name, [])]
            if not page:
                continue
            rows = ratio_figures("browser", f"{target.name}: {what}", page, bare)
            if not goal:  # informative: no goal was set for a return visit
                rows[-1].goal, rows[-1].ok = "", None
            out += rows
            mb = median_breakdown(data[target.name])
            out.append(
                Figure(
                    "browser",
                    f"{target.name}: {what}: before request / server+transfer / browser (median run)",
                    mb.total,
                    "ms",
                    f"{mb.before_request:.0f} / {mb.server:.0f} / {mb.browser:.0f}",
                )
            )
            # CPU hardly grows with the machine's load, so it tells a slower page from a busier machine.
            cpu, _ = median_p90([b.cpu_total for b in data[target.name]])
            bare_cpu, _ = median_p90([b.cpu_total for b in data["bare"]])
            times = f"{cpu / bare_cpu:.1f}x bare" if bare_cpu else ""
            out.append(
                Figure("browser", f"{target.name}: {what}: Chromium CPU median (all processes)", cpu, "ms", times)
            )
    return out


def run(
    *, targets: tuple[Target, ...] = TARGETS, reps: int = REPS, changes: int = CHANGES, warmup: int = WARMUP
) -> list[Figure]:
    path = db_path()
    env = {**os.environ, "CLUSTERMAP_DB": str(path)}
    load_before = os.getloadavg()
    with bare_page_and_app(env) as (bare_url, app_url):
        res = measure(bare_url, app_url, targets=targets, reps=reps, changes=changes, warmup=warmup)
    load_after = os.getloadavg()
    print(
        f"browser bench: {os.cpu_count()} cores; load average (1/5/15 min) before "
        f"{' '.join(f'{x:.2f}' for x in load_before)}, after {' '.join(f'{x:.2f}' for x in load_after)}"
    )
    if res.failed:
        print(f"browser bench: {len(res.failed)} measurements timed out after {TIMEOUT_MS / 1000:.0f} s: {res.failed}")
    if res.outside:
        print(f"browser bench: requests tried to leave the machine: {sorted(set(res.outside))[:5]}")
    print_breakdown(res)
    return figures(res)

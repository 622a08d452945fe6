"""A minimal asyncio client for Streamlit's own websocket protocol, for timing reruns and load tests.

It speaks to a running app the way the browser frontend does, without a browser: no HTML, JS or
rendering, only the protobuf stream. Usage::

    async with await Session.open("http://127.0.0.1:8611", query="year=2022") as s:
        print(s.widgets["w_year"].options, s.widgets["w_year"].value)
        seconds = await s.set_value("w_year", "2021")
        assert not s.exceptions

Protocol, as captured from Chromium against Streamlit 1.67 (Starlette/uvicorn server) and checked
against ``streamlit/web/server/starlette/starlette_websocket.py`` and ``runtime/app_session.py``:

* Before connecting, the frontend GETs ``/_stcore/health`` and ``/_stcore/host-config`` (``preflight``
  repeats those two; static assets are not fetched). It then opens ``ws(s)://<host>/<base>/_stcore/stream``
  with ``Sec-WebSocket-Protocol: streamlit, <xsrf token>`` (the header is reused to carry the XSRF
  cookie's value, and a third entry to resume a session id); the server selects ``streamlit``. The XSRF
  token only unlocks ``st.user`` auth cookies, so this client sends just ``streamlit``. ``Origin`` is the
  page's origin (same-origin passes the check). All frames are binary protobufs; text frames are refused.
* Client -> server: ``BackMsg`` with ``rerun_script`` = ``ClientState``. The first one, right after the
  handshake, carries ``query_string`` (URL query without ``?``), ``page_name`` (the URL path below the
  base, e.g. ``"home"``; empty for ``/``), empty ``widget_states`` and ``context_info`` (timezone, locale,
  url, is_embedded, color_scheme). Later reruns carry ``page_script_hash`` instead of ``page_name`` (the
  browser takes it from the ``navigation`` message, else from ``new_session``), the query string as last
  set by ``page_info_changed`` (``st.query_params`` writes), and the state of every widget of the last
  run: the full set, not a diff. Values are the *displayed* strings: selectbox/radio ``string_value`` =
  formatted option (not the index), segmented control/pills/multiselect ``string_array_value``,
  checkbox ``bool_value``, number_input ``double_value``, slider ``double_array_value``, file_uploader an
  empty ``file_uploader_state_value``; buttons send ``trigger_value`` only in the rerun they trigger. A
  widget's value in the frontend is its ``default`` until the server sends ``set_value`` (+ ``raw_value``,
  ``value`` ...) in the widget's delta, or the user changes it. The browser also lists the hashes of
  ForwardMsgs it has cached (``cached_message_hashes``) so the server can send a ``ref_hash`` instead;
  this client caches nothing and sends none, so it always receives every message in full (an upper bound
  on the bytes a browser would get).
* Server -> client: ``ForwardMsg``. Each script run starts with ``new_session`` (``metadata.run.script_run_id``;
  also sent for fragment runs, with ``fragment_ids``), then ``session_status_changed`` (running), and
  ``page_config_changed`` / ``navigation`` / ``page_info_changed`` / ``delta`` messages (``metadata.delta_path``
  locates an element; ``delta.new_element`` / ``add_block`` / ``new_transient``; widgets carry ids like
  ``$$ID-<hash>-<user key>`` with ``None`` as the key of unkeyed widgets). A run ends with
  ``script_finished``: FINISHED_SUCCESSFULLY (also when the script raised: that is an ``exception``
  element), FINISHED_FRAGMENT_RUN_SUCCESSFULLY, FINISHED_EARLY_FOR_RERUN (``st.rerun``/a newer request:
  another ``new_session`` follows) or FINISHED_WITH_COMPILE_ERROR (followed by a ``session_event`` carrying
  ``script_compilation_exception``). After a finished run the frontend drops elements (and widget states)
  that the run did not write, which is what ``widgets``/``texts``/``exceptions`` mirror here.

A timing (``open_seconds``, ``rerun``, ``set_value``) runs from just before the BackMsg is sent to the
receipt of the ``script_finished`` that ends a run started after the send: successful (or, for a
fragment rerun, the fragment's success). FINISHED_EARLY_FOR_RERUN keeps waiting; a compile error raises
:class:`RunFailed`. Every status seen is listed in ``statuses``; other ForwardMsg types (``page_not_found``,
``auto_rerun``, ``parent_message`` ...) are listed in ``events``. Not rendered, not counted: the browser's
own work after ``script_finished`` (React, deck.gl), media/static fetches.

Latency floor, measured on Linux: a run of a trivial app takes ~40-50 ms as seen by any client (this
one and Chromium alike) and ~85 ms when the next request follows the previous run's end within ~40 ms.
Streamlit's listening socket is made with ``socket.socket(family)`` (proto 0), so asyncio does not set
TCP_NODELAY on accepted connections; but forcing TCP_NODELAY on them (re-wrapping the listening socket as
IPPROTO_TCP) did not lower the floor in our test, so the cause is not settled. Users never click that
fast, so requests keep ``min_gap`` (50 ms, untimed) after the previous run by default, and benchmarks
report the map page next to a bare page measured the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

STATUS_NAMES: dict[int, str] = {number: name for name, number in ForwardMsg.ScriptFinishedStatus.items()}
_SUCCESS = ForwardMsg.FINISHED_SUCCESSFULLY
_FRAGMENT_SUCCESS = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
_COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR

# Elements whose text lands in ``Session.texts`` (st.write of a string is markdown).
_TEXT_KINDS = ("markdown", "text", "heading", "alert")
# Widgets this client can neither read nor set: listed in ``widgets`` with value None, never sent.
_OPAQUE_WIDGETS = frozenset(
    {
        "audio_input",
        "bidi_component",
        "camera_input",
        "chat_input",
        "component_instance",
        "date_input",
        "date_time_input",
        "feedback",
        "menu_button",
        "pagination",
        "time_input",
    }
)
_TRIGGER_WIDGETS = frozenset({"button", "download_button"})
_READABLE_WIDGETS = frozenset(
    {
        "button_group",
        "checkbox",
        "color_picker",
        "multiselect",
        "number_input",
        "radio",
        "selectbox",
        "slider",
        "text_area",
        "text_input",
    }
)
_WIDGETS = _READABLE_WIDGETS | _OPAQUE_WIDGETS | _TRIGGER_WIDGETS | {"file_uploader"}
_UNSET = object()


class RunFailed(RuntimeError):
    """The script did not finish successfully (compile error), or the connection dropped mid-run."""


class ConnectionLost(RunFailed):
    """The connection closed under a run: the server went away."""


@dataclass
class WidgetInfo:
    """A widget of the last run, as the browser would hold it."""

    key: str  # the user key; the full id for widgets created without a key
    id: str
    type: str  # the Element field: "selectbox", "button_group" (segmented control, pills), "checkbox" ...
    label: str = ""
    options: list[str] = field(default_factory=list)  # as displayed (formatted) strings
    value: Any = None  # what the browser would send: option string(s), bool, number, text; None = unset
    multi: bool = False  # value is a list (multiselect, multi-select pills, select range)
    form_id: str = ""
    fragment_id: str = ""
    disabled: bool = False
    defers: bool = False  # a change is sent with the next rerun only (in a form, or on_change="ignore")
    accepts_new: bool = False  # selectbox/multiselect with accept_new_options


@dataclass
class RunStats:
    """Figures of the last run this client waited for."""

    seconds: float = 0.0
    messages: int = 0
    bytes: int = 0
    first_delta_seconds: float | None = None


@dataclass
class _Node:
    run_id: str
    fragment_id: str
    kind: str
    widget: WidgetInfo | None = None
    text: str | None = None
    exception: str | None = None


def _single(values: list[Any]) -> Any:
    return values[0] if values else None


def _read_widget(kind: str, p: Any) -> tuple[list[str], bool, Any, Any]:
    """(options, multi, default value, value the server set or _UNSET) of a widget proto."""
    if kind in ("selectbox", "radio"):
        options = list(p.options)
        default = options[p.default] if p.HasField("default") and 0 <= p.default < len(options) else None
        server = (p.raw_value if p.HasField("raw_value") else None) if p.set_value else _UNSET
        return options, False, default, server
    if kind == "multiselect":
        options = list(p.options)
        default = [options[i] for i in p.default if 0 <= i < len(options)]
        return options, True, default, list(p.raw_values) if p.set_value else _UNSET
    if kind == "button_group":
        options = [o.content for o in p.options]
        multi = p.click_mode == p.MULTI_SELECT
        default = [options[i] for i in p.default if 0 <= i < len(options)]
        server = list(p.raw_values) if p.set_value else _UNSET
        if not multi:
            default = _single(default)
            server = server if server is _UNSET else _single(server)
        return options, multi, default, server
    if kind in ("checkbox", "color_picker"):
        return [], False, p.default, p.value if p.set_value else _UNSET
    if kind in ("text_input", "text_area", "number_input"):
        default = p.default if p.HasField("default") else None
        server = (p.value if p.HasField("value") else None) if p.set_value else _UNSET
        if kind == "number_input" and p.data_type == p.INT:
            default = None if default is None else int(default)
            server = server if server is _UNSET or server is None else int(server)
        return [], False, default, server
    if kind == "slider":
        if p.type == p.SELECT_SLIDER:
            options = list(p.options)
            default = [options[int(i)] for i in p.default if 0 <= int(i) < len(options)]
            server = list(p.raw_value) if p.set_value else _UNSET
        else:
            options = []
            number = int if p.data_type == p.INT else float
            default = [number(v) for v in p.default]
            server = [number(v) for v in p.value] if p.set_value else _UNSET
        multi = len(p.default) > 1
        if not multi:
            default = _single(default)
            server = server if server is _UNSET else _single(server)
        return options, multi, default, server
    return [], False, None, _UNSET


def _encode(info: WidgetInfo, ws: WidgetState) -> bool:
    """Fill ``ws`` with the widget's value as the browser encodes it; False when nothing is sent."""
    kind, value = info.type, info.value
    if kind == "file_uploader":
        ws.file_uploader_state_value.SetInParent()  # no files: the browser sends an empty state
        return True
    if value is None and kind not in ("button_group", "multiselect"):
        return False
    if kind in ("selectbox", "radio", "text_input", "text_area", "color_picker"):
        ws.string_value = value
    elif kind == "checkbox":
        ws.bool_value = bool(value)
    elif kind == "number_input":
        ws.double_value = float(value)
    elif kind in ("multiselect", "button_group"):
        values = value if info.multi else ([] if value is None else [value])
        ws.string_array_value.data[:] = values
        ws.string_array_value.SetInParent()
    elif kind == "slider":
        values = list(value) if info.multi else [value]
        if info.options:  # select_slider
            ws.string_array_value.data[:] = values
        else:
            ws.double_array_value.data[:] = [float(v) for v in values]
    else:
        return False
    return True


def _check_value(info: WidgetInfo, value: Any) -> Any:
    """Validate a value for ``set_value``; returns it normalised (lists for multi widgets)."""
    kind = info.type

    def check_option(v: Any) -> None:
        if not isinstance(v, str):
            raise TypeError(f"{info.key}: options are set by their displayed string, got {v!r}")
        if info.options and v not in info.options and not info.accepts_new:
            raise ValueError(f"{info.key}: {v!r} is not one of {info.options}")

    if kind in _OPAQUE_WIDGETS or kind in _TRIGGER_WIDGETS or kind == "file_uploader":
        raise NotImplementedError(f"{info.key}: setting a {kind} is not supported (buttons: use click())")
    if kind in ("selectbox", "radio") or (kind == "button_group" and not info.multi):
        if value is not None:
            check_option(value)
        return value
    if kind in ("multiselect", "button_group"):
        values = list(value)
        for v in values:
            check_option(v)
        return values
    if kind == "slider":
        values = list(value) if info.multi else [value]
        for v in values:
            if info.options:
                check_option(v)
            elif not isinstance(v, int | float):
                raise TypeError(f"{info.key}: slider values are numbers, got {v!r}")
        return values if info.multi else values[0]
    if kind == "checkbox":
        return bool(value)
    if kind == "number_input":
        if value is not None and not isinstance(value, int | float):
            raise TypeError(f"{info.key}: expected a number, got {value!r}")
        return value
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{info.key}: expected a string, got {value!r}")
    return value


async def http_get(base_url: str, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """A plain HTTP/1.1 GET (status, body); keeps this module free of an HTTP client dependency."""
    parts = urlsplit(base_url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = parts.path.rstrip("/") + "/" + path.lstrip("/")

    async def fetch() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection(host, port, ssl=parts.scheme == "https" or None)
        try:
            request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n"
            writer.write(request.encode())
            await writer.drain()
            data = await reader.read()
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body

    return await asyncio.wait_for(fetch(), timeout)


async def wait_until_healthy(base_url: str, timeout: float = 30.0) -> None:
    """Poll ``/_stcore/health`` until it answers 200 (raises TimeoutError)."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError, asyncio.TimeoutError, ValueError, IndexError):
            status, _ = await http_get(base_url, "_stcore/health", timeout=2.0)
            if status == 200:
                return
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base_url} not healthy after {timeout} s")
        await asyncio.sleep(0.2)


class Session:
    """One browser-like session on a Streamlit app: ``await Session.open(...)``, then set widgets."""

    def __init__(self, base_url: str, *, page: str = "", query: str = "", timeout: float = 60.0) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"base_url must be http(s)://host[:port][/base], got {base_url!r}")
        self.base_url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.page = page.strip("/")
        self.timeout = timeout
        self.query_string = query.lstrip("?")  # sent with each rerun; updated by page_info_changed
        self.page_script_hash = ""
        self.session_id = ""
        self.widgets: dict[str, WidgetInfo] = {}  # user key (or id, if unkeyed) -> widget of the last run
        self.texts: list[str] = []  # markdown/text/heading/alert bodies of the last run, in page order
        self.exceptions: list[str] = []  # "Type: message" of exception elements / compile errors, last run
        self.statuses: list[str] = []  # script_finished statuses received since the last request
        self.events: list[str] = []  # other ForwardMsg types received since the last request
        self.page_not_found: str | None = None
        self.open_seconds = 0.0
        self.last_run = RunStats()
        self.context_info: dict[str, Any] = {
            "timezone": "UTC",
            "timezone_offset": 0,
            "locale": "en-US",
            "is_embedded": False,
            "color_scheme": "light",
        }
        self._ws: ClientConnection | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self._first_request = True
        self._nodes: dict[tuple[int, ...], _Node] = {}
        self._run_id = ""
        self._run_fragments: list[str] = []
        self._values: dict[str, Any] = {}  # widget id -> value, the browser's widget state manager
        self._infos: dict[str, WidgetInfo] = {}  # widget id -> latest info (kept across fragment runs)
        self._compile_errors: list[str] = []
        self._waiter: asyncio.Future[float] | None = None
        self._expect_fragment = False
        self._run_started = False
        self._compile_error_pending = False
        self._t0 = 0.0
        self._closed_reason: BaseException | None = None
        self._counting = False
        self._last_end: float | None = None
        self.min_gap = 0.05

    # ----------------------------------------------------------------------------------------- API
    @classmethod
    async def open(
        cls,
        base_url: str,
        *,
        page: str = "",
        query: str = "",
        timeout: float = 60.0,
        preflight: bool = True,
        compression: str | None = "deflate",
        min_gap: float = 0.05,
    ) -> Session:
        """Connect, send the first rerun (as the browser does on page load) and wait for it to finish.

        ``page`` is the URL path of an ``st.navigation`` page ("home"), ``query`` the URL query string.
        ``preflight`` GETs ``/_stcore/health`` and ``/_stcore/host-config`` first, like the frontend.
        ``min_gap``: a request is sent no sooner than this many seconds after the previous run ended
        (an untimed wait), as a user's next click would be; back-to-back requests pay an extra TCP
        delayed-ACK stall that users do not (see the module docstring). 0 sends at once.
        """
        self = cls(base_url, page=page, query=query, timeout=timeout)
        self.min_gap = min_gap
        if preflight:
            results = await asyncio.gather(
                http_get(self.base_url, "_stcore/health", timeout),
                http_get(self.base_url, "_stcore/host-config", timeout),
            )
            if results[0][0] != 200:
                raise ConnectionError(f"{self.base_url}/_stcore/health answered {results[0][0]}")
        ws_url = "ws" + self.base_url[len("http") :] + "/_stcore/stream"
        self._ws = await connect(
            ws_url,
            subprotocols=["streamlit"],
            origin=self.origin,
            compression=compression,
            max_size=None,
            proxy=None,
            open_timeout=timeout,
            ping_interval=None,  # browsers send no pings; the server pings and we answer
        )
        self._reader_task = asyncio.create_task(self._reader(), name=f"wsclient-reader {ws_url}")
        try:
            self.open_seconds = await self._request(self._rerun_msg(), fragment_id="", timeout=timeout)
        except BaseException:
            await self.close()
            raise
        return self

    async def rerun(self, *, timeout: float | None = None) -> float:
        """Rerun with the current widget states (like pressing R); seconds until the run finished."""
        return await self._request(self._rerun_msg(), fragment_id="", timeout=timeout)

    async def set_value(self, key: str, value: Any, *, timeout: float | None = None) -> float | None:
        """Give a widget a new value and rerun with it (all other widgets keep their last states).

        Options are given as displayed strings; widgets with several values take a list. Returns the
        seconds from sending to ``script_finished``, or None for a widget whose change the browser only
        sends with the next rerun (inside a form, or ``on_change="ignore"``): the value is then kept
        and sent by the next ``rerun``/``set_value``/``click`` (the browser holds a form's values back
        until its submit button is clicked; this client does not).
        """
        info = self._widget(key)
        if info.disabled:
            raise ValueError(f"{key} is disabled")
        value = _check_value(info, value)
        self._values[info.id] = value
        info.value = value
        if info.defers:
            return None
        msg = self._rerun_msg()
        return await self._request(msg, fragment_id=info.fragment_id, timeout=timeout)

    async def click(self, key: str, *, timeout: float | None = None) -> float:
        """Click a button (``trigger_value`` for this one rerun); a form's submit button submits it."""
        info = self._widget(key)
        if info.type not in _TRIGGER_WIDGETS:
            raise ValueError(f"{key} is a {info.type}, not a button")
        trigger = WidgetState(id=info.id, trigger_value=True)
        return await self._request(self._rerun_msg(trigger), fragment_id=info.fragment_id, timeout=timeout)

    @property
    def lost(self) -> bool:
        """The connection closed under the session (the server went away), not by :meth:`close`."""
        return isinstance(self._closed_reason, ConnectionClosed)

    async def close(self) -> None:
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._reader_task is not None:
            self._reader_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader_task

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------------------------ sending
    def _widget(self, key: str) -> WidgetInfo:
        try:
            return self.widgets[key]
        except KeyError:
            raise KeyError(f"no widget {key!r} in the last run; have {sorted(self.widgets)}") from None

    def _rerun_msg(self, trigger: WidgetState | None = None) -> BackMsg:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query_string
        if self._first_request:
            cs.page_name = self.page
        else:
            cs.page_script_hash = self.page_script_hash
        cs.widget_states.SetInParent()
        for wid, info in self._infos.items():
            if trigger is not None and wid == trigger.id:
                continue
            ws = WidgetState(id=wid)
            if _encode(info, ws):
                cs.widget_states.widgets.append(ws)
        if trigger is not None:
            cs.widget_states.widgets.append(trigger)
        ci = cs.context_info
        for name, value in self.context_info.items():
            setattr(ci, name, value)
        ci.url = self.base_url + "/" + self.page
        return msg

    async def _request(self, msg: BackMsg, *, fragment_id: str, timeout: float | None) -> float:
        if self._ws is None or self._closed_reason is not None:
            raise RunFailed(f"connection closed: {self._closed_reason!r}")
        if self._waiter is not None:
            raise RuntimeError("a run is already awaited on this session")
        if self._last_end is not None and (wait := self.min_gap - (time.perf_counter() - self._last_end)) > 0:
            await asyncio.sleep(wait)  # untimed: a user's next click comes later than this
        if self._waiter is not None:  # another task of this session asked meanwhile
            raise RuntimeError("a run is already awaited on this session")
        if fragment_id:
            msg.rerun_script.fragment_id = fragment_id
        self._waiter = asyncio.get_running_loop().create_future()
        self._expect_fragment = bool(fragment_id)
        self._run_started = False
        self._compile_error_pending = False
        self._compile_errors = []
        self.statuses = []
        self.events = []
        self.page_not_found = None
        self.last_run = RunStats()
        payload = msg.SerializeToString()
        self._first_request = False
        self._counting = True
        self._t0 = time.perf_counter()
        try:
            await self._ws.send(payload)
            end = await asyncio.wait_for(self._waiter, timeout or self.timeout)
        finally:
            self._waiter = None
            self._counting = False
            self._last_end = time.perf_counter()
        self.last_run.seconds = end - self._t0
        return self.last_run.seconds

    # ------------------------------------------------------------------------------------ receiving
    async def _reader(self) -> None:
        assert self._ws is not None
        error: BaseException | None = None
        try:
            async for raw in self._ws:
                now = time.perf_counter()
                if isinstance(raw, str):
                    continue
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg, now, len(raw))
        except ConnectionClosed as exc:
            error = exc
        except Exception as exc:  # a bug in _handle: fail the waiting run rather than hang it
            error = exc
        finally:
            self._closed_reason = error or ConnectionError("connection closed")
            self._resolve(exc=ConnectionLost(f"connection lost during a run: {self._closed_reason!r}"))

    def _resolve(self, *, at: float | None = None, exc: BaseException | None = None) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        if exc is not None:
            waiter.set_exception(exc)
        else:
            waiter.set_result(at if at is not None else time.perf_counter())

    def _handle(self, msg: ForwardMsg, now: float, size: int) -> None:
        if self._counting:
            self.last_run.messages += 1
            self.last_run.bytes += size
        kind = msg.WhichOneof("type")
        handler: Callable[[ForwardMsg, float], None] | None = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(msg, now)
        elif kind not in ("page_config_changed", "heartbeat_ack"):
            self.events.append(kind or "?")

    def _on_new_session(self, msg: ForwardMsg, _now: float) -> None:
        ns = msg.new_session
        self._run_id = msg.metadata.run.script_run_id
        self._run_fragments = list(msg.metadata.run.fragment_ids)
        self.page_script_hash = ns.page_script_hash or self.page_script_hash
        if ns.initialize.session_id:
            self.session_id = ns.initialize.session_id
        if self._waiter is not None:
            self._run_started = True

    def _on_navigation(self, msg: ForwardMsg, _now: float) -> None:
        self.page_script_hash = msg.navigation.page_script_hash or self.page_script_hash

    def _on_page_info_changed(self, msg: ForwardMsg, _now: float) -> None:
        self.query_string = msg.page_info_changed.query_string

    def _on_page_not_found(self, msg: ForwardMsg, _now: float) -> None:
        self.page_not_found = msg.page_not_found.page_name
        self.events.append("page_not_found")

    def _on_session_event(self, msg: ForwardMsg, _now: float) -> None:
        event = msg.session_event
        if event.WhichOneof("type") == "script_compilation_exception":
            e = event.script_compilation_exception
            self._compile_errors.append(f"{e.type}: {e.message}")
            self.exceptions = [*self.exceptions, self._compile_errors[-1]]
            if self._compile_error_pending:
                self._resolve(exc=RunFailed(f"compile error: {self._compile_errors[-1]}"))
        else:
            self.events.append(f"session_event.{event.WhichOneof('type')}")

    def _on_session_status_changed(self, msg: ForwardMsg, _now: float) -> None:
        if self._compile_error_pending and not msg.session_status_changed.script_is_running:
            self._resolve(exc=RunFailed("compile error"))

    def _on_script_finished(self, msg: ForwardMsg, now: float) -> None:
        status = msg.script_finished
        self.statuses.append(STATUS_NAMES.get(status, str(status)))
        run_id = msg.metadata.run.script_run_id
        if run_id and run_id != self._run_id:
            return  # a run this client never saw start
        if status == _SUCCESS:
            self._finish_run(fragment_ids=None)
        elif status == _FRAGMENT_SUCCESS:
            self._finish_run(fragment_ids=set(self._run_fragments))
        if not self._run_started:
            return
        if status == _SUCCESS or (status == _FRAGMENT_SUCCESS and self._expect_fragment):
            self._resolve(at=now)
        elif status == _COMPILE_ERROR:
            self._compile_error_pending = True  # the exception text follows in a session_event

    def _on_delta(self, msg: ForwardMsg, now: float) -> None:
        if self._waiter is not None and self.last_run.first_delta_seconds is None:
            self.last_run.first_delta_seconds = now - self._t0
        path = tuple(msg.metadata.delta_path)
        delta = msg.delta
        which = delta.WhichOneof("type")
        if which == "add_block":
            # A block keeps its children until the run ends; stale ones go then (as in the frontend).
            self._nodes[path] = _Node(self._run_id, delta.fragment_id, "block")
            return
        if which != "new_element":
            return  # new_transient (toasts ...) carries nothing tracked here
        old = self._nodes.get(path)
        if old is not None and old.kind == "block":
            depth = len(path)
            for p in [p for p in self._nodes if len(p) > depth and p[:depth] == path]:
                del self._nodes[p]
        element = delta.new_element
        kind = element.WhichOneof("type") or ""
        node = _Node(self._run_id, delta.fragment_id, kind)
        if kind in _TEXT_KINDS:
            node.text = getattr(element, kind).body
        elif kind == "exception":
            node.exception = f"{element.exception.type}: {element.exception.message}"
        else:
            proto = getattr(element, kind, None) if kind else None
            wid = getattr(proto, "id", "") if proto is not None else ""
            if kind in _WIDGETS and isinstance(wid, str) and wid.startswith("$$ID-"):
                node.widget = self._widget_delta(kind, proto, delta.fragment_id)
        self._nodes[path] = node

    def _widget_delta(self, kind: str, proto: Any, fragment_id: str) -> WidgetInfo:
        """The frontend's rule: the server's set value, else the value the browser holds, else the default."""
        wid = proto.id
        user_key = wid.split("-", 2)[-1]
        options, multi, default, server = _read_widget(kind, proto)
        if server is not _UNSET:
            value = server
        elif wid in self._values:
            value = self._values[wid]
        else:
            value = default
        if kind not in _TRIGGER_WIDGETS:
            self._values[wid] = value
        info = WidgetInfo(
            key=wid if user_key == "None" else user_key,
            id=wid,
            type=kind,
            label=getattr(proto, "label", ""),
            options=options,
            value=value,
            multi=multi,
            form_id=getattr(proto, "form_id", ""),
            fragment_id=fragment_id,
            disabled=bool(getattr(proto, "disabled", False)),
            defers=bool(getattr(proto, "form_id", "")) or bool(getattr(proto, "ignore_rerun", False)),
            accepts_new=bool(getattr(proto, "accept_new_options", False)),
        )
        self._infos[wid] = info
        return info

    def _finish_run(self, fragment_ids: set[str] | None) -> None:
        """Drop what the finished run did not write (the frontend's stale-node cleanup), then refresh."""
        run = self._run_id
        stale = [
            p
            for p, n in self._nodes.items()
            if n.run_id != run and (fragment_ids is None or n.fragment_id in fragment_ids)
        ]
        for p in stale:
            del self._nodes[p]
        nodes = [self._nodes[p] for p in sorted(self._nodes)]
        widgets = [n.widget for n in nodes if n.widget is not None]
        self.widgets = {w.key: w for w in widgets}
        self._infos = {w.id: w for w in widgets}
        self._values = {wid: v for wid, v in self._values.items() if wid in self._infos}
        self.texts = [n.text for n in nodes if n.text is not None]
        self.exceptions = [n.exception for n in nodes if n.exception is not None] + self._compile_errors

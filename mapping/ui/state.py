"""The URL is the state: every control reads its initial value from ``st.query_params`` and writes
it back, so a copied link reopens the same view.

A control takes the URL value when the URL moved since we last wrote it (first load, a shared
link, a page switch with ``query_params``); otherwise the widget's own state wins (the user just
changed it). Unknown or malformed values fall back to the default and leave a notice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from mapping.formatting import md_escape

# Parameters that follow the user from page to page.
SHARED = ("region", "regions", "country", "year", "indicator", "level", "sector", "ris", "present")
_NOTICES = "_url_notices"
_UNSET = object()
LATEST = "latest"  # a year that means each region's latest value: a page without that choice shows its default
_VIEW = "_view"  # this run's resolved value of every control, by URL parameter
_PAGE = "_run_page"  # the page this run draws


def is_present() -> bool:
    """Presentation mode (``?present=1``): no controls, no sidebar, large type, 16:9 figures."""
    return st.query_params.get("present", "") in ("1", "true", "yes")


def notice(text: str) -> None:
    """Queue a plain-text notice (it may quote a visitor's link: it is shown escaped, never as Markdown)."""
    st.session_state.setdefault(_NOTICES, []).append(text)


def show_notices() -> None:
    """Show (once) the notices about URL values that could not be used."""
    for text in st.session_state.pop(_NOTICES, []):
        st.info(md_escape(text), icon=":material/link_off:")


def _last_key(param: str) -> str:
    return f"_url_last_{param}"


def _elsewhere(param: str) -> bool:
    """The control was last resolved on another page. Pages share widget keys (``w_tab`` is the view chooser of
    Clusters and of Related sectors): a value another page left is not this page's choice, even when it is one of
    its options; the URL (carried by the links) or this page's default decides."""
    page = st.session_state.get(_PAGE, "")
    return st.session_state.get(f"_url_page_{param}", page) != page


def _sync(param: str, options: Sequence[Any], default: Any, describe: Callable[[Any], str], wkey: str) -> None:
    """Put the value the widget must show into session state before it is created."""
    by_text = {str(o): o for o in options}
    raw = st.query_params.get(param)
    url_moved = raw != st.session_state.get(_last_key(param)) or _elsewhere(param)
    current = st.session_state.get(wkey, _UNSET)
    # Streamlit forgets a widget's state when a run does not draw it (e.g. on another page): the
    # URL, which the sidebar links carried, is then the truth again.
    if url_moved or current is _UNSET:
        if raw is None or raw == "" or (raw == LATEST and raw not in by_text):
            target = default  # "latest per region" (the map's year) means this page's own default elsewhere
        elif raw in by_text:
            target = by_text[raw]
        else:
            if url_moved:
                notice(
                    f"The link asked for {param} = “{raw[:60]}”, which is not available here; "
                    f"showing {describe(default)}."
                )
            target = default
    elif current not in options:
        target = default
    else:
        target = current
    _put(wkey, target)


def _put(wkey: str, value: Any) -> None:
    """Assign the widget's value on every run, even when unchanged. Pages share widget keys (``w_region`` on the
    map and on the scoreboard): the state a widget left on the previous page is otherwise matched against this
    page's options by Streamlit, which falls back to the first option (the scoreboard opened on AT11)."""
    st.session_state[wkey] = value


def begin_run(page: str = "") -> None:
    """Start of every run (app.py): forget the previous run's resolved view; note the page this run draws."""
    st.session_state[_VIEW] = {}
    st.session_state[_PAGE] = page


def current_page() -> str:
    """The url path of the page the last run drew ("" for the default page)."""
    return st.session_state.get(_PAGE, "")


def view() -> dict[str, str]:
    """This run's whole view: the URL's parameters plus the values the controls fell back to (defaults are not
    written to the address bar). The Share link uses it, so a shared link pins every choice."""
    out = st.query_params.to_dict()
    out.update(st.session_state.get(_VIEW) or {})  # what the controls resolved wins over what the link asked
    return {k: v for k, v in out.items() if v != ""}


def _write(param: str, value: Any, default: Any = _UNSET) -> None:
    """Record the control's value in the URL. A default is left out of an address that does not name the
    parameter: Streamlit pushes a browser-history entry for every change of the address, so writing the defaults
    after a page switch would make Back land on the same page again."""
    text = "" if value is None else str(value)
    st.session_state.setdefault(_VIEW, {})[param] = text
    in_url = param in st.query_params
    if text:
        wanted = in_url or default is _UNSET or value != default
        if wanted and st.query_params.get(param) != text:
            st.query_params[param] = text
    elif in_url:
        del st.query_params[param]
    st.session_state[_last_key(param)] = st.query_params.get(param) or None
    st.session_state[f"_url_page_{param}"] = st.session_state.get(_PAGE, "")


def choice(
    label: str,
    options: Sequence[Any],
    *,
    param: str,
    default: Any = None,
    format_func: Callable[[Any], str] = str,
    widget: str = "selectbox",
    container: Any = None,
    **kwargs: Any,
) -> Any:
    """A single-choice control bound to URL parameter ``param``; returns the chosen option.

    Args:
        options: the valid values (compared to the URL as text).
        default: used when the URL has no or an invalid value; the first option when None or not valid.
        widget: ``selectbox``, ``radio`` or ``segmented_control``.
        container: where to draw the widget (default: main area). In presentation mode nothing is drawn.
    """
    options = list(options)
    if not options:
        _write(param, None)
        return None
    if default not in options:
        default = options[0]
    wkey = f"w_{param}"
    _sync(param, options, default, format_func, wkey)
    if is_present():
        value = st.session_state[wkey]
    else:
        target = container or st
        value = getattr(target, widget)(label, options, key=wkey, format_func=format_func, **kwargs)
        if value is None:  # segmented_control can be deselected
            value = default
    if st.query_params.get(param) == LATEST and LATEST not in {str(o) for o in options} and value == default:
        st.session_state.setdefault(_VIEW, {})[param] = str(value)  # keep "latest" for the page that has it
        st.session_state[_last_key(param)] = LATEST
        st.session_state[f"_url_page_{param}"] = st.session_state.get(_PAGE, "")
        return value
    _write(param, value, default)
    return value


def multi_choice(
    label: str,
    options: Sequence[Any],
    *,
    param: str,
    default: Sequence[Any] = (),
    max_selections: int | None = None,
    format_func: Callable[[Any], str] = str,
    container: Any = None,
    **kwargs: Any,
) -> list[Any]:
    """A multiselect bound to a comma-separated URL parameter; unknown items are dropped with a notice."""
    options = list(options)
    by_text = {str(o): o for o in options}
    wkey = f"w_{param}"
    raw = st.query_params.get(param)
    if raw != st.session_state.get(_last_key(param)) or _elsewhere(param) or wkey not in st.session_state:
        if raw:
            wanted = [t for t in raw.split(",") if t]
            bad = [t for t in wanted if t not in by_text]
            if bad:
                notice(f"The link named {param} not available here: {', '.join(t[:20] for t in bad[:5])}; left out.")
            chosen = list(dict.fromkeys(by_text[t] for t in wanted if t in by_text))
        else:
            chosen = list(dict.fromkeys(d for d in default if d in by_text.values()))
        if max_selections and len(chosen) > max_selections:
            notice(f"The link named more than {max_selections} {param}; kept the first {max_selections}.")
            chosen = chosen[:max_selections]
        _put(wkey, chosen)
    else:
        _put(wkey, [v for v in st.session_state.get(wkey, []) if v in by_text.values()])
    if is_present():
        value = st.session_state[wkey]
    else:
        target = container or st
        value = target.multiselect(
            label, options, key=wkey, format_func=format_func, max_selections=max_selections, **kwargs
        )
    _write(param, ",".join(str(v) for v in value), ",".join(str(d) for d in default if d in by_text.values()))
    return list(value)


def flag(label: str, *, param: str, default: bool = False, container: Any = None, **kwargs: Any) -> bool:
    """A toggle bound to a URL parameter (``1``/``0``)."""
    return bool(
        choice(
            label,
            [0, 1],
            param=param,
            default=int(default),
            widget="segmented_control",
            format_func=lambda v: "on" if v else "off",
            container=container,
            **kwargs,
        )
    )


def shared_params(**overrides: Any) -> dict[str, str]:
    """The shared parameters of the current URL (plus overrides) to carry to another page."""
    out = {k: st.query_params[k] for k in SHARED if st.query_params.get(k)}
    for k, v in overrides.items():
        if v is None or v == "":
            out.pop(k, None)
        else:
            out[k] = str(v)
    return out


def take_map_click(chart_key: str) -> None:
    """Turn a new click on a map (plotly selection kept in session state) into the ``region`` parameter.

    Runs before the controls are drawn, so the region picker shows the clicked region. Feature ids
    are ``code|nuts_version``.
    """
    event = st.session_state.get(chart_key)
    try:
        points = event["selection"]["points"] if event else []
    except (KeyError, TypeError):
        return
    if not points:
        st.session_state.pop(f"_click_{chart_key}", None)
        return
    location = points[0].get("location")
    if not location or location == st.session_state.get(f"_click_{chart_key}"):
        return
    st.session_state[f"_click_{chart_key}"] = location
    st.query_params["region"] = str(location).split("|")[0]


def text(label: str, *, param: str, default: str = "", max_chars: int = 80, container: Any = None) -> str:
    """A text input bound to a URL parameter (trimmed, length-capped)."""
    wkey = f"w_{param}"
    raw = (st.query_params.get(param) or "")[:max_chars]
    # _write records an empty value as None: compare like with like, or an empty link resets what is typed.
    if (raw or None) != st.session_state.get(_last_key(param)) or _elsewhere(param) or wkey not in st.session_state:
        _put(wkey, raw or default)
    else:
        _put(wkey, st.session_state[wkey])
    if is_present():
        value = st.session_state[wkey]
    else:
        value = (container or st).text_input(label, key=wkey, max_chars=max_chars)
    value = (value or "").strip()[:max_chars]
    _write(param, value, default)
    return value

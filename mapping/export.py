"""Exports: images that carry title, source and vintage; offline HTML; the data behind a figure.

Images are 16:9 (1600 x 900 px by default) so they drop into a slide unchanged. PNG and SVG are
rendered by kaleido with the local Chromium; the HTML embeds plotly.js so it opens offline.
"""

from __future__ import annotations

import io
import logging
import textwrap
import threading
import warnings
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from mapping.geo import view_for_bbox

SLIDE = (1600, 900)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


Resolver = Callable[[str], dict]

_log = logging.getLogger(__name__)
_kaleido_lock = threading.Lock()
_kaleido_state = {"server": False}


def _render(fig: go.Figure, fmt: str) -> bytes:
    """PNG/SVG bytes. A persistent kaleido Chromium is started on first use (0.1-0.5 s per image instead of a 2-4 s
    browser start each time); if it fails, one image is made with a fresh browser as before."""
    with _kaleido_lock:
        if not _kaleido_state["server"]:
            try:
                import kaleido

                kaleido.start_sync_server(silence_warnings=True)
                _kaleido_state["server"] = True
            except Exception:  # an older kaleido, or no browser: the one-shot path below still works
                _log.exception("kaleido server did not start; images use a one-shot browser")
                _kaleido_state["server"] = None
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="The kopts argument is ignored")
            return fig.to_image(format=fmt)
    except Exception:
        if not _kaleido_state["server"]:
            raise
        _log.exception("kaleido server failed; restarting it")
        import kaleido

        with _kaleido_lock:
            kaleido.stop_sync_server(silence_warnings=True)
            _kaleido_state["server"] = False
        return fig.to_image(format=fmt)


def inline_geometry(fig: go.Figure, resolve: Resolver | None) -> go.Figure:
    """A copy of ``fig`` whose geometry URLs (trace geojson, map layer sources) are replaced by the data,
    so exports stay self-contained (PNG/SVG rendering and offline HTML cannot fetch app URLs)."""
    out = go.Figure(fig)
    if resolve is None:
        return out
    for trace in out.data:
        if isinstance(getattr(trace, "geojson", None), str):
            trace.geojson = resolve(trace.geojson)
    if out.layout.map and out.layout.map.layers:
        layers = [layer.to_plotly_json() for layer in out.layout.map.layers]
        for layer in layers:
            if isinstance(layer.get("source"), str):
                layer["source"] = resolve(layer["source"])
        out.layout.map.layers = layers
    return out


def captioned(
    fig: go.Figure,
    *,
    title: str,
    caption: str,
    width: int = SLIDE[0],
    height: int = SLIDE[1],
    resolve: Resolver | None = None,
) -> go.Figure:
    """A copy of ``fig`` sized for a slide, with the title on top and source/vintage below."""
    out = inline_geometry(fig, resolve)
    # Plotly renders a few HTML tags in text (<a href>, <b>, <br>): titles and captions may quote a visitor's text.
    wrapped = "<br>".join(textwrap.wrap(plot_text(caption), width=int(width / 7.5), break_long_words=False))
    lines = wrapped.count("<br>") + 1
    out.update_layout(
        width=width,
        height=height,
        title=dict(text=plot_text(title), x=0.012, xanchor="left", y=0.985, yanchor="top", font=dict(size=26)),
        margin=dict(l=24, r=24, t=70, b=30 + 20 * lines),
        font=dict(size=15),
    )
    _refit_map(out, width=width, height=height, bottom=30 + 20 * lines)
    out.add_annotation(
        text=wrapped,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-8,
        showarrow=False,
        align="left",
        font=dict(size=13, color="#444444"),
    )
    return out


def _refit_map(fig: go.Figure, *, width: int, height: int, bottom: int) -> None:
    """Re-fit a map's view to the export size (the screen view was fitted to a smaller frame)."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else None
    if not meta or "bbox" not in meta or fig.layout.map.zoom is None:
        return
    domain = fig.layout.map.domain.x or (0, 1)
    map_w = int((width - 48) * (domain[1] - domain[0]))
    map_h = height - 70 - bottom
    center, zoom = view_for_bbox(tuple(meta["bbox"]), width=map_w, height=map_h)
    fig.update_layout(map=dict(center=center, zoom=zoom))


def to_png(fig: go.Figure, *, title: str, caption: str, resolve: Resolver | None = None, **size) -> bytes:
    return _render(captioned(fig, title=title, caption=caption, resolve=resolve, **size), "png")


def to_svg(fig: go.Figure, *, title: str, caption: str, resolve: Resolver | None = None, **size) -> bytes:
    return _render(captioned(fig, title=title, caption=caption, resolve=resolve, **size), "svg")


def to_html(fig: go.Figure, *, title: str, caption: str, resolve: Resolver | None = None) -> bytes:
    """A standalone page (plotly.js and geometry inlined, no network) with title and caption."""
    out = inline_geometry(fig, resolve)
    out.update_layout(title=dict(text=plot_text(title), x=0.01), margin=dict(t=60))
    body = out.to_html(include_plotlyjs=True, full_html=False, config={"displaylogo": False, "responsive": True})
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{_escape(title)}</title></head><body style='font-family:sans-serif;margin:16px'>"
        f"{body}<p style='color:#444;font-size:13px'>{_escape(caption)}</p></body></html>"
    )
    return page.encode("utf-8")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plot_text(text: str) -> str:
    """Text for a plotly title, label or annotation, shown as typed: tags become entities, which plotly prints."""
    return _escape(str(text))


def _unformula(value: object) -> object:
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) else value


def safe_for_spreadsheets(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix text cells and column names that a spreadsheet would run as a formula (=, +, -, @, tab, CR) with a
    quote."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(_unformula)
    out.columns = [_unformula(c) if isinstance(c, str) else c for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    return safe_for_spreadsheets(frame).to_csv(index=False).encode("utf-8")


def to_parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    return buf.getvalue()

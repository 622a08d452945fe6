"""Exports: images that carry title, source and vintage; offline HTML; the data behind a figure.

Images are 16:9 (1600 x 900 px by default) so they drop into a slide unchanged. PNG and SVG are
rendered by kaleido with the local Chromium; the HTML embeds plotly.js so it opens offline.
"""

from __future__ import annotations

import io
import logging
import math
import textwrap
import threading
import warnings
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from mapping.geo import view_for_bbox

SLIDE = (1600, 900)
PRESENTATION = (1280, 720)
EXPORT_TEMPLATE = "plotly_white"
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


# Slide layout (px). Font sizes: the figure's text, the title and the caption.
PAD = 16
BODY_FONT = 15
TITLE_FONT = 26
CAPTION_FONT = 13
CHAR_W = 0.56  # a sans-serif character is about this many font sizes wide (upper bound for digits and lower case)
LINE = 1.3  # line height in font sizes
LEGEND_TYPES = {"scatter", "scattergl", "bar", "scatterpolar", "scattermap", "scattergeo", "box", "violin"}


def _wrap(text: str, *, width_px: float, font: float) -> list[str]:
    return textwrap.wrap(text, width=max(int(width_px / (font * CHAR_W)), 10), break_long_words=False) or [""]


def _text_px(text: object, font: float) -> float:
    """Width of the longest line of a plotly label (lines split at <br>)."""
    lines = str(text).replace("<br />", "<br>").replace("<br/>", "<br>").split("<br>")
    return max(len(line) for line in lines) * font * CHAR_W


def _legend_entries(fig: go.Figure) -> list[str]:
    shown = [
        t.name or ""
        for t in fig.data
        if getattr(t, "showlegend", None) is True
        or (getattr(t, "showlegend", False) is None and t.type in LEGEND_TYPES and t.visible is not False)
    ]
    if fig.layout.showlegend is False or (fig.layout.showlegend is None and len(shown) < 2):
        return []
    return shown


def _legend_height(fig: go.Figure, entries: list[str], avail: float) -> float:
    """Rows of a horizontal legend of ``entries`` packed into ``avail`` px, in px."""
    title = fig.layout.legend.title.text if fig.layout.legend.title else None
    x, rows = (_text_px(title, BODY_FONT) + 12 if title else 0.0), 1
    for name in entries:
        w = 48 + _text_px(name, BODY_FONT)
        if x > 0 and x + w > avail:
            rows, x = rows + 1, 0.0
        x += w
    return rows * BODY_FONT * 1.6 + 8


def _axis_labels(fig: go.Figure, axis: str) -> list[object]:
    """Category labels a cartesian axis ('x'/'y') will show, from the traces on it."""
    labels: list[object] = []
    for t in fig.data:
        if t.type in ("parcoords", "choroplethmap", "scattermap", "scatterpolar"):
            continue
        values = getattr(t, axis, None)
        if values is not None and len(values) and all(isinstance(v, str) for v in values if v is not None):
            labels.extend(values)
    return labels


def _bottom_axis_px(fig: go.Figure) -> float:
    """Room below the plot for the bottom x-axis: tick labels and its title."""
    cartesian = any(t.type in ("scatter", "bar", "heatmap", "scattergl", "histogram") for t in fig.data)
    if not cartesian:
        return 0.0
    px = 0.0
    for name in [k for k in fig.layout if k.startswith("xaxis")] or ["xaxis"]:
        ax = fig.layout[name]
        if ax.side == "top" or ax.visible is False:
            continue
        tick_font = (ax.tickfont.size if ax.tickfont and ax.tickfont.size else None) or BODY_FONT
        here = tick_font * LINE + 10
        if ax.showticklabels is False:
            here = 4
        title = ax.title.text if ax.title else None
        if title:
            here += (str(title).count("<br>") + 1) * BODY_FONT * 1.2 * LINE + 8
        px = max(px, here)
    return px


def _top_axis_px(fig: go.Figure) -> float:
    """Room above the plot for x-axes drawn on top (the summary heatmap's sector codes), rotated or not."""
    px = 0.0
    for name in [k for k in fig.layout if k.startswith("xaxis")]:
        ax = fig.layout[name]
        if ax.side != "top" or ax.visible is False:
            continue
        tick_font = (ax.tickfont.size if ax.tickfont and ax.tickfont.size else None) or BODY_FONT
        longest = max((_text_px(v, tick_font) for v in _axis_labels(fig, "x")), default=4 * tick_font * CHAR_W)
        angle = math.radians(abs(ax.tickangle or 0)) if isinstance(ax.tickangle, int | float) else 0.0
        px = max(px, longest * math.sin(angle) + tick_font * LINE * math.cos(angle) + 10)
    return px


def _left_axis_px(fig: go.Figure) -> float:
    """Room left of the plot for the y-axis tick labels and title (automargin stays on as a guard)."""
    if not any(t.type in ("scatter", "bar", "heatmap", "scattergl") for t in fig.data):
        return 0.0
    ax = fig.layout.yaxis
    tick_font = (ax.tickfont.size if ax.tickfont and ax.tickfont.size else None) or BODY_FONT
    labels = _axis_labels(fig, "y")
    px = max((_text_px(v, tick_font) for v in labels), default=6 * tick_font * CHAR_W) + 12
    if ax.title and ax.title.text:
        px += (str(ax.title.text).count("<br>") + 1) * BODY_FONT * 1.2 * LINE + 10
    return px


def captioned(
    fig: go.Figure,
    *,
    title: str,
    caption: str,
    width: int = SLIDE[0],
    height: int = SLIDE[1],
    resolve: Resolver | None = None,
) -> go.Figure:
    """A copy of ``fig`` laid out for a slide: title on top, the legend in a row below it, the plot, the source and
    vintage below the plot's axis. Nothing overlaps: the layout reserves room for each band from the figure's own
    content (legend entries, axis labels and titles, caption lines), and the bands are placed by pixel rather than
    relative to a plot area that plotly may move.
    """
    out = inline_geometry(fig, resolve)
    # An explicit template: under Streamlit the default one holds placeholder colours (#000001 ...) that only the
    # app's browser code replaces, and no axis-title standoff.
    out.update_layout(template=EXPORT_TEMPLATE)
    avail = width - 2 * PAD
    # Plotly renders a few HTML tags in text (<a href>, <b>, <br>): titles and captions may quote a visitor's text.
    # A long title is set smaller (down to 18 px) before it wraps.
    title_font = max(18, min(TITLE_FONT, int(avail / (max(len(title), 1) * CHAR_W))))
    # An empty title or caption takes no room (a slide sets them as its own text, beside the image).
    title_lines = _wrap(plot_text(title), width_px=avail, font=title_font) if title else []
    caption_lines = _wrap(plot_text(caption), width_px=avail, font=CAPTION_FONT) if caption else []
    title_h = PAD + len(title_lines) * title_font * LINE
    entries = _legend_entries(out)
    legend_h = _legend_height(out, entries, avail) if entries else 0.0
    polar = any(t.type == "scatterpolar" for t in out.data)
    parcoords = any(t.type == "parcoords" for t in out.data)
    # Texts just above the plot: annotations at its top edge (reference-line labels), angular labels of a radar,
    # the dimension labels of parallel coordinates.
    above = 0.0
    if any((a.yref in (None, "paper") or "domain" in str(a.yref)) and (a.y or 0) >= 1 for a in out.layout.annotations):
        above = BODY_FONT * LINE + 8
    if polar:
        above = 3 * 11 * LINE + 12
    if parcoords:
        above = 3 * BODY_FONT * LINE + 12
    above += _top_axis_px(out)
    if _left_axis_px(out):  # the top value of a y-axis stands half a line above the plot
        above = max(above, BODY_FONT * LINE / 2 + 4)
    caption_h = len(caption_lines) * CAPTION_FONT * LINE + (PAD if caption_lines else 0)
    axis_b = _bottom_axis_px(out) + (3 * 11 * LINE + 12 if polar else 0) + (24 if parcoords else 0)
    left = max(PAD, _left_axis_px(out) + 8)
    top = title_h + legend_h + above + 6
    bottom = axis_b + caption_h + 6
    out.update_layout(
        width=width,
        height=height,
        font=dict(size=BODY_FONT),
        title=dict(
            text="<br>".join(title_lines),
            xref="container",
            x=PAD / width,
            xanchor="left",
            # anchored by its bottom: plotly places a multi-line title anchored at the top too high
            yref="container",
            y=1 - (title_h - 2) / height,
            yanchor="bottom",
            font=dict(size=title_font),
        ),
        margin=dict(l=left, r=PAD + 4, t=top, b=bottom, pad=0, autoexpand=True),
    )
    if entries:
        out.update_layout(
            showlegend=True,
            legend=dict(
                orientation="h",
                xref="container",
                x=PAD / width,
                xanchor="left",
                yref="container",
                y=1 - (title_h + 2) / height,
                yanchor="top",
                bgcolor="rgba(255,255,255,0)",
                font=dict(size=BODY_FONT),
                entrywidthmode="pixels",
            ),
        )
    else:
        out.update_layout(showlegend=False)
    _refit_map(out, width=width, height=height, top=top, bottom=bottom)
    if not caption_lines:
        return out
    # The caption starts at the image's left edge: paper x = 0 is the plot's left edge, ``left`` px in.
    out.add_annotation(
        text="<br>".join(caption_lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        xshift=PAD - left,
        yshift=-axis_b,
        showarrow=False,
        align="left",
        font=dict(size=CAPTION_FONT, color="#444444"),
    )
    return out


def _refit_map(fig: go.Figure, *, width: int, height: int, top: float, bottom: float) -> None:
    """Re-fit a map's view to the export size (the screen view was fitted to a smaller frame)."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else None
    if not meta or "bbox" not in meta or fig.layout.map.zoom is None:
        return
    domain = fig.layout.map.domain.x or (0, 1)
    map_w = int((width - 2 * PAD) * (domain[1] - domain[0]))
    map_h = int(height - top - bottom)
    center, zoom = view_for_bbox(tuple(meta["bbox"]), width=map_w, height=map_h)
    fig.update_layout(map=dict(center=center, zoom=zoom))


def to_png(fig: go.Figure, *, title: str, caption: str, resolve: Resolver | None = None, **size) -> bytes:
    return _render(captioned(fig, title=title, caption=caption, resolve=resolve, **size), "png")


def to_svg(fig: go.Figure, *, title: str, caption: str, resolve: Resolver | None = None, **size) -> bytes:
    return _render(captioned(fig, title=title, caption=caption, resolve=resolve, **size), "svg")


def to_html(fig: go.Figure, *, title: str, caption: str, resolve: Resolver | None = None) -> bytes:
    """A standalone page (plotly.js and geometry inlined, no network) with title and caption.

    The title is the page's heading and the caption a paragraph below the figure, not texts inside it: the figure
    keeps the layout it has in the app (a legend above the plot pushes the plot down instead of meeting a title).
    """
    out = inline_geometry(fig, resolve)
    out.update_layout(template=EXPORT_TEMPLATE, title=None)
    body = out.to_html(include_plotlyjs=True, full_html=False, config={"displaylogo": False, "responsive": True})
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{_escape(title)}</title></head><body style='font-family:sans-serif;margin:16px'>"
        f"<h1 style='font-size:24px;font-weight:normal;margin:0 0 8px'>{_escape(title)}</h1>"
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

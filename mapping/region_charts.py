"""The region dashboard's own figures (plotly, SVG only): a locator map and the region's place in the EU distribution of
the headline indicators. Data in, figure out."""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mapping.charts import FONT, OKABE_ITO, SELECTED_OUTLINE
from mapping.formatting import fmt, wrap_words
from mapping.geo import bbox_of
from mapping.maps import BORDER_COLOUR, HIGHLIGHT_COLOUR, LAND_COLOUR
from mapping.trend_charts import LINES

COUNTRY_FILL = "#9ecae1"
OTHERS = "#BBBBBB"


def _outlines(geometries: list[dict]) -> tuple[list[float | None], list[float | None]]:
    """The outer rings of polygons as one line with gaps (None), for a filled scatter trace."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for g in geometries:
        polygons = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for poly in polygons:
            ring = np.asarray(poly[0], dtype=float)
            xs += [*ring[:, 0].tolist(), None]
            ys += [*ring[:, 1].tolist(), None]
    return xs, ys


def _meets(g: dict, box: tuple[float, float, float, float]) -> bool:
    b = bbox_of([g])
    return b is not None and b[0] <= box[2] and b[2] >= box[0] and b[1] <= box[3] and b[3] >= box[1]


def locator(
    *,
    region: dict,
    country_regions: list[dict],
    neighbours: list[dict],
    bbox: tuple[float, float, float, float],
    name: str,
    country: str,
    height: int = 320,
) -> go.Figure:
    """The region filled red among its country's other regions (light blue) and the neighbouring countries (grey),
    drawn as plain polygons (SVG: it prints, and exports without WebGL). ``bbox`` is the view (lon/lat)."""
    x0, y0, x1, y1 = bbox
    pad_x, pad_y = (x1 - x0) * 0.05 + 0.05, (y1 - y0) * 0.05 + 0.05
    layers = (
        ([g for g in neighbours if _meets(g, bbox)], LAND_COLOUR, BORDER_COLOUR, "Other countries", 0.6),
        (country_regions, COUNTRY_FILL, "#ffffff", f"Other regions of {country}", 0.6),
        ([region], "rgba(215,25,28,0.8)", HIGHLIGHT_COLOUR, name, 1.5),
    )
    fig = go.Figure()
    for geoms, fill, line, label, width in layers:
        if not geoms:
            continue
        xs, ys = _outlines(geoms)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                fill="toself",
                fillcolor=fill,
                mode="lines",
                line=dict(color=line, width=width),
                name=label,
                hoverinfo="name",
                showlegend=label != "Other countries",
            )
        )
    mid = math.radians((y0 + y1) / 2)
    fig.update_layout(
        height=height,
        margin=dict(l=0, r=0, t=0, b=0),
        font=FONT,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#eef3f7",  # sea
        xaxis=dict(visible=False, range=[x0 - pad_x, x1 + pad_x]),
        yaxis=dict(visible=False, range=[y0 - pad_y, y1 + pad_y], scaleanchor="x", scaleratio=1 / math.cos(mid)),
        legend=dict(x=0.01, y=0.01, xanchor="left", yanchor="bottom", bgcolor="rgba(255,255,255,0.85)"),
        showlegend=True,
    )
    return fig


def _grid(n: int, *, cols: int, gap_x: float, gap_y: float) -> list[tuple[str, list[float], list[float]]]:
    """Cells for ``n`` panels laid out by hand in ``cols`` columns, row by row (plotly's subplot helpers cost ~5 ms a
    call): (axis suffix, x domain, y domain)."""
    rows = (n + cols - 1) // cols
    width, height = (1 - gap_x * (cols - 1)) / cols, (1 - gap_y * (rows - 1)) / rows
    cells = []
    for i in range(n):
        row, col = divmod(i, cols)
        x0, top = col * (width + gap_x), 1 - row * (height + gap_y)
        cells.append(
            ("" if i == 0 else str(i + 1), [x0, min(1.0, x0 + width)], [max(0.0, top - height), min(1.0, top)])
        )
    return cells


def distribution_strips(
    panels: list[tuple[str, str, pd.DataFrame]], *, region: str, country: str, height: int | None = None
) -> go.Figure:
    """One strip per indicator: every region's value as a grey dot, the country's regions blue, the region a red
    diamond with its value; the median of the regions as a dashed tick. ``panels``: (title, unit, frame with code,
    name, country, value)."""
    n = max(len(panels), 1)
    rng = np.random.default_rng(7)  # a fixed jitter: the same figure on every run and in every export
    traces, shapes, notes, layout = [], [], [], {}
    cells = _grid(len(panels), cols=1, gap_x=0, gap_y=0.55 / n)
    for i, ((title, unit, frame), (ax, xs, ys)) in enumerate(zip(panels, cells, strict=True)):
        layout[f"xaxis{ax}"] = dict(
            anchor=f"y{ax}", domain=xs, title=dict(text=unit, font=dict(size=11)), zeroline=False
        )
        layout[f"yaxis{ax}"] = dict(anchor=f"x{ax}", domain=ys, visible=False, range=[-0.6, 0.8])
        notes.append(dict(text=title, x=0.5, y=ys[1], xref="paper", yref="paper", yanchor="bottom", showarrow=False))
        groups = (
            (frame[(frame["country"] != country) & (frame["code"] != region)], OTHERS, "Other regions", 6),
            (
                frame[(frame["country"] == country) & (frame["code"] != region)],
                OKABE_ITO[0],
                f"Regions of {country}",
                7,
            ),
            (frame[frame["code"] == region], SELECTED_OUTLINE, region, 15),
        )
        for part, colour, label, size in groups:
            if part.empty:
                continue
            mine = label == region
            traces.append(
                go.Scatter(
                    x=part["value"],
                    y=np.zeros(len(part)) if mine else rng.uniform(-0.3, 0.3, len(part)),
                    xaxis=f"x{ax}",
                    yaxis=f"y{ax}",
                    mode="markers+text" if mine else "markers",
                    text=[fmt(v) for v in part["value"]] if mine else None,
                    textposition="top center",
                    marker=dict(color=colour, size=size, symbol="diamond" if mine else "circle"),
                    # names from the data: plotly reads tags in hover text
                    customdata=np.column_stack([part["code"], [html.escape(str(n)) for n in part["name"]]]),
                    hovertemplate="%{customdata[0]} %{customdata[1]}: %{x:,.4~g} " + unit + "<extra></extra>",
                    name=label,
                    legendgroup=label,
                    showlegend=i == 0,
                )
            )
        if len(frame):
            median = float(frame["value"].median())
            shapes.append(
                dict(type="line", xref=f"x{ax}", yref=f"y{ax}", x0=median, x1=median, y0=-0.45, y1=0.45,
                     line=dict(dash="dash", color="#444"))
            )  # fmt: skip
    fig = go.Figure(traces)
    fig.update_layout(
        **layout,
        shapes=shapes,
        annotations=notes,
        height=height or 150 * n + 90,
        margin=dict(l=10, r=10, t=30, b=60),
        font=FONT,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        # below the strips: on a phone the legend takes two lines, which at the top ran into the first title
        legend=dict(orientation="h", x=0, y=0, xref="paper", yref="container", yanchor="bottom"),
    )
    return fig


def trend_panels(
    panels: list[tuple[str, str, pd.DataFrame]], *, region: str, country: str, height: int | None = None
) -> go.Figure:
    """Small multiples, two per row: each indicator by year for the region against its country and the EU (the
    lines of ``trend_charts.indicator_trend``), one legend for all. ``panels``: (title, unit, ``region_trends``
    rows of one indicator). One figure instead of one per indicator: a page draws each chart at a cost."""
    rows = (max(len(panels), 1) + 1) // 2
    traces, notes, layout, named = [], [], {}, set()
    # gap_x: room for the right-hand panels' axis titles
    cells = _grid(len(panels), cols=2, gap_x=0.16, gap_y=0.32 / rows)
    for (title, unit, frame), (ax, xs, ys) in zip(panels, cells, strict=True):
        layout[f"xaxis{ax}"] = dict(anchor=f"y{ax}", domain=xs, dtick=1 if len(frame) <= 8 else None)
        layout[f"yaxis{ax}"] = dict(
            anchor=f"x{ax}", domain=ys, gridcolor="#eeeeee", title=dict(text=wrap_words(unit, 24), font=dict(size=11))
        )
        notes.append(
            dict(text=title, x=xs[0], y=ys[1], xref="paper", yref="paper", xanchor="left", yanchor="bottom",
                 showarrow=False, font=dict(size=13))
        )  # fmt: skip
        for column, (name, line, mode) in LINES.items():
            if column not in frame or frame[column].isna().all():
                continue
            label = name.format(region=region, country=country)
            traces.append(
                go.Scatter(
                    x=frame["year"],
                    y=frame[column],
                    xaxis=f"x{ax}",
                    yaxis=f"y{ax}",
                    name=label,
                    legendgroup=label,
                    showlegend=label not in named,
                    mode=mode,
                    line=line,
                    marker=dict(size=5),
                    hovertemplate="%{x}: %{y:.4~g}<extra>%{fullData.name}</extra>",
                )
            )
            named.add(label)
    fig = go.Figure(traces)
    fig.update_layout(
        **layout,
        annotations=notes,
        height=height or 300 * rows + 90,
        margin=dict(l=10, r=10, t=30, b=70),
        font=FONT,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        legend=dict(orientation="h", x=0, y=0, xref="paper", yref="container", yanchor="bottom"),
    )
    return fig

"""The region dashboard's own figures (plotly, SVG only): a locator map and the region's place in the EU distribution of
the headline indicators. Data in, figure out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mapping.charts import FONT, OKABE_ITO, SELECTED_OUTLINE
from mapping.formatting import fmt
from mapping.geo import bbox_of
from mapping.maps import BORDER_COLOUR, HIGHLIGHT_COLOUR, LAND_COLOUR

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


def distribution_strips(
    panels: list[tuple[str, str, pd.DataFrame]], *, region: str, country: str, height: int | None = None
) -> go.Figure:
    """One strip per indicator: every region's value as a grey dot, the country's regions blue, the region a red
    diamond with its value; the EU median as a dashed tick. ``panels``: (title, unit, frame code/name/country/value)."""
    n = max(len(panels), 1)
    fig = make_subplots(rows=n, cols=1, subplot_titles=[t for t, _, _ in panels] or [""], vertical_spacing=0.5 / n)
    rng = np.random.default_rng(7)  # a fixed jitter: the same figure on every run and in every export
    for i, (_title, unit, frame) in enumerate(panels, start=1):
        groups = (
            (frame[(frame["country"] != country) & (frame["code"] != region)], OTHERS, "Other EU regions", 6),
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
            fig.add_trace(
                go.Scatter(
                    x=part["value"],
                    y=np.zeros(len(part)) if mine else rng.uniform(-0.3, 0.3, len(part)),
                    mode="markers+text" if mine else "markers",
                    text=[fmt(v) for v in part["value"]] if mine else None,
                    textposition="top center",
                    marker=dict(
                        color=colour,
                        size=size,
                        symbol="diamond" if mine else "circle",
                        line=dict(width=0.5, color="#fff"),
                    ),
                    customdata=np.column_stack([part["code"], part["name"].astype(str)]),
                    hovertemplate="%{customdata[0]} %{customdata[1]}: %{x:,.4~g} "
                    + unit.replace("%", "%%")
                    + "<extra></extra>",
                    name=label,
                    legendgroup=label if not mine else "selected",
                    showlegend=i == 1,
                ),
                row=i,
                col=1,
            )
        median = float(frame["value"].median()) if len(frame) else None
        if median is not None:
            fig.add_shape(
                type="line", x0=median, x1=median, y0=-0.45, y1=0.45, line=dict(dash="dash", color="#444"), row=i, col=1
            )
        fig.update_yaxes(visible=False, range=[-0.6, 0.8], row=i, col=1)
        fig.update_xaxes(title_text=unit, title_font_size=11, row=i, col=1)
    fig.update_layout(
        height=height or 150 * n + 90,
        margin=dict(l=10, r=10, t=40, b=10),
        font=FONT,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        legend=dict(orientation="h", x=0, y=1.0, yanchor="bottom", yref="container"),
    )
    return fig

"""Figures over time (plotly): a region's employment in a sector with its breaks in series, and an indicator for a
region against its country and the EU. Data in, figure out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mapping.charts import OKABE_ITO, _base_layout
from mapping.formatting import fmt


def employment_trend(frame: pd.DataFrame, *, height: int = 460) -> go.Figure:
    """Persons employed (bars) and the LQ (line, right axis) by year; a dashed line before each year that starts a
    break in series (named on hover and above the plot); Eurostat flags on hover."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    flags = frame["flag"].fillna("").astype(str)
    fig.add_trace(
        go.Bar(
            x=frame["year"],
            y=frame["persons"],
            name="Persons employed",
            marker_color=OKABE_ITO[0],
            customdata=np.column_stack([[fmt(p) for p in frame["persons"]], flags, frame["source_id"]]),
            hovertemplate="%{x}: %{customdata[0]} persons employed<br>flag %{customdata[1]}; "
            "%{customdata[2]}<extra></extra>",
        ),
        secondary_y=False,
    )
    fig.add_trace(
        go.Scatter(
            x=frame["year"],
            y=frame["lq"],
            name="LQ (right axis)",
            mode="lines+markers",
            line=dict(color=OKABE_ITO[5], width=2),
            hovertemplate="%{x}: LQ %{y:.2f}<extra></extra>",
        ),
        secondary_y=True,
    )
    breaks = frame[frame["break_before"].notna()]
    shapes, notes = [], []
    for year, why in zip(breaks["year"], breaks["break_before"], strict=True):
        x = float(year) - 0.5
        shapes.append(dict(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
                           line=dict(dash="dash", color="#666666")))  # fmt: skip
        notes.append(dict(x=x, y=1, xref="x", yref="paper", text=f"break: {why}", showarrow=False,
                          yanchor="bottom", font=dict(size=11, color="#444444")))  # fmt: skip
    fig.update_layout(shapes=shapes, annotations=notes, legend=dict(orientation="h", yanchor="top", y=-0.12, x=0))
    years = frame["year"].dropna()
    span = [float(years.min()) - 0.5, float(years.max()) + 0.5] if len(years) else None
    fig.update_xaxes(dtick=1, title=None, range=span)
    fig.update_yaxes(title="persons employed", gridcolor="#eeeeee", secondary_y=False, rangemode="tozero")
    fig.update_yaxes(title="location quotient", secondary_y=True, showgrid=False, rangemode="tozero", tickformat=".2f")
    fig = _base_layout(fig, height=height)
    fig.update_layout(margin=dict(t=30))
    return fig


LINES = {
    "region_value": ("{region}", dict(color=OKABE_ITO[5], width=3), "lines+markers"),
    "country_value": ("{country} (published)", dict(color=OKABE_ITO[0], width=2), "lines+markers"),
    "country_median": ("median of {country}'s regions", dict(color=OKABE_ITO[0], width=2, dash="dash"), "lines"),
    "eu_value": ("EU27 (published)", dict(color="#000000", width=2), "lines+markers"),
    "all_median": ("median of all regions", dict(color="#000000", width=2, dash="dot"), "lines"),
}


def indicator_trend(frame: pd.DataFrame, *, region: str, country: str, unit: str, height: int = 460) -> go.Figure:
    """The region's value by year against its country and the EU: published values where the source has them,
    and the medians of the country's regions and of all regions at the same NUTS level."""
    fig = go.Figure()
    for column, (name, line, mode) in LINES.items():
        if column not in frame or frame[column].isna().all():
            continue
        fig.add_trace(
            go.Scatter(
                x=frame["year"],
                y=frame[column],
                name=name.format(region=region, country=country),
                mode=mode,
                line=line,
                hovertemplate="%{x}: %{y:.4~g}<extra>%{fullData.name}</extra>",
            )
        )
    fig.update_xaxes(dtick=1 if len(frame) <= 16 else 2)
    fig.update_yaxes(title=unit, gridcolor="#eeeeee")
    fig = _base_layout(fig, height=height)
    fig.update_layout(legend=dict(orientation="h", yanchor="top", y=-0.12, x=0))
    return fig

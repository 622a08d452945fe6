"""Figures of the related-sectors page (plotly): the sector network, the relatedness-complexity diagram and a
sector's nearest sectors. Data in, figure out."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from mapping.charts import OKABE_ITO, SELECTED_OUTLINE, _base_layout, _headroom, _hline, _label_positions
from mapping.formatting import fmt

STATUS_COLOURS = {"specialised": OKABE_ITO[5], "not specialised": OKABE_ITO[0], "unknown": "#BBBBBB"}
GROUP_GREY = "#BBBBBB"


def _sizes(persons: pd.Series, *, smallest: float = 8, largest: float = 34) -> np.ndarray:
    v = np.sqrt(persons.fillna(0).clip(lower=0).to_numpy(dtype=float))
    top = v.max() or 1.0
    return smallest + (largest - smallest) * v / top


def network(
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    colour: str,
    focus: str | None = None,
    height: int = 620,
) -> go.Figure:
    """The sector network: ``nodes`` (sector, label, x, y, persons and the ``colour`` column: a status
    'specialised' / 'not specialised' / 'unknown', or a group number), ``edges`` (sector_a, sector_b, proximity)
    drawn as grey lines, thicker for closer pairs. ``focus``: a sector outlined in red."""
    at = nodes.set_index("sector")[["x", "y"]]
    fig = go.Figure()
    for lo, hi, width in ((0.0, 0.5, 0.8), (0.5, 0.6, 1.6), (0.6, 1.01, 2.6)):
        part = edges[(edges["proximity"] >= lo) & (edges["proximity"] < hi)]
        if part.empty:
            continue
        xs = np.column_stack([at.loc[part["sector_a"], "x"], at.loc[part["sector_b"], "x"], np.full(len(part), None)])
        ys = np.column_stack([at.loc[part["sector_a"], "y"], at.loc[part["sector_b"], "y"], np.full(len(part), None)])
        fig.add_trace(
            go.Scatter(
                x=xs.ravel(),
                y=ys.ravel(),
                mode="lines",
                line=dict(color="#9a9a9a", width=width),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    if colour == "group":
        categories = [(g, f"Group {g}") for g in sorted(nodes["group"].unique())]
        palette = {g: OKABE_ITO[i % len(OKABE_ITO)] for i, (g, _) in enumerate(categories)}
    else:
        categories = [(s, s.capitalize()) for s in STATUS_COLOURS if (nodes[colour] == s).any()]
        palette = STATUS_COLOURS
    for value, name in categories:
        part = nodes[nodes[colour] == value]
        fig.add_trace(
            go.Scatter(
                x=part["x"],
                y=part["y"],
                mode="markers+text",
                name=name,
                text=part["sector"],
                textposition="top center",
                textfont=dict(size=10),
                marker=dict(size=_sizes(part["persons"]), color=palette[value], line=dict(color="#ffffff", width=1)),
                customdata=np.column_stack([part["label"], [fmt(p) for p in part["persons"]]]),
                hovertemplate="%{text} %{customdata[0]}<br>persons employed: %{customdata[1]}<extra></extra>",
            )
        )
    if focus is not None and focus in at.index:
        fig.add_trace(
            go.Scatter(
                x=[at.at[focus, "x"]],
                y=[at.at[focus, "y"]],
                mode="markers",
                name=f"Selected: {focus}",
                marker=dict(size=40, color="rgba(0,0,0,0)", line=dict(color=SELECTED_OUTLINE, width=3)),
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig = _base_layout(fig, height=height)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    return fig


def relatedness_complexity(frame: pd.DataFrame, *, height: int = 560) -> go.Figure:
    """One bubble per sector of a region: x = relatedness density, y = sector complexity, area = the region's
    employment; specialised sectors in orange, the others in blue; flagged sectors (no complexity) left out."""
    fig = go.Figure()
    shown = frame[frame["complexity"].notna()]
    for status, name in ((True, "Specialised (LQ >= 1)"), (False, "Not specialised")):
        part = shown[shown["specialised"].fillna(False).astype(bool) == status]
        fig.add_trace(
            go.Scatter(
                x=part["density"],
                y=part["complexity"],
                mode="markers+text",
                name=name,
                text=part["sector"],
                textposition="top center",
                textfont=dict(size=10),
                marker=dict(
                    size=_sizes(part["persons"]),
                    color=STATUS_COLOURS["specialised" if status else "not specialised"],
                    opacity=0.8,
                    line=dict(color="#ffffff", width=1),
                ),
                customdata=np.column_stack([part["label"], [fmt(p) for p in part["persons"]], part["lq"].round(2)]),
                hovertemplate="%{text} %{customdata[0]}<br>density %{x:.1f}, complexity %{y:.2f}<br>"
                "persons employed %{customdata[1]}, LQ %{customdata[2]}<extra></extra>",
            )
        )
    if len(shown):
        fig.update_layout(shapes=[_hline(0)])
    fig.update_xaxes(title="relatedness density (0-100)", gridcolor="#eeeeee")
    fig.update_yaxes(title="sector complexity (standardised)", gridcolor="#eeeeee")
    fig = _base_layout(fig, height=height)
    fig.update_layout(legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0))
    return fig


def nearest_bars(near: pd.DataFrame, *, height: int = 520) -> go.Figure:
    """A sector's most related sectors: horizontal bars of proximity, the closest on top."""
    near = near.iloc[::-1]
    labels = [f"{s} {lab[:38]}" for s, lab in zip(near["sector_b"], near["label_b"], strict=True)]
    fig = go.Figure(
        go.Bar(
            x=near["proximity"],
            y=labels,
            orientation="h",
            marker_color=OKABE_ITO[0],
            text=[f"{p:.2f}" for p in near["proximity"]],
            textposition=_label_positions(near["proximity"], near["proximity"]),
            customdata=np.column_stack([near["regions_both"], near["regions_b"]]),
            hovertemplate="%{y}: proximity %{x:.2f}<br>%{customdata[0]} regions specialised in both, "
            "%{customdata[1]} in this one<extra></extra>",
        )
    )
    fig.update_xaxes(title="proximity (0-1)", range=_headroom(near["proximity"]), gridcolor="#eeeeee")
    return _base_layout(fig, height=height)

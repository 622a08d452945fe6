"""A cache of built map figures, keyed by what they show (Streamlit edge).

Building a choropleth costs ~20 ms of plotly validation; a revisited view (back to an earlier year,
another region and back) reuses the figure. Cached figures are shared and read-only: Streamlit copies
a figure when it sends it, and the figure card does not modify figures.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from mapping import maps


@st.cache_resource(show_spinner=False, max_entries=64)
def choropleth(
    values: pd.DataFrame,
    no_data: pd.DataFrame,
    spec: maps.MapSpec,
    *,
    geometry_url: str,
    base_url: str,
    highlight: str | None,
    center: tuple[float, float],
    zoom: float,
    height: int,
    bbox: tuple[float, float, float, float],
    overlay: pd.DataFrame | None = None,
    overlay_label: str = "",
) -> go.Figure:
    fig = maps.choropleth(
        values,
        spec=spec,
        geometries=geometry_url,
        base=base_url,
        no_data=no_data,
        highlight=highlight,
        center={"lon": center[0], "lat": center[1]},
        zoom=zoom,
        height=height,
        bbox=bbox,
    )
    if overlay is not None:
        fig = maps.add_cluster_markers(fig, overlay, label=overlay_label)
    return fig

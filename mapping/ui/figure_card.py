"""The figure card: the one way every chart is shown. Title, chart, caption with source and
vintage, downloads (PNG, SVG, offline HTML, data as CSV and Parquet) generated on click, and an embed snippet.

In presentation and embed mode the card is one screen (or frame) high and the chart takes the height the title
and caption leave (layout.PRESENT_CSS / EMBED_CSS); the card's container is keyed ``card_<key>`` for that."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

from mapping import export
from mapping.formatting import md_escape
from mapping.ui import data as ui_data
from mapping.ui.deck_state import deck_button
from mapping.ui.layout import figure_height, full_screen, register_card

# Set by the deck builder (mapping/deck/capture.py) in the session it runs a view in: every figure card drawn then
# is also recorded there as (key, figure, title, caption). A visitor cannot set it (no widget has this key).
CAPTURE = "_deck_capture"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "figure"


def figure_card(
    fig: go.Figure | pdk.Deck,
    *,
    title: str,
    caption: str,
    data: pd.DataFrame,
    key: str,
    on_select: str = "ignore",
    selection_mode: tuple[str, ...] = ("points",),
    height: int | None = None,
    width: int | None = None,
    embeddable: bool = True,
) -> Any:
    """Show a figure with its caption and downloads; returns the plotly selection event (or None).

    Args:
        fig: a plotly figure, or a pydeck deck (image exports are plotly-only).
        title: shown above the figure and written into exported images.
        caption: source and vintage; shown below and written into exported images.
        data: the frame behind the figure, offered as CSV and Parquet.
        key: unique widget key; also names the figure in embed links (``?embed=true&figure=<key>``).
        width: at most this many pixels wide (a figure meant to print on A4 keeps within its column: a figure is not
            redrawn for the printed page); default: the card's width.
        embeddable: offer an embed snippet (not for figures of a visitor's upload, which live in one session).
    """
    event = None
    if isinstance(captured := st.session_state.get(CAPTURE), list):
        captured.append((key, fig, title, caption))
    full = full_screen()
    with st.container(border=not full, key=f"card_{key}"):
        st.markdown(f"#### {md_escape(title)}")  # a title may quote a visitor's text (an uploaded column name)
        if isinstance(fig, pdk.Deck):
            st.pydeck_chart(fig, height="stretch" if full else height or figure_height(), key=key)
        else:
            if full:  # the chart fills what the card leaves; plotly sizes the figure to it
                fig = go.Figure(fig).update_layout(height=None, autosize=True)  # a copy: figures may be cached
            elif height and fig.layout.height != height:
                fig = go.Figure(fig).update_layout(height=height)
            event = st.plotly_chart(
                fig,
                key=key,
                on_select=on_select,
                selection_mode=selection_mode,
                height="stretch" if full else "content",
                width=width if width and not full else "stretch",
                config={
                    "displaylogo": False,
                    "scrollZoom": True,
                    "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"],
                    "responsive": True,
                },
            )
        st.caption(caption)
        if not full:
            # One row of buttons sized to their labels, wrapping in a narrow card (five columns cut them to "P S H").
            with st.container(horizontal=True, gap="small", key=f"actions_{key}"):
                _downloads(fig, title=title, caption=caption, data=data, key=key)
                if embeddable:
                    register_card(key)
                    if isinstance(fig, go.Figure):
                        deck_button(key, title)
        elif embeddable:
            register_card(key)
    return event


def _downloads(fig, *, title: str, caption: str, data: pd.DataFrame, key: str) -> None:
    name = _slug(title)
    resolve = ui_data.resolve_geometry
    if isinstance(fig, go.Figure):
        formats = [
            ("PNG", "png", "image/png", lambda: export.to_png(fig, title=title, caption=caption, resolve=resolve)),
            ("SVG", "svg", "image/svg+xml", lambda: export.to_svg(fig, title=title, caption=caption, resolve=resolve)),
            ("HTML", "html", "text/html", lambda: export.to_html(fig, title=title, caption=caption, resolve=resolve)),
        ]
        for label, ext, mime, make in formats:
            st.download_button(
                label,
                data=make,
                file_name=f"{name}.{ext}",
                mime=mime,
                key=f"{key}_{ext}",
                icon=":material/download:",
                on_click="ignore",
                help=f"{label} ({'1600 x 900 px, ' if ext != 'html' else 'opens offline, '}with title and source)",
            )
    st.download_button(
        "CSV",
        data=lambda: export.to_csv(data),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/table:",
        on_click="ignore",
    )
    st.download_button(
        "Parquet",
        data=lambda: export.to_parquet(data),
        file_name=f"{name}.parquet",
        mime="application/octet-stream",
        key=f"{key}_parquet",
        icon=":material/table:",
        on_click="ignore",
    )

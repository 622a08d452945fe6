"""Tables as people read them: human column labels, thousands separators, units, ``–`` for a missing value,
no negative zero, no ``None``. The underlying values stay numbers (sorting a column sorts numbers).

The browser formats the numbers (a printf format per column, ``placeholder`` for a missing value). A pandas Styler
did it on the server before: 50-100 ms of CPU per table, the largest part of a page's CPU under load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from mapping.formatting import MISSING, cell, md_escape


@dataclass(frozen=True)
class Col:
    """How a column is shown: its label and, for numbers, decimals, percent and unit; ``link`` for addresses."""

    label: str
    decimals: int | None = None  # None: text (missing -> "–")
    percent: bool = False
    unit: str = ""
    help: str | None = None
    link: bool = False


def _text(value: object) -> object:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return value


def printf(col: Col) -> str:
    """The browser's format for a number column: thousands separators, fixed decimals, ``%`` or the unit."""
    suffix = "%%" if col.percent else ""
    unit = f" {col.unit.replace('%', '%%')}" if col.unit else ""
    return f"%,.{col.decimals}f{suffix}{unit}"


def _numbers(values: pd.Series, col: Col) -> pd.Series:
    """Numbers as the column shows them: a share times 100, and a value that rounds to zero made +0 (no "-0.0")."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    if col.percent:
        v = v * 100
    return pd.Series(np.where(np.abs(v) < 0.5 * 10.0 ** -(col.decimals or 0), 0.0, v), index=values.index)


def shown(frame: pd.DataFrame, columns: dict[str, Col]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``frame`` limited to ``columns`` (in that order) as the table shows it, and its column config."""
    names = [c for c in columns if c in frame.columns]
    out: dict[str, pd.Series] = {}
    config: dict[str, Any] = {}
    for name in names:
        col = columns[name]
        if col.link:
            config[name] = st.column_config.LinkColumn(col.label, help=col.help, display_text="source")
            out[name] = frame[name]
        elif col.decimals is None:
            config[name] = st.column_config.TextColumn(col.label, help=col.help)
            values = frame[name]
            boolish = values.dtype == object or pd.api.types.is_bool_dtype(values)
            out[name] = values.map(_text) if boolish else values
        else:
            config[name] = st.column_config.NumberColumn(col.label, help=col.help, format=printf(col))
            out[name] = _numbers(frame[name], col)
    return pd.DataFrame(out, index=frame.index), config


def table(frame: pd.DataFrame, columns: dict[str, Col], **kwargs: Any) -> Any:
    """``st.dataframe`` of ``frame`` shown through ``columns`` (see :class:`Col`); ``kwargs`` go to st.dataframe."""
    data, config = shown(frame, columns)
    kwargs.setdefault("hide_index", True)
    return st.dataframe(data, column_config=config, placeholder=MISSING, **kwargs)


def text_frame(frame: pd.DataFrame, columns: dict[str, Col]) -> pd.DataFrame:
    """``frame`` as formatted text under the columns' labels: what a static table shows (a printed page cannot
    scroll a data grid, and a canvas grid prints only the part on screen)."""
    out = {}
    for name in (c for c in columns if c in frame.columns):
        col = columns[name]
        if col.decimals is None:
            out[col.label] = [MISSING if pd.isna(v) else str(_text(v)) for v in frame[name]]
        else:
            out[col.label] = [cell(v, decimals=col.decimals, percent=col.percent, unit=col.unit) for v in frame[name]]
    return pd.DataFrame(out)


def static(frame: pd.DataFrame, columns: dict[str, Col]) -> None:
    """A static table (``st.table``) for short lists that must also print whole. ``st.table`` reads its cells as
    Markdown: they are escaped, so a name from the data cannot become a link or an image."""
    st.table(escaped(text_frame(frame, columns)).set_index(columns[next(iter(columns))].label))


def escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell and column label Markdown-escaped (what ``st.table`` shows as text)."""
    return frame.map(md_escape).rename(columns=md_escape)

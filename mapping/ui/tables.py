"""Tables as people read them: human column labels, thousands separators, units, ``–`` for a missing value,
no negative zero, no ``None``. The underlying values stay numbers (sorting a column sorts numbers)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

from mapping.formatting import MISSING, cell


@dataclass(frozen=True)
class Col:
    """How a column is shown: its label and, for numbers, decimals, percent and unit; ``link`` for addresses."""

    label: str
    decimals: int | None = None  # None: text (missing -> "–")
    percent: bool = False
    unit: str = ""
    help: str | None = None
    link: bool = False


def _text(value: object) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return str(value)


def styled(frame: pd.DataFrame, columns: dict[str, Col]) -> tuple[Any, dict[str, Any]]:
    """``frame`` limited to ``columns`` (in that order) as a Styler with display text, and its column config."""
    shown = frame[[c for c in columns if c in frame.columns]]
    formats = {}
    config: dict[str, Any] = {}
    for name in shown.columns:
        col = columns[name]
        if col.link:
            config[name] = st.column_config.LinkColumn(col.label, help=col.help, display_text="source")
            continue
        config[name] = st.column_config.Column(col.label, help=col.help)
        if col.decimals is None:
            formats[name] = _text
        else:
            formats[name] = partial(cell, decimals=col.decimals, percent=col.percent, unit=col.unit)
    return shown.style.format(formats, na_rep=MISSING), config


def table(frame: pd.DataFrame, columns: dict[str, Col], **kwargs: Any) -> Any:
    """``st.dataframe`` of ``frame`` shown through ``columns`` (see :class:`Col`); ``kwargs`` go to st.dataframe."""
    style, config = styled(frame, columns)
    kwargs.setdefault("hide_index", True)
    return st.dataframe(style, column_config=config, **kwargs)

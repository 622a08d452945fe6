"""Eurostat observation flags, decoded for tooltips and tables."""

from __future__ import annotations

import math

FLAGS = {
    "b": "break in time series",
    "c": "confidential",
    "d": "definition differs",
    "e": "estimated",
    "f": "forecast",
    "i": "see metadata",
    "n": "not significant",
    "p": "provisional",
    "r": "revised",
    "s": "Eurostat estimate",
    "u": "low reliability",
    "z": "not applicable",
}


def describe_flags(flag: object) -> str:
    """'bu' -> 'flag b: break in time series, u: low reliability'; empty for no flag."""
    if flag is None or (isinstance(flag, float) and math.isnan(flag)) or not str(flag).strip():
        return ""
    parts = [f"{ch}: {FLAGS.get(ch, 'unknown flag')}" for ch in str(flag).strip()]
    return "flag " + ", ".join(parts)

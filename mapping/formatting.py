"""Number formatting shared by tooltips, panels and tables."""

from __future__ import annotations

import math
import re

# Characters Markdown (and Streamlit's HTML-in-Markdown) would act on.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$])")


def fmt(value: object, unit: str = "") -> str:
    """Readable number: thousands separators for large values, 3-4 significant digits otherwise."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    if abs(v) >= 10_000:
        text = f"{v:,.0f}"
    elif abs(v) >= 100:
        text = f"{v:,.1f}".rstrip("0").rstrip(".")
    else:
        text = f"{v:.3g}"
    return f"{text} {unit}".strip() if unit else text


def wrap_words(text: str, width: int = 16) -> str:
    """``text`` broken into lines of about ``width`` characters with <br> (plotly labels and colour-bar titles)."""
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    return "<br>".join(lines)


# What GitHub-flavoured Markdown turns into a link by itself, escaped or not: a scheme, "www." and e-mail addresses.
_AUTOLINK = re.compile(r"(?i)(https?|ftp|mailto)(?=:)|(www)(?=\.)|(?<=\w)(?=@)")


def md_escape(text: object) -> str:
    """``text`` shown literally by a Markdown renderer: no link, image, emphasis or HTML can come of it.

    Punctuation is backslash-escaped; a zero-width space is put after ``https``, ``www`` and before ``@``, because
    Streamlit's Markdown makes links of bare addresses even when their punctuation is escaped.
    """
    return _MARKDOWN.sub(r"\\\1", _AUTOLINK.sub(lambda m: (m.group(0) or "") + "\u200b", str(text)))


MISSING = "–"


def cell(value: object, *, decimals: int = 0, percent: bool = False, unit: str = "") -> str:
    """A table cell: thousands separators, fixed decimals, ``–`` for a missing value, never a negative zero.

    ``percent`` shows a share (0.25) as "25.0%" with ``decimals`` places.
    """
    if isinstance(value, str):
        return value or MISSING
    if value is None or type(value).__name__ in ("NAType", "NaTType"):  # pandas' missing markers
        return MISSING
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return MISSING
    if percent:
        v *= 100
    text = f"{v:,.{decimals}f}"
    if text.lstrip("-").strip("0.,") == "":  # -0.0 after rounding
        text = text.lstrip("-")
    suffix = "%" if percent else ""
    return f"{text}{suffix} {unit}".strip() if unit else f"{text}{suffix}"

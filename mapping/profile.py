"""A region's scoreboard profile as one self-contained HTML file (plotly.js inlined, no network)."""

from __future__ import annotations

import datetime as dt
import html

import pandas as pd
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from mapping.export import EXPORT_TEMPLATE

CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1100px;color:#1b1f24}
h1{margin-bottom:0} .sub{color:#555;margin-top:4px} h2{margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;margin:8px 0} th,td{border:1px solid #ddd;padding:4px 8px;text-align:left}
th{background:#f2f5f9} td.num{text-align:right} .note{color:#555;font-size:12px} .figure{margin:12px 0}
"""


def _table(frame: pd.DataFrame) -> str:
    out = ["<table><thead><tr>", *[f"<th>{html.escape(str(c))}</th>" for c in frame.columns], "</tr></thead><tbody>"]
    for _, row in frame.iterrows():
        out.append("<tr>")
        for v in row:
            if isinstance(v, float):
                cell = "" if pd.isna(v) else f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
                out.append(f"<td class='num'>{cell}</td>")
            else:
                out.append(f"<td>{html.escape('' if v is None else str(v))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def profile_html(
    *,
    title: str,
    subtitle: str,
    figures: list[tuple[str, go.Figure, str]],
    tables: list[tuple[str, pd.DataFrame, str]],
    method_notes: list[str],
    sources: pd.DataFrame,
) -> bytes:
    """Build the page.

    Args:
        figures: (heading, figure, caption) in order; plotly.js is included once.
        tables: (heading, frame, note).
        method_notes: paragraphs describing the rules behind the numbers.
        sources: rows of the ``sources`` table behind the profile (title, attribution, url, vintage).
    """
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{CSS}</style>",
        f"<script type='text/javascript'>{get_plotlyjs()}</script></head><body>",
        f"<h1>{html.escape(title)}</h1><p class='sub'>{html.escape(subtitle)}</p>",
    ]
    for heading, fig, caption in figures:
        # an explicit template: under Streamlit the default one holds placeholder colours only the app replaces
        fig = go.Figure(fig).update_layout(template=EXPORT_TEMPLATE)
        body = fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})
        parts.append(f"<h2>{html.escape(heading)}</h2><div class='figure'>{body}</div>")
        parts.append(f"<p class='note'>{html.escape(caption)}</p>")
    for heading, frame, note in tables:
        parts.append(f"<h2>{html.escape(heading)}</h2>{_table(frame)}<p class='note'>{html.escape(note)}</p>")
    parts.append("<h2>Method</h2>" + "".join(f"<p class='note'>{html.escape(p)}</p>" for p in method_notes))
    src = sources[["title", "attribution", "vintage", "url"]].rename(columns=str.capitalize)
    parts.append("<h2>Sources</h2>" + _table(src))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(
        f"<p class='note'>Generated {stamp} by the EU cluster-mapping dashboard. "
        "Boundaries © EuroGeographics for the administrative boundaries.</p></body></html>"
    )
    return "".join(parts).encode("utf-8")

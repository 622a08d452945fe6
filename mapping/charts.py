"""Chart builders (plotly): data in, figure out. Colour-blind-safe palettes throughout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from mapping.formatting import fmt, wrap_words

# Okabe-Ito, a colour-blind-safe qualitative palette.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
STAR_COLOURS = {0: "#BBBBBB", 1: "#56B4E9", 2: "#0072B2", 3: "#D55E00"}
FONT = dict(family="sans-serif", size=13)


def _base_layout(fig: go.Figure, *, height: int) -> go.Figure:
    # One update_layout call: plotly's update_xaxes/add_vline helpers cost ~5 ms each.
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=10, b=10),
        font=FONT,
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        xaxis=dict(automargin=True),
        yaxis=dict(automargin=True),
    )
    return fig


def _vline(x: float, *, dash: str = "dash", colour: str = "#666666") -> dict:
    """A vertical reference line as a layout shape (cheaper than fig.add_vline)."""
    return dict(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1, line=dict(dash=dash, color=colour))


def _hline(y: float, *, dash: str = "dash", colour: str = "#666666") -> dict:
    return dict(type="line", xref="paper", yref="y", x0=0, x1=1, y0=y, y1=y, line=dict(dash=dash, color=colour))


def _headroom(values: pd.Series | np.ndarray, *, share: float = 0.14, floor: float | None = 0.0) -> list[float]:
    """An axis range with room beyond the largest value for a bar label printed outside the bar."""
    v = pd.Series(values, dtype=float).dropna()
    hi = float(v.max()) if len(v) else 1.0
    lo = float(v.min()) if len(v) else 0.0
    lo = min(lo, floor) if floor is not None else lo
    span = (hi - lo) or 1.0
    return [lo - (share * span if lo < 0 else 0.0), hi + share * span]


def _label_positions(values: pd.Series, scale: pd.Series, *, share: float = 0.3) -> list[str]:
    """Bar labels inside bars longer than ``share`` of the longest (they fit at any width), outside shorter ones
    (which leave room to their end of the axis)."""
    top = float(scale.abs().max() or 1.0)
    return ["inside" if abs(v) >= share * top else "outside" for v in values.fillna(0)]


SELECTED_OUTLINE = "#d7191c"  # the same red as the selected region's outline on the maps


def selected_name(name: str | None, code: str) -> str:
    """The legend entry of the focal region on every chart and map."""
    return f"Selected: {name} ({code})" if name and name != code else f"Selected: {code}"


def ranking_bar(
    frame: pd.DataFrame,
    *,
    value: str,
    label: str,
    unit: str,
    top: int = 20,
    highlight: str | None = None,
    colour_by: str | None = None,
    height: int = 560,
) -> go.Figure:
    """Horizontal bars of the ``top`` rows by ``value`` (largest on top); ``highlight`` a code to mark.

    Bar colour = stars when ``colour_by`` (one legend entry per star count); the highlighted region's bar is outlined
    in red and named in the legend ("Selected: name (code)"), or named with its rank when it is not in the top.
    Values are printed beside the bars inside the axis range, so no label is cut at the edge.
    """
    ranked = frame.dropna(subset=[value]).sort_values(value, ascending=False, kind="stable")
    data = ranked.head(top).iloc[::-1]
    data = data.assign(_y=data[label].astype(str) + " (" + data["code"] + ")")
    groups = (
        [(int(s), g) for s, g in data.groupby(data[colour_by].fillna(0).astype(int))] if colour_by else [(None, data)]
    )
    fig = go.Figure()
    for stars, group in groups:
        chosen = group["code"] == highlight
        fig.add_trace(
            go.Bar(
                x=group[value],
                y=group["_y"],
                orientation="h",
                marker=dict(
                    color=STAR_COLOURS.get(stars, "#BBBBBB") if stars is not None else OKABE_ITO[0],
                    line=dict(
                        width=[3 if c else 0 for c in chosen],
                        color=[SELECTED_OUTLINE if c else "#FFFFFF" for c in chosen],
                    ),
                ),
                name=f"{stars} star{'s' if stars != 1 else ''}" if stars is not None else unit,
                text=[fmt(v) for v in group[value]],
                textposition=_label_positions(group[value], data[value]),
                insidetextanchor="end",
                cliponaxis=False,
                hovertemplate="%{y}<br>%{x:.3g} " + unit + "<extra></extra>",
                showlegend=stars is not None,
            )
        )
    if highlight is not None and (ranked["code"] == highlight).any():
        row = ranked[ranked["code"] == highlight].iloc[0]
        name = selected_name(row[label], highlight)
        rank = int((ranked["code"] == highlight).to_numpy().argmax()) + 1
        if rank > top:
            name += f": rank {rank}, {fmt(row[value])} (not in the top {top})"
        fig.add_trace(
            go.Bar(
                x=[None],
                y=[data["_y"].iloc[-1]] if len(data) else [None],
                orientation="h",
                marker=dict(color="rgba(0,0,0,0)", line=dict(width=3, color=SELECTED_OUTLINE)),
                name=name,
                hoverinfo="skip",
                showlegend=True,
            )
        )
    fig.update_layout(barmode="overlay", legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0))
    fig.update_xaxes(title=unit, showgrid=True, gridcolor="#eeeeee", zeroline=True, range=_headroom(data[value]))
    fig.update_yaxes(automargin=True, categoryorder="array", categoryarray=list(data["_y"]))
    return _base_layout(fig, height=height)


STRIP_ROWS = {"break": "break in series", "unknown": "growth unknown"}
STRIP_TITLE = "growth not comparable / unknown"


def _growth_status(data: pd.DataFrame) -> pd.Series:
    """'growth' / 'break' / 'unknown' as the domain decided (``growth_status``); older frames: from the columns."""
    if "growth_status" in data:
        return data["growth_status"]
    brk = data["series_break"] if "series_break" in data else pd.Series(None, index=data.index)
    return pd.Series(
        np.where(brk.notna(), "break", np.where(data["growth"].notna(), "growth", "unknown")), index=data.index
    )


def portfolio_bubbles(frame: pd.DataFrame, *, base_year: int, year: int, height: int = 560) -> go.Figure:
    """A region's sectors: LQ (log x) against employment CAGR (y), bubble area = employment, colour = stars.

    Only sectors whose growth the domain computed (``growth_status == 'growth'``) sit on the growth axis. The others
    are drawn in a separate strip below it, on their own rows: 'break in series' (diamonds; ``series_break`` says
    why: a change of table or territorial unit, a Eurostat break flag, an implausible jump) and 'growth unknown'
    (open circles; ``growth_note`` says why). The hover names the reason.
    """
    data = frame[frame["lq"] > 0].copy()
    data["status"] = _growth_status(data)
    data["growth_pct"] = data["growth"] * 100
    for col in ("series_break", "growth_note"):
        if col not in data:
            data[col] = None
    size_ref = max(data["persons"].max() or 1, 1)
    rows = [STRIP_ROWS[s] for s in ("break", "unknown") if (data["status"] == s).any()]
    strip = len(rows) > 0
    fig = make_subplots(
        rows=2 if strip else 1,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.8, 0.2] if strip else [1.0],
        vertical_spacing=0.04,
    )
    seen: set[int] = set()
    order = {"growth": 0, "break": 1, "unknown": 2}  # a star count's legend entry shows the plain circle
    groups = sorted(
        data.groupby([data["stars"].fillna(0).astype(int), data["status"]]), key=lambda g: (order[g[0][1]], g[0][0])
    )
    for (stars, status), group in groups:
        on_axis = status == "growth"
        why = [
            f"{g:+.1f}% a year"
            if status == "growth"
            else (f"not comparable: {b}" if status == "break" else f"unknown: {n if isinstance(n, str) else 'n/a'}")
            for g, b, n in zip(group["growth_pct"], group["series_break"], group["growth_note"], strict=True)
        ]
        fig.add_trace(
            go.Scatter(
                x=group["lq"],
                y=group["growth_pct"] if on_axis else [STRIP_ROWS[status]] * len(group),
                mode="markers+text",
                text=[
                    n if s >= 2 or lq >= 2 else ""
                    for n, s, lq in zip(group["nace"], group["stars"].fillna(0), group["lq"], strict=True)
                ],
                textposition="top center",
                cliponaxis=False,
                marker=dict(
                    size=np.sqrt(group["persons"].fillna(0) / size_ref) * (60 if on_axis else 24) + 6,
                    color=STAR_COLOURS.get(stars, "#BBBBBB"),  # an open symbol takes its outline from it
                    symbol={"growth": "circle", "break": "diamond", "unknown": "circle-open"}[status],
                    line=dict(width=2.5 if status == "unknown" else 1.2, color="#333333"),
                    opacity=0.85,
                ),
                name=f"{stars} star{'s' if stars != 1 else ''}",
                legendgroup=f"stars{stars}",
                showlegend=False,
                customdata=np.column_stack([group["label"], [fmt(p) for p in group["persons"]], why]),
                hovertemplate="<b>%{customdata[0]}</b><br>LQ %{x:.2f}<br>employment %{customdata[1]}"
                "<br>growth %{customdata[2]}<extra></extra>",
            ),
            row=1 if on_axis else 2,
            col=1,
        )
        seen.add(stars)
    for stars in sorted(seen):  # one circle per star count in the legend, whatever the strip holds
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker=dict(size=12, color=STAR_COLOURS.get(stars, "#BBBBBB"), line=dict(width=0.8, color="#333333")),
                name=f"{stars} star{'s' if stars != 1 else ''}",
                legendgroup=f"stars{stars}",
                hoverinfo="skip",
            )
        )
    shapes = [_vline(1), _hline(0)]
    if strip:
        shapes = [dict(_vline(1), yref="y domain"), dict(_vline(1), yref="y2 domain"), _hline(0)]
    fig.update_layout(shapes=shapes)
    fig.update_xaxes(type="log", gridcolor="#eeeeee")
    fig.update_xaxes(title="location quotient (log scale; 1 = EU average share)", row=2 if strip else 1, col=1)
    fig.update_yaxes(
        title=f"employment growth {base_year}-{year},<br>% a year (CAGR)", gridcolor="#eeeeee", zeroline=False, row=1
    )
    if strip:
        fig.update_yaxes(
            type="category",
            categoryorder="array",
            categoryarray=rows[::-1],
            title=wrap_words(STRIP_TITLE, 18),
            tickfont=dict(size=11),
            range=[-0.6, len(rows) - 0.4],
            row=2,
            col=1,
        )
    fig.update_layout(legend=dict(title="stars", orientation="h", y=1.02, yanchor="bottom", x=0))
    return _base_layout(fig, height=height)


def summary_heatmap(pivot: pd.DataFrame, *, title_z: str, height: int = 620) -> go.Figure:
    """Countries (rows) x sectors (columns) with counts; zeros left blank."""
    z = pivot.to_numpy(dtype=float)
    text = [["" if v == 0 else f"{int(v)}" for v in row] for row in z]
    fig = go.Figure(
        go.Heatmap(
            z=np.where(z == 0, np.nan, z),
            x=list(pivot.columns),
            y=list(pivot.index),
            colorscale="Cividis",  # yellow = many, as on the maps (cividis/viridis: yellow = high)
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=9),
            colorbar=dict(title=title_z, thickness=12),
            hovertemplate="%{y} · %{x}: %{z} cells<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_xaxes(tickangle=-90, tickfont=dict(size=10), side="top")  # upright codes: -60 made them touch
    fig.update_yaxes(autorange="reversed", tickfont=dict(size=11))
    return _base_layout(fig, height=height)


def sensitivity_curve(curve: pd.DataFrame, *, label: str, base: float, alt: float, height: int = 420) -> go.Figure:
    """Cells with >= 1, >= 2 and 3 stars as a threshold moves; dashed lines at the base and alternative values."""
    fig = go.Figure()
    for col, name, colour in (
        ("at_least_1", ">= 1 star", OKABE_ITO[4]),
        ("at_least_2", ">= 2 stars", OKABE_ITO[0]),
        ("three", "3 stars", OKABE_ITO[5]),
    ):
        if curve[col].sum() > 0:
            fig.add_trace(
                go.Scatter(
                    x=curve["value"], y=curve[col], mode="lines+markers", name=name, line=dict(color=colour, width=2.5)
                )
            )
    fig.add_vline(x=base, line_dash="dash", line_color="#333333", annotation_text="base", annotation_position="top")
    if alt != base:
        fig.add_vline(
            x=alt, line_dash="dot", line_color="#D55E00", annotation_text="alternative", annotation_position="top"
        )
    fig.update_xaxes(title=label, gridcolor="#eeeeee")
    fig.update_yaxes(title="cells (region x sector)", gridcolor="#eeeeee", rangemode="tozero")
    fig.update_layout(legend=dict(orientation="h", y=-0.22, x=0), margin=dict(t=30))
    return _base_layout(fig, height=height)


def flips_bar(flips: pd.DataFrame, *, height: int = 360) -> go.Figure:
    """Cells gaining or losing stars, by sector (top 20 sectors by number of flips)."""
    by = flips.assign(gain=flips["change"] > 0).groupby(["nace", "gain"]).size().unstack(fill_value=0)
    for col in (True, False):
        if col not in by:
            by[col] = 0
    by = by.assign(total=by[True] + by[False]).nlargest(20, "total").iloc[::-1]
    fig = go.Figure(
        [
            go.Bar(y=by.index, x=by[True], orientation="h", name="gain stars", marker_color=OKABE_ITO[2]),
            go.Bar(y=by.index, x=-by[False], orientation="h", name="lose stars", marker_color=OKABE_ITO[5]),
        ]
    )
    fig.update_layout(barmode="relative", legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0))
    fig.update_xaxes(title="cells (losses to the left)", gridcolor="#eeeeee")
    return _base_layout(fig, height=height)


VERDICT_COLOURS = {"strength": OKABE_ITO[2], "weakness": OKABE_ITO[5], "neutral": "#BBBBBB", "no comparison": "#EEEEEE"}


def dimension_bars(
    own: pd.Series, peers: pd.Series, *, labels: dict[str, str], name: str, height: int = 380
) -> go.Figure:
    """A region's dimension scores next to its peers' median (0-1, 1 = best)."""
    dims = list(own.index)
    y = [labels.get(d, d) for d in dims]
    fig = go.Figure(
        [
            go.Bar(
                y=y,
                x=own.values,
                orientation="h",
                name=name,
                marker_color=OKABE_ITO[0],
                text=[fmt(v) for v in own.values],
                textposition=_label_positions(own, pd.concat([own, peers])),
                insidetextanchor="end",
                cliponaxis=False,
            ),
            go.Bar(y=y, x=peers.reindex(dims).values, orientation="h", name="peer median", marker_color="#BBBBBB"),
        ]
    )
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(
        title="score (0-1, 1 = best region)",
        gridcolor="#eeeeee",
        range=_headroom(pd.concat([own, peers.reindex(dims)]).clip(lower=None)),
    )
    return _base_layout(fig, height=height)


def scorecard_bars(card: pd.DataFrame, *, margin: float, height: int = 620) -> go.Figure:
    """Each indicator's gap to the peer median, coloured strength / weakness / neutral."""
    data = card.dropna(subset=["difference"]).sort_values("difference")
    fig = go.Figure(
        go.Bar(
            y=data["label"],
            x=data["difference"],
            orientation="h",
            marker_color=[VERDICT_COLOURS[v] for v in data["verdict"]],
            customdata=np.column_stack(
                [data["verdict"], [fmt(v) for v in data["score"]], [fmt(v) for v in data["peer_median"]]]
            ),
            hovertemplate="%{y}<br>%{customdata[0]}: score %{customdata[1]} vs peers %{customdata[2]}<extra></extra>",
        )
    )
    fig.update_layout(shapes=[_vline(-margin, dash="dot"), _vline(margin, dash="dot")])
    fig.update_xaxes(title="normalised score minus peer median", gridcolor="#eeeeee", zeroline=True)
    fig.update_yaxes(automargin=True, tickfont=dict(size=11))
    return _base_layout(fig, height=height)


def peer_contributions(
    peers: pd.DataFrame, *, labels: dict[str, str], names: dict[str, str], height: int = 320
) -> go.Figure:
    """Why these peers: each structural variable's share of the (squared) distance to each peer."""
    cols = [c for c in peers.columns if c.startswith("share_")]
    fig = go.Figure()
    for i, col in enumerate(cols):
        var = col.removeprefix("share_")
        fig.add_trace(
            go.Bar(
                y=[f"{names.get(c, c)} ({c})" for c in peers.index],
                x=peers[col],
                orientation="h",
                name=labels.get(var, var),
                marker_color=OKABE_ITO[i % len(OKABE_ITO)],
            )
        )
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    fig.update_xaxes(
        title="share of the distance (small bars = similar on that variable)",
        tickformat=".0%",
        range=[0, 1],
        gridcolor="#eeeeee",
    )
    fig.update_yaxes(autorange="reversed")
    return _base_layout(fig, height=height).update_layout(margin=dict(t=90))


def _score_range(frame: pd.DataFrame) -> list[float]:
    """0-1 for min-max scores; wider when z-scores fall outside."""
    values = frame.to_numpy(dtype=float)
    if not np.isfinite(values).any():  # nothing scored (a build without the scoreboard's sources)
        return [0.0, 1.0]
    lo, hi = np.nanmin(values), np.nanmax(values)
    return [min(0.0, float(np.floor(lo))), max(1.0, float(np.ceil(hi)))]


def radar(
    scores: pd.DataFrame,
    *,
    labels: dict[str, str],
    names: dict[str, str],
    height: int | None = None,
    highlight: str | None = None,
) -> go.Figure:
    """Dimension scores of several regions on one radar (by default taller by a legend line per region).

    ``highlight``: the focal region's code; its line is thicker, filled and named "Selected: ..." in the legend.
    """
    height = height or 440 + 20 * len(scores)
    theta = [wrap_words(labels.get(c, c)) for c in scores.columns]
    fig = go.Figure()
    for i, (code, row) in enumerate(scores.iterrows()):
        fig.add_trace(
            go.Scatterpolar(
                r=[*row.values, row.values[0]],
                theta=[*theta, theta[0]],
                name=selected_name(names.get(code), code) if code == highlight else f"{names.get(code, code)} ({code})",
                line=dict(color=OKABE_ITO[i % len(OKABE_ITO)], width=4 if code == highlight else 2),
                fill="toself" if code == highlight else "none",
                opacity=1.0 if code == highlight or highlight is None else 0.8,
            )
        )
    fig.update_layout(
        polar=dict(
            radialaxis=dict(range=_score_range(scores), tickfont=dict(size=10)),
            angularaxis=dict(tickfont=dict(size=11)),
        ),
        legend=dict(orientation="h", y=-0.12, x=0),
    )
    # Side margins for the angular labels left and right of the circle (10 px cut them off in a half-width column).
    return _base_layout(fig, height=height).update_layout(margin=dict(l=80, r=80, t=40))


def parallel(scores: pd.DataFrame, *, labels: dict[str, str], names: dict[str, str], height: int = 460) -> go.Figure:
    """Parallel coordinates: one line per region across the dimensions (0-1)."""
    codes = list(scores.index)
    fig = go.Figure(
        go.Parcoords(
            line=dict(
                color=list(range(len(codes))),
                colorscale=[[i / max(len(codes) - 1, 1), OKABE_ITO[i % 8]] for i in range(len(codes))],
                showscale=False,
            ),
            dimensions=[
                dict(label=labels.get(c, c), values=scores[c].tolist(), range=_score_range(scores))
                for c in scores.columns
            ],
            # One-line labels (a wrapped label grows down onto the axis' top value); inset so the end labels fit.
            labelfont=dict(size=12),
            domain=dict(x=[0.07, 0.93]),
        )
    )
    # The regions' colours as legend entries (parcoords has none of its own): empty lines on hidden axes.
    for i, c in enumerate(codes):
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                line=dict(color=OKABE_ITO[i % 8], width=3),
                name=f"{names.get(c, c)} ({c})",
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        showlegend=True,
        legend=dict(orientation="h", y=-0.05, yanchor="top", x=0),
    )
    return _base_layout(fig, height=height).update_layout(xaxis=dict(visible=False), yaxis=dict(visible=False))


def indicator_bars(
    norm: pd.DataFrame,
    *,
    labels: dict[str, str],
    names: dict[str, str],
    height: int | None = None,
    highlight: str | None = None,
) -> go.Figure:
    """Normalised indicator scores, one bar group per indicator, one colour per region.

    Without ``height`` the chart grows with regions x indicators (and a legend line per region) so bars stay legible.
    """
    if height is None:
        height = max(420, 110 + 20 * len(norm) + len(norm.columns) * max(40, 11 * len(norm)))
    fig = go.Figure()
    y = [labels.get(c, c) for c in norm.columns]
    for i, (code, row) in enumerate(norm.iterrows()):
        fig.add_trace(
            go.Bar(
                y=y,
                x=row.values,
                orientation="h",
                name=selected_name(names.get(code), code) if code == highlight else f"{names.get(code, code)} ({code})",
                marker=dict(
                    color=OKABE_ITO[i % len(OKABE_ITO)],
                    line=dict(width=2 if code == highlight else 0, color=SELECTED_OUTLINE),
                ),
            )
        )
    # Legend above the bars: below them it sat on the x-axis title.
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0))
    fig.update_xaxes(title="normalised score", range=_score_range(norm), gridcolor="#eeeeee")
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont=dict(size=11))
    return _base_layout(fig, height=height)


def grouped_bars(pivot: pd.DataFrame, *, value: str, height: int = 420) -> go.Figure:
    """Rows of ``pivot`` as bar groups, one colour per column (e.g. programmes x countries)."""
    fig = go.Figure(
        [
            go.Bar(x=list(pivot.index), y=pivot[c], name=str(c), marker_color=OKABE_ITO[i % len(OKABE_ITO)])
            for i, c in enumerate(pivot.columns)
        ]
    )
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.01, yanchor="bottom", x=0))
    fig.update_yaxes(title=value, gridcolor="#eeeeee")
    return _base_layout(fig, height=height)


def gap_scatter(gap: pd.DataFrame, *, height: int = 480) -> go.Figure:
    """Cluster strength (x) against recorded partnership participation (y), one dot per country."""
    fig = go.Figure(
        go.Scatter(
            x=gap["cells_2plus"],
            y=gap["participations"],
            mode="markers+text",
            text=list(gap.index),
            textposition="top center",
            marker=dict(size=10, color=[OKABE_ITO[5] if g > 0 else OKABE_ITO[0] for g in gap["gap_pp"]]),
            customdata=np.column_stack([gap["gap_pp"].round(1), gap["cells_3"]]),
            hovertemplate="%{text}: %{x} cells with >= 2 stars (%{customdata[1]} with 3)<br>%{y} participations; "
            "gap %{customdata[0]} pp<extra></extra>",
        )
    )
    total_p, total_c = gap["participations"].sum(), gap["cells_2plus"].sum()
    if total_c:
        xmax = float(gap["cells_2plus"].max())
        fig.update_layout(
            shapes=[
                dict(
                    type="line",
                    x0=0,
                    y0=0,
                    x1=xmax,
                    y1=xmax * total_p / total_c,
                    line=dict(dash="dash", color="#666666"),
                )
            ]
        )
    # Ranges start a little below zero: at zero the two axes' '0' labels meet in the corner; headroom on top for the
    # country labels above the points.
    xmax = max(float(gap["cells_2plus"].max() or 0), 1.0)
    ymax = max(float(gap["participations"].max() or 0), 1.0)
    fig.update_xaxes(
        title="NUTS 2 x NACE-division cells with >= 2 cluster stars",
        gridcolor="#eeeeee",
        range=[-0.04 * xmax, 1.06 * xmax],
    )
    fig.update_yaxes(
        title="recorded partnership participations (lower bound)",
        gridcolor="#eeeeee",
        range=[-0.05 * ymax, 1.12 * ymax],
    )
    return _base_layout(fig, height=height)

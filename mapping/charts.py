"""Chart builders (plotly): data in, figure out. Colour-blind-safe palettes throughout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

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
    """Horizontal bars of the ``top`` rows by ``value`` (largest on top); ``highlight`` a code to mark."""
    data = frame.dropna(subset=[value]).nlargest(top, value).iloc[::-1]
    colours = (
        [STAR_COLOURS.get(int(s), "#BBBBBB") for s in data[colour_by]] if colour_by else [OKABE_ITO[0]] * len(data)
    )
    if highlight is not None:
        colours = [("#000000" if c == highlight else col) for c, col in zip(data["code"], colours, strict=True)]
    fig = go.Figure(
        go.Bar(
            x=data[value],
            y=data[label] + " (" + data["code"] + ")",
            orientation="h",
            marker_color=colours,
            text=[fmt(v) for v in data[value]],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}<br>%{x:.3g} " + unit + "<extra></extra>",
        )
    )
    fig.update_xaxes(title=unit, showgrid=True, gridcolor="#eeeeee", zeroline=True)
    fig.update_yaxes(automargin=True)
    return _base_layout(fig, height=height)


def portfolio_bubbles(frame: pd.DataFrame, *, base_year: int, year: int, height: int = 560) -> go.Figure:
    """A region's sectors: LQ (log x) against employment CAGR (y), bubble area = employment, colour = stars.

    Quadrant lines at LQ = 1 and zero growth; sectors without a growth figure sit on a strip below the axis:
    diamonds where a break in series (a change of table, a Eurostat 'b' flag) lies between the two years, so
    their change is not presented as growth.
    """
    data = frame[frame["lq"] > 0].copy()
    if "series_break" not in data:
        data["series_break"] = None
    data["growth_pct"] = data["growth"] * 100
    known = data["growth_pct"].notna()
    broken = data["series_break"].notna()
    floor = (data.loc[known, "growth_pct"].min() if known.any() else 0) - 3
    data["y"] = data["growth_pct"].where(known, floor)
    size_ref = max(data["persons"].max() or 1, 1)
    fig = go.Figure()
    for stars, group in data.groupby(data["stars"].fillna(0).astype(int)):
        is_break = group["series_break"].notna()
        fig.add_trace(
            go.Scatter(
                x=group["lq"],
                y=group["y"],
                mode="markers+text",
                text=[
                    n if s >= 2 or lq >= 2 else ""
                    for n, s, lq in zip(group["nace"], group["stars"].fillna(0), group["lq"], strict=True)
                ],
                textposition="top center",
                marker=dict(
                    size=np.sqrt(group["persons"].fillna(0) / size_ref) * 60 + 6,
                    color=STAR_COLOURS.get(stars, "#BBBBBB"),
                    symbol=np.where(is_break, "diamond", "circle"),
                    line=dict(width=0.8, color="#333333"),
                    opacity=0.85,
                ),
                name=f"{stars} star{'s' if stars != 1 else ''}",
                customdata=np.column_stack(
                    [
                        group["label"],
                        [fmt(p) for p in group["persons"]],
                        [
                            f"not computed: {b}"
                            if isinstance(b, str)
                            else ("n/a" if pd.isna(g) else f"{g:+.1f}% a year")
                            for g, b in zip(group["growth_pct"], group["series_break"], strict=True)
                        ],
                    ]
                ),
                hovertemplate="<b>%{customdata[0]}</b><br>LQ %{x:.2f}<br>employment %{customdata[1]}"
                "<br>growth %{customdata[2]}<extra></extra>",
            )
        )
    if broken.any():
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker=dict(symbol="diamond", size=10, color="#FFFFFF", line=dict(width=1, color="#333333")),
                name="break in series: growth not computed",
            )
        )
    fig.update_layout(shapes=[_vline(1), _hline(0)])
    if (~known).any():
        fig.add_annotation(
            x=0,
            xref="paper",
            y=floor,
            text="growth unknown or across a break in series",
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font=dict(size=11, color="#666666"),
        )
    fig.update_xaxes(type="log", title="location quotient (log scale; 1 = EU average share)", gridcolor="#eeeeee")
    fig.update_yaxes(
        title=f"employment growth {base_year}-{year}, % a year (CAGR)", gridcolor="#eeeeee", zeroline=False
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
            colorscale="Cividis",
            reversescale=True,
            text=text,
            texttemplate="%{text}",
            textfont=dict(size=9),
            colorbar=dict(title=title_z, thickness=12),
            hovertemplate="%{y} · %{x}: %{z} cells<extra></extra>",
            xgap=1,
            ygap=1,
        )
    )
    fig.update_xaxes(tickangle=-60, tickfont=dict(size=10), side="top")
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
    fig.update_layout(barmode="relative", legend=dict(orientation="h", y=1.08, x=0))
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
                textposition="outside",
                cliponaxis=False,
            ),
            go.Bar(y=y, x=peers.reindex(dims).values, orientation="h", name="peer median", marker_color="#BBBBBB"),
        ]
    )
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.08, x=0))
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(title="score (0-1, 1 = best region)", gridcolor="#eeeeee")
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
    scores: pd.DataFrame, *, labels: dict[str, str], names: dict[str, str], height: int | None = None
) -> go.Figure:
    """Dimension scores of several regions on one radar (by default taller by a legend line per region)."""
    height = height or 440 + 20 * len(scores)
    theta = [wrap_words(labels.get(c, c)) for c in scores.columns]
    fig = go.Figure()
    for i, (code, row) in enumerate(scores.iterrows()):
        fig.add_trace(
            go.Scatterpolar(
                r=[*row.values, row.values[0]],
                theta=[*theta, theta[0]],
                name=f"{names.get(code, code)} ({code})",
                line=dict(color=OKABE_ITO[i % len(OKABE_ITO)], width=2),
                fill="none",
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
                dict(label=wrap_words(labels.get(c, c), 18), values=scores[c].tolist(), range=_score_range(scores))
                for c in scores.columns
            ],
        )
    )
    fig.add_annotation(
        text="  ".join(
            f"<span style='color:{OKABE_ITO[i % 8]}'>■</span> {names.get(c, c)}" for i, c in enumerate(codes)
        ),
        xref="paper",
        yref="paper",
        x=0,
        y=-0.12,
        showarrow=False,
        xanchor="left",
    )
    return _base_layout(fig, height=height)


def indicator_bars(
    norm: pd.DataFrame, *, labels: dict[str, str], names: dict[str, str], height: int | None = None
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
                name=f"{names.get(code, code)} ({code})",
                marker_color=OKABE_ITO[i % len(OKABE_ITO)],
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
    fig.update_layout(barmode="group", legend=dict(orientation="h", y=1.08, x=0))
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
    fig.update_xaxes(
        title="NUTS 2 x NACE-division cells with >= 2 cluster stars", gridcolor="#eeeeee", rangemode="tozero"
    )
    fig.update_yaxes(title="recorded partnership participations (lower bound)", gridcolor="#eeeeee", rangemode="tozero")
    return _base_layout(fig, height=height)

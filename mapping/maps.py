"""Map builders: data in, figure or deck out. No Streamlit, no database.

Maps make no request to a tile server or CDN: plotly ``choropleth_map`` runs with the blank
``white-bg`` style and the land/borders come from our own NUTS level-0 outlines; pydeck runs with
``map_provider=None`` and the same outlines as a GeoJSON layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk
from plotly.colors import sample_colorscale

from mapping.flags import describe_flags
from mapping.formatting import fmt, wrap_words

# Colour-blind-safe scales (cividis and viridis are perceptually uniform and CVD-safe; PuOr is a
# ColorBrewer diverging scale that stays readable for deuteranopia and protanopia).
PALETTES: dict[str, dict] = {
    "cividis": {"label": "Sequential (cividis)", "scale": "Cividis", "diverging": False},
    "viridis": {"label": "Sequential (viridis)", "scale": "Viridis", "diverging": False},
    "puor": {"label": "Diverging around the reference (PuOr)", "scale": "PuOr", "diverging": True},
}
NO_DATA_COLOUR = "#c8c8c8"
LAND_COLOUR = "#f4f4f2"
BORDER_COLOUR = "#6b6b6b"
HIGHLIGHT_COLOUR = "#d7191c"
MAP_DOMAIN_RIGHT = 0.86  # the colour bar sits to the right of the map, not on it


@dataclass(frozen=True)
class MapSpec:
    """What a choropleth shows; everything the hover and legend need."""

    title: str
    unit: str
    palette: str = "cividis"
    higher_is_better: bool | None = True
    reference: float | None = None  # centre of a diverging scale (EU value or median)
    reference_label: str = "median"
    log2: bool = False  # colour by log2(value) (ratios such as the LQ); hover and ticks show the value


def colour_range(values: pd.Series) -> tuple[float, float, bool]:
    """Colour limits: the 2nd-98th percentile when there are enough values (one outlier region
    such as an outermost region would otherwise flatten the scale); ``clipped`` says so."""
    v = values.dropna().to_numpy(dtype=float)
    if v.size == 0:
        return 0.0, 1.0, False
    lo, hi = float(v.min()), float(v.max())
    if v.size >= 20:
        plo, phi = np.percentile(v, [2, 98])
        clipped = plo > lo or phi < hi
        lo, hi = float(plo), float(phi)
    else:
        clipped = False
    if hi <= lo:  # all values equal (e.g. counts of 1): centre them in a unit range
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi, clipped


def _hover(unit: str) -> str:
    return (
        "<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
        # plotly substitutes only %{...}; a bare % (as in "% of GDP") shows as is, braces must go.
        "%{customdata[2]} " + unit.replace("{", "(").replace("}", ")") + "<br>"
        "year %{customdata[3]} · rank %{customdata[4]}<br>"
        "%{customdata[5]}<extra></extra>"
    )


def _text(v) -> str:
    return v if isinstance(v, str) else ""


def _customdata(frame: pd.DataFrame) -> np.ndarray:
    """Columns for the hover: name, code, value, year, rank, flags and placement note."""
    n = len(frame)

    def col(name):
        return frame[name].tolist() if name in frame else [None] * n

    values = ["no value" if pd.isna(v) else fmt(v) for v in col("value")]
    years = ["–" if pd.isna(y) else str(int(y)) for y in col("year")]
    ranks = [
        f"{int(r)} of {int(k)}" if pd.notna(r) and pd.notna(k) else "–"
        for r, k in zip(col("rank"), col("n"), strict=True)
    ]
    notes = [
        "; ".join(x for x in (describe_flags(f), _text(note)) if x)
        for f, note in zip(col("flag"), col("nuts_note"), strict=True)
    ]
    names = [_text(x) or "" for x in col("name")]
    return (
        np.column_stack([names, frame["code"].astype(str).tolist(), values, years, ranks, notes])
        if n
        else np.empty((0, 6))
    )


def choropleth(
    frame: pd.DataFrame,
    *,
    spec: MapSpec,
    geometries: dict[str, dict] | str,
    base: dict | str,
    no_data: pd.DataFrame | None = None,
    highlight: str | None = None,
    center: dict | None = None,
    zoom: float = 2.6,
    height: int = 620,
    bbox: tuple[float, float, float, float] | None = None,
) -> go.Figure:
    """A choropleth of ``frame`` (columns key, code, name, value[, flag, year, rank, n, nuts_note]).

    Args:
        frame: one row per region with a value; ``key`` indexes ``geometries``.
        spec: title, unit, palette and direction.
        geometries: ``{key: geometry}`` with array rings (see ``mapping.geo``), or the URL of a same-origin
            FeatureCollection whose feature ids are the keys (what the app uses: geometry then travels once).
        base: NUTS level-0 FeatureCollection (or its URL) drawn as land and borders.
        no_data: regions of the same level without a value (key, code, name[, flag, nuts_note]), drawn grey.
        highlight: key of a region to outline.
        bbox: the extent the view was fitted to; kept in ``layout.meta`` so exports can refit it.
    """
    palette = PALETTES.get(spec.palette, PALETTES["cividis"])
    reverse = spec.higher_is_better is False
    has_value = frame[frame["value"].notna()]
    missing = (
        pd.concat([no_data, frame[frame["value"].isna()]]) if no_data is not None else frame[frame["value"].isna()]
    )
    lo, hi, _clipped = colour_range(has_value["value"])
    traces = []
    if len(missing):
        missing = missing.assign(value=np.nan)
        for col in ("year", "rank", "n"):
            if col not in missing:
                missing[col] = np.nan
        traces.append(
            go.Choroplethmap(
                geojson=_fc(missing["key"], geometries),
                locations=missing["key"],
                z=np.zeros(len(missing)),
                colorscale=[[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]],
                showscale=False,
                marker_line_width=0.4,
                marker_line_color="#ffffff",
                customdata=_customdata(missing),
                hovertemplate=_hover(spec.unit).replace("%{customdata[2]} ", "no data "),
                name="No data",
                showlegend=True,
            )
        )
    colorbar_title = wrap_words(spec.unit)
    z = has_value["value"].to_numpy(dtype=float)
    if spec.log2:
        has_value = has_value[has_value["value"] > 0]
        z = np.log2(has_value["value"].to_numpy(dtype=float))
        lo, hi, _clipped = colour_range(pd.Series(z))
    trace = dict(
        geojson=_fc(has_value["key"], geometries),
        locations=has_value["key"],
        z=z,
        colorscale=palette["scale"],
        reversescale=reverse,
        zmin=lo,
        zmax=hi,
        marker_line_width=0.4,
        marker_line_color="#ffffff",
        customdata=_customdata(has_value),
        hovertemplate=_hover(spec.unit),
        colorbar=dict(
            title=dict(text=colorbar_title, side="top", font=dict(size=12)),
            thickness=14,
            len=0.8,
            x=MAP_DOMAIN_RIGHT + 0.01,
            xanchor="left",
            tickformat="~g",
            ticks="outside",
        ),
        name=spec.title,
        showlegend=False,
    )
    if palette["diverging"]:
        ref = spec.reference if spec.reference is not None else float(has_value["value"].median())
        centre = float(np.log2(ref)) if spec.log2 else ref
        half = max(abs(hi - centre), abs(centre - lo))
        if spec.log2:
            half = min(half, 3.0)  # ratios beyond 8x either way share the end colours
        trace.update(zmid=centre, zmin=centre - half, zmax=centre + half)
        trace["colorbar"]["title"]["text"] += f"<br>centre: {spec.reference_label}<br>= {ref:,.4g}"
    # Ticks chosen here, none in the top 5% of the bar: a label there stands half a line above the bar, on the
    # bar's title.
    top = trace["zmax"] - 0.05 * (trace["zmax"] - trace["zmin"])
    if spec.log2:
        ticks = [t for t in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32) if trace["zmin"] - 0.5 <= np.log2(t) <= top]
        trace["colorbar"].update(tickvals=[float(np.log2(t)) for t in ticks], ticktext=[f"{t:g}" for t in ticks])
    else:
        trace["colorbar"].update(tickvals=[t for t in _nice_ticks(trace["zmin"], trace["zmax"]) if t <= top])
    traces.append(go.Choroplethmap(**trace))
    if highlight and (isinstance(geometries, str) or highlight in geometries):
        rows = pd.concat([frame, no_data]) if no_data is not None else frame
        named = rows.loc[rows["key"] == highlight]
        code = str(named["code"].iloc[0]) if len(named) else highlight.split("|")[0]
        name = _text(named["name"].iloc[0]) if len(named) and "name" in named else ""
        traces.append(
            go.Choroplethmap(
                geojson=_fc([highlight], geometries),
                locations=[highlight],
                z=[0],
                # a faint tint: the legend swatch shows the fill (a transparent one showed an empty entry)
                colorscale=[[0, "rgba(215,25,28,0.18)"], [1, "rgba(215,25,28,0.18)"]],
                showscale=False,
                marker_line_width=3,
                marker_line_color=HIGHLIGHT_COLOUR,
                hoverinfo="skip",
                name=f"Selected: {name} ({code})" if name and name != code else f"Selected: {code}",
                legendgroup="selected",  # a stable handle (the name carries the region)
                showlegend=True,
            )
        )
    fig = go.Figure(data=traces)
    fig.update_layout(
        map=dict(
            domain=dict(x=[0, MAP_DOMAIN_RIGHT], y=[0, 1]),
            style="white-bg",
            center=center or {"lon": 10.0, "lat": 52.0},
            zoom=zoom,
            layers=[
                dict(sourcetype="geojson", source=base, type="fill", color=LAND_COLOUR, below="traces"),
                dict(sourcetype="geojson", source=base, type="line", color=BORDER_COLOUR, line=dict(width=0.9)),
            ],
        ),
        margin=dict(l=0, r=0, t=10, b=0),
        height=height,
        # Shown whenever a trace asks for it (the selected region alone, too); the export moves it above the map.
        showlegend=any(t.showlegend for t in traces),
        legend=dict(x=0.01, y=0.01, xanchor="left", yanchor="bottom", bgcolor="rgba(255,255,255,0.85)"),
        paper_bgcolor="#ffffff",
        uirevision=spec.title,
        meta={"bbox": list(bbox)} if bbox else None,
    )
    return fig


def _nice_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    """About ``n`` round tick values (1, 2, 2.5 or 5 x 10^k apart) from ``lo`` to ``hi``."""
    span = hi - lo
    if not np.isfinite(span) or span <= 0:
        return [lo]
    raw = span / n
    mag = 10 ** np.floor(np.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = np.ceil(lo / step) * step
    return [float(round(v, 10)) for v in np.arange(first, hi + step * 1e-9, step)]


def _fc(keys, geometries: dict[str, dict] | str) -> dict | str:
    """The trace's geojson: a URL is passed through (the browser fetches it once and caches it)."""
    if isinstance(geometries, str):
        return geometries
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "id": k, "geometry": geometries[k]} for k in keys if k in geometries],
    }


def columns_deck(
    frame: pd.DataFrame,
    *,
    spec: MapSpec,
    base_plain: dict,
    center: dict,
    zoom: float,
) -> pdk.Deck:
    """Extruded columns at label points (height and colour = value) over our NUTS-0 outlines.

    Args:
        frame: rows with code, name, value, lon, lat[, flag, year, rank, n].
        base_plain: NUTS level-0 FeatureCollection with plain lists (pydeck serialises with json).
    """
    data = frame[frame["value"].notna() & frame["lon"].notna()].copy()
    lo, hi, _ = colour_range(data["value"])
    span = (hi - lo) or 1.0
    t = ((data["value"] - lo) / span).clip(0, 1)
    if spec.higher_is_better is False:
        t = 1 - t
    scale = PALETTES.get(spec.palette, PALETTES["cividis"])["scale"]
    colours = sample_colorscale(scale, t.tolist(), colortype="tuple") if len(t) else []
    data["colour"] = [[int(255 * c) for c in rgb] + [230] for rgb in colours]
    data["elevation"] = 5_000 + 600_000 * ((data["value"] - min(lo, data["value"].min())) / span).clip(0, 1.5)
    data["label"] = [fmt(v, spec.unit) for v in data["value"]]
    data["flags"] = [describe_flags(f) for f in data.get("flag", [None] * len(data))]
    data["year_txt"] = [str(int(y)) if pd.notna(y) else "" for y in data.get("year", [None] * len(data))]
    records = data[["code", "name", "lon", "lat", "colour", "elevation", "label", "flags", "year_txt"]].to_dict(
        "records"
    )
    layers = [
        pdk.Layer(
            "GeoJsonLayer",
            base_plain,
            stroked=True,
            filled=True,
            get_fill_color=[244, 244, 242],
            get_line_color=[107, 107, 107],
            line_width_min_pixels=1,
        ),
        pdk.Layer(
            "ColumnLayer",
            records,
            get_position=["lon", "lat"],
            get_elevation="elevation",
            get_fill_color="colour",
            radius=16_000,
            elevation_scale=1,
            extruded=True,
            pickable=True,
            auto_highlight=True,
        ),
    ]
    view = pdk.ViewState(latitude=center["lat"] - 2, longitude=center["lon"], zoom=zoom + 0.3, pitch=40, bearing=-8)
    return pdk.Deck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip={"html": "<b>{name}</b> ({code})<br>{label}<br>{year_txt} {flags}"},
    )


def add_cluster_markers(fig: go.Figure, frame: pd.DataFrame, *, label: str) -> go.Figure:
    """Overlay starred regions of one sector as markers at label points (size = stars)."""
    data = frame[(frame["stars"] >= 1) & frame["lon"].notna()]
    if data.empty:
        return fig
    fig.add_trace(
        go.Scattermap(
            lon=data["lon"],
            lat=data["lat"],
            mode="markers",
            marker=dict(size=6 + 6 * data["stars"].astype(float), color="#D55E00", opacity=0.85),
            customdata=np.column_stack(
                [data["name"].astype(str), data["code"], data["stars"].astype(int), [fmt(v) for v in data["lq"]]]
            ),
            hovertemplate="<b>%{customdata[0]}</b> (%{customdata[1]})<br>"
            + label
            + ": %{customdata[2]} star(s), LQ %{customdata[3]}<extra></extra>",
            name=f"{label} clusters (stars)",
            showlegend=True,
        )
    )
    return fig

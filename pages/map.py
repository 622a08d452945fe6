"""Map explorer: any indicator of the catalog on a map, at every NUTS level and year with data."""

from __future__ import annotations

import streamlit as st

from mapping import explorer, maps, provenance
from mapping.geo import EUROPE_BBOX, view_for_bbox
from mapping.ui import data, map_figure, notices, state
from mapping.ui.figure_card import figure_card
from mapping.ui.layout import figure_height, page_header, settings
from mapping.ui.map_panel import region_panel
from mapping.ui.map_upload import upload_section
from mapping.ui.pickers import cluster_overlay_picker, default_level, indicator_picker, year_picker

data.require_database()

catalog = data.query("catalog").set_index("indicator_id", drop=False)
if catalog.empty:
    page_header("Map explorer")
    notices.nothing_to_show(*notices.indicator_sources(), what="The map explorer")
lookup = data.query("region_lookup")
state.take_map_click("map_chart")

present = page_header("Map explorer")

# --- indicator, level, year, country, view (folded behind a switch on a phone) --------------------
with settings("Map settings"):
    c1, c2, c3, c4, c5 = st.columns([1.3, 2.4, 1.0, 1.5, 1.1])
    v1, v2, v3 = st.columns([2, 2, 3.5])
indicator = indicator_picker(catalog, group_container=c1, indicator_container=c2)
meta = catalog.loc[indicator]
levels = explorer.levels_of(meta)
level = state.choice(
    "Level",
    levels,
    param="level",
    default=default_level(lookup, levels),
    format_func=explorer.LEVEL_NAMES.get,
    container=c3,
)
year_choice = year_picker(indicator, level, container=c4)
year = year_choice.year
countries = data.query("countries")
country_names = dict(zip(countries["code"], countries["name"], strict=True))
country = state.choice(
    "Country",
    ["", *country_names],
    param="country",
    default="",
    format_func=lambda c: country_names.get(c, "All countries"),
    container=c5,
)
view = state.choice(
    "View",
    ["choropleth", "columns"],
    param="view",
    default="choropleth",
    widget="segmented_control",
    format_func={"choropleth": "Choropleth", "columns": "3D columns"}.get,
    container=v1,
    wrap=True,  # in a narrow column the options wrap instead of scrolling out of sight
)
palette = state.choice(
    "Colours",
    list(maps.PALETTES),
    param="palette",
    default="cividis",
    format_func=lambda p: maps.PALETTES[p]["label"],
    container=v2,
)
overlay = cluster_overlay_picker(container=v3)
if not present:
    st.caption(f"**{meta['label']}** ({meta['unit']}). {meta['description'] or ''}")
    notices.build_gaps()
state.show_notices()
year_choice.warn()

# --- the map and the region panel ---------------------------------------------------------------
frames = explorer.map_frames(
    data.query, indicator=indicator, year=year, level=level, nuts_version=meta["nuts_version"], country=country or None
)
geoms = data.geometries(level)
bbox = explorer.country_bbox(lookup, geoms, country, level) if country else None
center, zoom = view_for_bbox(bbox or EUROPE_BBOX, width=1100 if present else 620, height=figure_height())
options = sorted(set(frames.values["code"]) | set(frames.no_data["code"]))
# Keyed so that on a phone the region's card comes right under the map, before its caption (style.css).
map_col, panel_col = st.container(key="map_row").columns([3, 1.25]) if not present else (st.container(), None)
names = dict(zip(lookup["code"], lookup["name"], strict=False))
with panel_col or st.container():
    region = state.choice(
        "Region",
        ["", *options],
        param="region",
        default="",
        format_func=lambda c: f"{c} {names.get(c, '')}" if c else "— pick or click a region —",
    )
    state.show_notices()  # the region picker may have left one
    if region and panel_col is not None:
        region_panel(region, lookup=lookup, indicator=indicator, frames=frames)

title = f"{meta['label']}, {year_choice.text} — {explorer.LEVEL_NAMES[level]}" + (
    f", {country_names[country]}" if country else ""
)
spec = maps.MapSpec(
    title=title,
    unit=meta["unit"],
    palette=palette,
    higher_is_better=meta["higher_is_better"],
    reference=frames.reference,
    reference_label=frames.reference_label,
)
clipped = maps.colour_range(frames.values["value"])[2] and palette != "puor"
caption = provenance.caption(
    data.sources(),
    [meta["source_id"]],
    years=year_choice.text,
    maps=True,
    extra="Grey: no value published." + (" Colours clipped to the 2nd-98th percentile." if clipped else ""),
)
export_cols = ["code", "name", "nuts_version", "year", "value", "flag", "rank", "n", "placement", "nuts_note"]
with map_col:
    if view == "columns":
        deck = maps.columns_deck(
            frames.values, spec=spec, base_plain=data.base_outlines_plain(), center=center, zoom=zoom
        )
        figure_card(deck, title=title, caption=caption, data=frames.values[export_cols], key="map_deck")
    else:
        highlight = next(
            (f"{region}|{v}" for v in frames.values.loc[frames.values["code"] == region, "nuts_version"]), None
        ) or next((f"{region}|{v}" for v in frames.no_data.loc[frames.no_data["code"] == region, "nuts_version"]), None)
        fig = map_figure.choropleth(
            frames.values,
            frames.no_data,
            spec,
            geometry_url=data.geometry_url(level),
            base_url=data.base_url(),
            highlight=highlight,
            center=(center["lon"], center["lat"]),
            zoom=zoom,
            height=figure_height(),
            bbox=bbox or EUROPE_BBOX,
            overlay=overlay.frame if overlay else None,
            overlay_label=overlay.nace if overlay else "",
        )
        if overlay:
            caption += " " + overlay.caption
        figure_card(
            fig, title=title, caption=caption, data=frames.values[export_cols], key="map_chart", on_select="rerun"
        )

if not present:
    upload_section(lookup)

"""The Trends view of the cluster page: a region's employment in a sector over every year with its breaks in series,
and any indicator of the region over time against its country and the EU (Streamlit helpers)."""

from __future__ import annotations

import streamlit as st

from mapping import provenance, trend_charts
from mapping.ui import data, pickers, state
from mapping.ui.cluster_views import Context, _sector_picker
from mapping.ui.figure_card import figure_card
from mapping.ui.layout import figure_height, region_dashboard_link


def trends_view(ctx: Context) -> None:
    regions = data.query("cluster_regions", **ctx.params())
    names = dict(zip(regions["code"], regions["name"], strict=True))
    pickers.follow_units(names)
    c1, c2 = st.columns(2)
    with c1:
        region = state.choice(
            "Region",
            list(names),
            param="region",
            default="DE11" if "DE11" in names else next(iter(names)),
            format_func=lambda c: f"{c} {names[c]}",
        )
    with c2:
        nace, labels = _sector_picker(ctx)
    region_dashboard_link(region, names[region])
    trend = data.query("cluster_trend", sector_set=ctx.sector_set, region=region, nace=nace)
    breaks = trend.set_index("year")["break_before"].dropna()
    st.caption(
        f"{len(trend)} years with a cell for {region} in {nace}; "
        + (
            f"{len(breaks)} break(s) in series: {', '.join(f'{y} ({w})' for y, w in breaks.items())}. "
            if len(breaks)
            else "no break in series. "
        )
        + "LQ blank: the coverage rule left the region-year out, or the cell is not published."
    )
    figure_card(
        trend_charts.employment_trend(trend, height=figure_height(460)),
        title=f"{nace} {labels[nace]} in {names[region]} ({region}): persons employed and LQ by year",
        data=trend,
        key="cl_trend",
        caption=provenance.caption(
            data.sources(),
            sorted(set(trend["source_id"])) or list(ctx.sources),
            years=f"{trend['year'].min()}-{trend['year'].max()}" if len(trend) else "",
            extra="Dashed lines: breaks in series (change of table or NUTS version, a b flag, or a jump of x3 or "
            "more in a cell of 500+ persons); growth across them is not comparable.",
        ),
    )
    indicators = data.query("region_indicators", region=region)
    if indicators.empty:
        st.info(f"No indicator has values for {region} in two or more years.")
        return
    meta = indicators.set_index("indicator_id")
    default = "eurostat.gdp_pps_hab_eu" if "eurostat.gdp_pps_hab_eu" in meta.index else meta.index[0]
    indicator = state.choice(
        "Indicator over time",
        list(meta.index),
        param="indicator",
        default=default,
        format_func=lambda i: f"{meta.at[i, 'label']} ({meta.at[i, 'first_year']}-{meta.at[i, 'last_year']})",
    )
    series = data.query("region_trends", indicators=[indicator], region=region).drop(columns="indicator_id")
    country = str(regions.set_index("code").at[region, "country"])
    published = [c for c in ("country_value", "eu_value") if series[c].notna().any()]
    figure_card(
        trend_charts.indicator_trend(
            series, region=region, country=country, unit=str(meta.at[indicator, "unit"]), height=figure_height(460)
        ),
        title=f"{meta.at[indicator, 'label']}: {names[region]} ({region}) against {country} and the EU",
        data=series,
        key="cl_indicator_trend",
        caption=provenance.caption(
            data.sources(),
            [str(meta.at[indicator, "source_id"])],
            years=f"{series['year'].min()}-{series['year'].max()}" if len(series) else "",
            extra="Medians: of the regions at the same NUTS level with a value that year ("
            f"{int(series['country_regions'].max()) if len(series) else 0} in {country}, "
            f"{int(series['all_regions'].max()) if len(series) else 0} in all). "
            + (
                "Published values: " + ", ".join("country" if c == "country_value" else "EU27" for c in published) + "."
                if published
                else "The source publishes no country or EU value for this indicator here."
            ),
        ),
    )

"""The sections of the region dashboard (Streamlit helpers; the numbers come from mapping/region.py and the
methods of the other pages). Each section says what it cannot show and links to its full view."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from mapping import (
    charts,
    clusters,
    escp,
    explorer,
    export,
    profile,
    provenance,
    region_charts,
    relatedness,
)
from mapping import region as rg
from mapping import scoreboard as sb
from mapping.formatting import fmt, md_escape
from mapping.geo import bbox_of
from mapping.ui import data, escp_views, related_views, tables
from mapping.ui import scoreboard_views as sb_views
from mapping.ui.cache import per_build
from mapping.ui.cluster_views import PORTFOLIO_COLUMNS
from mapping.ui.figure_card import figure_card
from mapping.ui.state import shared_params
from mapping.ui.tables import Col

KEY_COLUMNS = {
    "figure": Col("Figure"),
    "shown": Col("Value"),
    "unit": Col("Unit"),
    "year": Col("Year"),
    "rank_eu": Col("EU rank", decimals=0),
    "n_eu": Col("EU regions ranked", decimals=0),
    "rank": Col("Rank among all regions", decimals=0),
    "n": Col("Regions ranked", decimals=0),
    "rank_country": Col("Rank in country", decimals=0),
    "n_country": Col("Regions of the country ranked", decimals=0),
    "held_by": Col("Published for (a region containing it)"),
    "source": Col("Source"),
}
BRIEF_COLUMNS = {k: PORTFOLIO_COLUMNS[k] for k in ("nace", "label", "persons", "lq", "stars", "growth", "series_break")}
OPPORTUNITY_COLUMNS = {k: related_views.OPPORTUNITY_COLUMNS[k] for k in ("sector", "label", "density", "related_held")}
ORG_COLUMNS = {
    "organisation": Col("Organisation"),
    "partnerships": Col("Partnerships"),
    "programmes": Col("Programmes"),
    "coordinator": Col("Coordinator"),
}
SCORECARD_COLUMNS = {
    "label": Col("Indicator"),
    "score": Col("Normalised score", decimals=3),
    "peer_median": Col("Peers' median", decimals=3),
    "difference": Col("Difference", decimals=3),
    "verdict": Col("Verdict"),
}
PRINT_WIDTH = 680  # px: an A4 sheet's width inside 12 mm margins is 718 CSS px
SCOREBOARD_METHOD = "minmax"  # the Scoreboard page's default
CAVEAT = (
    "The member lists are a verified sample, not a census: about a third of the member organisations of the "
    "programmes whose totals are known. Every count is a lower bound; the Cluster partnerships page says how "
    "complete each programme's record is."
)


@dataclass
class Collected:
    """What the run drew, for the HTML export and the deck: figures, tables and the sources behind them."""

    figures: list[tuple[str, str, go.Figure, str]] = field(default_factory=list)  # key, title, figure, caption
    tables: list[tuple[str, pd.DataFrame, str]] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)

    def card(self, fig: go.Figure, *, title: str, caption: str, data: pd.DataFrame, key: str) -> None:
        # At most PRINT_WIDTH wide: the browser prints a figure at the width it was drawn at, and a wider one was cut
        # at the edge of the A4 sheet.
        figure_card(fig, title=title, caption=caption, data=data, key=key, width=PRINT_WIDTH)
        self.figures.append((key, title, fig, caption))


def full_view(script: str, label: str, place: rg.Place, **extra: str) -> None:
    """A link to the section's full view on its page, with the region (and its country) kept."""
    params = {**shared_params(region=place.code, country=place.country), **extra}
    st.page_link(script, label=f"Full view: {label}", icon=":material/open_in_new:", query_params=params)


def _attribution(source_id: object) -> str:
    """A source as a key figure names it: its attribution and vintage."""
    rows = data.sources().set_index("source_id")
    if source_id not in rows.index:
        return str(source_id)
    return f"{rows.at[source_id, 'attribution']}, vintage {rows.at[source_id, 'vintage']}"


def _ranks(r, place: rg.Place) -> str:
    """A key figure's ranks as text: in the EU (or among all regions outside it) and in the country."""
    if pd.notna(getattr(r, "held_by", None)):
        return f"published for {r.held_by}, which contains {place.code}: not ranked"
    if pd.notna(r.rank_eu):
        text = f"EU rank {int(r.rank_eu)} of {int(r.n_eu)}"
    else:  # outside the EU: among every region the source covers
        text = f"rank {int(r.rank)} of {int(r.n)} regions" if pd.notna(r.rank) else ""
    if pd.notna(r.rank_country) and r.n_country > 1:
        text += f" · {place.country} rank {int(r.rank_country)} of {int(r.n_country)}"
    return text


def key_figures_section(place: rg.Place, scored: sb.Loaded, out: Collected) -> pd.DataFrame:
    """The headline figures with EU and national ranks, year and source, and the overall scoreboard score."""
    st.subheader("Key figures")
    figures = rg.key_figures(data.query, place.code)
    rows = figures.assign(
        source=[_attribution(s) if pd.notna(s) else "" for s in figures["source_id"]],
        shown=[fmt(v) for v in figures["value"]],
    )
    overall = rg.overall_score(scored.board, place)
    if overall is not None:
        overall.update(
            shown=fmt(overall["value"]),
            source=f"this dashboard's scoreboard: {len(scored.catalog)} indicators, sources under its figure below",
        )
        rows = pd.concat([rows, pd.DataFrame([overall])], ignore_index=True)
    else:
        out.missing.append("Overall scoreboard score: the region is not in the scoreboard's set of NUTS 2 regions.")
    for i, r in enumerate(rows.itertuples()):
        if i % 3 == 0:  # rows of three: on a phone they stack in reading order
            cols = st.columns(3)
        box = cols[i % 3].container(border=True)
        box.metric(r.figure, fmt(r.value))
        if pd.isna(r.value):
            box.caption("No value published for this region.")
            continue
        box.caption(md_escape(f"{r.unit} · {r.year} · {_ranks(r, place)} · {r.source}"))
    st.caption(rg.RANK_NOTE)
    out.tables.append(("Key figures", tables.text_frame(rows, KEY_COLUMNS), rg.RANK_NOTE))
    out.sources.update(figures["source_id"].dropna())
    out.missing += rg.missing(figures)
    return figures


def where_section(place: rg.Place, figures: pd.DataFrame, lookup: pd.DataFrame, out: Collected) -> None:
    """A locator map beside the region's place in the EU distribution of the headline indicators."""
    st.subheader("Where it stands")
    left, right = st.columns([2, 3])
    geoms = data.geometries(place.level)
    with left:
        rows = lookup[
            (lookup["country"] == place.country)
            & (lookup["level"] == place.level)
            & ~lookup["is_unit"]
            & (lookup["nuts_version"] == place.nuts_version)  # one set of boundaries: versions overlap
        ]
        country_keys = [k for k in (rows["code"] + "|" + rows["nuts_version"]).unique() if k in geoms]
        if place.key not in geoms:
            st.info(f"No boundary of {place.code} at NUTS {place.level} in this build: no locator map.")
        else:
            bbox = explorer.country_bbox(lookup, geoms, place.country, place.level)
            own = bbox_of([geoms[place.key]])
            inside = (
                bbox is not None and bbox[0] <= own[0] <= own[2] <= bbox[2] and bbox[1] <= own[1] <= own[3] <= bbox[3]
            )
            view = bbox if inside else own  # an outermost region is shown on its own
            base = data.base_outlines()
            fig = region_charts.locator(
                region=geoms[place.key],
                country_regions=[geoms[k] for k in country_keys if k != place.key],
                neighbours=[f["geometry"] for f in base["features"]],
                bbox=view,
                name=html.escape(place.title),  # plotly reads tags in legend text
                country=place.country,
            )
            out.card(
                fig,
                title=f"{place.title} in {place.country}",
                caption=provenance.BOUNDARIES,
                data=pd.DataFrame({"key": country_keys, "selected": [k == place.key for k in country_keys]}),
                key="rg_locator",
            )
            full_view("pages/map.py", "Map explorer", place, level=str(place.level))
    with right:
        panels = rg.distribution(data.query, figures, place.level, set(rg.region_options(lookup)))
        if not panels:
            st.info("None of the headline indicators has a value for this region: no distribution to draw.")
            return
        strips = [(f"{r['figure']}, {int(r['year'])}", str(r["unit"]), frame) for r, frame in panels]
        fig = region_charts.distribution_strips(strips, region=place.code, country=place.country)
        ids = [str(r["source_id"]) for r, _ in panels]
        both = pd.concat([f.assign(indicator=r["indicator_id"], year=int(r["year"])) for r, f in panels])
        out.card(
            fig,
            title=f"{place.title} among the NUTS {place.level} regions",
            caption=provenance.caption(
                data.sources(),
                ids,
                years=", ".join(sorted({str(int(r["year"])) for r, _ in panels})),
                extra="Each dot is a region with a value that year; dashed tick: the median of those regions.",
            ),
            data=both,
            key="rg_distribution",
        )


def cluster_section(place: rg.Place, lookup: pd.DataFrame, out: Collected) -> None:
    """The starred sectors (Observatory stars, default thresholds) and the diversification opportunities."""
    st.subheader("Cluster portfolio")
    setting = rg.cluster_setting(data.query("cluster_years", sector_set="division"))
    if setting is None:
        out.missing.append("Cluster portfolio: this build has no regional employment data.")
        st.info("This build has no regional employment data (Eurostat SBS): no cluster portfolio.")
        return
    if place.level != 2:
        out.missing.append("Cluster portfolio: the employment data are by NUTS 2 region.")
        st.info(f"The regional employment data are by NUTS 2 region; {place.code} is NUTS {place.level}.")
        return
    port = data.query("cluster_portfolio", region=place.code, base_year=setting.base_year, **setting.params())
    for unit, name in rg.units_containing(lookup, place.code) if port.empty else []:
        # The employment data hold the region inside a unit of an older NUTS version (PL91 in PL12), as the
        # Clusters page shows it.
        port = data.query("cluster_portfolio", region=unit, base_year=setting.base_year, **setting.params())
        if len(port):
            st.info(f"The employment data hold {place.code} inside {name}; the portfolio below is that unit's.")
            out.missing.append(f"Cluster portfolio: shown for {unit}, the unit of older data that holds this region.")
            break
    caption = provenance.caption(
        data.sources(),
        list(setting.source_ids),
        years=f"{setting.base_year}-{setting.year}",
        extra=f"European Cluster Observatory stars, default thresholds ({clusters.DEFAULTS.rule('observatory')}).",
    )
    if port.empty or port["persons"].notna().sum() == 0:
        out.missing.append(f"Cluster portfolio: no employment cells for this region in {setting.year}.")
        st.info(f"No published employment cells for {place.code} in {setting.year} (Eurostat SBS).")
    else:
        first = port.iloc[0]
        brief = rg.portfolio_brief(port)
        m = st.columns(3)
        m[0].metric(f"Starred sectors, {setting.year}", int((port["stars"].fillna(0) >= 1).sum()))
        m[1].metric("Sectors with a published value", f"{int(first['known_r'])} of {int(first['n_sectors'])}")
        m[2].metric("Employment in these sectors", fmt(first["e_r"]))
        if brief.empty:
            st.info("No sector has a star in this year under the default thresholds.")
        else:
            st.markdown(f"**Starred sectors** (most stars first; growth per year since {setting.base_year})")
            tables.static(brief, BRIEF_COLUMNS)
            out.tables.append(("Starred sectors", tables.text_frame(brief, BRIEF_COLUMNS), caption))
        st.caption(caption + " Growth is not computed across a break in series (named in its column).")
    full_view("pages/clusters.py", "Clusters, region view", place, tab="region", **setting.link())
    rel = related_views.analysis(setting.sector_set, setting.year)
    opp = relatedness.opportunities(rel.density, rel.proximity, rel.cx, place.code).head(rg.BRIEF_OPPORTUNITIES)
    if opp.empty:
        out.missing.append("Diversification opportunities: no relatedness data for this region.")
    else:
        st.markdown("**Diversification opportunities**: related sectors the region is not yet specialised in")
        tables.static(opp, OPPORTUNITY_COLUMNS)
        out.tables.append(
            ("Diversification opportunities", tables.text_frame(opp, OPPORTUNITY_COLUMNS), relatedness.DENSITY_RULE)
        )
    full_view("pages/related.py", "Related sectors, region view", place, tab="region", year=str(setting.year))
    out.sources.update(setting.source_ids)


def scoreboard_section(place: rg.Place, scored: sb.Loaded, out: Collected) -> None:
    """Dimension scores against the nearest peers' median, with strengths and weaknesses."""
    st.subheader("Scoreboard profile")
    board = scored.board
    if place.code not in board.dims.index or board.dims.loc[place.code].isna().all():
        st.info(f"{place.code} is not among the scoreboard's NUTS 2 regions: no profile.")
        full_view("pages/scoreboard.py", "Scoreboard", place)
        return
    fw, labels, nm = scored.framework, sb_views.dim_labels(scored), sb_views.names(scored)
    pool = [c for c in board.universe["code"] if c != place.code]
    peers = list(sb.peers(scored.structure_z.loc[[place.code, *pool]], place.code, k=fw.peers_k).index)
    card = sb.scorecard(board, place.code, peers, fw.strength_margin).join(scored.catalog[["label"]])
    left, right = st.columns([3, 2])
    with left:
        own, med = board.dims.loc[place.code], board.dims.loc[peers].median()
        out.card(
            charts.dimension_bars(own, med, labels=labels, name=html.escape(nm.get(place.code, place.code))),
            title=f"Dimension scores of {place.title} against its peers' median",
            caption=sb_views.caption(scored, "Peers (NUTS codes): " + ", ".join(peers) + "."),
            data=pd.DataFrame({"dimension": [labels[d] for d in own.index], "score": own, "peer median": med}),
            key="rg_dims",
        )
    with right:
        for verdict, heading in (("strength", "Strengths"), ("weakness", "Weaknesses")):
            names = card.loc[card["verdict"] == verdict, "label"].tolist()
            st.markdown(f"**{heading}** against the peers ({len(names)})")
            st.text("\n".join(f"• {n}" for n in names) if names else "none")
        st.caption(
            f"Strength: normalised score at least the peers' median + {fw.strength_margin:g}; weakness: at most "
            f"the median - {fw.strength_margin:g}."
        )
    out.tables.append(
        ("Scorecard against the peers", tables.text_frame(card, SCORECARD_COLUMNS), sb_views.caption(scored))
    )
    out.sources.update(s for s in scored.catalog["source_id"] if s)
    full_view("pages/scoreboard.py", "Scoreboard, profile and scorecard", place)
    full_view("pages/compare.py", "Compare with the peers", place, regions=",".join([place.code, *peers[:4]]))


def trends_section(place: rg.Place, figures: pd.DataFrame, out: Collected) -> None:
    """The headline indicators over time against the country and the EU, as one figure of small multiples."""
    st.subheader("Trends")
    drawn = rg.drawn(figures)
    every = data.query("region_trends", indicators=list(drawn["indicator_id"]), region=place.code)
    panels, used = [], []
    for _, row in drawn.iterrows():
        series = every[every["indicator_id"] == row["indicator_id"]]
        if series["region_value"].notna().sum() >= 2:
            panels.append((str(row["figure"]), str(row["unit"]), series))
            used.append(str(row["source_id"]))
    if not panels:
        out.missing.append("Trends: no headline indicator has values in two or more years for this region.")
        st.info("No headline indicator has values for this region in two or more years.")
    else:
        shown = pd.concat([p[2] for p in panels])
        out.card(
            region_charts.trend_panels(panels, region=place.code, country=place.country),
            title=f"{place.title} over time against {place.country} and the EU",
            caption=provenance.caption(
                data.sources(),
                used,
                years=f"{shown['year'].min()}-{shown['year'].max()}",
                extra="Medians of the regions at the same NUTS level with a value that year; published values of "
                "the country and the EU27 where the source has them.",
            ),
            data=shown,
            key="rg_trends",
        )
    full_view("pages/clusters.py", "Clusters, trends of any indicator", place, tab="trends")


@per_build(max_entries=2)
def _escp_scope() -> escp_views.Scope:
    """The Cluster partnerships page's default view: the recorded sample (no import), current programmes."""
    members = escp_views.recorded_members()
    members = members[members["programme"].isin(escp.programmes_of(members, current_only=True))]
    partnerships = data.query("escp_partnership_list")
    table, countries = escp.scoped_counts(members, partnerships, data.query("country_population"), full_only=False)
    return escp_views.Scope(members, partnerships, table, countries, full_only=False, imported=False)


def escp_section(place: rg.Place, out: Collected) -> None:
    """The country's participation in the cluster partnerships and its recorded organisations."""
    st.subheader(f"Cluster partnerships in {place.country}")
    st.caption(CAVEAT)
    scope = _escp_scope()
    countries = scope.countries
    if place.country not in countries.index:
        out.missing.append(f"Cluster partnerships: no recorded member organisation in {place.country}.")
        st.info(f"No member organisation from {place.country} is recorded in the partnership sample.")
    else:
        row = countries.loc[place.country]
        rank = int(countries["participations"].rank(ascending=False, method="min")[place.country])
        m = st.columns(4)
        m[0].metric("Participations", int(row["participations"]))
        m[1].metric("Partnerships", int(row["partnerships"]))
        m[2].metric("Organisations", int(row["organisations"]))
        m[3].metric("Rank among countries", f"{rank} of {len(countries)}")
        mine = scope.members[(scope.members["member_country"] == place.country) & scope.members["is_member"]]
        orgs = (
            mine.groupby("member_organisation", as_index=False)
            .agg(
                partnerships=("partnership_acronym", lambda s: ", ".join(sorted(set(s.astype(str))))),
                programmes=("programme", lambda s: ", ".join(sorted(set(s.astype(str))))),
                coordinator=("is_coordinator", "any"),
            )
            .rename(columns={"member_organisation": "organisation"})
        )
        st.markdown(f"**Recorded organisations of {place.country}** ({len(orgs)})")
        tables.static(orgs, ORG_COLUMNS)
        out.tables.append(
            (f"Recorded organisations of {place.country}", tables.text_frame(orgs, ORG_COLUMNS), scope.caption())
        )
        st.caption(scope.caption())
    out.sources.update(["escp_members", "escp_partnerships"])
    full_view("pages/escp.py", "Cluster partnerships", place)


def export_html(place: rg.Place, out: Collected) -> bytes:
    """The whole dashboard as one self-contained HTML file (maps' geometry inlined, no request)."""
    srcs = data.sources()
    used = srcs[srcs["source_id"].isin(out.sources)]
    figures = [(t, export.inline_geometry(f, data.resolve_geometry), c) for _, t, f, c in out.figures]
    return profile.profile_html(
        title=f"{place.title}: region dashboard",
        subtitle=f"NUTS {place.level} region of {place.country} (NUTS {place.nuts_version})",
        figures=figures,
        tables=out.tables,
        method_notes=[rg.RANK_NOTE, *out.missing],
        sources=used,
    )

"""Views of the ESCP page (Streamlit helpers around mapping/escp.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from mapping import charts, escp, maps, provenance
from mapping import countries as country_names
from mapping.clusters import SECTOR_SETS, default_year
from mapping.config import DATA_DIR
from mapping.formatting import cell, md_escape
from mapping.geo import EUROPE_BBOX, view_for_bbox
from mapping.ui import data, notices, state, tables
from mapping.ui.cache import per_build
from mapping.ui.figure_card import figure_card
from mapping.ui.layout import figure_height
from mapping.ui.tables import Col

TABS = {
    "countries": "Countries",
    "partnerships": "Partnerships",
    "coparticipation": "Co-participation",
    "compare": "Compare countries",
    "gap": "Gap view",
    "import": "Import",
}
METRICS = {
    "participations": "Participations",
    "organisations": "Distinct organisations",
    "partnerships": "Partnerships with a member",
    "coordinators": "Coordinator roles",
    "participations_per_million": "Participations per million inhabitants",
    "share": "Share of all participations",
}
IMPORT_KEY = "escp_import"  # the session's imported member rows (never written anywhere)
PARTNERSHIP_COLUMNS = {
    "programme": Col("Programme"),
    "generation": Col("Generation / call"),
    "acronym": Col("Acronym"),
    "name": Col("Partnership"),
    "sector_theme": Col("Sector or theme"),
    "target_markets": Col("Target markets"),
    "coordinator": Col("Coordinator"),
    "coordinator_country": Col("Coordinator country"),
    "members_listed": Col("Members listed", decimals=0),
    "members_expected_text": Col("Members expected", help="As the source states it"),
    "full list": Col("Full list recorded"),
    "members (country)": Col("Members (country)"),
    "source_url": Col("Source", link=True),
}
MEMBER_TABLE_COLUMNS = {
    "member_organisation": Col("Organisation"),
    "member_country": Col("Country"),
    "role": Col("Role"),
    "completeness": Col("Record"),
    "member_country_source": Col("Country from"),
    "source_url": Col("Source", link=True),
}
GAP_COLUMNS = {
    "country": Col("Country"),
    "cells_2plus": Col("Starred cells (>= 2 stars)", decimals=0, help="NUTS 2 x NACE division cells with >= 2 stars"),
    "cells_3": Col("3-star cells", decimals=0),
    "participations": Col("Participations", decimals=0),
    "gap_pp": Col("Gap (pp)", decimals=1, help="Share of starred cells minus share of participations"),
    "participations_per_100_clusters": Col("Participations per 100 starred cells", decimals=1),
}
OVERVIEW_COLUMNS = {
    "programme": Col("Programme"),
    "partnerships listed": Col("Partnerships listed", decimals=0),
    "partnerships expected": Col("Partnerships expected", decimals=0),
    "organisations listed": Col("Organisations listed", decimals=0),
    "organisations expected": Col("Organisations expected", decimals=0),
    "organisations coverage": Col("Listed / expected", decimals=0, percent=True),
    "countries listed": Col("Countries", decimals=0),
    "member rows without a country": Col("Rows without a country", decimals=0),
    "expected (source)": Col("Expected totals from"),
}
CAVEAT = (
    "**The member lists are a verified sample**, not a census: about a third of the member organisations for the "
    "programmes whose totals are known (see *listed vs expected* below). Every count is a lower bound. "
    "Tick *only full member lists* to restrict to partnerships whose complete list was recorded."
)


@dataclass(frozen=True)
class Scope:
    members: pd.DataFrame  # prepared rows in the chosen programmes
    partnerships: pd.DataFrame
    table: pd.DataFrame  # country x programme
    countries: pd.DataFrame  # per country, all chosen programmes
    full_only: bool
    imported: bool

    def caption(self, extra: str = "", *, maps_: bool = False) -> str:
        note = "Counts are lower bounds (a verified sample of member lists)."
        if self.full_only:
            note += " Only partnerships whose full member list is recorded."
        if self.imported:
            note += " Includes rows imported in this session (not stored)."
        return provenance.compact_caption(
            data.sources(),
            ["escp_members", "escp_partnerships", *population_sources()],
            extra=f"{note} {extra}".strip(),
            maps=maps_,
        )


def population_sources() -> list[str]:
    """The EIS edition(s) the per-million figures use (EIS 2025 where loaded, else EIS 2023)."""
    used = data.query("country_population")["source_id"]
    return sorted(set(used)) or ["eis2025"]


def expected() -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / "escp_expected.csv")


@per_build(max_entries=4)
def recorded_members() -> pd.DataFrame:
    """The member rows of the DB, prepared (folded names, programme keys)."""
    return escp.prepare(data.query("escp_members_all"))


@per_build(max_entries=4)
def _programme_summary() -> pd.DataFrame:
    return escp.programme_summary(recorded_members(), data.query("escp_partnership_list"), expected())


def scope_of(programmes: list[str], *, full_only: bool) -> Scope:
    imported = st.session_state.get(IMPORT_KEY)
    mode = st.session_state.get(IMPORT_KEY + "_mode", "extend")
    if imported is None:
        members = recorded_members()
    else:
        members = escp.prepare(escp.combine(data.query("escp_members_all"), imported, mode))
    members = members[members["programme"].isin(programmes)]
    partnerships = data.query("escp_partnership_list")
    table, countries = escp.scoped_counts(members, partnerships, data.query("country_population"), full_only=full_only)
    return Scope(members, partnerships, table, countries, full_only, imported is not None)


def programme_overview() -> None:
    """Listed vs expected per programme, for the recorded sample (imports do not change it)."""
    summary = _programme_summary()
    tables.table(summary, OVERVIEW_COLUMNS, key="escp_overview")


def _country_map(values: pd.Series, *, title: str, unit: str, scope: Scope, key: str) -> None:
    lookup = data.query("region_lookup")
    level0 = lookup[(lookup["level"] == 0) & ~lookup["is_unit"]].sort_values("nuts_version").drop_duplicates("code")
    frame = level0[level0["code"].isin(values.index)][["code", "nuts_version", "name"]].copy()
    frame["value"] = frame["code"].map(values)
    frame["key"] = frame["code"] + "|" + frame["nuts_version"]
    frame["rank"] = frame["value"].rank(ascending=False, method="min")
    frame["n"] = frame["value"].notna().sum()
    center, zoom = view_for_bbox(EUROPE_BBOX, width=620, height=figure_height())
    fig = maps.choropleth(
        frame,
        spec=maps.MapSpec(title=title, unit=unit, palette="viridis"),
        geometries=data.geometry_url(0),
        base=data.base_url(),
        center=center,
        zoom=zoom,
        height=figure_height(),
        bbox=EUROPE_BBOX,
    )
    figure_card(
        fig,
        title=title,
        caption=scope.caption("Grey: no recorded member.", maps_=True),
        data=frame.drop(columns=["key"]),
        key=key,
    )


def countries_view(scope: Scope) -> None:
    metric = state.choice("Measure", list(METRICS), param="metric", default="participations", format_func=METRICS.get)
    known = scope.countries.drop(index="??", errors="ignore")
    if known.empty:
        st.info("No participation in this selection has a country: there is nothing to map or rank.")
        return
    values = known[metric].dropna()
    left, right = st.columns([3, 2])
    with left:
        _country_map(
            values, title=f"{METRICS[metric]} by country", unit=METRICS[metric].lower(), scope=scope, key="escp_map"
        )
    with right:
        names = dict(zip(data.query("countries")["code"], data.query("countries")["name"], strict=True))
        bars = known.assign(code=known.index, name=[names.get(c, c) for c in known.index])
        figure_card(
            charts.ranking_bar(
                bars, value=metric, label="name", unit=METRICS[metric].lower(), top=25, height=figure_height()
            ),
            title=f"Ranking: {METRICS[metric].lower()}",
            caption=scope.caption(),
            data=known.reset_index(),
            key="escp_rank",
        )
    unknown = scope.countries.loc["??", "participations"] if "??" in scope.countries.index else 0
    if unknown:
        st.caption(
            f"{int(unknown)} participations have no country on their source page; they are in the totals, "
            "not on the map."
        )
    pivot = scope.table.pivot_table(
        index="country", columns="programme", values="participations", aggfunc="sum", fill_value=0
    )
    pivot = pivot.loc[pivot.sum(axis=1).sort_values(ascending=False).index]
    figure_card(
        charts.summary_heatmap(pivot, title_z="participations", height=max(420, 22 * len(pivot) + 160)),
        title="Participations by country and programme",
        caption=scope.caption(),
        data=scope.table,
        key="escp_heat",
    )


def partnerships_view(scope: Scope) -> None:
    p = escp.partnership_listing(scope.members, scope.partnerships)
    m = scope.members[scope.members["is_member"]]
    c1, c2 = st.columns([3, 1.2])
    query = state.text(
        "Search: a country (Poland, Polska, PL), an organisation, acronym, theme or market",
        param="q",
        container=c1,
    )
    country = country_filter(sorted(escp.partnership_countries(scope.members)["member_country"].unique()), container=c2)
    p, found = escp.search_partnerships(p, scope.members, query, country=country or None)
    st.caption(
        md_escape(found.describe())
        + (
            ". A country counts the partnerships with a member from it, as *Compare countries* does."
            if found.countries
            else ""
        )
    )
    tables.table(p, PARTNERSHIP_COLUMNS, height=360, key="escp_partnerships_table")
    acronyms = sorted(p["acronym"].unique())
    chosen = state.choice(
        "Show a partnership's members on the map",
        ["", *acronyms],
        param="partnership",
        default="",
        format_func=lambda a: a or "— choose —",
    )
    if chosen:
        mm = m[m["partnership_acronym"] == chosen]
        counts = mm["member_country"].value_counts()
        _country_map(counts, title=f"Members of {chosen} by country", unit="members", scope=scope, key="escp_pmap")
        tables.table(mm, MEMBER_TABLE_COLUMNS, key="escp_members_table")


def country_filter(codes: list[str], *, container=None) -> str:
    """``?country=``: one country (English name and code), or all."""
    return state.choice(
        "Country",
        ["", *codes],
        param="country",
        default="",
        format_func=lambda c: f"{country_names.name(c)} ({c})" if c else "All countries",
        container=container,
    )


def coparticipation_view(scope: Scope) -> None:
    matrix = escp.co_participation(scope.members)
    if matrix.empty:
        st.info("No partnership has members with a recorded country in this selection.")
        return
    order = matrix.values.diagonal().argsort()[::-1]
    matrix = matrix.iloc[order, order]
    figure_card(
        charts.summary_heatmap(matrix, title_z="partnerships", height=max(460, 24 * len(matrix) + 160)),
        title="Countries partnering together (shared partnerships)",
        caption=scope.caption(
            "Cell = partnerships with members from both countries; diagonal = partnerships "
            "with a member from the country."
        ),
        data=matrix.reset_index(),
        key="escp_co",
    )


def compare_view(scope: Scope) -> None:
    options = sorted(c for c in scope.countries.index if c != "??")
    chosen = state.multi_choice(
        "Countries",
        options,
        param="countries",
        default=["ES", "PL", "SE"],
        max_selections=8,
        format_func=lambda c: f"{country_names.name(c)} ({c})",
    )
    if len(chosen) < 2:
        st.info("Pick at least two countries.")
        return
    side = scope.countries.reindex(chosen)[list(METRICS)].T.rename(index=METRICS)
    decimals = {METRICS["participations_per_million"]: 2, METRICS["share"]: 1}
    shown = side.style.format(na_rep="–")  # a row per measure: counts whole, per million 2 places, share in %
    for name in side.index:
        shown = shown.format(
            partial(cell, decimals=decimals.get(name, 0), percent=name == METRICS["share"]), subset=([name], list(side))
        )
    st.dataframe(shown, column_config={c: st.column_config.Column(f"{country_names.name(c)} ({c})") for c in side})
    pivot = escp.compare_countries(scope.table, chosen)
    figure_card(
        charts.grouped_bars(pivot, value="participations (lower bound)"),
        title="Participations per programme, side by side",
        caption=scope.caption(),
        data=pivot.reset_index(),
        key="escp_cmp",
    )


def gap_view(scope: Scope) -> None:
    year = default_year(data.query("cluster_years", sector_set="division"))
    if year is None:
        notices.sources_absent(*SECTOR_SETS["division"]["source_ids"], what="The gap view (cluster strength)")
        return
    clusters = data.query("country_cluster_strength", year=year)
    gap = escp.gap_table(scope.countries, clusters)
    st.markdown(
        f"Countries ordered by **gap** = their share of the EU's starred cluster cells (NUTS 2 x NACE division with "
        f">= 2 European Cluster Observatory stars, SBS {year}) minus their share of recorded participations. Positive: "
        "strong clusters, few recorded participations. The member records carry no region, so the gap is shown by "
        "country; and because the record is a sample, a large gap may mean missing records rather than absence."
    )
    left, right = st.columns([3, 2])
    with left:
        figure_card(
            charts.gap_scatter(gap),
            title="Cluster strength against partnership participation",
            caption=scope.caption(
                f"Clusters: Eurostat SBS {year} (sbs_r_nuts06_r2). Dashed line: the "
                "participation a country would have in proportion to its starred clusters."
            ),
            data=gap.reset_index(),
            key="escp_gap",
        )
    with right:
        tables.table(gap.reset_index(), GAP_COLUMNS, height=figure_height(), key="escp_gap_table")


def import_banner() -> None:
    """While an import is in use: say so and offer the way back, on every view and before anything is computed."""
    if st.session_state.get(IMPORT_KEY) is None:
        return
    mode = st.session_state.get(IMPORT_KEY + "_mode", "extend")
    n = len(st.session_state[IMPORT_KEY])
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.info(
        f"Views use the {n:,} member rows you imported in this session ({mode}: "
        f"{'added to' if mode == 'extend' else 'instead of'} the recorded sample; nothing is stored).",
        icon=":material/upload:",
    )
    if right.button("Forget the import", icon=":material/delete:", key="escp_forget"):
        st.session_state.pop(IMPORT_KEY, None)
        st.session_state.pop(IMPORT_KEY + "_mode", None)
        st.rerun()


def import_view() -> None:
    st.markdown(
        "Upload member rows in the members schema to **extend** the recorded sample or **replace** it for this "
        "session only. Nothing is written to the database or to disk; closing the tab forgets the import."
    )
    st.download_button(
        "Template (CSV)",
        escp.template_csv(),
        "escp_members_template.csv",
        "text/csv",
        on_click="ignore",
        icon=":material/download:",
    )
    mode = st.radio(
        "Use the upload to",
        ["extend", "replace"],
        horizontal=True,
        key="escp_mode_widget",
        format_func={"extend": "extend the recorded sample", "replace": "replace it"}.get,
    )
    file = st.file_uploader("Members CSV", type=["csv"], key="escp_file", max_upload_size=5)
    if file is not None:
        countries = set(data.query("countries")["code"])
        result = escp.read_members_csv(file.getvalue(), known_countries=countries)
        if result.message:
            (st.error if result.frame.empty else st.warning)(result.message)
        if len(result.errors):
            n = len(result.errors)
            st.warning(f"{n} problem{'s' if n != 1 else ''} found; rows with problems were not imported:")
            st.dataframe(result.errors, hide_index=True)
        if len(result.frame):
            st.session_state[IMPORT_KEY] = result.frame
            st.session_state[IMPORT_KEY + "_mode"] = mode
            st.success(f"{len(result.frame)} rows imported ({mode}). All views now use them.")

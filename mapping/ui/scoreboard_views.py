"""Sections of the scoreboard and compare pages (Streamlit helpers around mapping/scoreboard.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapping import charts, maps, profile, provenance
from mapping import scoreboard as sb
from mapping.clusters import SECTOR_SETS
from mapping.formatting import fmt
from mapping.geo import EUROPE_BBOX, view_for_bbox
from mapping.ui import data, map_figure, notices, state, tables
from mapping.ui.cache import per_build
from mapping.ui.figure_card import figure_card
from mapping.ui.layout import figure_height
from mapping.ui.tables import Col

METHODS = {"minmax": "Min-max 0-1 (as the RIS)", "zscore": "z-scores"}
RANKING_COLUMNS = {
    "rank": Col("EU rank", decimals=0),
    "code": Col("Region"),
    "name": Col("Name"),
    "value": Col("Score", decimals=3),
    "rank_in_country": Col("Rank in country", decimals=0),
}
DIMENSION_COLUMNS = {
    "dimension": Col("Dimension"),
    "score": Col("Score", decimals=3),
    "EU rank": Col("EU rank", decimals=0),
    "rank in country": Col("Rank in country", decimals=0),
    "indicator coverage": Col("Indicators with a value", decimals=0, percent=True, help="Share of the weight"),
}


@per_build(resource=True, show_spinner="Scoring regions ...", max_entries=8)
def loaded(method: str, ris_edition: str | None = None) -> sb.Loaded:
    """The scored universe for a normalisation method and RIS edition (shared, read-only)."""
    return sb.load(data.query, method=method, ris_edition=ris_edition)


def ris_choice(*, container=None) -> str | None:
    """The RIS edition (``?ris=2025|2023``): the newest loaded by default; no control when only one is loaded."""
    editions = sb.ris_editions(data.query)
    if len(editions) < 2:
        return editions[0] if editions else None
    return state.choice(
        "Innovation data",
        editions,
        param="ris",
        default=editions[0],
        format_func=lambda e: f"Regional Innovation Scoreboard {e}",
        container=container,
    )


def source_notices(scored: sb.Loaded) -> None:
    """Name every source the scoreboard would use that this build lacks, and what the edition choice left out."""
    wanted = [sb.RIS_EDITIONS[e][0] for e in sb.RIS_EDITIONS] if not scored.framework.ris_edition else []
    wanted += ["rci2022", *SECTOR_SETS["division"]["source_ids"]]
    wanted += sorted({s for s in scored.catalog["source_id"] if s.startswith("eurostat")})
    notices.sources_absent(*dict.fromkeys(wanted), what="The scoreboard")


def dim_labels(scored: sb.Loaded) -> dict[str, str]:
    return {d.id: d.label for d in scored.framework.dimensions} | {"overall": "Overall score"}


def method_is_minmax(scored: sb.Loaded) -> bool:
    return bool(scored.board.norm.min().min() >= 0 and scored.board.norm.max().max() <= 1)


def names(scored: sb.Loaded) -> dict[str, str]:
    return dict(zip(scored.board.universe["code"], scored.board.universe["name"], strict=True))


def method_notes(scored: sb.Loaded, method: str) -> list[str]:
    fw = scored.framework
    edition = (
        f"Innovation indicators: Regional Innovation Scoreboard {fw.ris_edition}."
        if fw.ris_edition
        else "No Regional Innovation Scoreboard edition is loaded in this build."
    )
    years = "Years: " + "; ".join(f"{s.id} {s.year}" for s in fw.indicators) + "."
    left_out = ["Left out: " + " ".join(fw.notes)] if fw.notes else []
    norm = (
        f"Normalisation: {METHODS[method]}. Square root for the indicators marked sqrt; values beyond mean +/- "
        f"{fw.outlier_sd:g} SD do not set the min and max and are clipped to 0 or 1; lower-is-better indicators are "
        "reversed (1 = best)."
        if method == "minmax"
        else "Normalisation: z-scores (distance from the EU mean in standard deviations; positive = better)."
    )
    return [
        edition,
        *left_out,
        years,
        norm,
        f"A dimension is scored when its available indicators carry at least {fw.min_indicator_share:.0%} of its "
        f"weight (weighted mean of those); the overall score is the mean of the dimension scores when at least "
        f"{fw.min_dimensions} of {len(fw.dimensions)} are available. Missing values stay missing.",
        "A value missing for a NUTS 2 region is taken, always flagged as its origin, from its NUTS 2024 successor, "
        "from a merged unit that contains it (RCI capital areas, old SBS regions), from its NUTS 1 region (the RIS "
        "publishes NUTS 1 for AT, BE, FR and parts of DE) or, for single-region countries, from the country.",
        f"Peers: the {fw.peers_k} nearest regions on the standardised structural variables "
        f"({', '.join(fw.peer_labels.values())}); Euclidean distance. Scorecard: strength when an indicator's "
        f"normalised score is at least {fw.strength_margin:g} above the peer median, weakness when at least "
        f"{fw.strength_margin:g} below.",
    ]


def caption(scored: sb.Loaded, extra: str = "", *, maps_: bool = False) -> str:
    used = {s for s in scored.catalog["source_id"] if s}
    if any(i.startswith("cluster.") for i in scored.catalog.index):
        used |= set(SECTOR_SETS["manufacturing"]["source_ids"])
    loaded = data.sources()
    loaded = set(loaded.loc[loaded["status"] == "loaded", "source_id"])
    return _caption(tuple(sorted(used & loaded)), extra, maps_)


@per_build(max_entries=64)
def _caption(sources: tuple[str, ...], extra: str, maps_: bool) -> str:
    note = f"Scores: this dashboard's scoreboard (method under 'Method'). {extra}".strip()
    return provenance.compact_caption(data.sources(), list(sources), extra=note, maps=maps_)


# --------------------------------------------------------------------------- sections


def ranking_section(scored: sb.Loaded, *, score: str, country: str) -> None:
    board = scored.board
    values = board.overall if score == "overall" else board.dims[score]
    uni = board.universe.set_index("code")
    frame = pd.DataFrame(
        {
            "code": values.index,
            "name": uni.loc[values.index, "name"].to_numpy(),
            "country": uni.loc[values.index, "country"].to_numpy(),
            "value": values.to_numpy(),
            "rank": board.rank_eu[score].to_numpy(),
            "rank_in_country": board.rank_country[score].to_numpy(),
        }
    )
    frame["n"] = frame["value"].notna().sum()
    frame["key"] = frame["code"] + "|2021"
    frame["year"] = None
    shown = frame[frame["country"] == country] if country else frame
    label = dim_labels(scored)[score]
    center, zoom = view_for_bbox(EUROPE_BBOX, width=620, height=figure_height())
    spec = maps.MapSpec(title=label, unit="score (0-1)" if method_is_minmax(scored) else "score (z)", palette="viridis")
    focal = st.query_params.get("region")  # the region profiled below, outlined and named in the legend
    fig = map_figure.choropleth(  # cached per view, the focal region included
        shown,
        shown.iloc[0:0],
        spec,
        geometry_url=data.geometry_url(2),
        base_url=data.base_url(),
        highlight=f"{focal}|2021" if focal in set(shown["code"]) else None,
        center=(center["lon"], center["lat"]),
        zoom=zoom,
        height=figure_height(),
        bbox=EUROPE_BBOX,
    )
    left, right = st.columns([3, 2])
    with left:
        figure_card(
            fig,
            title=f"{label}: EU regions",
            caption=caption(scored, maps_=True),
            data=shown.drop(columns=["key", "year", "n"]),
            key="sb_map",
        )
    with right:
        table = shown.sort_values("rank")[["rank", "code", "name", "value", "rank_in_country"]]
        st.markdown(f"**Ranking** ({int(shown['value'].notna().sum())} regions with a score)")
        tables.table(table, RANKING_COLUMNS, height=figure_height() + 40, key="sb_ranking")


def profile_section(scored: sb.Loaded, region: str) -> pd.DataFrame:
    """Dimension scores with ranks and every indicator's raw value, origin and normalised score."""
    board = scored.board
    uni = board.universe.set_index("code")
    labels = dim_labels(scored)
    m = st.columns(4)
    m[0].metric("Overall score", fmt(board.overall[region]))
    m[1].metric("EU rank", _rank(board.rank_eu.loc[region, "overall"], board.overall.notna().sum()))
    country = uni.loc[region, "country"]
    n_country = int((uni["country"] == country).sum())
    m[2].metric(f"Rank in {country}", _rank(board.rank_country.loc[region, "overall"], n_country))
    m[3].metric("Dimensions scored", f"{int(board.dims.loc[region].notna().sum())} of {board.dims.shape[1]}")
    dims = pd.DataFrame(
        {
            "dimension": [labels[d] for d in board.dims.columns],
            "score": board.dims.loc[region].to_numpy(),
            "EU rank": board.rank_eu.loc[region, board.dims.columns].to_numpy(),
            "rank in country": board.rank_country.loc[region, board.dims.columns].to_numpy(),
            "indicator coverage": board.coverage.loc[region].to_numpy(),
        }
    )
    tables.table(dims, DIMENSION_COLUMNS, key="sb_dims")
    return indicator_table(scored, region)


def indicator_table(scored: sb.Loaded, region: str) -> pd.DataFrame:
    board, cat = scored.board, scored.catalog
    labels = dim_labels(scored)
    attribution = data.sources().set_index("source_id")["attribution"]
    return pd.DataFrame(
        {
            "dimension": cat["dimension"].map(labels),
            "indicator": cat["label"],
            "raw value": board.raw.loc[region, cat.index],
            "unit": cat["unit"],
            "year": cat["year"].astype(int),
            "taken from": board.origin.loc[region, cat.index].replace("", "the region"),
            "normalised": board.norm.loc[region, cat.index],
            "direction": cat["direction"].map({1: "higher better", -1: "lower better"}),
            "transform": cat["transform"],
            "source": cat["source_id"].map(attribution).fillna(cat["source_id"]),
        }
    ).reset_index(names="indicator_id")


def _rank(rank: float, n: int) -> str:
    return "–" if pd.isna(rank) else f"{int(rank)} / {n}"


def choose_peers(scored: sb.Loaded, region: str, *, container=None) -> tuple[list[str], pd.DataFrame, bool]:
    """Peers: the nearest regions (optionally other countries only) unless the user chose up to 5."""
    fw = scored.framework
    nm = names(scored)
    options = [c for c in scored.board.universe["code"] if c != region]
    target = container or st
    foreign = state.flag("Peers from other countries only", param="foreign", default=False, container=target)
    chosen = state.multi_choice(
        "Replace the peers with (up to 5)",
        options,
        param="peers",
        max_selections=fw.max_chosen_peers,
        format_func=lambda c: f"{c} {nm.get(c, '')}",
        container=target,
    )
    z = scored.structure_z
    if chosen:
        table = sb.peers(z, region, candidates=chosen)
        return chosen, table, True
    country = region[:2]
    pool = [c for c in options if not (foreign and c[:2] == country)]
    table = sb.peers(z.loc[[region, *pool]], region, k=fw.peers_k)
    return list(table.index), table, False


def peers_section(scored: sb.Loaded, region: str, peer_codes: list[str], table: pd.DataFrame, chosen: bool) -> None:
    nm = names(scored)
    how = "chosen by you" if chosen else f"the {len(peer_codes)} most similar regions"
    st.markdown(f"**Peers** ({how}): " + ", ".join(f"{nm.get(c, c)} ({c})" for c in peer_codes))
    if table.empty:
        return
    fig = charts.peer_contributions(table, labels=scored.framework.peer_labels, names=nm, height=300)
    figure_card(
        fig,
        title=f"Why these peers for {nm.get(region, region)}",
        key="sb_why",
        data=table.reset_index(),
        caption=caption(
            scored,
            "Each bar splits the distance to a peer into the structural variables "
            "(standardised); a short segment means the regions are alike on that variable.",
        ),
    )


def scorecard_section(scored: sb.Loaded, region: str, peer_codes: list[str]) -> pd.DataFrame:
    fw, nm = scored.framework, names(scored)
    card = sb.scorecard(scored.board, region, peer_codes, fw.strength_margin)
    card = card.join(scored.catalog[["label", "dimension"]])
    counts = card["verdict"].value_counts()
    m = st.columns(3)
    m[0].metric("Strengths", int(counts.get("strength", 0)))
    m[1].metric("Weaknesses", int(counts.get("weakness", 0)))
    m[2].metric("Neutral", int(counts.get("neutral", 0)))
    focus = sb.focus_areas(scored.board, region, peer_codes)
    if len(focus):
        labels = dim_labels(scored)
        st.markdown(
            "**Focus areas** (dimensions where the region trails its peers most): "
            + "; ".join(f"{labels[d]} ({fmt(r.score)} vs {fmt(r.peer_median)})" for d, r in focus.iterrows())
        )
    fig = charts.scorecard_bars(card, margin=fw.strength_margin, height=max(420, 20 * len(card) + 80))
    figure_card(
        fig,
        title=f"Scorecard: {nm.get(region, region)} against its peers",
        key="sb_card",
        data=card.reset_index(names="indicator_id"),
        caption=caption(
            scored,
            f"Rule: strength if >= peer median + {fw.strength_margin:g}, weakness if <= peer "
            f"median - {fw.strength_margin:g} (normalised scores 0-1).",
        ),
    )
    return card


def profile_download(
    scored: sb.Loaded, region: str, peer_codes: list[str], method: str, indicators: pd.DataFrame, card: pd.DataFrame
) -> None:
    nm, labels = names(scored), dim_labels(scored)

    def build() -> bytes:
        own = scored.board.dims.loc[region]
        med = scored.board.dims.loc[peer_codes].median()
        figs = [
            (
                "Dimension scores against the peer median",
                charts.dimension_bars(own, med, labels=labels, name=nm[region]),
                caption(scored),
            ),
            ("Scorecard", charts.scorecard_bars(card, margin=scored.framework.strength_margin), caption(scored)),
            (
                "Radar: the region and its peers",
                charts.radar(scored.board.dims.loc[[region, *peer_codes]], labels=labels, names=nm, highlight=region),
                caption(scored),
            ),
        ]
        peers_tab = pd.DataFrame(
            {
                "code": peer_codes,
                "name": [nm.get(c, c) for c in peer_codes],
                "overall score": scored.board.overall.reindex(peer_codes).to_numpy(),
            }
        )
        tables = [
            (
                "Indicators: raw value, origin, normalised score, source",
                indicators,
                "'taken from' names the unit a value was taken from when the region itself has none.",
            ),
            ("Peers", peers_tab, "Peers as shown in the dashboard when this profile was exported."),
        ]
        used = sorted({s for s in scored.catalog["source_id"] if s})
        srcs = data.sources().set_index("source_id").loc[used].reset_index()
        uni = scored.board.universe.set_index("code")
        return profile.profile_html(
            title=f"{nm[region]} ({region}): regional ecosystem profile",
            subtitle=f"{uni.loc[region, 'country']} · overall score {fmt(scored.board.overall[region])}, EU rank "
            f"{_rank(scored.board.rank_eu.loc[region, 'overall'], scored.board.overall.notna().sum())}",
            figures=figs,
            tables=tables,
            method_notes=method_notes(scored, method),
            sources=srcs,
        )

    st.download_button(
        "Profile as one HTML file (opens offline)",
        data=build,
        file_name=f"profile-{region}.html",
        mime="text/html",
        icon=":material/description:",
        on_click="ignore",
        key="sb_profile",
    )

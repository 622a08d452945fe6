"""Views of the Data page: sources, indicator catalog, NUTS crosswalk, build report, methods, SQL console and
downloads (Streamlit helpers around mapping/methods.py, mapping/console/ and mapping/downloads.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapping import config, db, downloads, export, methods, provenance, scoreboard
from mapping.console import CELL_CAP, MAX_CHARS, Console, ConsoleError, Refused, preview
from mapping.formatting import md_escape
from mapping.ui import data, state
from mapping.ui.cache import build_stamp, per_build

CONSOLE_RESULT = "_console_result"  # this session's last console answer: a preview (<= 2 MB) or a message
TABS = {
    "sources": "Sources",
    "indicators": "Indicators",
    "crosswalk": "NUTS crosswalk",
    "report": "Build report",
    "methods": "Methods",
    "console": "SQL console",
    "downloads": "Downloads",
}

SOURCE_COLUMNS = [
    "source_id", "status", "title", "publisher", "vintage", "data_years", "rows_loaded", "licence", "attribution",
    "url", "file", "sha256", "built_at", "nuts_version", "reason", "remedy", "notes",
]  # fmt: skip
CATALOG_COLUMNS = [
    "indicator_id", "label", "unit", "dimension", "direction", "levels", "years", "n_regions", "source_id", "vintage",
    "description", "map",
]  # fmt: skip

EXAMPLES = {
    "Tables of the database": (
        "SELECT table_name, comment AS holds, estimated_size AS rows\nFROM duckdb_tables()\nORDER BY table_name"
    ),
    "Strongest motor-vehicle clusters (C29), 2014": (
        "SELECT c.region_code, r.name, round(c.lq, 2) AS lq, c.persons, c.stars_observatory AS stars\n"
        "FROM cluster_cells('division', 2.0, 10.0, 75.0, 25.0, only_year := 2014) c\n"
        "JOIN regions r ON r.code = c.region_code AND r.nuts_version = c.nuts_version\n"
        "WHERE c.nace = 'C29'\nORDER BY c.lq DESC\nLIMIT 10"
    ),
    "Cluster partnership participations by country": (
        "SELECT member_country, count(*) AS participations,\n"
        "       count(DISTINCT partnership_acronym) AS partnerships\n"
        "FROM escp_members\nWHERE member_organisation IS NOT NULL\nGROUP BY ALL\nORDER BY participations DESC"
    ),
    "Indicators per source, with years": (
        "SELECT source_id, count(*) AS indicators, min(min_year) AS first_year, max(max_year) AS last_year\n"
        "FROM indicator_catalog\nGROUP BY ALL\nORDER BY indicators DESC"
    ),
    "Innovation index (RIS 2023) of German regions": (
        "SELECT i.region_code, r.name, i.year, round(i.value, 1) AS rii\n"
        "FROM indicators i JOIN regions r ON r.code = i.region_code AND r.nuts_version = i.nuts_version\n"
        "WHERE i.indicator_id = 'ris.0' AND r.country = 'DE' AND i.year = 2023\nORDER BY rii DESC"
    ),
    "Columns of the employment table": "DESCRIBE employment",
    "Summary statistics of the sources table": "SUMMARIZE sources",
}


def _table(frame: pd.DataFrame, **kwargs) -> None:
    st.dataframe(frame, hide_index=True, width="stretch", **kwargs)


def _csv_button(frame: pd.DataFrame, name: str, *, key: str, label: str = "CSV") -> None:
    st.download_button(
        label,
        lambda: export.to_csv(frame),  # made on click, not on every rerun
        file_name=f"{name}.csv",
        mime="text/csv",
        key=key,
        icon=":material/download:",
        on_click="ignore",
    )


# ---------------------------------------------------------------------------------------------------------- sources


def sources_view() -> None:
    info = dict(data.query("build_info").values.tolist())
    sources = data.query("sources")
    counts = sources["status"].value_counts()
    states = ", ".join(f"{n} {status}" for status, n in counts.items())
    st.markdown(
        f"Database built **{info.get('built_at', '?')}** from "
        f"{md_escape(info.get('sources_label', 'the sources folder'))}: "
        f"{len(sources)} sources ({states}), {int(sources['rows_loaded'].sum()):,} rows loaded. Every figure's caption "
        "names its source and vintage; `source_id` links every row of the database to a line here. A source that "
        "is missing or failed is named, with the reason and the command or file that brings it, on every page that "
        "would use it."
    )
    _table(
        sources[SOURCE_COLUMNS],
        column_config={
            "url": st.column_config.LinkColumn("official page"),
            "rows_loaded": st.column_config.NumberColumn("rows loaded", format="%d"),
            "sha256": st.column_config.TextColumn("file SHA-256", help="of the file, or of the per-file digests"),
            "built_at": st.column_config.DatetimeColumn("loaded at"),
        },
    )
    _csv_button(sources, "sources", key="dl_sources", label="Sources table (CSV)")
    with st.expander("Every file read, with its SHA-256"):
        _table(data.query("source_files"), column_config={"bytes": st.column_config.NumberColumn(format="%d")})
    st.caption(
        "Boundaries: © EuroGeographics for the administrative boundaries. Statistics: see each source's "
        "attribution. Check a file: `sha256sum <sources folder>/<file>` gives the digest above."
    )


# ------------------------------------------------------------------------------------------------------- indicators


def indicators_view() -> None:
    catalog = data.query("catalog")
    c1, c2 = st.columns([3, 2])
    q = state.text("Search label, description, unit or id", param="q", max_chars=80, container=c1)
    sources = sorted(catalog["source_id"].unique())
    source = state.choice("Source", ["all", *sources], param="source", default="all", container=c2)
    shown = catalog if source == "all" else catalog[catalog["source_id"] == source]
    if q:
        text = (
            shown["indicator_id"] + " " + shown["label"] + " " + shown["description"].fillna("") + " " + shown["unit"]
        ).str.lower()
        shown = shown[text.str.contains(q.lower(), regex=False)]
    st.caption(f"{len(shown)} of {len(catalog)} indicators with data. Open one on the map with its link.")
    view = shown.assign(
        map=[f"./map?indicator={i}" for i in shown["indicator_id"]],
        direction=shown["higher_is_better"].map({True: "higher is better", False: "lower is better"}).fillna(""),
        years=[f"{a}-{b}" if a != b else f"{a}" for a, b in zip(shown["min_year"], shown["max_year"], strict=True)],
    )
    _table(
        view[CATALOG_COLUMNS],
        column_config={
            "map": st.column_config.LinkColumn("map", display_text="open map"),
            "n_regions": st.column_config.NumberColumn("regions", format="%d"),
        },
    )
    _csv_button(view.drop(columns=["map"]), "indicator_catalog", key="dl_catalog", label="Catalog (CSV)")


# -------------------------------------------------------------------------------------------------------- crosswalk


def crosswalk_view() -> None:
    st.markdown(
        "Sources publish regions under several NUTS versions. Every value is placed on the NUTS 2021 map in one of "
        "these ways; nothing is interpolated or apportioned."
    )
    _table(pd.DataFrame({"placement": list(methods.PLACEMENTS), "what happens": list(methods.PLACEMENTS.values())}))
    counts = data.query("placement_counts")
    wide = counts.pivot_table(index="source_id", columns="placement", values="rows", aggfunc="sum", fill_value=0)
    st.markdown("**Rows per source and placement**")
    st.dataframe(wide, width="stretch")
    xwalk = data.query("crosswalk")
    st.markdown(
        f"**The crosswalk** ({len(xwalk)} rows, `data/nuts_crosswalk.csv`, compiled from Eurostat's NUTS history)"
    )
    method = state.choice(
        "Method", ["all", *sorted(xwalk["method"].unique())], param="xmethod", default="all", widget="segmented_control"
    )
    _table(xwalk if method == "all" else xwalk[xwalk["method"] == method])
    _csv_button(xwalk, "nuts_crosswalk", key="dl_xwalk", label="Crosswalk (CSV)")


# ----------------------------------------------------------------------------------------------------- build report


def report_view() -> None:
    report = data.query("build_report")
    summary = provenance.report_summary(report)
    st.markdown(
        "What the build did with every source: rows read and landed, codes recoded, split, grouped or left "
        "unplaced (with the codes). Unplaced rows stay in the `unplaced` table with their reason."
    )
    st.dataframe(summary, width="stretch")
    sources = sorted(report["source_id"].unique())
    source = state.choice("Source", sources, param="report", default=sources[0] if sources else None)
    _table(
        report[report["source_id"] == source][["item", "count", "detail"]],
        column_config={"detail": st.column_config.TextColumn("codes / detail", width="large")},
    )
    _csv_button(report, "build_report", key="dl_report", label="Build report (CSV)")


# ---------------------------------------------------------------------------------------------------------- methods


def methods_view() -> None:
    from mapping import clusters

    st.subheader("Location quotient and cluster stars")
    st.markdown(f"{clusters.LQ_RULE}\n\n{clusters.PERCENTILE_RULE}")
    _table(methods.lq_methods())
    st.markdown("**Thresholds** (change them on the Clusters page; the sensitivity view sweeps the range)")
    _table(methods.thresholds())
    _table(methods.sector_sets())
    fw = scoreboard.resolve(scoreboard.load_framework(), data.query)
    st.subheader("Scoreboard normalisation")
    st.markdown(methods.normalisation_text(fw))
    edition = f"Regional Innovation Scoreboard {fw.ris_edition}" if fw.ris_edition else "no RIS edition loaded"
    st.markdown(
        f"Innovation indicators from the {edition}. Each input's year is the latest in which it reaches "
        f"{fw.latest_coverage:.0%} of the regions of its best-covered year; the table shows the year used."
    )
    if fw.notes:
        st.text("Left out of this build's scoreboard:\n" + "\n".join(fw.notes))
    _table(methods.scoreboard_indicators(fw, data.query("catalog")))
    st.subheader("Peers")
    st.markdown(methods.peers_text(fw))
    _table(methods.peer_variables(fw))
    st.caption("Settings: `data/scoreboard.toml` and `mapping/clusters.py`; SQL: `mapping/ingest/macros.sql`.")


# ---------------------------------------------------------------------------------------------------------- console


@per_build(resource=True, max_entries=1)
def _console() -> Console:
    return Console(build_stamp()[0])


def _run_console(sql: str, owner: str) -> dict:
    """Run ``sql`` in ``owner``'s turn; what the page keeps: a preview within the view budget, or the message.

    Nothing is cached across visitors, and the full result is not kept: the downloads run the query again.
    """
    try:
        result = _console().run(sql, owner=owner)
    except (Refused, ConsoleError) as exc:
        return {"sql": sql, "error": str(exc)}
    shown, cut = preview(result.frame)
    return {
        "sql": sql,
        "frame": shown,
        "rows": len(result.frame),
        "truncated": result.truncated,
        "row_cap": result.row_cap,
        "seconds": result.seconds,
        "cut": cut,
    }


def _download(sql: str, owner: str, fmt: str):
    """A callable for st.download_button: the whole result, computed when the button is clicked."""

    def make() -> bytes:
        try:
            frame = _console().run(sql, owner=owner).frame
        except (Refused, ConsoleError) as exc:
            frame = pd.DataFrame({"error": [str(exc)]})
        return export.to_csv(frame) if fmt == "csv" else export.to_parquet(frame)

    return make


def console_view() -> None:
    st.markdown(
        f"Read-only SQL on the database (DuckDB). One read statement at a time (SELECT, WITH, EXPLAIN, DESCRIBE, "
        f"SUMMARIZE, SHOW); stopped after {config.CONSOLE_TIMEOUT_S:g} s; at most {config.CONSOLE_ROW_CAP:,} rows "
        f"(fewer when a result has over {CELL_CAP // config.CONSOLE_ROW_CAP} columns) shown and "
        "downloadable. Files, URLs, settings and writes are switched off. `SHOW TABLES` lists the tables; "
        "`cluster_cells(set, spec_lq, top_pct, cmp_lq_pct, cmp_size_pct, only_year := year, min_coverage := 0.5)` "
        "gives LQs, percentile ranks and stars (min_coverage: 0, 0.25, 0.5 or 0.75, the levels the build "
        "precomputes), `cluster_group_cells(..., members, weights)` adds a sector group of your own, "
        "`cluster_excluded(set, min_coverage)` lists the region-years it leaves out, "
        "`sector_proximity(set, year)` and `relatedness_density(set, year)` the relatedness of sectors. "
        "A link can carry a query; it runs when you press *Run*."
    )
    linked = (st.query_params.get("sql") or "")[:MAX_CHARS]
    example = st.selectbox("Examples", ["", *EXAMPLES], key="console_example", format_func=lambda e: e or "choose")
    if example and st.session_state.get("_console_example_used") != example:
        st.session_state["_console_example_used"] = example
        st.session_state["console_sql"] = EXAMPLES[example]
    elif "console_sql" not in st.session_state or st.session_state.get("_console_url") != linked:
        st.session_state["console_sql"] = linked or EXAMPLES["Tables of the database"]
    st.session_state["_console_url"] = linked
    with st.form("console"):
        sql = st.text_area("SQL", key="console_sql", height=180, max_chars=MAX_CHARS)
        submitted = st.form_submit_button("Run", icon=":material/play_arrow:", type="primary")
    owner = data.session_id()
    last = st.session_state.get(CONSOLE_RESULT)
    if submitted:
        current = sql.strip()
        st.session_state["_console_url"] = current
        if current:
            st.query_params["sql"] = current
        elif "sql" in st.query_params:
            del st.query_params["sql"]
        last = _run_console(current, owner) if current else None
        st.session_state[CONSOLE_RESULT] = last
    if last is None or last["sql"] != (st.query_params.get("sql") or "").strip():
        if linked:
            st.info("This query came with the link. Press *Run* to execute it: a link never runs a query by itself.")
        return
    if "error" in last:
        st.error(md_escape(last["error"]), icon=":material/block:")
        return
    note = f"{last['rows']:,} rows in {last['seconds'] * 1000:.0f} ms"
    if last["truncated"]:
        note += f" (cut at {last['row_cap']:,}: add a LIMIT or aggregate)"
    if last["cut"]:
        note += f"; on this page: {last['cut']} (the downloads have the whole result)"
    st.caption(note + ". Source: this database; see the Sources tab for each table's origin (source_id).")
    _table(last["frame"])
    c1, c2, _ = st.columns([1, 1, 6])
    for column, fmt, label in ((c1, "csv", "CSV"), (c2, "parquet", "Parquet")):
        column.download_button(
            label,
            _download(last["sql"], owner, fmt),
            file_name=f"query.{fmt}",
            mime="text/csv" if fmt == "csv" else "application/octet-stream",
            key=f"dl_query_{fmt}",
            icon=":material/download:",
            on_click="ignore",
        )


# -------------------------------------------------------------------------------------------------------- downloads


def _bundler(names: list[str], fmt: str):
    """A callable for st.download_button: the zip is made on click, outside the script run (no Streamlit in it)."""
    con = data.connection()
    listing = data.query("db_tables").set_index("table_name")
    meta = {
        "fmt": fmt,
        "sources": data.query("sources"),
        "descriptions": listing["description"].fillna("").to_dict(),
        "columns": {n: data.query("table_columns", table_name=n) for n in names},
        "built": dict(data.query("build_info").values.tolist()),
    }

    def make() -> bytes:
        tables = {n: db.query_arrow(con, "table_rows", table_name=n, row_cap=50_000_000)[0] for n in names}
        return downloads.bundle(tables, **meta)

    return make


def downloads_view() -> None:
    listing = data.query("db_tables")
    st.markdown(
        "Every table of the database, as CSV or Parquet, zipped with the sources table (`sources.csv`) and a "
        "README naming the build, the columns and the caveats. The zip is made when you click."
    )
    _table(listing, column_config={"rows": st.column_config.NumberColumn(format="%d")})
    c1, c2, c3, c4 = st.columns([2, 2, 1.4, 1.4], vertical_alignment="bottom")
    names = listing["table_name"].tolist()
    name = state.choice("Table", names, param="table", default="indicators", container=c1)
    fmt = state.choice(
        "Format", list(downloads.FORMATS), param="fmt", default="csv", format_func=downloads.FORMATS.get, container=c2
    )
    if name is None:
        return
    with c3:
        st.download_button(
            f"{name}.{fmt} + sources",
            _bundler([name], fmt),
            file_name=f"{name}-{fmt}.zip",
            mime="application/zip",
            key="dl_table",
            icon=":material/download:",
            on_click="ignore",
            type="primary",
        )
    with c4:
        st.download_button(
            f"All {len(names)} tables",
            _bundler(names, fmt),
            file_name=f"clustermap-all-{fmt}.zip",
            mime="application/zip",
            key="dl_all",
            icon=":material/download:",
            on_click="ignore",
        )
    with st.expander(f"Columns of {name}"):
        _table(data.query("table_columns", table_name=name))

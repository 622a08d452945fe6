"""'Map your own data' on the map page: upload, row-level report, a map of the result.

Nothing is written to disk or to the database; the result lives in this session only and can be
downloaded."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from mapping import maps, upload
from mapping.explorer import LEVEL_NAMES
from mapping.formatting import md_escape
from mapping.ui import data
from mapping.ui.figure_card import figure_card

PARSED = "_upload_parsed"  # (file id, parsed upload) of this session


def upload_section(lookup: pd.DataFrame) -> None:
    with st.expander("Map your own data", icon=":material/upload_file:"):
        st.markdown(
            "Upload a CSV with NUTS codes and values (`code,value`), or with points (`lat,lon[,value]`) that are "
            "assigned to the NUTS region containing them. Comma, semicolon or tab separated; UTF-8 preferred. "
            "Nothing is stored: the data stays in this browser session."
        )
        c1, c2 = st.columns(2)
        c1.download_button(
            "Template: region values", upload.TEMPLATE_REGIONS, "regions_template.csv", "text/csv", on_click="ignore"
        )
        c2.download_button(
            "Template: points", upload.TEMPLATE_POINTS, "points_template.csv", "text/csv", on_click="ignore"
        )
        file = st.file_uploader("CSV file", type=["csv", "txt", "tsv"], key="upload_file", max_upload_size=20)
        if file is None:
            st.session_state.pop(PARSED, None)
            return
        result = _parsed(file)
        if result.message and result.kind is None:
            st.error(md_escape(result.message))
        elif result.message:
            st.warning(md_escape(result.message))
        errors = result.errors
        if result.kind == "regions":
            frame, unknown = upload.check_codes(result, lookup)
            errors = pd.concat([errors, unknown], ignore_index=True)
            _report(errors, len(frame), total=result.n_errors + len(unknown))
            if len(frame):
                level = int(frame["level"].mode().iloc[0])
                other = frame[frame["level"] != level]
                if len(other):
                    st.info(f"{len(other)} rows are not at {LEVEL_NAMES[level]} and are left off this map.")
                _draw(frame[frame["level"] == level], level, title=f"Your data ({result.value_column})")
        elif result.kind == "points":
            level = (
                st.segmented_control(
                    "Assign points to", [2, 3], default=3, format_func=LEVEL_NAMES.get, key="upload_level"
                )
                or 3
            )
            pts = result.frame
            hits = data.run("assign_points", lons=pts["lon"].tolist(), lats=pts["lat"].tolist(), level=level)
            pts = pts.assign(code=hits["code"].to_numpy(), region=hits["name"].to_numpy())
            outside = pts[pts["code"].isna()]
            errors = pd.concat(
                [
                    errors,
                    pd.DataFrame(
                        {
                            "line": outside["line"],
                            "column": "lat/lon",
                            "value": outside["lat"].astype(str) + ", " + outside["lon"].astype(str),
                            "reason": "outside every NUTS region",
                        }
                    ),
                ],
                ignore_index=True,
            )
            _report(errors, len(pts) - len(outside), total=result.n_errors + len(outside))
            inside = pts[pts["code"].notna()]
            if len(inside):
                agg = inside.groupby("code").agg(
                    points=("line", "size"), value=("value", "sum") if "value" in inside else ("line", "size")
                )
                frame = agg.reset_index().assign(nuts_version="2021")
                frame["name"] = frame["code"].map(dict(zip(lookup["code"], lookup["name"], strict=False)))
                measure = "value" if "value" in inside else "points"
                frame["value"] = frame[measure]
                _draw(
                    frame, level, title=f"Your points per region ({'sum of value' if measure == 'value' else 'count'})"
                )
                st.dataframe(inside, hide_index=True, height=240)


def _parsed(file) -> upload.Upload:
    """The upload read once per file (not on every rerun of the page); only the parsed rows are kept."""
    cached = st.session_state.get(PARSED)
    if cached is None or cached[0] != file.file_id:
        cached = (file.file_id, upload.read_upload(file.getvalue()))
        st.session_state[PARSED] = cached
    return cached[1]


def _report(errors: pd.DataFrame, n_ok: int, *, total: int) -> None:
    if len(errors):
        listed = "listed below" if total <= len(errors) else f"the first {len(errors):,} listed below"
        st.warning(f"{n_ok:,} rows used; {total:,} rows have problems ({listed}; nothing else was dropped).")
        st.dataframe(errors.sort_values("line"), hide_index=True, height=min(38 * (len(errors) + 1), 260))
    else:
        st.success(f"All {n_ok:,} rows used.")


def _draw(frame: pd.DataFrame, level: int, *, title: str) -> None:
    frame = frame.assign(key=frame["code"] + "|" + frame["nuts_version"])
    spec = maps.MapSpec(title=title, unit="", palette="viridis")
    fig = maps.choropleth(
        frame,
        spec=spec,
        geometries=data.geometry_url(level),
        base=data.base_url(),
        center={"lon": 10.0, "lat": 52.0},
        zoom=2.4,
        height=520,
    )
    figure_card(
        fig,
        title=title,
        caption="Source: your upload (not stored). Boundaries © EuroGeographics.",
        data=frame.drop(columns=["key"]),
        key="upload_map",
    )

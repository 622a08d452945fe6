"""Notices for sources a page or figure needs but this build lacks (missing download, unreadable file).

Partial data is a state, not a crash: a page says which source is absent, why, and the one command or file
that brings it, then works with what is there. The text comes from the build (file names, error messages),
so it is shown escaped.
"""

from __future__ import annotations

import streamlit as st

from mapping import provenance
from mapping.formatting import md_escape
from mapping.ui import data


def sources_absent(*source_ids: str, what: str) -> int:
    """One notice naming every absent source among ``source_ids``; returns how many of them are loaded."""
    sources = data.sources()
    absent = provenance.absent(sources, source_ids)
    if len(absent):
        lines = [md_escape(provenance.absence_text(row, what=what)) for _, row in absent.iterrows()]
        st.warning("\n\n".join(lines), icon=":material/cloud_off:")
    present = sources[sources["source_id"].isin(source_ids) & (sources["status"] == "loaded")]
    return len(present)


def nothing_to_show(*source_ids: str, what: str) -> None:
    """Stop the page: none of the sources behind it is loaded (each absence already named)."""
    if not sources_absent(*source_ids, what=what):
        st.info("This page needs at least one of the sources above. The other pages work with what this build has.")
    st.stop()


def build_gaps() -> None:
    """One line naming how many sources this build lacks, with where the list is (for pages that use many)."""
    sources = data.sources()
    absent = sources[sources["status"].isin(["missing", "failed"])]
    if len(absent):
        st.caption(
            f"{len(absent)} of {len(sources)} sources are not in this build ({', '.join(absent['source_id'])}): "
            "Data and methods > Sources says why and how to add each."
        )


def indicator_sources() -> list[str]:
    """Every source that adds indicators to the catalog (what the map explorer can show)."""
    sources = data.sources()
    return [s for s in sources["source_id"] if not s.startswith(("gisco", "escp", "nuts", "nace", "eurostat_sbs"))]

"""Captions that name source and vintage for every figure."""

from __future__ import annotations

import pandas as pd

BOUNDARIES = "Boundaries © EuroGeographics for the administrative boundaries (Eurostat GISCO, NUTS 2021/2024)."


def caption(
    sources: pd.DataFrame, source_ids: list[str], *, years: str = "", extra: str = "", maps: bool = False
) -> str:
    """One line per figure: '<attribution>, <vintage>[; data years]. [extra] [boundaries]'.

    Args:
        sources: the ``sources`` query result.
        source_ids: sources behind the figure, in order.
        years: the data years shown (e.g. '2023').
        extra: a method note.
        maps: add the boundary attribution.
    """
    rows = sources.set_index("source_id")
    parts = []
    for sid in dict.fromkeys(source_ids):
        if sid in rows.index:
            r = rows.loc[sid]
            parts.append(f"{r['attribution']} — {r['title']}; vintage {r['vintage']}")
        else:
            parts.append(f"source {sid}")
    text = "Source: " + " | ".join(p.removeprefix("Source: ") for p in parts) + "."
    if years:
        text += f" Data year(s): {years}."
    if extra:
        text += f" {extra}"
    if maps:
        text += f" {BOUNDARIES}"
    return text


def compact_caption(sources: pd.DataFrame, source_ids: list[str], *, extra: str = "", maps: bool = False) -> str:
    """For figures built from many sources: attribution and vintage of each, without titles."""
    rows = sources.set_index("source_id")
    parts = [
        f"{rows.loc[s, 'attribution'].removeprefix('Source: ')} [{rows.loc[s, 'vintage']}]"
        for s in dict.fromkeys(source_ids)
        if s in rows.index
    ]
    text = "Sources: " + "; ".join(parts) + "."
    if extra:
        text += f" {extra}"
    if maps:
        text += f" {BOUNDARIES}"
    return text


def absent(sources: pd.DataFrame, source_ids: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """The listed sources that this build did not load (missing or failed; superseded ones are fine)."""
    rows = sources[sources["source_id"].isin(list(source_ids))]
    return rows[rows["status"].isin(["missing", "failed"])]


def absence_text(row: pd.Series, *, what: str) -> str:
    """One plain sentence: what lacks which source, why, and the one command or file that brings it."""
    why = "is not in this build" if row["status"] == "missing" else "could not be read"
    reason = f" ({row['reason']})" if row.get("reason") else ""
    remedy = f" To add it: {str(row['remedy']).rstrip('.')}." if row.get("remedy") else ""
    return f"{what}: {row['title']} [{row['source_id']}] {why}{reason}.{remedy}"


def report_summary(report: pd.DataFrame) -> pd.DataFrame:
    """Per source: rows read, rows landed and rows left unplaced (all reasons), from the build report's items."""
    summary = (
        report[report["item"].isin(["rows read", "rows landed"])]
        .pivot_table(index="source_id", columns="item", values="count", aggfunc="sum")
        .reindex(columns=["rows read", "rows landed"])
    )
    unplaced = report[report["item"].str.startswith("rows unplaced")].groupby("source_id")["count"].sum()
    summary["rows unplaced"] = unplaced.reindex(summary.index).fillna(0).astype(int)
    return summary

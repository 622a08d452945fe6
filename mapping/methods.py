"""The methods behind the numbers, as text and parameter tables for the Data page.

Generated from the code and settings that compute them (``mapping/clusters.py``, ``data/scoreboard.toml``,
the NUTS placement rules of the build), so the page cannot drift from what runs.
"""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from mapping import clusters, scoreboard

PLACEMENTS = {
    "nuts": "The code is valid in NUTS 2021 or NUTS 2024 (the source's own version preferred): used as published.",
    "recode": "A one-to-one code change with unchanged boundaries (e.g. FR71 -> FRK2): the value is exact and "
    "re-labelled to the NUTS 2021 code.",
    "split": "An old region later split into several (e.g. PL12 -> PL91 + PL92): kept under its old code and drawn "
    "on the union of its successors, an exact outline; flagged in the region's note.",
    "group": "Old regions whose boundaries were redrawn many-to-many (IE, UKM, SI, DED, ...): additive measures "
    "(persons, units, wages) are summed over the whole group and drawn on the union of its successors; rates and "
    "indices cannot be placed and are left unplaced.",
    "unit": "A unit defined by the source (e.g. RCI capital areas such as AT_C): drawn on the union of its member "
    "regions.",
    "aggregate": "EU and euro-area aggregates: kept as benchmarks, never drawn.",
    "unplaced": "Everything else (extra-regio codes, old codes without a successor, superseded duplicates) is kept "
    "in the unplaced table with its reason and counted in the build report, never silently dropped.",
}

NORMALISATION = (
    "Per indicator, over the {universe}: optional transformation (square root or log) for right-skewed indicators; "
    "values beyond mean +/- {outlier_sd:g} SD do not set the minimum and maximum; min-max to 0-1 with outliers "
    "clipped to 0 or 1; indicators where lower is better are reversed (1 - score). A z-score variant is offered. "
    "A dimension is scored when its available indicators carry at least {share:.0%} of its weight (weighted mean "
    "of those available); the overall score is the mean of the dimension scores when at least {min_dims} of "
    "{n_dims} are available. Nothing is imputed. A value missing for a region is taken, always flagged, from its "
    "NUTS 2024 successor, a merged unit containing it, its NUTS 1 region, or its country where the country is one "
    "NUTS 2 region."
)
PEERS = (
    "Peers are the {k} regions nearest in structure: Euclidean distance over the standardised (z) structural "
    "variables below, after their transformation. Variables missing for either region are left out of that pair and "
    "the distance is rescaled to the full number of variables; a candidate needs at least {min_vars} of {n_vars} "
    "variables. Each peer shows each variable's share of the squared distance (the 'why'). Users may replace the "
    "peers with up to {max_chosen} regions of their choice. Scorecard: strength where the region's normalised score "
    "is at least the peer median + {margin:.2f}, weakness where it is at most the median - {margin:.2f}."
)


def lq_methods() -> pd.DataFrame:
    """One row per star method with its rule at the default thresholds."""
    rows = [{"method": m["label"], "rule (defaults)": clusters.DEFAULTS.rule(k)} for k, m in clusters.METHODS.items()]
    return pd.DataFrame(rows)


def thresholds() -> pd.DataFrame:
    """The star thresholds: default and the range the sensitivity view sweeps."""
    rows = []
    for name, value in asdict(clusters.DEFAULTS).items():
        label, sweep = clusters.SWEEPS[name]
        rows.append(
            {
                "parameter": name,
                "meaning": label,
                "default": value,
                "sensitivity range": f"{min(sweep):g} - {max(sweep):g}",
            }
        )
    return pd.DataFrame(rows)


def sector_sets() -> pd.DataFrame:
    rows = [
        {"sector set": k, "data": v["label"], "source_id": ", ".join(v["source_ids"]), "note": v["note"]}
        for k, v in clusters.SECTOR_SETS.items()
    ]
    return pd.DataFrame(rows)


def normalisation_text(fw: scoreboard.Framework) -> str:
    return NORMALISATION.format(
        universe=fw_universe(fw),
        outlier_sd=fw.outlier_sd,
        share=fw.min_indicator_share,
        min_dims=fw.min_dimensions,
        n_dims=len(fw.dimensions),
    )


def fw_universe(fw: scoreboard.Framework) -> str:
    return f"NUTS 2 regions of {len(fw.countries)} countries ({', '.join(fw.countries)})"


def peers_text(fw: scoreboard.Framework) -> str:
    n = len(fw.peer_variables)
    return PEERS.format(
        k=fw.peers_k,
        min_vars=max(2, n - 1),
        n_vars=n,
        max_chosen=fw.max_chosen_peers,
        margin=fw.strength_margin,
    )


def scoreboard_indicators(fw: scoreboard.Framework, catalog: pd.DataFrame) -> pd.DataFrame:
    """Dimension, indicator, year, transformation, weight and direction of every scoreboard input."""
    labels = catalog.set_index("indicator_id")
    dims = {d.id: d.label for d in fw.dimensions}
    rows = []
    for spec in fw.indicators:
        known = spec.id in labels.index
        higher = labels.at[spec.id, "higher_is_better"] if known else None
        rows.append(
            {
                "dimension": dims[spec.dimension],
                "indicator_id": spec.id,
                "label": labels.at[spec.id, "label"] if known else spec.id,
                "year": spec.year,
                "transform": spec.transform,
                "weight": spec.weight,
                "direction": "higher is better" if higher is True else "lower is better" if higher is False else "",
                "source_id": labels.at[spec.id, "source_id"] if known else "derived",
            }
        )
    return pd.DataFrame(rows)


def peer_variables(fw: scoreboard.Framework) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"variable": fw.peer_labels.get(v.id, v.id), "indicator_id": v.id, "year": v.year, "transform": v.transform}
            for v in fw.peer_variables
        ]
    )

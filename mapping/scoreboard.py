"""The regional ecosystem scoreboard: framework, normalisation, composite, peers, scorecard.

Everything a score is made of stays inspectable: the raw value with its origin (the region itself, its
NUTS 2024 successor, a merged unit, its NUTS 1 region or a single-region country), the transformed and
normalised value, the dimension scores with their coverage, the overall score and the ranks.

Normalisation follows the European and Regional Innovation Scoreboards: optional square root for skewed
indicators; outliers (beyond mean +/- ``outlier_sd`` SD) do not set the minimum and maximum; min-max to
0-1 (outliers clipped to 0 or 1); lower-is-better indicators reversed. A z-score variant is available.
Dimension score = weighted mean of the available normalised indicators when they carry at least
``min_indicator_share`` of the dimension's weight; overall = mean of the dimension scores when at least
``min_dimensions`` are available. Missing stays missing: nothing is imputed.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from mapping.config import DATA_DIR

Query = Callable[..., pd.DataFrame]
FRAMEWORK_PATH = DATA_DIR / "scoreboard.toml"


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    dimension: str
    year: int | str  # a year, or "latest" until resolved against the database
    transform: str = "none"  # none | sqrt | log
    weight: float = 1.0
    name: str = ""  # the indicator's name where it must match across editions (RIS)


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    indicators: tuple[IndicatorSpec, ...]


@dataclass(frozen=True)
class Framework:
    dimensions: tuple[Dimension, ...]
    countries: tuple[str, ...]
    outlier_sd: float = 3.0
    min_indicator_share: float = 0.5
    min_dimensions: int = 5
    strength_margin: float = 0.10
    peers_k: int = 5
    max_chosen_peers: int = 5
    successors: dict[str, str] = field(default_factory=dict)
    derived: dict[str, dict] = field(default_factory=dict)
    peer_variables: tuple[IndicatorSpec, ...] = ()
    peer_labels: dict[str, str] = field(default_factory=dict)
    latest_coverage: float = 0.8
    ris_edition: str = ""  # set by resolve(): the RIS edition whose indicators are used
    notes: tuple[str, ...] = ()  # set by resolve(): what the edition and "latest" choices became

    @property
    def indicators(self) -> list[IndicatorSpec]:
        return [i for d in self.dimensions for i in d.indicators]

    def dimension_of(self, indicator_id: str) -> str:
        return next(i.dimension for i in self.indicators if i.id == indicator_id)


def load_framework(path: Path = FRAMEWORK_PATH) -> Framework:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    settings = raw.get("settings", {})
    dims = []
    for d in raw["dimension"]:
        specs = tuple(
            IndicatorSpec(
                id=i["id"],
                dimension=d["id"],
                year=_year(i["year"]),
                transform=i.get("transform", "none"),
                weight=float(i.get("weight", 1.0)),
                name=i.get("name", ""),
            )
            for i in d["indicators"]
        )
        dims.append(Dimension(id=d["id"], label=d["label"], indicators=specs))
    ids = [i.id for d in dims for i in d.indicators]
    if len(ids) != len(set(ids)):
        raise ValueError("an indicator is listed twice in the scoreboard framework")
    peers = tuple(
        IndicatorSpec(
            id=p["id"],
            dimension="peers",
            year=_year(p["year"]),
            transform=p.get("transform", "none"),
            name=p.get("name", ""),
        )
        for p in raw.get("peer_variable", [])
    )
    return Framework(
        dimensions=tuple(dims),
        countries=tuple(settings.get("countries", ())),
        outlier_sd=float(settings.get("outlier_sd", 3.0)),
        min_indicator_share=float(settings.get("min_indicator_share", 0.5)),
        min_dimensions=int(settings.get("min_dimensions", 5)),
        strength_margin=float(settings.get("strength_margin", 0.10)),
        peers_k=int(settings.get("peers_k", 5)),
        max_chosen_peers=int(settings.get("max_chosen_peers", 5)),
        successors=dict(raw.get("successors", {})),
        derived=dict(raw.get("derived", {})),
        peer_variables=peers,
        peer_labels={p["id"]: p.get("label", p["id"]) for p in raw.get("peer_variable", [])},
        latest_coverage=float(settings.get("latest_coverage", 0.8)),
    )


def _year(value: object) -> int | str:
    if value == "latest":
        return "latest"
    return int(value)


# --------------------------------------------------------------------------- assembly


def assemble(
    specs: list[IndicatorSpec],
    values: pd.DataFrame,
    universe: pd.DataFrame,
    units: pd.DataFrame,
    successors: dict[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw values (universe regions x indicators) and where each came from.

    Args:
        values: published rows (region_code, indicator_id, year, value[, flag]).
        universe: regions (code, country, parent, regions_in_country).
        units: unit memberships (unit_code, member_code).
    Returns:
        (raw, origin): ``origin`` holds '' for the region's own value, else e.g. 'NUTS 1 DE2'.
    """
    lookup: dict[tuple[str, str, int], float] = {}
    for code, ind, year, value in zip(
        values["region_code"], values["indicator_id"], values["year"], values["value"], strict=True
    ):
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            lookup.setdefault((ind, code, int(year)), float(value))
    unit_of: dict[str, list[str]] = {}
    for unit, member in zip(units["unit_code"], units["member_code"], strict=True):
        unit_of.setdefault(member, []).append(unit)
    codes = list(universe["code"])
    raw = pd.DataFrame(index=pd.Index(codes, name="code"), columns=[s.id for s in specs], dtype=float)
    origin = pd.DataFrame("", index=raw.index, columns=raw.columns, dtype=object)
    single = dict(zip(universe["code"], universe["regions_in_country"] == 1, strict=True))
    for spec in specs:
        for code in codes:
            candidates = [(code, "")]
            if code in successors:
                candidates.append((successors[code], f"NUTS 2024 {successors[code]}"))
            candidates += [(u, f"unit {u}") for u in unit_of.get(code, [])]
            candidates.append((code[:3], f"NUTS 1 {code[:3]}"))
            if single.get(code):
                candidates.append((code[:2], f"country {code[:2]}"))
            for key, note in candidates:
                v = lookup.get((spec.id, key, spec.year))
                if v is not None:
                    raw.at[code, spec.id] = v
                    origin.at[code, spec.id] = note
                    break
    return raw, origin


# --------------------------------------------------------------------------- normalisation


def transform(series: pd.Series, how: str) -> pd.Series:
    if how == "sqrt":
        return np.sqrt(series.clip(lower=0))
    if how == "log":
        return np.log(series.where(series > 0))
    return series.astype(float)


def outlier_free_bounds(x: pd.Series, k: float) -> tuple[float, float]:
    """Min and max over the values within mean +/- k SD (population SD)."""
    v = x.dropna()
    if v.empty:
        return math.nan, math.nan
    m, s = v.mean(), v.std(ddof=0)
    inliers = v[(v - m).abs() <= k * s] if s > 0 else v
    return float(inliers.min()), float(inliers.max())


def normalise(
    raw: pd.DataFrame,
    specs: list[IndicatorSpec],
    directions: dict[str, int],
    *,
    method: str = "minmax",
    outlier_sd: float = 3.0,
) -> pd.DataFrame:
    """Normalised scores per indicator: 'minmax' (0-1, 1 = best) or 'zscore' (SD units, positive = better)."""
    out = pd.DataFrame(index=raw.index, columns=raw.columns, dtype=float)
    for spec in specs:
        x = transform(raw[spec.id], spec.transform)
        sign = directions.get(spec.id, 1)
        if method == "zscore":
            s = x.std(ddof=0)
            out[spec.id] = sign * (x - x.mean()) / s if s and s > 0 else np.nan
            continue
        lo, hi = outlier_free_bounds(x, outlier_sd)
        if not (hi > lo):
            out[spec.id] = np.where(x.notna(), 0.5, np.nan)
            continue
        scaled = ((x - lo) / (hi - lo)).clip(0, 1)
        out[spec.id] = scaled if sign > 0 else 1 - scaled
    return out


def dimension_scores(norm: pd.DataFrame, framework: Framework) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, coverage) per dimension; a dimension needs ``min_indicator_share`` of its weight present."""
    scores, coverage = {}, {}
    for dim in framework.dimensions:
        ids = [s.id for s in dim.indicators]
        w = pd.Series({s.id: s.weight for s in dim.indicators})
        present = norm[ids].notna()
        share = (present * w).sum(axis=1) / w.sum()
        weighted = (norm[ids].fillna(0) * w).sum(axis=1) / (present * w).sum(axis=1).replace(0, np.nan)
        scores[dim.id] = weighted.where(share >= framework.min_indicator_share)
        coverage[dim.id] = share
    return pd.DataFrame(scores), pd.DataFrame(coverage)


def overall_score(dims: pd.DataFrame, min_dimensions: int) -> pd.Series:
    return dims.mean(axis=1).where(dims.notna().sum(axis=1) >= min_dimensions)


def ranks(scores: pd.DataFrame, country: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ranks (1 = best) among all regions and within the country, per column; missing scores get no rank."""
    eu = scores.rank(ascending=False, method="min")
    national = scores.groupby(country).rank(ascending=False, method="min")
    return eu, national


@dataclass(frozen=True)
class Scoreboard:
    universe: pd.DataFrame  # code, name, country, ...
    raw: pd.DataFrame
    origin: pd.DataFrame
    norm: pd.DataFrame
    dims: pd.DataFrame
    coverage: pd.DataFrame
    overall: pd.Series
    rank_eu: pd.DataFrame  # columns: dimensions + overall
    rank_country: pd.DataFrame


def compute(
    framework: Framework,
    raw: pd.DataFrame,
    origin: pd.DataFrame,
    universe: pd.DataFrame,
    directions: dict[str, int],
    *,
    method: str = "minmax",
) -> Scoreboard:
    specs = framework.indicators
    norm = normalise(raw, specs, directions, method=method, outlier_sd=framework.outlier_sd)
    dims, coverage = dimension_scores(norm, framework)
    overall = overall_score(dims, framework.min_dimensions)
    table = dims.assign(overall=overall)
    country = universe.set_index("code")["country"].reindex(table.index)
    eu, national = ranks(table, country)
    return Scoreboard(universe, raw, origin, norm, dims, coverage, overall, eu, national)


# --------------------------------------------------------------------------- peers and scorecard


def structure_matrix(raw: pd.DataFrame, variables: tuple[IndicatorSpec, ...]) -> pd.DataFrame:
    """Transformed and standardised (z) structural variables, regions x variables."""
    cols = {}
    for v in variables:
        x = transform(raw[v.id], v.transform)
        s = x.std(ddof=0)
        cols[v.id] = (x - x.mean()) / s if s and s > 0 else x * np.nan
    return pd.DataFrame(cols, index=raw.index)


def peers(z: pd.DataFrame, region: str, *, k: int = 5, candidates: list[str] | None = None) -> pd.DataFrame:
    """The k regions nearest to ``region`` (Euclidean distance over the variables both have).

    Returns one row per peer: distance and, per variable, its share of the squared distance (the "why").
    Variables missing for either region are left out of that pair and the distance is rescaled to the full
    number of variables, so pairs stay comparable.
    """
    if region not in z.index:
        return pd.DataFrame()
    me = z.loc[region]
    pool = z.drop(index=region)
    if candidates is not None:
        pool = pool.loc[[c for c in candidates if c in pool.index]]
    diff2 = (pool - me) ** 2
    n_avail = diff2.notna().sum(axis=1)
    total = diff2.sum(axis=1) * (z.shape[1] / n_avail.replace(0, np.nan))
    out = pd.DataFrame({"distance": np.sqrt(total), "variables_used": n_avail})
    shares = diff2.div(diff2.sum(axis=1).replace(0, np.nan), axis=0)
    out = out.join(shares.add_prefix("share_"))
    out = out[out["variables_used"] >= max(2, z.shape[1] - 1)] if candidates is None else out
    return out.sort_values("distance").head(k) if candidates is None else out.sort_values("distance")


def scorecard(board: Scoreboard, region: str, peer_codes: list[str], margin: float) -> pd.DataFrame:
    """Each indicator against the peer median: strength / weakness / neutral (rule: +/- ``margin``)."""
    own = board.norm.loc[region]
    med = board.norm.loc[[p for p in peer_codes if p in board.norm.index]].median()
    diff = own - med
    verdict = np.where(diff >= margin, "strength", np.where(diff <= -margin, "weakness", "neutral"))
    verdict = np.where(own.isna() | med.isna(), "no comparison", verdict)
    return pd.DataFrame({"score": own, "peer_median": med, "difference": diff, "verdict": verdict})


def focus_areas(board: Scoreboard, region: str, peer_codes: list[str], n: int = 2) -> pd.DataFrame:
    """The dimensions where the region trails its peers most (negative gaps only)."""
    own = board.dims.loc[region]
    med = board.dims.loc[[p for p in peer_codes if p in board.dims.index]].median()
    gap = (own - med).dropna().sort_values()
    return pd.DataFrame({"score": own[gap.index], "peer_median": med[gap.index], "gap": gap})[gap < 0].head(n)


# --------------------------------------------------------------------------- resolution against the database

# RIS editions, newest first: (source id, indicator id prefix).
RIS_EDITIONS = {"2025": ("ris2025", "ris2025"), "2023": ("ris2023", "ris")}
# Indicators computed from the cluster methods: the sector set whose years they follow.
CLUSTER_SETS = {
    "cluster.starred_divisions": "division",
    "cluster.starred_employment_share": "division",
    "cluster.manufacturing_starred": "manufacturing",
    "structure.manufacturing_share": "section",
}
POPULATION = IndicatorSpec("rci.population", "peers", "latest")


def ris_editions(query: Query) -> list[str]:
    """The RIS editions loaded in the database, newest first."""
    sources = query("sources")
    loaded = set(sources.loc[sources["status"] == "loaded", "source_id"])
    return [edition for edition, (sid, _) in RIS_EDITIONS.items() if sid in loaded]


def latest_year(counts: pd.DataFrame, share: float) -> int | None:
    """The latest year whose count of regions (``n``) reaches ``share`` of the best-covered year's."""
    if counts.empty or counts["n"].max() <= 0:
        return None
    return int(counts.loc[counts["n"] >= share * counts["n"].max(), "year"].max())


def _set_counts(years: pd.DataFrame) -> pd.DataFrame:
    """Years of a cluster sector set with their known cells (region x sector) as ``n``."""
    return years.assign(n=years["cells"] if "cells" in years else years["regions"])[["year", "n"]]


def _same_name(a: str, b: str) -> bool:
    def key(t: str) -> str:
        return " ".join(t.replace("(Regional)", "").lower().split())

    return key(a) == key(b)


def resolve(fw: Framework, query: Query, *, ris_edition: str | None = None) -> Framework:
    """The framework with a RIS edition chosen (the newest loaded unless ``ris_edition`` names another loaded one)
    and every "latest" year made a year; indicators without data are left out, each with a note."""
    editions = ris_editions(query)
    edition = ris_edition if ris_edition in editions else (editions[0] if editions else "2023")
    _, prefix = RIS_EDITIONS[edition]
    catalog = query("catalog").set_index("indicator_id")
    notes: list[str] = []

    def edition_id(spec: IndicatorSpec) -> str | None:
        if not spec.id.startswith("ris.") or prefix == "ris":
            return spec.id
        new = prefix + spec.id[len("ris") :]
        if new not in catalog.index:
            notes.append(f"{spec.name or spec.id}: not published in RIS {edition}; left out.")
            return None
        if spec.id != "ris.0" and spec.name and not _same_name(str(catalog.at[new, "label"]), spec.name):
            notes.append(
                f"{spec.name} ({spec.id}): RIS {edition} uses code {new.split('.', 1)[1]} for "
                f"'{catalog.at[new, 'label']}'; left out."
            )
            return None
        return new

    mapped = {s.id: edition_id(s) for s in [*fw.indicators, *fw.peer_variables]}
    table_ids = sorted({i for i in mapped.values() if i and i not in CLUSTER_SETS and not i.startswith("structure.")})
    coverage = query("indicator_coverage", indicators=[*table_ids, POPULATION.id])
    set_years = {s: _set_counts(query("cluster_years", sector_set=s)) for s in set(CLUSTER_SETS.values())}

    def resolved(spec: IndicatorSpec) -> IndicatorSpec | None:
        new_id = mapped.get(spec.id, spec.id)
        if new_id is None:
            return None
        year = spec.year
        if year == "latest":
            counts = (
                set_years[CLUSTER_SETS[new_id]]
                if new_id in CLUSTER_SETS
                else coverage[coverage["indicator_id"] == new_id]
            )
            year = latest_year(counts, fw.latest_coverage) if new_id != "structure.density" else 0
            if year is None:
                label = spec.name or (catalog.at[new_id, "label"] if new_id in catalog.index else new_id)
                notes.append(f"{label}: no data in this build (see Data and methods > Sources); left out.")
                return None
        return replace(spec, id=new_id, year=year)

    dims = []
    for d in fw.dimensions:
        kept = tuple(r for r in (resolved(s) for s in d.indicators) if r is not None)
        dims.append(replace(d, indicators=kept))
    peers = tuple(r for r in (resolved(p) for p in fw.peer_variables) if r is not None)
    labels = {mapped.get(k) or k: v for k, v in fw.peer_labels.items()}
    return replace(
        fw,
        dimensions=tuple(dims),
        peer_variables=peers,
        peer_labels={p.id: labels.get(p.id, p.id) for p in peers},
        derived=fw.derived,
        ris_edition=edition if edition in editions else "",
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- loading from the database


@dataclass(frozen=True)
class Loaded:
    framework: Framework
    board: Scoreboard
    structure_raw: pd.DataFrame  # untransformed peer variables
    structure_z: pd.DataFrame
    catalog: pd.DataFrame  # label, unit, source_id, description per indicator (incl. derived)


def load(
    query: Query, framework: Framework | None = None, *, method: str = "minmax", ris_edition: str | None = None
) -> Loaded:
    """Everything the scoreboard pages need, from the query gate."""
    fw = resolve(framework or load_framework(), query, ris_edition=ris_edition)
    universe = query("scoreboard_universe", countries=list(fw.countries))
    population = _population(query, fw)
    from_tables = [
        s
        for s in [*fw.indicators, *fw.peer_variables, population]
        if s.id not in CLUSTER_SETS and not s.id.startswith("structure.")
    ]
    values = query("scoreboard_values", indicators=[s.id for s in from_tables], years=[s.year for s in from_tables])
    cluster_years = {s.id: s.year for s in fw.indicators if s.id in CLUSTER_SETS}
    parts = [values[["region_code", "indicator_id", "year", "value"]]]
    if cluster_years:
        parts.append(
            query(
                "scoreboard_cluster_values",
                sbs_year=cluster_years.get(
                    "cluster.starred_divisions", cluster_years.get("cluster.starred_employment_share", 0)
                ),
                manuf_year=cluster_years.get("cluster.manufacturing_starred", 0),
            )
        )
    manuf = next((p for p in fw.peer_variables if p.id == "structure.manufacturing_share"), None)
    if manuf:
        parts.append(query("scoreboard_structure", year=manuf.year))
    values = pd.concat([p[["region_code", "indicator_id", "year", "value"]] for p in parts], ignore_index=True)
    units = query("scoreboard_units")
    specs = [*fw.indicators, *[p for p in fw.peer_variables if p.id != "structure.density"], population]
    raw_all, origin_all = assemble(specs, values, universe, units, fw.successors)
    area = universe.set_index("code")["area_km2"]
    raw_all["structure.density"] = raw_all[population.id] / area.reindex(raw_all.index)
    ids = [s.id for s in fw.indicators]
    cat = query("catalog").set_index("indicator_id")
    directions = {i: (-1 if i in cat.index and cat.loc[i, "higher_is_better"] is False else 1) for i in ids}
    board = compute(fw, raw_all[ids], origin_all[ids], universe, directions, method=method)
    peer_ids = [p.id for p in fw.peer_variables]
    z = structure_matrix(raw_all[peer_ids], fw.peer_variables)
    rows = []
    for spec in fw.indicators:
        if spec.id in cat.index:
            c = cat.loc[spec.id]
            rows.append((spec.id, c["label"], c["unit"], c["source_id"], c["description"], directions[spec.id]))
        else:
            d = fw.derived.get(spec.id, {})
            rows.append(
                (
                    spec.id,
                    d.get("label", spec.id),
                    d.get("unit", ""),
                    d.get("source_id", ""),
                    d.get("description", ""),
                    1,
                )
            )
    meta = pd.DataFrame(rows, columns=["indicator_id", "label", "unit", "source_id", "description", "direction"])
    meta["dimension"] = [fw.dimension_of(i) for i in meta["indicator_id"]]
    meta["year"] = [s.year for s in fw.indicators]
    meta["transform"] = [s.transform for s in fw.indicators]
    return Loaded(fw, board, raw_all[peer_ids], z, meta.set_index("indicator_id"))


def _population(query: Query, fw: Framework) -> IndicatorSpec:
    """The population behind the density peer variable: RCI 2022's latest year (the universe's reference)."""
    coverage = query("indicator_coverage", indicators=[POPULATION.id])
    return replace(POPULATION, year=latest_year(coverage, fw.latest_coverage) or 0)

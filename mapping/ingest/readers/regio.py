"""DG REGIO / JRC: the EU Regional Competitiveness Index 2.0, 2022 edition, from its official raw-data workbook.

Sheets: ``RCI_2022_raw_data`` (regions x 68 indicators), ``RCI_2022_indicators_descr`` (unit, source and
reference year of each), ``RCI_2022_population_GDP`` (a four-row header: indicator / description / source /
reference year) and ``Info aggregated capital regions`` (the seven capital areas that merge 2-3 NUTS 2 regions).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import workbook
from ..errors import BuildError
from ._registry import land_indicators, reader

if TYPE_CHECKING:
    from ..manifest import Source
    from ..pipeline import Context

RAW, DESC, POP, CAPITALS = (
    "RCI_2022_raw_data",
    "RCI_2022_indicators_descr",
    "RCI_2022_population_GDP",
    "Info aggregated capital regions",
)
# Raw-data column names that differ from the description sheet's indicator names.
RCI_ALIASES = {
    "Child mortality": "Infant mortality",
    "Cancer disease death rate (x1000)": "Cancer disease death rate",
    "Heart disease death rate (x1000)": "Heart disease death rate",
    "Households with broadband access (%)": "Households with broadband access",
    "NEET rate": "NEET",
}
# Indicators where a lower raw value is better (the RCI methodology inverts them before scoring).
RCI_LOWER_IS_BETTER = {
    "Presence of corruption in the national public institutions in the country",
    "Presence of corruption in the local or regional public institutions in the country",
    "Government bond yields",
    "Government debt",
    "Road fatalities",
    "Infant mortality",
    "Cancer disease death rate",
    "Heart disease death rate",
    "Suicide death rate",
    "Low achievement in reading (15-year-olds)",
    "Low achievement in maths (15-year-olds)",
    "Low achievement in science (15-year-olds)",
    "Early school leavers",
    "Lower-secondary completion only",
    "Long-term unemployment",
    "Unemployment rate",
    "Gender balance unemployment",
    "Gender balance employment",
    "NEET",
    "Labour market slack",
    "Temporary employment",
}
# The aggregated-capital sheet abbreviates three Belgian codes.
RCI_CODE_FIXES = {"B10": "BE10", "B24": "BE24", "B31": "BE31"}


def _norm(name: object) -> str:
    return re.sub(r"\s+", " ", str(name or "").replace("\xa0", " ")).strip().rstrip(".").strip()


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60]


def _text(value: object) -> str:
    """A cell as text; whole numbers stored as floats (2021.0) read as 2021."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _capital_units(ctx: Context, source: Source, path: Path) -> set[str]:
    frame = workbook.read_sheet(path, CAPITALS, header_row=None, header_starts="Country")
    if len(frame.columns) < 6:  # 5 columns + _row
        raise BuildError(
            f"sheet {CAPITALS!r}: expected country, RCI code, RCI name, NUTS 2 code, NUTS 2 name", file=path
        )
    cap = frame.iloc[:, :5].copy()
    cap.columns = ["country", "rci_code", "rci_name", "nuts_code", "nuts_name"]
    cap = cap[cap["nuts_code"].notna()]
    cap[["rci_code", "rci_name"]] = cap[["rci_code", "rci_name"]].ffill()
    cap["nuts_code"] = cap["nuts_code"].astype(str).str.strip().replace(RCI_CODE_FIXES)
    con = ctx.con
    valid = {r[0] for r in con.execute("SELECT code FROM regions WHERE nuts_version = '2021'").fetchall()}
    made = set()
    for rci_code, grp in cap.groupby("rci_code", sort=True):
        members = grp["nuts_code"].tolist()
        if not all(re.fullmatch(r"[A-Z]{2}[0-9A-Z]{2}", m) for m in members):
            raise BuildError(f"sheet {CAPITALS!r}: {rci_code} members {members} are not NUTS 2 codes", file=path)
        absent = [m for m in members if m not in valid]
        if absent:
            # Boundaries without these regions (a partial folder): the unit cannot be drawn; its values stay unplaced.
            ctx.report(source.id, f"capital area {rci_code} not drawn: {', '.join(absent)} not in the boundaries", 0)
            continue
        made.add(rci_code)
        name = _norm(grp["rci_name"].iloc[0])
        ctx.add_unit(rci_code, "RCI2022", members, method="unit", name=f"{name} ({'+'.join(members)})")
        for m in members:
            con.execute(
                "INSERT INTO nuts_crosswalk VALUES ($f, 'RCI2022', $t, '2021', 'unit', $f, $n, $sid)",
                {"f": rci_code, "t": m, "n": f"RCI 2022 capital area {name}", "sid": source.id},
            )
    return made


def _raw_values(ctx: Context, source: Source, path: Path) -> pd.DataFrame:
    desc = workbook.read_sheet(path, DESC, header_row=None, header_starts="Pillar name")
    dcol = workbook.columns(
        desc,
        path,
        DESC,
        {
            "pillar": ["Pillar name"],
            "name": ["Indicator name"],
            "unit": ["Unit of measurement"],
            "desc": ["Description?"],
            "src": ["Source?"],
            "ref": ["Reference year?"],
        },
    )
    desc_by_name = {_norm(r[dcol["name"]]): r for _, r in desc.iterrows() if r[dcol["name"]] is not None}
    raw = workbook.read_sheet(path, RAW)
    workbook.columns(raw, path, RAW, {"nuts": ["NUTS"], "name": ["Region name"]})
    indicator_cols = [c for c in raw.columns[2:] if c != "_row"]
    mapping = []
    for col in indicator_cols:
        name = RCI_ALIASES.get(_norm(col), _norm(col))
        d = desc_by_name.get(name)
        if d is None:
            raise BuildError(f"sheet {RAW!r}: column {col!r} has no entry in the description sheet", file=path, line=1)
        ref = _text(d.get(dcol.get("ref")))
        years = [int(y) for y in re.findall(r"(?:19|20)\d{2}", ref)]
        ind_id = f"rci.{_slug(name)}"
        ctx.add_catalog(
            indicator_id=ind_id,
            label=name,
            unit=_norm(d[dcol["unit"]]),
            description=_norm(d.get(dcol.get("desc"))) + f" Source: {_norm(d.get(dcol.get('src')))}.",
            source_id=source.id,
            higher_is_better=name not in RCI_LOWER_IS_BETTER,
            dimension=f"RCI: {_norm(d[dcol['pillar']])}",
            additive=False,
            reference_period=ref.strip(),
            nuts_version=source.nuts_version,
        )
        mapping.append((col, ind_id, max(years) if years else 2022))
    frame = raw.rename(columns={raw.columns[0]: "NUTS"})
    melted = frame.melt(id_vars=["_row", "NUTS"], value_vars=indicator_cols, var_name="col", value_name="cell")
    melted = melted.merge(pd.DataFrame(mapping, columns=["col", "indicator_id", "year"]), on="col")
    values = pd.to_numeric(melted["cell"], errors="coerce")
    bad = melted[melted["cell"].notna() & values.isna()]
    if not bad.empty:
        r = bad.iloc[0]
        raise BuildError(f"value {r['cell']!r} in column {r['col']!r} is not a number", file=path, line=int(r["_row"]))
    return pd.DataFrame(
        {
            "code": melted["NUTS"].astype(str).str.strip(),
            "key": melted["indicator_id"],
            "year": melted["year"].astype("int32"),
            "value": values.astype(float),
            "line": melted["_row"],
        }
    )


def _population_gdp(ctx: Context, source: Source, path: Path) -> pd.DataFrame:
    """Population and GDP per head (PPS, EU27 = 100), 2018-2020: four header rows name block and year."""
    rows, first = workbook.read_rows(path, POP)
    head = workbook.header_index(rows, "NUTS", path, POP)
    if head < 3:
        raise BuildError(f"sheet {POP!r}: expected indicator / description / source rows above the header", file=path)
    indicator_row, year_row = rows[head - 3], rows[head]
    blocks, current = {}, None
    for j, label in enumerate(indicator_row):
        if _norm(label):
            current = _norm(label).lower()
        year = year_row[j] if j < len(year_row) else ""
        if current and isinstance(year, int | float) and float(year).is_integer():
            blocks[(current, int(year))] = j
    ids = {"population": "rci.population", "gdp per capita": "rci.gdp_pps_index"}
    out = []
    for i, row in enumerate(rows[head + 1 :], start=first + head + 1):
        code = _text(row[0]).strip()
        if not code:
            continue
        for (label, year), j in blocks.items():
            if label not in ids or year not in (2018, 2019, 2020):
                continue
            cell = row[j] if j < len(row) else ""
            if cell in ("", None) or (isinstance(cell, str) and cell.strip() in workbook.NOT_AVAILABLE):
                continue
            if not isinstance(cell, int | float):
                raise BuildError(f"sheet {POP!r}: {label} {year} {cell!r} is not a number", file=path, line=i)
            out.append((code, ids[label], year, float(cell), i))
    if not out:
        raise BuildError(f"sheet {POP!r}: no population or GDP values found", file=path)
    ctx.add_catalog(
        indicator_id="rci.population",
        label="Population (RCI 2022 reference)",
        unit="inhabitants",
        description="Population, inhabitants (JRC-ARDECO based on Eurostat), as used by the RCI 2022.",
        source_id=source.id,
        higher_is_better=None,
        dimension="Demography",
        additive=True,
        nuts_version=source.nuts_version,
    )
    ctx.add_catalog(
        indicator_id="rci.gdp_pps_index",
        label="GDP per inhabitant in PPS, EU27 = 100 (RCI 2022 reference)",
        unit="index, EU27 = 100",
        description="GDP per capita in PPS, index EU27 = 100 (JRC-ARDECO based on Eurostat), as used by the RCI 2022.",
        source_id=source.id,
        higher_is_better=True,
        dimension="Economic performance",
        additive=False,
        nuts_version=source.nuts_version,
    )
    return pd.DataFrame(out, columns=["code", "key", "year", "value", "line"])


@reader("rci_workbook")
def read_rci(ctx: Context, source: Source, paths: list[Path]) -> int:
    path = paths[0]
    units = _capital_units(ctx, source, path)  # map units first: the raw data refers to them
    staged = pd.concat([_raw_values(ctx, source, path), _population_gdp(ctx, source, path)], ignore_index=True)
    staged = staged[staged["value"].notna()].copy()
    staged["flag"] = None
    staged = staged[["code", "key", "year", "value", "flag", "line"]]
    ctx.con.register("_stg_rci_df", staged)
    ctx.con.execute("CREATE OR REPLACE TEMP TABLE stg_rci AS SELECT * FROM _stg_rci_df")
    ctx.con.unregister("_stg_rci_df")
    return land_indicators(ctx, source, path, "stg_rci", prefer="2021", units=units)

"""DG Research and Innovation: the Regional and European Innovation Scoreboards, from their official workbooks.

Two layouts are read:

* RIS 2023 database (sheet ``RIS``): ``Indicator`` ("1.2.1 International scientific co-publications"),
  ``Year``, ``Region``, ``Value``, ``performance group`` (scores relative to the EU in 2016 = 100);
* the 2025 web downloads: RIS (sheet ``RIS``: ``Region code``, ``Indicator code`` with ``RII`` for the index,
  ``Year``, ``Value relative to EU in 2018``) and EIS (sheet ``EIS``: ``iso2``, ``year``, ``indicator_code``,
  ``indicator``, ``value``; sheet ``structural`` with a ``period`` per value).

The 2025 edition revised the measurement framework: several codes now name other indicators (4.1.1 was
"Employment in knowledge-intensive activities" in 2023 and is "Sales of new-to-market innovations" in 2025),
so each edition keeps its own indicator ids (``ris.*`` for RIS 2023, ``ris2025.*``, ``eis.*``, ``eis2025.*``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .. import workbook
from ..errors import BuildError
from ..io import load_csv
from ._registry import land_indicators, reader

if TYPE_CHECKING:
    from ..manifest import Source
    from ..pipeline import Context

SCORE_UNIT_2016 = "normalised score (EU 2016 = 100)"
IND_RE = re.compile(r"^(\d+(?:[.,]\d+)*)\s+(.*?)\s*$")
SUMMARY_CODES = {"RII": "0", "SII": "0", "0": "0"}
# Names of the 2025 measurement framework (EIS 2025 workbook, sheet EIS); the RIS 2025 workbook may give codes
# only, and the RIS uses the EIS framework's numbering.
FRAMEWORK_2025 = {
    "1.1": "Human resources",
    "1.2": "Attractive research systems",
    "1.3": "Digitalisation",
    "2.1": "Finance and support",
    "2.2": "Firm investments",
    "2.3": "Investments in information technologies",
    "3.1": "Innovators",
    "3.2": "Linkages",
    "3.3": "Intellectual assets",
    "4.1": "Sales and employment impacts",
    "4.2": "Trade impacts",
    "4.3": "Resource and labour productivity",
    "1.1.1": "New doctorate graduates",
    "1.1.2": "Population with tertiary education",
    "1.1.3": "Population involved in lifelong learning",
    "1.2.1": "International scientific co-publications",
    "1.2.2": "Scientific publications among the top 10% most cited",
    "1.2.3": "Foreign doctorate students as a % of all doctorate students",
    "1.3.1": "High speed internet access",
    "1.3.2": "Individuals with above basic overall digital skills",
    "2.1.1": "R&D expenditure in the public sector",
    "2.1.2": "Venture capital expenditures",
    "2.1.3": "Direct and indirect government support of business R&D",
    "2.2.1": "R&D expenditure in the business sector",
    "2.2.2": "Non-R&D innovation expenditures",
    "2.2.3": "Innovation expenditures per person employed",
    "2.3.1": "Cloud Computing",
    "2.3.2": "Employed ICT specialists",
    "3.1.1": "SMEs introducing product innovations",
    "3.1.2": "SMEs introducing business process innovations",
    "3.2.1": "Innovative SMEs collaborating with others",
    "3.2.2": "Public-private co-publications",
    "3.2.3": "Job-to-job mobility of HRST",
    "3.3.1": "PCT patent applications",
    "3.3.2": "Trademark applications",
    "3.3.3": "Design applications",
    "4.1.1": "Sales of new-to-market and new-to-firm innovations",
    "4.1.2": "Employment in innovative enterprises",
    "4.2.1": "Exports of medium and high-tech products",
    "4.2.2": "Knowledge-intensive services exports",
    "4.2.3": "High-tech imports from partners outside the EU",
    "4.3.1": "Resource productivity",
    "4.3.2": "Production-based CO2 productivity",
    "4.3.3": "Labour productivity",
}


def _split_indicator(raw: str, *, path: Path) -> tuple[str, str]:
    m = IND_RE.match(raw or "")
    if not m:
        raise BuildError(f"indicator {raw!r} does not start with its number", file=path)
    number = m.group(1).replace(",", ".")  # the RIS 2023 file has one '5.1,7'
    return number, m.group(2)


def _code(raw: object) -> str:
    text = str(raw).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text) and "." in text and text.endswith(".0"):
        text = text[:-2]  # a code the workbook stored as a number (e.g. 5.0)
    return SUMMARY_CODES.get(text.upper(), text)


def _catalog(
    ctx: Context,
    source: Source,
    prefix: str,
    labels: dict[str, str],
    *,
    unit: str,
    index_label: str,
    note: str = "",
    periods: dict[str, str] | None = None,
) -> None:
    """Catalog entries for numbered scoreboard indicators (0 = the summary index)."""
    dims = {num: label for num, label in labels.items() if num.count(".") == 1}
    for num, raw_label in labels.items():
        label = raw_label.replace("(Regional)", "").replace("(SD)", "").strip()
        top = num.split(".")[0]
        if num == "0":
            dimension, unit_, hib, label = "Summary", unit, True, index_label
        elif top in ("5", "6"):
            dimension, unit_, hib = "Structural differences", "raw value (see the scoreboard's methodology)", None
        else:
            dimension = dims.get(".".join(num.split(".")[:2]), ".".join(num.split(".")[:2]))
            unit_, hib = unit, True
        desc = f"{raw_label.strip()} ({source.title})"
        if "(Regional)" in raw_label:
            desc += "; marked (Regional): also measured at regional level"
        if note:
            desc += f"; {note}"
        ctx.add_catalog(
            indicator_id=f"{prefix}.{num}",
            label=label,
            unit=unit_,
            description=desc,
            source_id=source.id,
            higher_is_better=hib,
            dimension=dimension,
            additive=False,
            reference_period=(periods or {}).get(num),
            nuts_version=source.nuts_version,
        )


def _stage(ctx: Context, frame: pd.DataFrame, table: str) -> None:
    ctx.con.register("_rtd_df", frame)
    ctx.con.execute(f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT * FROM _rtd_df')
    ctx.con.unregister("_rtd_df")


def _performance(ctx: Context, source: Source, table: str) -> None:
    """Performance groups (Leader / Strong / Moderate / Emerging, with +/-) of the summary index rows."""
    ctx.con.execute(
        f"""INSERT INTO ris_performance
            SELECT s.code, r.nuts_version, s.year, any_value(s.perf), $sid
            FROM "{table}" s
            JOIN (SELECT code, min(nuts_version) AS nuts_version FROM regions
                  WHERE nuts_version IN ('2021', '2024') GROUP BY code) r ON r.code = s.code
            WHERE s.key = $key AND s.perf IS NOT NULL AND s.perf <> ''
            GROUP BY ALL""",
        {"sid": source.id, "key": f"{source.options['indicator_prefix']}.0"},
    )


@reader("ris_workbook")
def read_ris(ctx: Context, source: Source, paths: list[Path]) -> int:
    path = paths[0]
    frame = workbook.read_sheet(path, "RIS")
    names = {workbook.norm_name(c) for c in frame.columns}
    if "indicatorcode" in names:
        return _ris_2025(ctx, source, path, frame)
    if "indicator" in names and "region" in names:
        return _ris_2023(ctx, source, path, frame)
    raise BuildError(
        "sheet 'RIS' has neither the RIS 2023 layout (Indicator, Region, Year, Value) nor the 2025 one "
        f"(Region code, Indicator code, Year, Value relative to EU in 2018); header is {list(frame.columns)[:12]}",
        file=path,
        line=1,
    )


def _ris_2023(ctx: Context, source: Source, path: Path, frame: pd.DataFrame) -> int:
    col = workbook.columns(
        frame,
        path,
        "RIS",
        {
            "indicator": ["Indicator"],
            "year": ["Year"],
            "region": ["Region"],
            "value": ["Value"],
            "perf": ["performance group?"],
        },
    )
    prefix = source.options["indicator_prefix"]
    labels: dict[str, str] = {}
    for raw in sorted(frame[col["indicator"]].dropna().astype(str).unique()):
        num, label = _split_indicator(raw, path=path)
        labels[num] = raw[len(raw.split(" ", 1)[0]) + 1 :] if " " in raw else label
    _catalog(ctx, source, prefix, labels, unit=SCORE_UNIT_2016, index_label="Regional Innovation Index")
    numbers = frame[col["indicator"]].astype(str).map(lambda r: _split_indicator(r, path=path)[0])
    staged = pd.DataFrame(
        {
            "code": frame[col["region"]].astype(str).str.strip(),
            "key": prefix + "." + numbers,
            "year": workbook.numbers(frame, col["year"], path, "RIS").astype("Int64"),
            "value": workbook.numbers(frame, col["value"], path, "RIS"),
            "flag": pd.Series([None] * len(frame), dtype=object),
            "line": frame["_row"],
            "perf": frame[col["perf"]].astype(object) if "perf" in col else None,
        }
    )
    staged = staged[staged["value"].notna()]
    _stage(ctx, staged, "stg_ris")
    _performance(ctx, source, "stg_ris")
    return land_indicators(ctx, source, path, "stg_ris", prefer="2021")


def _ris_2025(ctx: Context, source: Source, path: Path, frame: pd.DataFrame) -> int:
    value_cols = [c for c in frame.columns if workbook.norm_name(c).startswith("valuerelativetoeu")]
    if not value_cols:
        raise BuildError(
            f"sheet 'RIS' lacks a 'Value relative to EU in <year>' column; header is {list(frame.columns)[:12]}",
            file=path,
            line=1,
        )
    base = re.search(r"(\d{4})", str(value_cols[0]))
    unit = f"normalised score (EU {base.group(1) if base else ''} = 100)".replace("EU  =", "EU =")
    col = workbook.columns(
        frame,
        path,
        "RIS",
        {
            "region": ["Region code", "NUTS code", "Region"],
            "indicator": ["Indicator code"],
            "year": ["Year"],
            "name": ["Indicator name?", "Indicator?"],
            "perf": ["Performance group?"],
        },
    )
    prefix = source.options["indicator_prefix"]
    codes = frame[col["indicator"]].map(_code)
    labels: dict[str, str] = {}
    for code, name in zip(codes, frame[col["name"]] if "name" in col else [None] * len(frame), strict=True):
        if code and code not in labels:
            labels[code] = str(name).strip() if name is not None else FRAMEWORK_2025.get(code, f"RIS indicator {code}")
    for dim, label in FRAMEWORK_2025.items():
        if dim.count(".") == 1 and any(c.startswith(dim + ".") for c in labels):
            labels.setdefault(dim, label)
    note = "" if "name" in col else "labels from the EIS 2025 measurement framework (the RIS workbook gives codes)"
    _catalog(ctx, source, prefix, labels, unit=unit, index_label="Regional Innovation Index", note=note)
    staged = pd.DataFrame(
        {
            "code": frame[col["region"]].astype(str).str.strip(),
            "key": prefix + "." + codes,
            "year": workbook.numbers(frame, col["year"], path, "RIS").astype("Int64"),
            "value": workbook.numbers(frame, value_cols[0], path, "RIS"),
            "flag": pd.Series([None] * len(frame), dtype=object),
            "line": frame["_row"],
            "perf": frame[col["perf"]].astype(object) if "perf" in col else None,
        }
    )
    staged = staged[staged["value"].notna() & staged["year"].notna()]
    _stage(ctx, staged, "stg_ris")
    _performance(ctx, source, "stg_ris")
    return land_indicators(ctx, source, path, "stg_ris", prefer="2024")


def _period_year(period: object) -> int | None:
    """The last year of a period such as '2022-2024 average', '2021-23 average' or '2020'."""
    text = str(period or "")
    m = re.search(r"((?:19|20)\d{2})(?:\s*-\s*(\d{2,4}))?", text)
    if not m:
        return None
    first, last = m.group(1), m.group(2)
    if not last:
        return int(first)
    return int(last) if len(last) == 4 else int(first[:2] + last)


@reader("eis_workbook")
def read_eis_workbook(ctx: Context, source: Source, paths: list[Path]) -> int:
    """EIS 2025 web download: sheet EIS (scores by year) and sheet structural (raw values for a period)."""
    path = paths[0]
    prefix = source.options["indicator_prefix"]
    main = workbook.read_sheet(path, "EIS")
    col = workbook.columns(
        main,
        path,
        "EIS",
        {"code": ["iso2"], "year": ["year"], "ind": ["indicator_code"], "name": ["indicator"], "value": ["value"]},
    )
    frames, labels, periods = [], {}, {}
    codes = main[col["ind"]].map(_code)
    for code, name in zip(codes, main[col["name"]], strict=True):
        labels.setdefault(code, str(name).strip())
    frames.append(
        pd.DataFrame(
            {
                "code": main[col["code"]].astype(str).str.strip(),
                "key": prefix + "." + codes,
                "year": workbook.numbers(main, col["year"], path, "EIS").astype("Int64"),
                "value": workbook.numbers(main, col["value"], path, "EIS"),
                "line": main["_row"],
            }
        )
    )
    if "structural" in workbook.sheet_names(path):
        st = workbook.read_sheet(path, "structural")
        sc = workbook.columns(
            st,
            path,
            "structural",
            {
                "code": ["iso2"],
                "ind": ["indicator_code"],
                "name": ["indicator"],
                "period": ["period"],
                "value": ["value"],
            },
        )
        scodes = st[sc["ind"]].map(_code)
        for code, name, period in zip(scodes, st[sc["name"]], st[sc["period"]], strict=True):
            labels.setdefault(code, str(name).strip())
            periods.setdefault(code, str(period).strip())
        years = st[sc["period"]].map(_period_year)
        if years.isna().any():
            row = st[years.isna()].iloc[0]
            raise BuildError(
                f"sheet 'structural': period {row[sc['period']]!r} names no year", file=path, line=int(row["_row"])
            )
        frames.append(
            pd.DataFrame(
                {
                    "code": st[sc["code"]].astype(str).str.strip(),
                    "key": prefix + "." + scodes,
                    "year": years.astype("Int64"),
                    "value": workbook.numbers(st, sc["value"], path, "structural"),
                    "line": st["_row"],
                }
            )
        )
    _catalog(
        ctx,
        source,
        prefix,
        labels,
        unit="normalised score (EU 2018 = 100)",
        index_label="Summary Innovation Index",
        periods=periods,
    )
    staged = pd.concat(frames, ignore_index=True)
    staged["flag"] = None
    staged = staged[staged["value"].notna()][["code", "key", "year", "value", "flag", "line"]]
    _stage(ctx, staged, "stg_eis")
    return land_indicators(ctx, source, path, "stg_eis", prefer="2024")


@reader("eis_csv")
def read_eis_csv(ctx: Context, source: Source, paths: list[Path]) -> int:
    """EIS 2023 level-0 rows as CSV (the sources folder's conversion of EIS_Data.xlsx)."""
    path = paths[0]
    con = ctx.con
    load_csv(
        con,
        path,
        "stg_eis_raw",
        required=["Indicator", "Year", "Country", "Value"],
        types={"Year": "INTEGER", "Value": "DOUBLE"},
    )
    labels = {}
    for (raw,) in con.execute("SELECT DISTINCT Indicator FROM stg_eis_raw ORDER BY 1").fetchall():
        num, label = _split_indicator(raw, path=path)
        labels[num] = label
    prefix = source.options.get("indicator_prefix", "eis")
    _catalog(ctx, source, prefix, labels, unit=SCORE_UNIT_2016, index_label="Summary Innovation Index")
    con.execute(
        """CREATE OR REPLACE TEMP TABLE stg_eis AS
           SELECT Country AS code,
                  $prefix || '.' || replace(regexp_extract(Indicator, '^([0-9.,]+)', 1), ',', '.') AS key,
                  Year AS year, Value AS value, NULL::VARCHAR AS flag, row_number() OVER () + 1 AS line
           FROM stg_eis_raw""",
        {"prefix": prefix},
    )
    con.execute("DELETE FROM stg_eis WHERE value IS NULL")
    return land_indicators(ctx, source, path, "stg_eis", prefer="2021")

"""Content for the local mirror: files in the exact official formats, from the sources folder or tiny fixtures.

The mirror (``tests/mirror/server.py``) serves a content root laid out as::

    <root>/files/<url path>         plain downloads (GISCO GeoJSON, Commission workbooks), by the URL's path
    <root>/eurostat/<dataset>.tsv   a whole Eurostat table as dissemination-API TSV, uncompressed

:func:`build_content` fills it for every fetch item of the manifest (``data/sources.toml``). With a real sources
folder each file is made from the real data: GISCO files are byte copies, Eurostat tables in older layouts (bulk
TSV, SDMX-CSV with labels, plain exports, a long compilation) are re-laid as API TSV with their values and flags
kept, and the RIS/EIS workbooks of 2023 are re-laid in the 2025 layouts. Every conversion is checked in code
(cells in = cells out, sums kept) and fails with :class:`ContentError` otherwise. Anything the folder lacks is a
tiny fixture in the same format: a few real NUTS regions of AT, BE, DE and PL drawn as squares and made-up values.

API TSV, as Eurostat serves it (see /work/research/eurostat_api.md)::

    freq,nace_r2,indic_sb,geo\\TIME_PERIOD<TAB>2008 <TAB>2009 ...
    A,B,V11210,AT<TAB>665 <TAB>663 b<TAB>: <TAB>: c

Keys are lower-case dimension codes, ``freq`` first and ``geo`` last; years ascend; each period header and each
cell carries one space after the value (flags, if any, follow it); rows are sorted by their key.

``synthetic_full`` (benchmarks only) makes the two SBS tables at their published size: sbs_r_nuts06_r2 keeps the
real 2008-2015 cells of V11210/V13320/V16110 and adds 2016-2020; sbs_r_nuts2021 gets EMP_LOC_NR, LOC_NR,
WAGE_LOC_MEUR, EMP_PLOC_NR and LC_EMP_LOC_TEUR for 2021-2024 over the same NACE codes and regions. The added
values are the real 2015 (else 2014) cell times a seeded random walk (+1.2 % a year on average, +-3 % spread);
series without such a cell stay ':' (': c' when it was confidential). Nothing here is data.

Command line: ``python -m tests.mirror.content --out DIR [--sources DIR] [--synthetic-full]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import gzip
import json
import math
import random
import re
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from mapping.ingest.manifest import FetchItem, Manifest

__all__ = ["SYNTHETIC", "TINY", "ContentError", "build_content", "content_path", "main", "read_api_tsv"]

SYNTHETIC = "synthetic at published size (benchmark only)"
TINY = "tiny fixture"

DIM_RE = re.compile(r"^[a-z][a-z0-9_]*$")
VALUE_RE = re.compile(r"^(:|-?\d+(\.\d+)?)$")
FLAGS_RE = re.compile(r"^[a-z]*$")
NA = ": "  # an API TSV cell with neither value nor flag
# EU member states (Eurostat codes); the EU aggregate is EU27_2020 in the 2025 files.
EU27 = frozenset(
    "AT BE BG CY CZ DE DK EE EL ES FI FR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()  # noqa: SIM905
)
# Fixed document properties, so that two runs write byte-identical workbooks (XlsxWriter stamps the time).
WORKBOOK_DATE = dt.datetime(2025, 7, 15, 12, 0, 0)


class ContentError(RuntimeError):
    """A source file is not what its conversion expects, or a conversion check failed."""


def _check(what: str, got: object, want: object) -> None:
    if got != want:
        raise ContentError(f"{what}: got {got!r}, expected {want!r}")


# --------------------------------------------------------------------------------------------- API TSV model


def api_cell(value: str, flags: str = "") -> str:
    """One API TSV cell: value (or ':'), one space, lower-case flags."""
    value = value.strip() or ":"
    flags = flags.strip().lower()
    if not VALUE_RE.match(value) or not FLAGS_RE.match(flags):
        raise ContentError(f"not a Eurostat cell: value {value!r}, flags {flags!r}")
    return f"{value} {flags}"


# A run of API cells, each followed by a TAB: one match per line is much faster than one per cell.
CELLS_RE = re.compile(r"(?:(?::|-?\d+(?:\.\d+)?) [a-z]*\t)*")
CELL_RE = re.compile(r"(:|-?\d+(\.\d+)?) [a-z]*")


def _check_cells(cells: list[str], where: str) -> None:
    if not CELLS_RE.fullmatch("\t".join(cells) + "\t"):
        bad = next(c for c in cells if not CELL_RE.fullmatch(c))
        raise ContentError(f"{where}: cell {bad!r} is not '<value or :><space><flags>'")


def _informative(cell: str) -> bool:
    return cell != NA


@dataclass
class ApiTable:
    """A Eurostat table in memory: series key (codes in ``dims`` order) -> year -> cell text."""

    dims: tuple[str, ...]
    rows: dict[tuple[str, ...], dict[int, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.dims[0] != "freq" or self.dims[-1] != "geo" or not all(DIM_RE.match(d) for d in self.dims):
            raise ContentError(f"API TSV dimensions must be codes with freq first and geo last: {self.dims}")

    def _row(self, key: tuple[str, ...]) -> dict[int, str]:
        if len(key) != len(self.dims) or "" in key:
            raise ContentError(f"series key {key} does not fit the dimensions {self.dims}")
        return self.rows.setdefault(key, {})

    def put(self, key: tuple[str, ...], year: int, cell: str) -> None:
        row = self._row(key)
        if year in row:
            raise ContentError(f"two cells for {','.join(key)} {year}")
        row[year] = cell

    def put_row(self, key: tuple[str, ...], years: list[int], cells: list[str]) -> None:
        """Several cells of one series at once; their syntax is checked when :meth:`write` reads the file back."""
        row = self._row(key)
        if (row and row.keys() & set(years)) or len(set(years)) != len(cells):
            raise ContentError(f"two cells for one year in {','.join(key)}")
        row.update(zip(years, cells, strict=True))

    @property
    def n_cells(self) -> int:
        return sum(len(r) for r in self.rows.values())

    @property
    def n_informative(self) -> int:
        return sum(len(r) - list(r.values()).count(NA) for r in self.rows.values())

    def years(self) -> list[int]:
        return sorted({y for r in self.rows.values() for y in r})

    def write(self, path: Path) -> None:
        """Write the TSV and read it back: series, informative cells and the grid must all be there."""
        years = self.years()
        lines = [",".join(self.dims) + "\\TIME_PERIOD" + "".join(f"\t{y} " for y in years)]
        for key in sorted(self.rows):
            row = self.rows[key]
            lines.append(",".join(key) + "\t" + "\t".join([row.get(y, NA) for y in years]))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        dims, back_years, body = _scan_api_tsv(path)
        _check(f"{path.name}: dimensions read back", dims, self.dims)
        _check(f"{path.name}: years read back", back_years, years)
        series = informative = 0
        for _key, cells in body:
            series += 1
            informative += len(cells) - cells.count(NA)
        _check(f"{path.name}: series read back", series, len(self.rows))
        _check(f"{path.name}: informative cells read back", informative, self.n_informative)


def _scan_api_tsv(path: Path) -> tuple[tuple[str, ...], list[int], Iterator[tuple[tuple[str, ...], list[str]]]]:
    """Check an API TSV strictly (header, ascending years, cell syntax, sorted keys) while reading it."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        lines = fh.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    head = lines[0].split("\t")
    left, sep, period = head[0].rpartition("\\")
    if not sep or period != "TIME_PERIOD":
        raise ContentError(f"{path.name}: first column is not '<dims>\\TIME_PERIOD': {head[0]!r}")
    if not all(re.fullmatch(r"\d{4} ", h) for h in head[1:]):
        raise ContentError(f"{path.name}: period headers must be 'YYYY ' (a year and one space): {head[1:4]}")
    years = [int(h) for h in head[1:]]
    _check(f"{path.name}: years ascending", years, sorted(set(years)))
    dims = tuple(left.split(","))

    def body() -> Iterator[tuple[tuple[str, ...], list[str]]]:
        previous: tuple[str, ...] = ()
        for n, line in enumerate(lines[1:], start=2):
            parts = line.split("\t")
            if len(parts) != len(years) + 1:
                raise ContentError(f"{path.name} line {n}: {len(parts) - 1} cells for {len(years)} years")
            key = tuple(parts[0].split(","))
            if len(key) != len(dims) or key <= previous:
                raise ContentError(f"{path.name} line {n}: key {parts[0]!r} is malformed or out of order")
            previous = key
            _check_cells(parts[1:], f"{path.name} line {n}")
            yield key, parts[1:]

    return dims, years, body()


def read_api_tsv(path: Path) -> ApiTable:
    """Read an API TSV (plain or gzipped) strictly: header, ascending years, cell syntax, sorted keys."""
    dims, years, body = _scan_api_tsv(path)
    table = ApiTable(dims)
    for key, cells in body:
        table.rows[key] = dict(zip(years, cells, strict=True))
    return table


# ------------------------------------------------------------------------------------- readers of old layouts


def _read_text_lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return [line.rstrip("\r") for line in fh.read().split("\n") if line.strip()]


def read_bulk_tsv(path: Path) -> tuple[tuple[str, ...], list[int], list[tuple[tuple[str, ...], list[str]]]]:
    """The old bulk-download TSV (``dims\\time``, years in any order): dims, years, (key, raw cells) rows."""
    lines = _read_text_lines(path)
    head = lines[0].split("\t")
    left, sep, period = head[0].rpartition("\\")
    if not sep or period.strip().lower() not in ("time", "time_period"):
        raise ContentError(f"{path}: not a Eurostat TSV header: {head[0]!r}")
    dims = tuple(left.split(","))
    years = [int(h.strip()) for h in head[1:]]
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        parts = line.split("\t")
        if len(parts) != len(years) + 1:
            raise ContentError(f"{path} line {n}: {len(parts) - 1} cells for {len(years)} years")
        key = tuple(parts[0].split(","))
        if len(key) != len(dims):
            raise ContentError(f"{path} line {n}: key {parts[0]!r} does not have the dimensions {dims}")
        rows.append((key, parts[1:]))
    return dims, years, rows


def bulk_cells(raw: list[str]) -> list[str]:
    """Bulk TSV cells (``708 ``, ``13.1 b``, ``: c``, ``:``) as API cells: value and flags kept verbatim, only the
    surrounding whitespace normalised to one space after the value (their syntax is checked on writing)."""
    cells = [c.strip() for c in raw]
    return [c if " " in c else c + " " for c in cells]


@dataclass
class LongFile:
    """A long Eurostat file (SDMX-CSV 1.0/2.0 with or without labels, or a plain export)."""

    dims: tuple[str, ...]  # freq first, geo last
    obs: list[tuple[tuple[str, ...], int, str]]  # key, year, API cell
    kind: str  # "SDMX-CSV" or "plain export"


NON_DIMS = {"time_period", "time", "obs_value", "obs_flag", "conf_status"}


def read_long_csv(path: Path) -> LongFile:
    """Dimensions by name (lower-case code columns; SDMX label columns are skipped), one API cell per row.

    Confidentiality (a ``CONF_STATUS`` other than ``F``) becomes the flag ``c`` on an empty value (``: c``).
    """
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        body = list(reader)
    lower = [h.strip().lower() for h in header]

    def first(*names: str) -> int | None:
        return next((i for name in names for i, h in enumerate(lower) if h == name), None)

    t_col, v_col = first("time_period", "time"), first("obs_value")
    f_col, c_col = first("obs_flag"), first("conf_status")
    if t_col is None or v_col is None:
        raise ContentError(f"{path}: no TIME_PERIOD/time or OBS_VALUE column in {header[:12]}")
    dim_cols = [i for i, h in enumerate(header) if DIM_RE.match(h) and h not in NON_DIMS]
    names = [header[i] for i in dim_cols]
    if "geo" not in names:
        raise ContentError(f"{path}: no geo column")
    order = [i for i, n in zip(dim_cols, names, strict=True) if n == "freq"]
    order += [i for i, n in zip(dim_cols, names, strict=True) if n not in ("freq", "geo")]
    order += [dim_cols[names.index("geo")]]
    dims = tuple(header[i] for i in order)
    prefix: tuple[str, ...] = () if "freq" in names else ("A",)
    obs = []
    for n, row in enumerate(body, start=2):
        if not any(c.strip() for c in row):
            continue
        value = row[v_col].strip()
        flags = row[f_col].strip().lower() if f_col is not None else ""
        conf = row[c_col].strip().upper() if c_col is not None else ""
        if conf not in ("", "F"):
            if value:
                raise ContentError(f"{path} line {n}: a confidential cell with a value ({value})")
            flags = flags.replace("c", "") + "c"
        year = row[t_col].strip()
        if not re.fullmatch(r"\d{4}", year):
            raise ContentError(f"{path} line {n}: period {year!r} is not a year")
        obs.append(((*prefix, *(row[i].strip() for i in order)), int(year), api_cell(value, flags)))
    kind = "SDMX-CSV" if lower[0] in ("structure", "dataflow") else "plain export"
    return LongFile(("freq", *dims) if prefix else dims, obs, kind)


def _num_text(number: float) -> str:
    """Shortest text of a float, without a trailing '.0' (848059.0 -> '848059')."""
    text = repr(float(number))
    return text[:-2] if text.endswith(".0") else text


# ----------------------------------------------------------------------------------- Eurostat, real conversions

SBS06_FILE = "eurostat_sbs_regional/sbs_r_nuts06_r2.tsv.gz"
SBS_MANUF_FILE = "eurostat_sbs_regional/sbs_r_nuts2021_EMP_LOC_NR_2022_manufacturing.csv"
LFS_FILE = "eurostat_lfs_regional/lfst_r_lfe2en2.tsv.gz"
LEGACY_FILE = "eurostat_regional_legacy/nuts2_indicators_2007_2018.csv"
RECENT = "eurostat_regional_recent/"


@dataclass(frozen=True)
class Converted:
    table: ApiTable
    origin: str
    informative_in: int  # cells with a value or a flag in the source(s): must all reach the TSV


def _real_sbs06(sources: Path) -> Converted | None:
    path = sources / SBS06_FILE
    if not path.is_file():
        return None
    dims, years, rows = read_bulk_tsv(path)
    _check(f"{SBS06_FILE} dimensions", dims, ("nace_r2", "indic_sb", "geo"))
    table = ApiTable(("freq", *dims))
    n_in = 0
    for key, raw in rows:
        cells = bulk_cells(raw)
        table.put_row(("A", *key), years, cells)
        n_in += len(cells) - cells.count(NA)
    _check("sbs_r_nuts06_r2: cells in = cells out", table.n_cells, len(rows) * len(years))
    origin = f"real: {SBS06_FILE} (bulk TSV {min(years)}-{max(years)}, re-laid as API TSV)"
    return Converted(table, origin, n_in)


def _real_lfs(sources: Path) -> Converted | None:
    path = sources / LFS_FILE
    if not path.is_file():
        return None
    dims, years, rows = read_bulk_tsv(path)
    _check(f"{LFS_FILE} dimensions", dims, ("unit", "nace_r2", "age", "geo"))
    table = ApiTable(("freq", "unit", "sex", "age", "nace_r2", "geo"))
    n_in = 0
    for (unit, nace, age, geo), raw in rows:
        if unit != "THS":
            raise ContentError(f"{LFS_FILE}: unit {unit!r}, expected THS (thousand persons)")
        cells = bulk_cells(raw)
        table.put_row(("A", "THS_PER", "T", age, nace, geo), years, cells)
        n_in += len(cells) - cells.count(NA)
    _check("lfst_r_lfe2en2: cells in = cells out", table.n_cells, len(rows) * len(years))
    origin = (
        f"real: {LFS_FILE} (bulk TSV {min(years)}-{max(years)}, unit THS as THS_PER, sex T added, re-laid as API TSV)"
    )
    return Converted(table, origin, n_in)


def _real_sbs2021(sources: Path) -> Converted | None:
    path = sources / SBS_MANUF_FILE
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        _check(f"{SBS_MANUF_FILE} header", reader.fieldnames, ["NUTS_ID", "NUTS_NAME", "Sector", "Time", "Empl_pers"])
        rows = list(reader)
    table = ApiTable(("freq", "indic_sbs", "nace_r2", "geo"))
    n_in = skipped = 0
    for row in rows:
        if not row["Sector"].strip():
            skipped += 1  # a region listed without any cell (NUTS 2024 renames, e.g. NL31, PT16)
            continue
        cell = api_cell(row["Empl_pers"] or ":")
        table.put(("A", "EMP_LOC_NR", row["Sector"].strip(), row["NUTS_ID"].strip()), int(row["Time"]), cell)
        n_in += _informative(cell)
    _check("sbs_r_nuts2021: cells in = cells out", table.n_cells, len(rows) - skipped)
    origin = (
        f"real: {SBS_MANUF_FILE} (EMP_LOC_NR 2022, manufacturing C, C10-C33; empty -> ':'; "
        f"{skipped} rows without a NACE code skipped)"
    )
    return Converted(table, origin, n_in)


def _real_union(files: tuple[str, ...]) -> Callable[[Path], Converted | None]:
    def convert(sources: Path) -> Converted | None:
        present = [f for f in files if (sources / f).is_file()]
        if not present:
            return None
        table: ApiTable | None = None
        n_in = 0
        parts = []
        for name in present:
            long = read_long_csv(sources / name)
            parts.append(f"{name.removeprefix(RECENT)} ({long.kind})")
            table = table or ApiTable(long.dims)
            _check(f"{name} dimensions", long.dims, table.dims)
            for key, year, cell in long.obs:
                table.put(key, year, cell)
                n_in += _informative(cell)
        assert table is not None
        _check(f"{', '.join(present)}: cells in = cells out", table.n_informative, n_in)
        missing = [f for f in files if f not in present]
        origin = f"real: {RECENT}{' + '.join(parts)}, re-laid as API TSV"
        if missing:
            origin += f"; absent from the sources: {', '.join(missing)}"
        return Converted(table, origin, n_in)

    return convert


LEGACY = {
    # dataset: (variable in the compilation, dims, fixed codes between freq and geo)
    "tgs00096": ("region_population", ("freq", "unit", "sex", "age", "geo"), ("NR", "T", "TOTAL")),
    "tgs00101": ("life_expectancy_t", ("freq", "unit", "sex", "age", "geo"), ("YR", "T", "Y_LT1")),
    "tgs00026": ("disp_income_household", ("freq", "unit", "na_item", "direct", "geo"), ("PPCS_HAB", "B6N", "BAL")),
    "isoc_r_broad_h": ("broadband_access_household", ("freq", "unit", "geo"), ("PC_HH",)),
}


@functools.lru_cache(maxsize=2)
def _legacy_rows(path: Path) -> dict[str, list[tuple[str, int, str]]]:
    """The long compilation (read once for its four tables): variable -> (nuts_id, year, value text)."""
    out: dict[str, list[tuple[str, int, str]]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            out.setdefault(row["variable"], []).append((row["nuts_id"].strip(), int(row["year"]), row["value"].strip()))
    return out


def _real_legacy(dataset: str) -> Callable[[Path], Converted | None]:
    variable, dims, codes = LEGACY[dataset]

    def convert(sources: Path) -> Converted | None:
        path = sources / LEGACY_FILE
        if not path.is_file():
            return None
        table = ApiTable(dims)
        n_in = 0
        total_in = total_out = 0.0
        for geo, year, text in _legacy_rows(path).get(variable, []):
            cell = api_cell(_num_text(float(text)) if text else ":")
            if text:
                total_in += float(text)
                total_out += float(cell.split(" ")[0])
            table.put(("A", *codes, geo), year, cell)
            n_in += 1
        if not n_in:
            raise ContentError(f"{LEGACY_FILE}: no rows for {variable}")
        _check(f"{dataset}: cells in = cells out", table.n_cells, n_in)
        _check(f"{dataset}: sum of values kept", total_out, total_in)
        years = table.years()
        origin = f"real: {LEGACY_FILE} ({variable}, {years[0]}-{years[-1]}, NUTS 2016 codes, re-laid as API TSV)"
        return Converted(table, origin, table.n_informative)

    return convert


REAL_EUROSTAT: dict[str, Callable[[Path], Converted | None]] = {
    "sbs_r_nuts06_r2": _real_sbs06,
    "sbs_r_nuts2021": _real_sbs2021,
    "lfst_r_lfe2en2": _real_lfs,
    "nama_10r_2gdp": _real_union(
        (
            RECENT + "eurostat_gdp_pc_pps_nuts2.csv",
            RECENT + "eurostat_gdp_pc_pps_rel_eu_nuts2.csv",
            RECENT + "eurostat_nama_10r_2gdp.csv",
        )
    ),
    "nama_10r_2gvagr": _real_union(
        (RECENT + "eurostat_gdp_real_nuts2.csv", RECENT + "eurostat_nama_10r_2gvagr_gva.csv")
    ),
    "tgs00007": _real_union((RECENT + "eurostat_tgs00007_employment_rate.csv",)),
    "tgs00010": _real_union((RECENT + "eurostat_tgs00010_unemployment_rate.csv",)),
    "tgs00042": _real_union((RECENT + "eurostat_tgs00042_gerd_rd_expenditure.csv",)),
    "tgs00109": _real_union((RECENT + "eurostat_tgs00109_tertiary_education_25_64.csv",)),
    **{dataset: _real_legacy(dataset) for dataset in LEGACY},
}


def _fetched_api_tsv(path: Path) -> bool:
    """A file the fetch step already brought (API layout) is served as it is."""
    try:
        with (gzip.open if path.suffix == ".gz" else open)(path, "rt", encoding="utf-8") as fh:
            first = fh.readline().split("\t", 1)[0]
    except (OSError, UnicodeDecodeError, EOFError):
        return False
    return first.startswith("freq,") and first.endswith("\\TIME_PERIOD")


# ------------------------------------------------------------------------- synthetic full-size SBS (benchmarks)

SEED = 20250715
SBS06_INDICATORS = ("V11210", "V13320", "V16110")
SBS06_SYNTH_YEARS = tuple(range(2016, 2021))
SBS2021_YEARS = tuple(range(2021, 2025))
# indic_sbs of sbs_r_nuts2021: (the sbs_r_nuts06_r2 indicator it is derived from, scale, decimals)
SBS2021_FROM = {
    "EMP_LOC_NR": ("V16110", 1.0, 0),
    "LOC_NR": ("V11210", 1.0, 0),
    "WAGE_LOC_MEUR": ("V13320", 1.0, 1),
    "EMP_PLOC_NR": ("V16110", 0.88, 0),  # employees: persons employed less the self-employed
    "LC_EMP_LOC_TEUR": ("V13320", 1270.0, 0),  # labour costs in thousand EUR: wages plus social contributions
}


def _base(cells: dict[int, str]) -> tuple[float | None, int, bool]:
    """The 2015 value, else 2014 (float, its decimals), and whether the series is confidential there."""
    confidential = False
    for year in (2015, 2014):
        value, _, flags = cells.get(year, NA).partition(" ")
        if value != ":":
            return float(value), len(value.partition(".")[2]), False
        confidential = confidential or "c" in flags
    return None, 0, confidential


def _drift(rng: random.Random, years: Iterable[int]) -> Iterator[tuple[int, float]]:
    """A random walk of growth factors: +1.2 % a year on average, uniformly spread by +-3 %."""
    factor = 1.0
    for year in years:
        factor *= 1.012 + 0.06 * (rng.random() - 0.5)
        yield year, factor


def _synthetic_cell(base: float | None, factor: float, decimals: int, confidential: bool, flags: str = "") -> str:
    # Not checked with api_cell here (a million cells): ApiTable.write checks every cell when it reads back.
    if base is None:
        return ": c" if confidential else NA
    value = round(base * factor, decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{value:.{decimals}f} {flags}"


def _synthetic_sbs(sources: Path) -> tuple[Converted, Converted]:
    """sbs_r_nuts06_r2 2008-2020 and sbs_r_nuts2021 2021-2024 at their published size, drifted from 2014/2015."""
    real = _real_sbs06(sources)
    if real is None:
        raise ContentError(f"synthetic_full needs {SBS06_FILE} in the sources folder")
    rng = random.Random(SEED)  # one generator over the series in key order: the same input gives the same output
    old = ApiTable(real.table.dims)
    n_real = 0
    for key in sorted(real.table.rows):
        cells = real.table.rows[key]
        if key[2] not in SBS06_INDICATORS:
            continue
        base, decimals, conf = _base(cells)
        drifted = [_synthetic_cell(base, factor, decimals, conf) for _, factor in _drift(rng, SBS06_SYNTH_YEARS)]
        old.put_row(key, [*cells, *SBS06_SYNTH_YEARS], [*cells.values(), *drifted])
        n_real += len(cells)
    _check("synthetic sbs_r_nuts06_r2: cells", old.n_cells, n_real + len(old.rows) * len(SBS06_SYNTH_YEARS))
    _check("synthetic sbs_r_nuts06_r2: years", old.years(), list(range(2008, 2021)))

    by_indicator = {(k[1], k[3]): {} for k in old.rows}  # (nace, geo) -> indicator -> real cells
    for key, cells in real.table.rows.items():
        if key[2] in SBS06_INDICATORS:
            by_indicator[(key[1], key[3])][key[2]] = cells
    new = ApiTable(("freq", "indic_sbs", "nace_r2", "geo"))
    for (nace, geo), sources_cells in sorted(by_indicator.items()):
        for indic, (old_indic, scale, decimals) in SBS2021_FROM.items():
            base, _, conf = _base(sources_cells.get(old_indic, {}))
            base = None if base is None else base * scale
            key = ("A", indic, nace, geo)
            factors = dict(_drift(rng, range(2016, 2025)))  # the walk runs on from 2015 through 2016-2020
            cells = [_synthetic_cell(base, factors[y], decimals, conf, "p" if y == 2024 else "") for y in SBS2021_YEARS]
            new.put_row(key, list(SBS2021_YEARS), cells)
    _check(
        "synthetic sbs_r_nuts2021: cells",
        new.n_cells,
        len(by_indicator) * len(SBS2021_FROM) * len(SBS2021_YEARS),
    )
    return Converted(old, SYNTHETIC, old.n_informative), Converted(new, SYNTHETIC, new.n_informative)


# ------------------------------------------------------------------------------------------ workbooks, real


def _write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[list]]]) -> None:
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": WORKBOOK_DATE, "author": "European Commission"})
    bold = book.add_format({"bold": True})
    for name, (header, rows) in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
    book.close()


def _read_xlsx(path: Path, sheet: str) -> list[list]:
    from python_calamine import CalamineWorkbook

    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


IND_RE = re.compile(r"^(\d+(?:[.,]\d+)*)\s+(.*?)\s*$")


def _indicator(raw: str, summary: str) -> tuple[str, str]:
    """'1.2.1 International ...' -> ('1.2.1', 'International ...'); '0 ...' -> the summary code."""
    m = IND_RE.match(str(raw))
    if not m:
        raise ContentError(f"indicator {raw!r} does not start with its number")
    code = m.group(1).replace(",", ".")  # the 2023 files write one code as '5.1,7'
    name = re.sub(r"\s*\(SD\)$", "", m.group(2)).strip()
    return (summary if code == "0" else code), name


RIS2023_FILE = "workbooks/RIS_2023.xlsx"
EIS2023_FILE = "innovation_scoreboard/eis2023_country_indicators.csv"
RIS_HEADER = ["Region code", "Region name", "Indicator code", "Year", "Value relative to EU in 2018"]
EIS_HEADER = ["iso2", "country", "group", "year", "indicator_code", "indicator", "value", "performance group"]
STRUCTURAL_HEADER = ["iso2", "country", "group", "indicator_code", "indicator", "period", "value", "performance group"]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _real_ris(sources: Path, dest: Path) -> str | None:
    path = sources / RIS2023_FILE
    if not path.is_file():
        return None
    rows = _read_xlsx(path, "RIS")
    col = {str(h).strip(): i for i, h in enumerate(rows[0])}
    for name in ("Indicator", "Year", "Region", "RegionName", "Value"):
        if name not in col:
            raise ContentError(f"{RIS2023_FILE}: sheet RIS lacks {name!r}; header {rows[0]}")
    out, empty, total = [], 0, 0.0
    for n, row in enumerate(rows[1:], start=2):
        value = row[col["Value"]]
        if not _is_number(value):
            if value not in ("", None):
                raise ContentError(f"{RIS2023_FILE} row {n}: value {value!r} is not a number")
            empty += 1
            continue
        code, _ = _indicator(row[col["Indicator"]], "RII")
        region = str(row[col["Region"]]).strip()
        out.append([region, str(row[col["RegionName"]]).strip(), code, int(row[col["Year"]]), float(value)])
        total += value
    _check("RIS: rows with a value in = rows out", len(out) + empty, len(rows) - 1)
    _write_xlsx(dest, {"RIS": (RIS_HEADER, out)})
    back = _read_xlsx(dest, "RIS")
    _check("RIS 2025 layout: header read back", back[0], RIS_HEADER)
    _check("RIS 2025 layout: rows read back", len(back) - 1, len(out))
    _check("RIS 2025 layout: sum of values read back", math.fsum(r[4] for r in back[1:]), math.fsum(r[4] for r in out))
    if not math.isclose(math.fsum(r[4] for r in out), total, rel_tol=1e-12):
        raise ContentError("RIS: sum of values changed")
    return (
        f"real: {RIS2023_FILE} (RIS 2023 values, EU 2016 = 100, re-laid in the RIS 2025 layout; "
        f"'0 Summary Innovation Index' -> RII; {empty} empty cells dropped)"
    )


def _real_eis(sources: Path, dest: Path) -> str | None:
    path = sources / EIS2023_FILE
    if not path.is_file():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    main_rows, structural, empty = [], [], 0
    population_in = population_out = 0.0
    for row in rows:
        text = row["Value"].strip()
        if not text:
            empty += 1
            continue
        value = float(text)
        code, name = _indicator(row["Indicator"], "SII")
        iso2 = row["Country"].strip()
        country = row["CountryName"].strip()
        if iso2 == "EU Average":
            iso2, country = "EU27_2020", "EU27"
        group = "eu" if iso2 in EU27 or iso2 == "EU27_2020" else "non-eu"
        perf = row["Perf"].strip() or None
        year = int(row["Year"])
        if code.startswith("5."):
            if code == "5.6.1":  # EIS 2023 gives population in millions, EIS 2025 in persons
                population_in += value
                value *= 1e6
                population_out += value
            structural.append([iso2, country, group, code, name, str(year), value, perf])
        else:
            main_rows.append([iso2, country, group, year, code, name, value, perf])

    def order(code: str) -> tuple[int, ...]:
        return (0,) if code == "SII" else tuple(int(p) for p in code.split("."))

    main_rows.sort(key=lambda r: (r[0], r[3], order(r[4])))
    structural.sort(key=lambda r: (order(r[3]), r[0]))
    _check("EIS: rows with a value in = rows out", len(main_rows) + len(structural) + empty, len(rows))
    if not math.isclose(population_out, population_in * 1e6, rel_tol=1e-12):
        raise ContentError("EIS: 5.6.1 not scaled from millions to persons")
    _write_xlsx(dest, {"EIS": (EIS_HEADER, main_rows), "structural": (STRUCTURAL_HEADER, structural)})
    for sheet, header, body in (("EIS", EIS_HEADER, main_rows), ("structural", STRUCTURAL_HEADER, structural)):
        back = _read_xlsx(dest, sheet)
        _check(f"EIS 2025 layout: {sheet} header read back", back[0], header)
        _check(f"EIS 2025 layout: {sheet} rows read back", len(back) - 1, len(body))
        sums = math.fsum(r[6] for r in back[1:]), math.fsum(r[6] for r in body)
        _check(f"EIS 2025 layout: {sheet} sum read back", *sums)
    return (
        f"real: {EIS2023_FILE} (EIS 2023 values, EU 2016 = 100, re-laid in the EIS 2025 layout: sheet EIS and "
        f"sheet structural (5.x, period = the EIS 2023 year; 5.6.1 millions -> persons); {empty} empty cells dropped)"
    )


REAL_FILES: dict[str, Callable[[Path, Path], str | None]] = {
    "RIS_web_download.xlsx": _real_ris,
    "EIS_web_download.xlsx": _real_eis,
}


# ------------------------------------------------------------------------------------- tiny fixtures: geography

# Real NUTS 2021 (and 2024) codes and names, drawn as squares (lon0, lat0, lon1, lat1) that nest: each NUTS 3
# region is its NUTS 2 square, parents are the rectangles their present children tile.
REGIONS: dict[str, tuple[str, tuple[float, float, float, float]]] = {
    "AT": ("Österreich", (14, 47, 17, 49)),
    "AT1": ("Ostösterreich", (14, 47, 17, 49)),
    "AT12": ("Niederösterreich", (14, 47, 16, 49)),
    "AT13": ("Wien", (16, 47, 17, 49)),
    "AT121": ("Mostviertel-Eisenwurzen", (14, 47, 16, 49)),
    "AT130": ("Wien", (16, 47, 17, 49)),
    "BE": ("Belgique/België", (3, 50, 6, 51)),
    "BE1": ("Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest", (4, 50, 5, 51)),
    "BE2": ("Vlaams Gewest", (5, 50, 6, 51)),
    "BE3": ("Région wallonne", (3, 50, 4, 51)),
    "BE10": ("Région de Bruxelles-Capitale/ Brussels Hoofdstedelijk Gewest", (4, 50, 5, 51)),
    "BE24": ("Prov. Vlaams-Brabant", (5, 50, 6, 51)),
    "BE31": ("Prov. Brabant Wallon", (3, 50, 4, 51)),
    "BE100": ("Arr. de Bruxelles-Capitale/Arr. Brussel-Hoofdstad", (4, 50, 5, 51)),
    "BE241": ("Arr. Halle-Vilvoorde", (5, 50, 6, 51)),
    "BE310": ("Arr. Nivelles", (3, 50, 4, 51)),
    "DE": ("Deutschland", (8, 48, 14, 52)),
    "DE1": ("Baden-Württemberg", (8, 48, 11, 50)),
    "DE2": ("Bayern", (11, 48, 14, 50)),
    "DE3": ("Berlin", (11, 50, 14, 52)),
    "DE4": ("Brandenburg", (8, 50, 11, 52)),
    "DE11": ("Stuttgart", (8, 48, 11, 50)),
    "DE21": ("Oberbayern", (11, 48, 14, 50)),
    "DE30": ("Berlin", (11, 50, 14, 52)),
    "DE40": ("Brandenburg", (8, 50, 11, 52)),
    "DE111": ("Stuttgart, Stadtkreis", (8, 48, 11, 50)),
    "DE212": ("München, Kreisfreie Stadt", (11, 48, 14, 50)),
    "DE300": ("Berlin", (11, 50, 14, 52)),
    "DE401": ("Brandenburg an der Havel, Kreisfreie Stadt", (8, 50, 11, 52)),
    "PL": ("Polska", (20, 51, 22, 53)),
    "PL9": ("Makroregion województwo mazowieckie", (20, 51, 22, 53)),
    "PL91": ("Warszawski stołeczny", (20, 51, 21, 53)),
    "PL92": ("Mazowiecki regionalny", (21, 51, 22, 53)),
    "PL911": ("Miasto Warszawa", (20, 51, 21, 53)),
    "PL921": ("Radomski", (21, 51, 22, 53)),
}
# NUTS 3 typologies (MOUNT_TYPE, URBN_TYPE, COAST_TYPE) as GISCO gives them; levels 0-2 carry 0, null, 0.
TYPOLOGY = {
    "AT121": (2, 3, 3),
    "AT130": (4, 1, 3),
    "BE100": (4, 1, 3),
    "BE241": (4, 1, 3),
    "BE310": (4, 2, 3),
    "DE111": (4, 1, 3),
    "DE212": (4, 1, 3),
    "DE300": (4, 1, 3),
    "DE401": (4, 2, 3),
    "PL911": (4, 1, 3),
    "PL921": (4, 2, 3),
}
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}}
GISCO_RE = re.compile(r"^NUTS_(RG|LB)_(?:(\d+M)_)?(\d{4})_4326(?:_LEVL_(\d))?\.geojson$")


def level(code: str) -> int:
    return len(code) - 2


def _tiny_geojson(name: str) -> str | None:
    m = GISCO_RE.match(name)
    if not m:
        return None
    kind, _scale, year, lvl = m.groups()
    codes = [c for c in REGIONS if lvl is None or level(c) == int(lvl)]
    features = []
    for code in codes:
        label, (x0, y0, x1, y1) = REGIONS[code]
        mount, urbn, coast = TYPOLOGY.get(code, (0, None, 0))
        props: dict[str, object] = {
            "NUTS_ID": code,
            "LEVL_CODE": level(code),
            "CNTR_CODE": code[:2],
            "NAME_LATN": label,
            "NUTS_NAME": label,
            "MOUNT_TYPE": mount,
            "URBN_TYPE": urbn,
            "COAST_TYPE": coast,
        }
        if kind == "LB":
            geometry = {"type": "Point", "coordinates": [(x0 + x1) / 2, (y0 + y1) / 2]}
        else:
            ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
            geometry = {"type": "Polygon", "coordinates": [ring]}
        feature: dict[str, object] = {"type": "Feature", "geometry": geometry, "properties": props}
        if year == "2021":  # the 2021 files carry FID and a feature id; the 2024 one does not
            props["FID"] = code
            feature["id"] = code
        features.append(feature)
    collection = {"type": "FeatureCollection", "name": name.removesuffix(".geojson"), "crs": CRS, "features": features}
    return json.dumps(collection, ensure_ascii=False)


# -------------------------------------------------------------------------------------- tiny fixtures: Eurostat


@dataclass(frozen=True)
class TinyTable:
    """A few made-up cells: series (codes between freq and geo, base value, decimals) x regions x years."""

    dims: tuple[str, ...]
    series: tuple[tuple[tuple[str, ...], float, int], ...]
    levels: tuple[int, ...]
    years: tuple[int, ...]
    aggregate: bool = False  # add the EU27_2020 row as Eurostat does in most regional tables


def _nace_series(indicators: dict[str, tuple[float, int]], nace: tuple[str, ...], first: str) -> tuple:
    out = []
    for indic, (base, decimals) in indicators.items():
        for i, code in enumerate(nace):
            share = 1.0 if code in ("B", "C", "G", "J", "TOTAL") else 0.2 + 0.05 * i
            out.append(((indic, code) if first == "indic" else (code, indic), base * share, decimals))
    return tuple(out)


SBS_NACE = ("B", "C", "C10", "C29", "G", "G47", "J", "J62")
TINY_EUROSTAT: dict[str, TinyTable] = {
    "sbs_r_nuts06_r2": TinyTable(
        ("nace_r2", "indic_sb"),
        _nace_series({"V11210": (900, 0), "V13320": (1500.5, 1), "V16110": (40000, 0)}, SBS_NACE, "nace"),
        (0, 1, 2),
        tuple(range(2013, 2021)),
    ),
    "sbs_r_nuts2021": TinyTable(
        ("indic_sbs", "nace_r2"),
        _nace_series(
            {
                "EMP_LOC_NR": (42000, 0),
                "LOC_NR": (950, 0),
                "WAGE_LOC_MEUR": (1700.5, 1),
                "EMP_PLOC_NR": (37000, 0),
                "LC_EMP_LOC_TEUR": (2150000, 0),
            },
            SBS_NACE,
            "indic",
        ),
        (0, 1, 2),
        (2021, 2022, 2023),
    ),
    "lfst_r_lfe2en2": TinyTable(
        ("unit", "sex", "age", "nace_r2"),
        (
            *(
                (("THS_PER", "T", "Y_GE15", nace), base, 1)
                for nace, base in (("A", 25.5), ("B-E", 210.0), ("G-I", 260.0), ("J", 45.5), ("TOTAL", 1050.0))
            ),
            (("THS_PER", "M", "Y_GE15", "TOTAL"), 560.0, 1),
            (("THS_PER", "T", "Y15-64", "TOTAL"), 1010.0, 1),
        ),
        (0, 1, 2),
        tuple(range(2019, 2025)),
    ),
    "nama_10r_2gdp": TinyTable(
        ("unit",),
        ((("MIO_EUR",), 95000.25, 2), (("PPS_EU27_2020_HAB",), 33000, 0), (("PPS_HAB_EU27_2020",), 105, 0)),
        (0, 1, 2),
        tuple(range(2019, 2024)),
        aggregate=True,
    ),
    "nama_10r_2gvagr": TinyTable(
        ("na_item", "unit"),
        ((("B1G", "I15"), 104.2, 1), (("B1GQ", "I15"), 105.1, 1)),
        (0, 1, 2),
        tuple(range(2019, 2024)),
        aggregate=True,
    ),
    "tgs00007": TinyTable(
        ("unit", "sex", "age"),
        ((("PC", "T", "Y15-64"), 70.1, 1), (("PC", "F", "Y15-64"), 66.3, 1)),
        (2,),
        tuple(range(2020, 2025)),
    ),
    "tgs00010": TinyTable(
        ("isced11", "sex", "age", "unit"), ((("TOTAL", "T", "Y15-74", "PC"), 5.4, 1),), (2,), tuple(range(2020, 2025))
    ),
    "tgs00042": TinyTable(
        ("sectperf", "unit"),
        ((("TOTAL", "PC_GDP"), 2.45, 2), (("BES", "PC_GDP"), 1.62, 2)),
        (2,),
        tuple(range(2019, 2024)),
    ),
    "tgs00109": TinyTable(
        ("unit", "isced11", "age", "sex"), ((("PC", "ED5-8", "Y25-64", "T"), 34.8, 1),), (2,), tuple(range(2020, 2025))
    ),
    "tgs00096": TinyTable(
        ("unit", "sex", "age"), ((("NR", "T", "TOTAL"), 2150000, 0),), (2,), tuple(range(2020, 2025))
    ),
    "tgs00101": TinyTable(
        ("unit", "sex", "age"),
        ((("YR", "T", "Y_LT1"), 81.2, 1), (("YR", "F", "Y_LT1"), 83.6, 1)),
        (2,),
        tuple(range(2019, 2024)),
    ),
    "tgs00026": TinyTable(
        ("unit", "na_item", "direct"), ((("PPCS_HAB", "B6N", "BAL"), 22400, 0),), (2,), tuple(range(2018, 2023))
    ),
    "isoc_r_broad_h": TinyTable(("unit",), ((("PC_HH",), 88, 0),), (0, 2), tuple(range(2020, 2025)), aggregate=True),
}


def _tiny_generic(select: dict) -> TinyTable:
    """A table the manifest names but this module does not know: freq, its select dimensions, geo."""
    dims = tuple(d for d in select if d not in ("freq", "geo"))
    codes = tuple(v if isinstance(v, str) else v[0] for d, v in select.items() if d in dims)
    return TinyTable(dims, ((codes, 100.0, 1),), (2,), tuple(range(2020, 2025)))


def tiny_table(spec: TinyTable) -> ApiTable:
    """Values ``base x region factor x growth``; flags at fixed places: 'b' breaks, 'p' provisional last years,
    one ': ' (not available, BE24) and one ': c' (confidential, PL92) in the first series."""
    geos = [c for c in REGIONS if level(c) in spec.levels]
    if spec.aggregate:
        geos.append("EU27_2020")
    table = ApiTable(("freq", *spec.dims, "geo"))
    for s, (codes, base, decimals) in enumerate(spec.series):
        for g, geo in enumerate(geos):
            factor = 4.0 if geo == "EU27_2020" else 0.91 + 0.03 * (g % 7)
            for y, year in enumerate(spec.years):
                if s == 0 and geo == "PL92" and y == 0:
                    cell = api_cell(":", "c")
                elif s == 0 and geo == "BE24" and y == 1:
                    cell = NA
                else:
                    value = round(base * factor * (1 + 0.012 * y) * (1 + 0.01 * s), decimals)
                    flags = "b" if (g % 4 == 2 and y == 0) else "p" if (g % 5 == 1 and y == len(spec.years) - 1) else ""
                    cell = api_cell(f"{value:.{decimals}f}", flags)
                table.put(("A", *codes, geo), year, cell)
    return table


# ------------------------------------------------------------------------------------- tiny fixtures: workbooks

RIS_REGIONS = {
    "AT1": "Ostösterreich",
    "BE1": "Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest",
    "BE2": "Vlaams Gewest",
    "BE3": "Région wallonne",
    "DE11": "Stuttgart",
    "DE21": "Oberbayern",
    "DE3": "Berlin",
    "DE4": "Brandenburg",
    "PL91": "Warszawski stołeczny",
    "PL92": "Mazowiecki regionalny",
    "EU": "European Union",
}
RIS_INDICATORS = {"RII": 100.0, "1.1.1": 90.0, "1.2.1": 120.0, "3.3.1": 80.0}


def _tiny_ris(dest: Path) -> None:
    """RII and three indicators for 2023-2025; one empty value (PL92, 1.2.1, 2023)."""
    rows = []
    for code, base in RIS_INDICATORS.items():
        for r, (region, name) in enumerate(RIS_REGIONS.items()):
            for y, year in enumerate((2023, 2024, 2025)):
                missing = (region, code, year) == ("PL92", "1.2.1", 2023)
                value = None if missing else round(base * (0.6 + 0.08 * r) + y, 4)
                rows.append([region, name, code, year, value])
    _write_xlsx(dest, {"RIS": (RIS_HEADER, rows)})


EIS_COUNTRIES = {
    "AT": ("Austria", "Strong", 118.0, 9100000.0),
    "BE": ("Belgium", "Strong", 124.0, 11800000.0),
    "DE": ("Germany", "Strong", 116.0, 84000000.0),
    "PL": ("Poland", "Emerging", 68.0, 36700000.0),
    "EU27_2020": ("EU27", "EU", 100.0, 449000000.0),
}
EIS_INDICATORS = {
    "SII": ("Summary Innovation Index", 1.0),
    "1.1": ("Human resources", 0.95),
    "1.1.1": ("New doctorate graduates", 1.1),
    "1.1.2": ("Population with tertiary education", 0.9),
}


def _tiny_eis(dest: Path) -> None:
    """SII, one dimension and two indicators for 2023-2025; structural 5.1.1 and 5.6.1 (persons)."""
    main, structural = [], []
    for iso2, (country, perf, score, population) in EIS_COUNTRIES.items():
        for y, year in enumerate((2023, 2024, 2025)):
            for code, (name, weight) in EIS_INDICATORS.items():
                main.append([iso2, country, "eu", year, code, name, round(score * weight + 1.5 * y, 4), perf])
        structural.append([iso2, country, "eu", "5.1.1", "GDP per capita", "2022-2024 average", score, perf])
        structural.append([iso2, country, "eu", "5.6.1", "Population size", "2022-24 average", population, perf])
    structural.sort(key=lambda r: (r[3], r[0]))
    _write_xlsx(dest, {"EIS": (EIS_HEADER, main), "structural": (STRUCTURAL_HEADER, structural)})


TINY_FILES: dict[str, Callable[[Path], None]] = {
    "RIS_web_download.xlsx": _tiny_ris,
    "EIS_web_download.xlsx": _tiny_eis,
}


# -------------------------------------------------------------------------------------------------- assembly


def _make_eurostat(
    root: Path, item: FetchItem, select: dict, sources: Path | None, synthetic: dict[str, Converted]
) -> str:
    dest = root / "eurostat" / f"{item.dataset}.tsv"
    if item.dataset in synthetic:
        made = synthetic[item.dataset]
    else:
        made = None
        if sources is not None:
            fetched = sources / item.file
            if fetched.is_file() and _fetched_api_tsv(fetched):
                opener = gzip.open if fetched.suffix == ".gz" else open
                dest.parent.mkdir(parents=True, exist_ok=True)
                with opener(fetched, "rb") as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out)
                read_api_tsv(dest)
                return f"real: {item.file} (already an API TSV, served decompressed)"
            convert = REAL_EUROSTAT.get(item.dataset)
            made = convert(sources) if convert else None
        if made is None:
            spec = TINY_EUROSTAT.get(item.dataset) or _tiny_generic(select)
            origin = TINY if item.dataset in TINY_EUROSTAT else f"{TINY} (generic, from the manifest's select)"
            table = tiny_table(spec)
            made = Converted(table, origin, table.n_informative)
    made.table.write(dest)
    _check(f"{item.dataset}: informative cells in = out", made.table.n_informative, made.informative_in)
    return made.origin


def _make_file(root: Path, item: FetchItem, sources: Path | None) -> str:
    path = urlsplit(item.url).path
    dest = root / "files" / path.lstrip("/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    name = Path(path).name
    if sources is not None:
        original = sources / item.file
        if original.is_file():
            shutil.copyfile(original, dest)
            return f"real: {item.file} (byte copy)"
        convert = REAL_FILES.get(name)
        origin = convert(sources, dest) if convert else None
        if origin:
            return origin
    geojson = _tiny_geojson(name)
    if geojson is not None:
        dest.write_text(geojson, encoding="utf-8")
        return f"{TINY} (NUTS regions of AT, BE, DE, PL drawn as squares)"
    if name in TINY_FILES:
        TINY_FILES[name](dest)
        return TINY
    raise ContentError(f"no content recipe for {item.url} (file {item.file})")


def build_content(
    root: Path, sources: Path | None = None, *, synthetic_full: bool = False, manifest: Manifest | None = None
) -> dict[str, str]:
    """Fill ``root`` with the mirror's content for every fetch item of the manifest.

    Args:
        root: the content root (``files/`` and ``eurostat/`` are made below it).
        sources: a sources folder (e.g. /work/shared/data); what it holds is converted, the rest is tiny fixtures.
        synthetic_full: benchmarks only (needs the real SBS file): sbs_r_nuts06_r2 spans 2008-2020 and
            sbs_r_nuts2021 2021-2024 at their published size, with values drifted from the real 2014/2015 cells.
        manifest: a loaded :class:`~mapping.ingest.manifest.Manifest`; the project's data/sources.toml by default.

    Returns:
        {URL path (for plain downloads, e.g. ``/distribution/v2/nuts/geojson/...``) or Eurostat dataset code:
        where its content comes from}.
    """
    if manifest is None:
        from mapping.ingest.manifest import load_manifest

        manifest = load_manifest()
    root = Path(root)
    sources = Path(sources) if sources is not None else None
    synthetic: dict[str, Converted] = {}
    if synthetic_full:
        if sources is None:
            raise ContentError("synthetic_full needs a real sources folder")
        synthetic["sbs_r_nuts06_r2"], synthetic["sbs_r_nuts2021"] = _synthetic_sbs(sources)
    made: dict[str, str] = {}
    for source in manifest.sources:
        for item in source.fetch:
            if item.is_eurostat:
                if item.dataset not in made:
                    select = dict(source.options.get("select") or {})
                    made[item.dataset] = _make_eurostat(root, item, select, sources, synthetic)
            else:
                key = urlsplit(item.url).path
                if key not in made:
                    made[key] = _make_file(root, item, sources)
    return made


def content_path(root: Path, key: str) -> Path:
    """Where :func:`build_content` put the content of one returned key."""
    return root / "files" / key.lstrip("/") if key.startswith("/") else root / "eurostat" / f"{key}.tsv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mirror.content", description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, type=Path, help="content root to fill")
    parser.add_argument("--sources", type=Path, help="a sources folder to convert (else tiny fixtures)")
    parser.add_argument("--synthetic-full", action="store_true", help="full-size synthetic SBS tables (benchmarks)")
    args = parser.parse_args(argv)
    try:
        made = build_content(args.out, args.sources, synthetic_full=args.synthetic_full)
    except ContentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    total = 0
    for key, origin in made.items():
        size = content_path(args.out, key).stat().st_size
        total += size
        print(f"{size:>12,}  {key}\n              {origin}")
    print(f"{total:>12,}  bytes in {len(made)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

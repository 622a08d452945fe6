"""The local mirror's content: official formats in tiny mode, the real values kept when converted from the sources.

The format checks here parse the files on their own (not with the module's reader), so a fault in
``tests/mirror/content.py`` cannot hide itself. Real-mode tests skip when the shared sources folder is absent.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import gzip
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from mapping.config import SHARED_SOURCES
from mapping.ingest import eurostat
from mapping.ingest.manifest import Manifest, load_manifest
from tests.mirror.content import SYNTHETIC, ContentError, build_content

CELL = re.compile(r"^(:|-?\d+(\.\d+)?) ?[a-z]*$")
HEADER = re.compile(r"^freq(,[a-z][a-z0-9_]*)*,geo\\TIME_PERIOD$")
NUTS2 = ["AT12", "AT13", "BE10", "BE24", "BE31", "DE11", "DE21", "DE30", "DE40", "PL91", "PL92"]
PROPERTIES = {"NUTS_ID", "LEVL_CODE", "CNTR_CODE", "NAME_LATN", "NUTS_NAME", "MOUNT_TYPE", "URBN_TYPE", "COAST_TYPE"}
REAL_NEEDS = [
    "eurostat_sbs_regional/sbs_r_nuts06_r2.tsv.gz",
    "eurostat_sbs_regional/sbs_r_nuts2021_EMP_LOC_NR_2022_manufacturing.csv",
    "eurostat_lfs_regional/lfst_r_lfe2en2.tsv.gz",
    "eurostat_regional_recent/eurostat_tgs00042_gerd_rd_expenditure.csv",
    "eurostat_regional_legacy/nuts2_indicators_2007_2018.csv",
    "innovation_scoreboard/eis2023_country_indicators.csv",
    "workbooks/RIS_2023.xlsx",
    "nuts/gisco_2021_60M/NUTS_RG_60M_2021_4326_LEVL_2.geojson",
]


def _where(root: Path, item) -> Path:
    if item.is_eurostat:
        return root / "eurostat" / f"{item.dataset}.tsv"
    return root / "files" / urlsplit(item.url).path.lstrip("/")


@functools.cache
def _parse_tsv(path: Path) -> tuple[list[str], list[int], dict[tuple[str, ...], dict[int, str]]]:
    """An independent strict parse of an API TSV: dims, years, key -> year -> cell."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "", f"{path.name}: no final newline"
    head = lines[0].split("\t")
    assert HEADER.match(head[0]), f"{path.name}: header {head[0]!r}"
    assert all(re.fullmatch(r"\d{4} ", h) for h in head[1:]), f"{path.name}: period headers {head[1:]}"
    years = [int(h) for h in head[1:]]
    assert years == sorted(set(years)), f"{path.name}: years not ascending"
    dims = head[0].removesuffix("\\TIME_PERIOD").split(",")
    rows: dict[tuple[str, ...], dict[int, str]] = {}
    for line in lines[1:-1]:
        parts = line.split("\t")
        key = tuple(parts[0].split(","))
        assert len(key) == len(dims) and len(parts) == len(years) + 1, f"{path.name}: {line[:80]!r}"
        for cell in parts[1:]:
            assert " " in cell and CELL.match(cell.removesuffix(" ")), f"{path.name}: cell {cell!r}"
        rows[key] = dict(zip(years, parts[1:], strict=True))
    keys = list(rows)
    assert keys == sorted(keys), f"{path.name}: rows not sorted by key"
    return dims, years, rows


def _stage(path: Path, *, keep: list[str], select: dict | None) -> set[tuple]:
    """Rows the project's Eurostat reader makes of a file: (code, *keep, year, value, flag)."""
    con = duckdb.connect()
    try:
        eurostat.stage(con, path, "t", keep=keep, select=select)
        cols = ", ".join(["code", *(f'"{k}"' for k in keep), "year", "value", "flag"])
        return set(con.execute(f"SELECT {cols} FROM t").fetchall())
    finally:
        con.close()


# ------------------------------------------------------------------------------------------------ tiny mode


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("tiny")
    return root, build_content(root)


def test_tiny_covers_every_fetch_item(tiny):
    root, made = tiny
    items = [item for source in load_manifest().sources for item in source.fetch]
    assert len(items) > 20
    for item in items:
        key = item.dataset if item.is_eurostat else urlsplit(item.url).path
        assert made[key].startswith("tiny fixture"), key
        assert _where(root, item).stat().st_size > 100, item.url
    assert len(made) == len({item.dataset or urlsplit(item.url).path for item in items})


def test_tiny_eurostat_files_are_api_tsv(tiny):
    root, made = tiny
    datasets = [k for k in made if not k.startswith("/")]
    assert len(datasets) == 13
    for dataset in datasets:
        dims, years, rows = _parse_tsv(root / "eurostat" / f"{dataset}.tsv")
        cells = [c for row in rows.values() for c in row.values()]
        assert dims[0] == "freq" and dims[-1] == "geo"
        assert len(years) >= 3, dataset
        assert cells.count(": c") == 1, dataset  # one confidential cell
        assert any(re.fullmatch(r"[\d.]+ [a-z]+", c) for c in cells), f"{dataset}: no flagged value"
        assert {k[-1] for k in rows} >= set(NUTS2), dataset


def test_tiny_tables_stage_with_the_manifest_selection(tiny):
    root, _ = tiny
    for source in load_manifest().sources:
        for item in source.fetch:
            if not item.is_eurostat:
                continue
            dim = source.options.get("measure_dim")
            if dim:  # SBS tables, read as read_sbs does
                rows = _stage(_where(root, item), keep=["nace_r2", dim], select={dim: list(source.options["measures"])})
            else:
                keep = ["nace_r2"] if source.reader == "lfs_regional" else []
                rows = _stage(_where(root, item), keep=keep, select=source.options.get("select"))
            assert rows, source.id
    # tgs00042, TOTAL/PC_GDP: 11 NUTS 2 regions x 5 years, less one not-available cell; one confidential kept.
    rows = _stage(root / "eurostat" / "tgs00042.tsv", keep=[], select={"unit": "PC_GDP", "sectperf": "TOTAL"})
    assert len(rows) == 11 * 5 - 1
    assert [r for r in rows if r[2] is None] == [("PL92", 2019, None, "c")]


def test_tiny_geography(tiny):
    root, _ = tiny
    base = root / "files/distribution/v2/nuts/geojson"

    def features(name: str) -> list[dict]:
        data = json.loads((base / name).read_text(encoding="utf-8"))
        assert data["type"] == "FeatureCollection"
        assert data["crs"]["properties"]["name"] == "urn:ogc:def:crs:EPSG::4326"
        return data["features"]

    level2 = features("NUTS_RG_60M_2021_4326_LEVL_2.geojson")
    assert sorted(f["properties"]["NUTS_ID"] for f in level2) == sorted(NUTS2)
    level3 = features("NUTS_RG_20M_2021_4326_LEVL_3.geojson")
    assert sorted(f["properties"]["NUTS_ID"][:4] for f in level3) == sorted(NUTS2)  # one child each
    for f in level2 + level3:
        assert set(f["properties"]) >= PROPERTIES and f["geometry"]["type"] == "Polygon"
    boxes = {}
    for f in features("NUTS_RG_20M_2024_4326.geojson"):
        assert set(f["properties"]) == PROPERTIES
        ring = f["geometry"]["coordinates"][0]
        boxes[f["properties"]["NUTS_ID"]] = (ring[0][0], ring[0][1], ring[2][0], ring[2][1])
    assert {len(c) for c in boxes} == {2, 3, 4, 5} and {c[:2] for c in boxes} == {"AT", "BE", "DE", "PL"}
    for code, (x0, y0, x1, y1) in boxes.items():  # every region lies inside its parent
        if len(code) > 2:
            px0, py0, px1, py1 = boxes[code[:-1]]
            assert px0 <= x0 < x1 <= px1 and py0 <= y0 < y1 <= py1, code
    points = features("NUTS_LB_2021_4326_LEVL_0.geojson")
    assert {f["geometry"]["type"] for f in points} == {"Point"} and len(points) == 4


def test_tiny_workbooks(tiny):
    root, _ = tiny
    downloads = root / "files/assets/rtd/eis/2025/downloads"
    ris = CalamineWorkbook.from_path(str(downloads / "RIS_web_download.xlsx")).get_sheet_by_name("RIS").to_python()
    assert ris[0][:5] == ["Region code", "Region name", "Indicator code", "Year", "Value relative to EU in 2018"]
    assert {r[0] for r in ris[1:] if r[2] == "RII"} >= {"DE21", "PL91", "AT1"}
    eis = CalamineWorkbook.from_path(str(downloads / "EIS_web_download.xlsx"))
    main = eis.get_sheet_by_name("EIS").to_python()
    assert main[0] == ["iso2", "country", "group", "year", "indicator_code", "indicator", "value", "performance group"]
    assert {r[0] for r in main[1:] if r[4] == "SII"} == {"AT", "BE", "DE", "PL", "EU27_2020"}
    structural = eis.get_sheet_by_name("structural").to_python()
    assert structural[0][3:7] == ["indicator_code", "indicator", "period", "value"]
    population = {r[0]: r[6] for r in structural[1:] if r[3] == "5.6.1"}
    assert population["AT"] > 1e6  # persons, as in EIS 2025


# ------------------------------------------------------------------------------------------------ real mode


@pytest.fixture(scope="module")
def real(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    if not all((SHARED_SOURCES / f).is_file() for f in REAL_NEEDS):
        pytest.skip(f"the shared sources folder {SHARED_SOURCES} is absent or incomplete")
    root = tmp_path_factory.mktemp("real")
    return root, build_content(root, SHARED_SOURCES)


def test_real_mode_converts_every_item(real):
    root, made = real
    assert all(origin.startswith("real: ") for origin in made.values()), made
    for dataset in (k for k in made if not k.startswith("/")):
        _parse_tsv(root / "eurostat" / f"{dataset}.tsv")
    copy = root / "files/distribution/v2/nuts/geojson/NUTS_RG_60M_2021_4326_LEVL_2.geojson"
    assert (
        copy.read_bytes() == (SHARED_SOURCES / "nuts/gisco_2021_60M/NUTS_RG_60M_2021_4326_LEVL_2.geojson").read_bytes()
    )


def test_real_values_are_the_originals(real):
    root, _ = real
    _, years, sbs = _parse_tsv(root / "eurostat/sbs_r_nuts06_r2.tsv")
    assert years == list(range(2008, 2016))
    assert sbs[("A", "C29", "V16110", "DE11")][2014] == "158012 "

    with gzip.open(SHARED_SOURCES / "eurostat_lfs_regional/lfst_r_lfe2en2.tsv.gz", "rt", encoding="utf-8") as fh:
        head = fh.readline().rstrip("\n").split("\t")
        original = next(line.rstrip("\n").split("\t") for line in fh if line.startswith("THS,A,Y_GE15,AT\t"))
    assert original[head.index("2008 ")] == "209.8 b"
    _, _, lfs = _parse_tsv(root / "eurostat/lfst_r_lfe2en2.tsv")
    assert lfs[("A", "THS_PER", "T", "Y_GE15", "A", "AT")][2008] == "209.8 b"

    _, _, gerd = _parse_tsv(root / "eurostat/tgs00042.tsv")
    with open(
        SHARED_SOURCES / "eurostat_regional_recent/eurostat_tgs00042_gerd_rd_expenditure.csv", encoding="utf-8"
    ) as fh:
        rows = list(csv.DictReader(fh))
    flagged = next(r for r in rows if r["OBS_FLAG"] == "b")
    key = ("A", flagged["sectperf"], flagged["unit"], flagged["geo"])
    assert gerd[key][int(flagged["TIME_PERIOD"])] == f"{flagged['OBS_VALUE']} b"
    confidential = sum(r["CONF_STATUS"] == "C" for r in rows)
    assert confidential > 0
    assert sum(c == ": c" for row in gerd.values() for c in row.values()) == confidential


def test_real_ris_and_eis_workbooks(real):
    root, _ = real
    downloads = root / "files/assets/rtd/eis/2025/downloads"
    old = (
        CalamineWorkbook.from_path(str(SHARED_SOURCES / "workbooks/RIS_2023.xlsx")).get_sheet_by_name("RIS").to_python()
    )
    col = {h: i for i, h in enumerate(old[0])}
    want = {
        int(r[col["Year"]]): r[col["Value"]]
        for r in old[1:]
        if r[col["Region"]] == "DE21" and str(r[col["Indicator"]]).startswith("0 ")
    }
    new = CalamineWorkbook.from_path(str(downloads / "RIS_web_download.xlsx")).get_sheet_by_name("RIS").to_python()
    got = {int(r[3]): r[4] for r in new[1:] if r[0] == "DE21" and r[2] == "RII"}
    assert got == want and len(got) == 8
    assert sum(isinstance(r[col["Value"]], float) for r in old[1:]) == len(new) - 1

    eis = CalamineWorkbook.from_path(str(downloads / "EIS_web_download.xlsx"))
    with open(SHARED_SOURCES / "innovation_scoreboard/eis2023_country_indicators.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    sii = {int(r["Year"]): float(r["Value"]) for r in rows if r["Country"] == "AT" and r["Indicator"].startswith("0 ")}
    main = eis.get_sheet_by_name("EIS").to_python()
    assert {int(r[3]): r[6] for r in main[1:] if r[0] == "AT" and r[4] == "SII"} == sii
    population = next(float(r["Value"]) for r in rows if r["Country"] == "DE" and r["Indicator"].startswith("5.6.1"))
    structural = eis.get_sheet_by_name("structural").to_python()
    assert next(r[6] for r in structural[1:] if r[0] == "DE" and r[3] == "5.6.1") == pytest.approx(population * 1e6)


def _bulk_lines(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return fh.read().splitlines()


def _slice(lines: list[str], geo_prefix: str) -> str:
    """The header and the rows of one country: the project's reader is slow on a whole big table."""
    return "\n".join([lines[0], *(x for x in lines[1:] if x.split("\t")[0].split(",")[-1].startswith(geo_prefix))])


@pytest.mark.parametrize(
    ("dataset", "bulk_file", "relay", "keep", "select_api", "select_bulk"),
    [
        pytest.param(
            "sbs_r_nuts06_r2",
            "eurostat_sbs_regional/sbs_r_nuts06_r2.tsv.gz",
            lambda k: ("A", *k),
            ["nace_r2", "indic_sb"],
            None,
            None,
            id="sbs_r_nuts06_r2",
        ),
        pytest.param(
            "lfst_r_lfe2en2",
            "eurostat_lfs_regional/lfst_r_lfe2en2.tsv.gz",
            lambda k: ("A", "THS_PER", "T", k[2], k[1], k[3]),
            ["age", "nace_r2"],
            {"unit": "THS_PER", "sex": "T"},
            {"unit": "THS"},
            id="lfst_r_lfe2en2",
        ),
    ],
)
def test_real_bulk_tables_relaid_cell_for_cell(
    real, tmp_path, dataset, bulk_file, relay, keep, select_api, select_bulk
):
    root, _ = real
    # Every cell of the bulk TSV is in the re-laid table, value and flags verbatim ...
    _, years, relaid = _parse_tsv(root / "eurostat" / f"{dataset}.tsv")
    bulk = _bulk_lines(SHARED_SOURCES / bulk_file)
    bulk_years = [int(h) for h in bulk[0].split("\t")[1:]]
    for line in bulk[1:]:
        key, *cells = line.split("\t")
        row = relaid[relay(key.split(","))]
        assert [row[y].strip() for y in bulk_years] == [c.strip() for c in cells], key
    assert len(relaid) == len(bulk) - 1 and sorted(bulk_years) == years
    # ... and the project's reader makes the same rows of both (on one country's rows).
    relaid_lines = (root / "eurostat" / f"{dataset}.tsv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "bulk.tsv").write_text(_slice(bulk, "AT") + "\n")
    (tmp_path / "api.tsv").write_text(_slice(relaid_lines, "AT") + "\n")
    staged = _stage(tmp_path / "api.tsv", keep=keep, select=select_api)
    assert len(staged) > 1000 and staged == _stage(tmp_path / "bulk.tsv", keep=keep, select=select_bulk)


def test_real_indicators_stage_like_their_extracts(real):
    root, _ = real
    compared = 0
    for source in load_manifest().sources:
        if source.reader != "eurostat_indicator" or not source.alternatives:
            continue
        select = source.options.get("select")
        mirror = _stage(root / "eurostat" / f"{source.fetch[0].dataset}.tsv", keep=[], select=select)
        assert mirror, source.id
        assert mirror == _stage(SHARED_SOURCES / source.alternatives[0][0], keep=[], select=select), source.id
        compared += 1
    assert compared == 9


def test_real_tables_from_extracts_keep_their_counts(real):
    root, _ = real
    legacy = SHARED_SOURCES / "eurostat_regional_legacy/nuts2_indicators_2007_2018.csv"
    for dataset, variable, select in [
        ("tgs00096", "region_population", {"unit": "NR", "sex": "T", "age": "TOTAL"}),
        ("isoc_r_broad_h", "broadband_access_household", {"unit": "PC_HH"}),
    ]:
        want = duckdb.sql(
            f"SELECT count(*) FROM read_csv('{legacy}') WHERE variable = '{variable}' AND value IS NOT NULL"
        ).fetchone()[0]
        assert len(_stage(root / "eurostat" / f"{dataset}.tsv", keep=[], select=select)) == want > 1000
    manuf = SHARED_SOURCES / "eurostat_sbs_regional/sbs_r_nuts2021_EMP_LOC_NR_2022_manufacturing.csv"
    want = duckdb.sql(f"SELECT count(*) FROM read_csv('{manuf}') WHERE Empl_pers IS NOT NULL").fetchone()[0]
    staged = _stage(root / "eurostat/sbs_r_nuts2021.tsv", keep=["nace_r2"], select={"indic_sbs": "EMP_LOC_NR"})
    assert len(staged) == want > 5000


# ------------------------------------------------------------------------------------------ synthetic mode

MINI_SBS = (
    "nace_r2,indic_sb,geo\\time\t2015 \t2014 \t2013 \t2012 \t2011 \t2010 \t2009 \t2008 \n"
    "C29,V11210,DE11\t100 \t98 \t97 \t: \t95 \t94 \t93 \t92 b\n"
    "C29,V13320,DE11\t5.5 \t5.2 p\t5.0 \t4.9 \t4.8 \t4.7 \t4.6 \t4.5 \n"
    "C29,V16110,DE11\t: \t158012 \t153115 \t149882 \t147100 \t145162 \t129101 d\t135146 d\n"
    "C29,V16110,PL12\t: c\t: c\t: c\t40 \t41 \t42 \t43 \t44 \n"
    "C29,V91290,DE11\t1.2 \t1.1 \t1.0 \t0.9 \t0.8 \t0.7 \t0.6 \t0.5 \n"
)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    sources = tmp_path_factory.mktemp("mini_sources")
    (sources / "eurostat_sbs_regional").mkdir()
    with gzip.open(sources / "eurostat_sbs_regional/sbs_r_nuts06_r2.tsv.gz", "wt", encoding="utf-8") as fh:
        fh.write(MINI_SBS)
    full = load_manifest()
    manifest = Manifest(
        sources=tuple(s for s in full.sources if s.id in ("eurostat_sbs_r_nuts06_r2", "eurostat_sbs_r_nuts2021")),
        defaults=full.defaults,
    )
    root = tmp_path_factory.mktemp("synthetic")
    made = build_content(root, sources, synthetic_full=True, manifest=manifest)
    again = tmp_path_factory.mktemp("synthetic_again")
    build_content(again, sources, synthetic_full=True, manifest=manifest)
    for name in ("sbs_r_nuts06_r2.tsv", "sbs_r_nuts2021.tsv"):
        assert (root / "eurostat" / name).read_bytes() == (again / "eurostat" / name).read_bytes(), "not deterministic"
    return root, made


def test_synthetic_sbs06_extends_the_real_cells(synthetic):
    root, made = synthetic
    assert made["sbs_r_nuts06_r2"] == SYNTHETIC
    _, years, rows = _parse_tsv(root / "eurostat/sbs_r_nuts06_r2.tsv")
    assert years == list(range(2008, 2021))
    assert {k[2] for k in rows} == {"V11210", "V13320", "V16110"}  # V91290 is not part of the published table
    assert rows[("A", "C29", "V16110", "DE11")][2014] == "158012 "  # real years verbatim
    assert rows[("A", "C29", "V11210", "DE11")][2008] == "92 b"
    drifted = float(rows[("A", "C29", "V16110", "DE11")][2016])  # from 2014, as 2015 is not available
    assert 158012 * 0.8 < drifted < 158012 * 1.2 and drifted.is_integer()
    assert re.fullmatch(r"\d+\.\d ", rows[("A", "C29", "V13320", "DE11")][2020])  # decimals of the base cell
    assert {rows[("A", "C29", "V16110", "PL12")][y] for y in range(2016, 2021)} == {": c"}


def test_synthetic_sbs2021_has_the_published_indicators(synthetic):
    root, made = synthetic
    assert made["sbs_r_nuts2021"] == SYNTHETIC
    dims, years, rows = _parse_tsv(root / "eurostat/sbs_r_nuts2021.tsv")
    assert dims == ["freq", "indic_sbs", "nace_r2", "geo"] and years == [2021, 2022, 2023, 2024]
    indicators = {"EMP_LOC_NR", "LOC_NR", "WAGE_LOC_MEUR", "EMP_PLOC_NR", "LC_EMP_LOC_TEUR"}
    assert set(rows) == {("A", i, "C29", g) for i in indicators for g in ("DE11", "PL12")}
    assert rows[("A", "EMP_LOC_NR", "C29", "DE11")][2024].endswith(" p")
    assert rows[("A", "EMP_LOC_NR", "C29", "PL12")][2021] == ": c"  # confidential base stays confidential
    assert rows[("A", "LOC_NR", "C29", "PL12")][2021] == ": "  # no base at all


def test_synthetic_needs_the_real_folder(tmp_path):
    with pytest.raises(ContentError):
        build_content(tmp_path / "out", None, synthetic_full=True)
    with pytest.raises(ContentError, match="synthetic_full needs"):
        build_content(tmp_path / "out", tmp_path, synthetic_full=True)


def test_partial_sources_folder_mixes_real_and_tiny(tmp_path):
    """A table the fetch step already brought (API TSV, gzipped) is served as it is; what is absent is tiny."""
    tiny_root = tmp_path / "tiny"
    full = load_manifest()
    manifest = Manifest(
        sources=tuple(s for s in full.sources if s.id in ("eurostat_tgs00042", "eurostat_tgs00007")),
        defaults=full.defaults,
    )
    build_content(tiny_root, manifest=manifest)
    fetched = (tiny_root / "eurostat/tgs00042.tsv").read_bytes()
    sources = tmp_path / "sources"
    (sources / "eurostat").mkdir(parents=True)
    with gzip.open(sources / "eurostat/tgs00042.tsv.gz", "wb") as fh:
        fh.write(fetched)
    made = build_content(tmp_path / "mixed", sources, manifest=manifest)
    assert made == {
        "tgs00042": "real: eurostat/tgs00042.tsv.gz (already an API TSV, served decompressed)",
        "tgs00007": "tiny fixture",
    }
    assert (tmp_path / "mixed/eurostat/tgs00042.tsv").read_bytes() == fetched


def test_unknown_items_get_a_generic_table_or_fail(tmp_path):
    base = load_manifest().get("eurostat_tgs00042")
    item = dataclasses.replace(base.fetch[0], dataset="demo_r_new", file="eurostat/demo_r_new.tsv.gz")
    select = {"unit": "PC", "sex": ["T", "F"]}
    source = dataclasses.replace(base, id="demo", fetch=(item,), options={**base.options, "select": select})
    made = build_content(tmp_path / "a", manifest=Manifest(sources=(source,), defaults={}))
    assert made == {"demo_r_new": "tiny fixture (generic, from the manifest's select)"}
    dims, _, _ = _parse_tsv(tmp_path / "a/eurostat/demo_r_new.tsv")
    assert dims == ["freq", "unit", "sex", "geo"]
    assert _stage(tmp_path / "a/eurostat/demo_r_new.tsv", keep=[], select=select)
    odd = dataclasses.replace(base.fetch[0], dataset="", url="https://example.org/x.csv", file="x.csv")
    with pytest.raises(ContentError, match="no content recipe"):
        build_content(
            tmp_path / "b", manifest=Manifest(sources=(dataclasses.replace(source, fetch=(odd,)),), defaults={})
        )

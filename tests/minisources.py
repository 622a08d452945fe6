"""A tiny sources folder written by the tests: two countries of square regions and a few cells.

Geography (NUTS 2021 and 2024 alike)::

    DE  lon 10-12, lat 50-52   DE1 = DE11 = DE111 (the same square)
    PL  lon 20-24, lat 50-52   PL9 = PL91 (lon 20-22) + PL92 (lon 22-24); PL911 = PL91, PL921 = PL92

Crosswalk: PL12 (NUTS 2013) split into PL91 + PL92; DE19 recoded to DE11; DE17 + DE18 a boundary
group drawn on DE11. The SBS extract (persons V16110, local units V11210, wages V13320) has the
cells the tests check by hand.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from mapping.ingest.manifest import Manifest, load_manifest

SQUARES = {
    "DE": (10, 50, 12, 52),
    "DE1": (10, 50, 12, 52),
    "DE11": (10, 50, 12, 52),
    "DE111": (10, 50, 12, 52),
    "PL": (20, 50, 24, 52),
    "PL9": (20, 50, 24, 52),
    "PL91": (20, 50, 22, 52),
    "PL92": (22, 50, 24, 52),
    "PL911": (20, 50, 22, 52),
    "PL921": (22, 50, 24, 52),
}

SBS_TSV = (
    "nace_r2,indic_sb,geo\\time\t2014 \t2013 \n"
    "C29,V16110,DE11\t100 \t90 \n"
    "C29,V16110,PL12\t40 \t: c\n"
    "C29,V16110,DE19\t: \t7 b\n"
    "C10,V16110,DE17\t5 \t3 \n"
    "C10,V16110,DE18\t6 \t: c\n"
    "C29,V16110,DEZZ\t1 \t1 \n"
    "C29,V16110,XX99\t2 \t2 \n"
    "C29,V11210,DE11\t10 \t9 \n"
    "C29,V13320,DE11\t5.5 \t5.0 p\n"
    "C10,V16110,PL12\t8 \t: \n"
    "C10,V16110,PL91\t5 \t: \n"
    "C,V16110,DE11\t1000 \t900 \n"
)

CROSSWALK = (
    "from_code,from_version,to_code,to_version,method,unit_code,note\n"
    "PL12,2013,PL91,2021,split,PL12,test split\n"
    "PL12,2013,PL92,2021,split,PL12,test split\n"
    "DE19,2013,DE11,2021,recode,DE11,test recode\n"
    "DE17,2013,DE11,2021,group,DE17+DE18,test group\n"
    "DE18,2013,DE11,2021,group,DE17+DE18,test group\n"
)

NACE = "code,level,parent,label\nC,section,,Manufacturing\nC10,division,C,Food\nC29,division,C,Motor vehicles\n"


def _level(code: str) -> int:
    return len(code) - 2


def _polygon(code: str) -> dict:
    x0, y0, x1, y1 = SQUARES[code]
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def _props(code: str) -> dict:
    return {
        "NUTS_ID": code,
        "LEVL_CODE": _level(code),
        "CNTR_CODE": code[:2],
        "NAME_LATN": f"Name {code}",
        "NUTS_NAME": f"Nom {code}",
        "MOUNT_TYPE": 4,
        "URBN_TYPE": 2,
        "COAST_TYPE": 3,
    }


def _collection(features: list[dict]) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features}, indent=1)


def write_mini_sources(root: Path) -> Manifest:
    """Write the tiny sources folder under ``root`` and return a manifest pointing at it."""
    nuts = root / "nuts"
    nuts.mkdir(parents=True, exist_ok=True)
    for level in range(4):
        codes = [c for c in SQUARES if _level(c) == level]
        polys = [{"type": "Feature", "properties": _props(c), "geometry": _polygon(c)} for c in codes]
        for scale in ("60M", "20M"):
            (nuts / f"RG_{scale}_2021_L{level}.geojson").write_text(_collection(polys))
        points = []
        for c in codes:
            x0, y0, x1, y1 = SQUARES[c]
            geom = {"type": "Point", "coordinates": [(x0 + x1) / 2, (y0 + y1) / 2]}
            points.append({"type": "Feature", "properties": _props(c), "geometry": geom})
        (nuts / f"LB_2021_L{level}.geojson").write_text(_collection(points))
    all_levels = [{"type": "Feature", "properties": _props(c), "geometry": _polygon(c)} for c in SQUARES]
    (nuts / "RG_20M_2024.geojson").write_text(_collection(all_levels))
    with gzip.open(root / "sbs.tsv.gz", "wt", encoding="utf-8") as fh:
        fh.write(SBS_TSV)
    (root / "crosswalk.csv").write_text(CROSSWALK)
    (root / "nace.csv").write_text(NACE)
    (root / "sources.toml").write_text(_manifest_toml())
    return load_manifest(root / "sources.toml")


def _entry(sid: str, reader: str, files: list[str], extra: str = "") -> str:
    listed = ", ".join(f'"{f}"' for f in files)
    return f"""
[[source]]
id = "{sid}"
title = "Test {sid}"
publisher = "Tests"
licence = "test"
attribution = "Source: tests"
url = "http://127.0.0.1/{sid}"
format = "test"
nuts_version = "2021"
reader = "{reader}"
files = [{listed}]
{extra}
"""


def _manifest_toml() -> str:
    levels = range(4)
    return "".join(
        [
            _entry("labels", "nuts_labels", [f"nuts/LB_2021_L{i}.geojson" for i in levels]),
            _entry("geo60", "nuts_geometry", [f"nuts/RG_60M_2021_L{i}.geojson" for i in levels], 'scale = "60M"'),
            _entry("geo20", "nuts_geometry", [f"nuts/RG_20M_2021_L{i}.geojson" for i in levels], 'scale = "20M"'),
            _entry("nuts2024", "nuts2024", ["nuts/RG_20M_2024.geojson"]).replace(
                'nuts_version = "2021"', 'nuts_version = "2024"'
            ),
            _entry("xwalk", "crosswalk", ["crosswalk.csv"]),
            _entry("nace", "nace", ["nace.csv"]),
            _entry(
                "sbs",
                "sbs_regional",
                ["sbs.tsv.gz"],
                'measure_dim = "indic_sb"\n'
                'measures = { V16110 = "persons", V11210 = "local_units", V13320 = "wages_meur" }',
            ),
        ]
    )

"""NUTS regions and boundaries: GISCO GeoJSON -> ``regions`` and ``region_geometry``.

Geometry is kept twice per region and scale: as a spatial GEOMETRY (for point-in-polygon and
unions in SQL) and as a coordinate-rounded GeoJSON string that figures embed directly, so no
rerun ever re-serialises polygons.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import shape

from .errors import BuildError
from .io import load_json

# 0.001 degrees is about 100 m: invisible at screen scales and halves the payload.
SCREEN_PRECISION = 0.001
EXPORT_PRECISION = 0.0001
NUTS2024_SCREEN_TOLERANCE = 0.02

REGION_COLUMNS = [
    "code",
    "nuts_version",
    "level",
    "country",
    "name",
    "name_latn",
    "parent",
    "label_lon",
    "label_lat",
    "mount_type",
    "urbn_type",
    "coast_type",
    "is_unit",
    "unit_method",
    "members",
]


def _features(path: Path, *, geometry_types: tuple[str, ...]) -> list[dict]:
    doc = load_json(path)
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or "features" not in doc:
        raise BuildError("not a GeoJSON FeatureCollection", file=path, line=1)
    feats = doc["features"]
    if not feats:
        raise BuildError("FeatureCollection has no features", file=path)
    for i, f in enumerate(feats):
        props = f.get("properties") or {}
        for key in ("NUTS_ID", "LEVL_CODE", "CNTR_CODE"):
            if props.get(key) in (None, ""):
                raise BuildError(f"feature #{i} lacks property {key}", file=path)
        geom = f.get("geometry") or {}
        if geom.get("type") not in geometry_types:
            raise BuildError(
                f"feature {props['NUTS_ID']} has geometry {geom.get('type')!r}, expected {geometry_types}",
                file=path,
            )
    return feats


def _typology(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _region_row(props: dict, version: str, lon: float, lat: float) -> dict:
    code = props["NUTS_ID"]
    level = int(props["LEVL_CODE"])
    return {
        "code": code,
        "nuts_version": version,
        "level": level,
        "country": props["CNTR_CODE"],
        "name": props.get("NUTS_NAME") or props.get("NAME_LATN") or code,
        "name_latn": props.get("NAME_LATN") or props.get("NUTS_NAME") or code,
        "parent": code[:-1] if level > 0 else None,
        "label_lon": round(float(lon), 5),
        "label_lat": round(float(lat), 5),
        "mount_type": _typology(props.get("MOUNT_TYPE")),
        "urbn_type": _typology(props.get("URBN_TYPE")),
        "coast_type": _typology(props.get("COAST_TYPE")),
        "is_unit": False,
        "unit_method": None,
        "members": None,
    }


def read_labels(paths: list[Path], version: str) -> pd.DataFrame:
    """Regions (codes, names, typologies) and label points from GISCO NUTS_LB files."""
    rows = []
    for path in paths:
        for f in _features(path, geometry_types=("Point",)):
            lon, lat = f["geometry"]["coordinates"][:2]
            rows.append(_region_row(f["properties"], version, lon, lat))
    return _check_regions(pd.DataFrame(rows, columns=REGION_COLUMNS), paths[0])


def _check_regions(df: pd.DataFrame, path: Path) -> pd.DataFrame:
    dupes = df[df.duplicated(["code", "nuts_version"], keep=False)]
    if not dupes.empty:
        raise BuildError(f"duplicate region codes {sorted(dupes.code.unique())[:5]}", file=path)
    bad_level = df[df.code.str.len() - 2 != df.level]
    if not bad_level.empty:
        raise BuildError(f"code length disagrees with LEVL_CODE for {list(bad_level.code[:5])}", file=path)
    return df


def read_geometry(paths: list[Path], version: str, scale: str) -> pd.DataFrame:
    """Boundary polygons per region with a rounded GeoJSON for figures."""
    rows = []
    precision = SCREEN_PRECISION if scale == "60M" else EXPORT_PRECISION
    for path in paths:
        feats = _features(path, geometry_types=("Polygon", "MultiPolygon"))
        geoms = [shape(f["geometry"]) for f in feats]
        rows.extend(_geometry_rows(feats, geoms, version, scale, precision, path))
    return pd.DataFrame(rows)


def _geometry_rows(feats, geoms, version, scale, precision, path) -> list[dict]:
    rounded = shapely.set_precision(geoms, precision)
    out = []
    for f, g, r in zip(feats, geoms, rounded, strict=True):
        if g.is_empty:
            raise BuildError(f"empty geometry for {f['properties']['NUTS_ID']}", file=path)
        if not g.is_valid:
            g = shapely.make_valid(g)
        out.append(
            {
                "code": f["properties"]["NUTS_ID"],
                "nuts_version": version,
                "level": int(f["properties"]["LEVL_CODE"]),
                "scale": scale,
                "wkb": shapely.to_wkb(g),
                "geojson": shapely.to_geojson(r),
            }
        )
    return out


def read_nuts2024(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """NUTS 2024 regions and geometry from the single all-levels 20M file.

    GISCO label points are not in the sources folder for 2024, so the label point is a point on
    the surface. The 60M-like screen version is a coverage simplification (shared borders stay
    shared) of the 20M polygons.
    """
    feats = _features(path, geometry_types=("Polygon", "MultiPolygon"))
    geoms = [shape(f["geometry"]) for f in feats]
    regions = []
    for f, g in zip(feats, geoms, strict=True):
        pt = g.representative_point()
        regions.append(_region_row(f["properties"], "2024", pt.x, pt.y))
    regions_df = _check_regions(pd.DataFrame(regions, columns=REGION_COLUMNS), path)
    rows = _geometry_rows(feats, geoms, "2024", "20M", EXPORT_PRECISION, path)
    levels = sorted({int(f["properties"]["LEVL_CODE"]) for f in feats})
    for level in levels:
        idx = [i for i, f in enumerate(feats) if int(f["properties"]["LEVL_CODE"]) == level]
        simplified = shapely.coverage_simplify([geoms[i] for i in idx], NUTS2024_SCREEN_TOLERANCE)
        rows.extend(_geometry_rows([feats[i] for i in idx], list(simplified), "2024", "60M", SCREEN_PRECISION, path))
    return regions_df, pd.DataFrame(rows)


def union_geojson(wkbs: list[bytes], precision: float) -> tuple[bytes, str]:
    """Union of member polygons (WKB) -> (WKB, rounded GeoJSON) for a derived map unit."""
    geoms = shapely.from_wkb(wkbs)
    merged = shapely.union_all(geoms)
    return shapely.to_wkb(merged), shapely.to_geojson(shapely.set_precision(merged, precision))

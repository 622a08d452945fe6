"""Geometry for figures: GeoJSON assembled from the DB's rounded strings, and map views.

Polygon rings are kept as NumPy arrays: plotly deep-copies every figure it builds, and copying a
few hundred arrays is about thirty times cheaper than copying tens of thousands of nested lists
(measured: 3 ms instead of 20-130 ms for NUTS 2). orjson (or plotly's encoder) writes them as
plain JSON arrays.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

import numpy as np

# The continental view: Iceland to Cyprus, Canaries excluded (outermost regions stay reachable by panning).
EUROPE_BBOX = (-24.0, 34.5, 36.0, 71.0)


def _rings_to_arrays(geometry: dict) -> dict:
    kind = geometry["type"]
    if kind == "Polygon":
        coords = [np.asarray(ring, dtype=float) for ring in geometry["coordinates"]]
    elif kind == "MultiPolygon":
        coords = [[np.asarray(ring, dtype=float) for ring in poly] for poly in geometry["coordinates"]]
    else:
        raise ValueError(f"unsupported geometry type {kind}")
    return {"type": kind, "coordinates": coords}


def parse_geometries(rows: Iterable[tuple[str, str]]) -> dict[str, dict]:
    """``(key, geojson string)`` pairs -> ``{key: geometry with array rings}``."""
    return {key: _rings_to_arrays(json.loads(text)) for key, text in rows}


def feature_collection(keys: Iterable[str], geometries: dict[str, dict], *, ids: Iterable[str] | None = None) -> dict:
    """A FeatureCollection of ``geometries[key]`` with feature ids ``ids`` (default: the keys)."""
    keys = list(keys)
    ids = list(ids) if ids is not None else keys
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": fid, "geometry": geometries[k]}
            for k, fid in zip(keys, ids, strict=True)
            if k in geometries
        ],
    }


def plain(obj):
    """A deep copy with arrays turned into lists (for pydeck and the standard json module)."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    return obj


def bbox_of(geometries: Iterable[dict]) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) of geometries with array rings."""
    lo = np.array([np.inf, np.inf])
    hi = -lo
    found = False
    for g in geometries:
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        for poly in polys:
            outer = poly[0]
            lo = np.minimum(lo, outer.min(axis=0))
            hi = np.maximum(hi, outer.max(axis=0))
            found = True
    if not found:
        return None
    return float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1])


def _mercator_y(lat: float) -> float:
    lat = max(min(lat, 85.0), -85.0)
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def view_for_bbox(
    bbox: tuple[float, float, float, float], *, width: int = 900, height: int = 620, padding: float = 0.06
) -> tuple[dict, float]:
    """Center and zoom (Web Mercator, 512-px tiles as MapLibre uses) that fit ``bbox`` in the frame."""
    x0, y0, x1, y1 = bbox
    lon_span = max(x1 - x0, 0.05) * (1 + 2 * padding)
    merc_span = max(_mercator_y(y1) - _mercator_y(y0), 0.001) * (1 + 2 * padding)
    zoom_x = math.log2(width * 360.0 / (lon_span * 512.0))
    zoom_y = math.log2(height * 2 * math.pi / (merc_span * 512.0))
    zoom = max(0.0, min(zoom_x, zoom_y, 9.0))
    y_mid = (_mercator_y(y0) + _mercator_y(y1)) / 2
    lat_mid = math.degrees(2 * math.atan(math.exp(y_mid)) - math.pi / 2)
    return {"lon": (x0 + x1) / 2, "lat": lat_mid}, round(zoom, 2)


def collection_text(rows) -> str:
    """``(id, geojson string)`` pairs -> FeatureCollection JSON text, without parsing the geometries."""
    parts = (f'{{"type":"Feature","id":{json.dumps(fid)},"geometry":{text}}}' for fid, text in rows)
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"

"""Cached access to the query gate and to parsed geometry (Streamlit edge only).

The connection is a resource per DB file; query frames are cached by name and plain parameters
and keyed on the DB file's modification time, so an atomically swapped DB is picked up. Parsed
geometry (array rings) is a shared resource: figure builders copy it and never mutate it.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from mapping import config, db, geo


@st.cache_resource(show_spinner=False)
def connection(path: str, mtime: float) -> duckdb.DuckDBPyConnection:
    return db.connect(path)


def _stamp() -> tuple[str, float]:
    path = config.db_path()
    try:
        return str(path), path.stat().st_mtime
    except FileNotFoundError:
        return str(path), 0.0


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value


@st.cache_data(show_spinner=False, max_entries=1024)
def _cached_query(stamp: tuple[str, float], name: str, params: tuple) -> pd.DataFrame:
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in params}
    return db.query(connection(*stamp), name, **kwargs)


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query through the gate (cached). Do not mutate the returned frame."""
    return _cached_query(_stamp(), name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))


def run(name: str, **params) -> pd.DataFrame:
    """Run a named query through the gate without caching (large or one-off parameters, e.g. uploads)."""
    return db.query(connection(*_stamp()), name, **params)


def database_ready() -> str | None:
    """None when the DB can be opened, else a message for the user."""
    try:
        connection(*_stamp())
    except db.DatabaseMissing as exc:
        return str(exc)
    return None


@st.cache_resource(show_spinner=False, max_entries=16)
def _geometries(stamp: tuple[str, float], level: int, scale: str) -> dict[str, dict]:
    frame = db.query(connection(*stamp), "geometry", level=level, scale=scale)
    return geo.parse_geometries(zip(frame["key"], frame["geojson"], strict=True))


def geometries(level: int, scale: str = "60M") -> dict[str, dict]:
    """``{'code|version': geometry}`` for a NUTS level; shared, read-only."""
    return _geometries(_stamp(), level, scale)


@st.cache_resource(show_spinner=False, max_entries=4)
def _base(stamp: tuple[str, float], scale: str) -> tuple[dict, dict]:
    frame = db.query(connection(*stamp), "base_outlines", scale=scale)
    geoms = geo.parse_geometries(zip(frame["code"], frame["geojson"], strict=True))
    fc = geo.feature_collection(frame["code"], geoms)
    return fc, geo.plain(fc)


def base_outlines(scale: str = "60M") -> dict:
    """NUTS level-0 outlines as a FeatureCollection (array rings) for plotly."""
    return _base(_stamp(), scale)[0]


def base_outlines_plain(scale: str = "60M") -> dict:
    """The same outlines with plain lists, for pydeck."""
    return _base(_stamp(), scale)[1]


def sources() -> pd.DataFrame:
    return query("sources")

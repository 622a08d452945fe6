"""Cached access to the query gate and to parsed geometry (Streamlit edge only).

The connection is a resource per DB file; query frames are cached by name and plain parameters
and keyed on the DB file's modification time, so an atomically swapped DB is picked up. Parsed
geometry (array rings) is a shared resource: figure builders copy it and never mutate it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import duckdb
import pandas as pd
import streamlit as st

from mapping import config, db, geo
from mapping.ui.cache import build_stamp, per_build

# Streamlit serves <app folder>/static at /app/static (server.enableStaticServing). Map geometry is
# written there once per NUTS level (name = content hash), so figures reference it by URL and the
# browser fetches it once instead of receiving it again with every rerun.
STATIC_GEO = config.PROJECT_ROOT / "static" / "geo"
STATIC_URL = "/app/static/geo/"
_GEO_NAME = re.compile(r"^[a-z0-9-]+\.json$")


@st.cache_resource(show_spinner=False)
def _connection(path: str, mtime: float) -> duckdb.DuckDBPyConnection:
    return db.connect(path)


def connection() -> duckdb.DuckDBPyConnection:
    """The connection to the current build (a new one when a new build is swapped in); shared."""
    return _connection(*build_stamp())


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value


@per_build(max_entries=1024)
def _cached_query(name: str, params: tuple) -> pd.DataFrame:
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in params}
    return db.query(connection(), name, **kwargs)


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query through the gate (cached per build). Do not mutate the returned frame."""
    return _cached_query(name, tuple(sorted((k, _freeze(v)) for k, v in params.items())))


def run(name: str, **params) -> pd.DataFrame:
    """Run a named query through the gate without caching (large or one-off parameters, e.g. uploads)."""
    return db.query(connection(), name, **params)


def session_id() -> str:
    """This browser session's id (the console's fair turns and per-visitor limits are kept per session)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def database_ready() -> str | None:
    """None when the DB can be opened, else a message for the user."""
    try:
        connection()
    except db.DatabaseMissing as exc:
        return str(exc)
    return None


def require_database() -> None:
    """Stop the page with a message when the DB cannot be opened."""
    if problem := database_ready():
        st.error(problem)
        st.stop()


@per_build(resource=True, max_entries=16)
def geometries(level: int, scale: str = "60M") -> dict[str, dict]:
    """``{'code|version': geometry}`` for a NUTS level; shared, read-only."""
    frame = db.query(connection(), "geometry", level=level, scale=scale)
    return geo.parse_geometries(zip(frame["key"], frame["geojson"], strict=True))


@per_build(resource=True, max_entries=4)
def _base(scale: str) -> tuple[dict, dict]:
    frame = db.query(connection(), "base_outlines", scale=scale)
    geoms = geo.parse_geometries(zip(frame["code"], frame["geojson"], strict=True))
    fc = geo.feature_collection(frame["code"], geoms)
    return fc, geo.plain(fc)


def base_outlines(scale: str = "60M") -> dict:
    """NUTS level-0 outlines as a FeatureCollection (array rings) for plotly."""
    return _base(scale)[0]


def base_outlines_plain(scale: str = "60M") -> dict:
    """The same outlines with plain lists, for pydeck."""
    return _base(scale)[1]


def sources() -> pd.DataFrame:
    return query("sources")


def _static_file(prefix: str, text: str) -> str:
    name = f"{prefix}-{hashlib.sha256(text.encode()).hexdigest()[:16]}.json"
    path = STATIC_GEO / name
    if not path.exists():
        STATIC_GEO.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return STATIC_URL + name


@per_build(resource=True, max_entries=16)
def geometry_url(level: int, scale: str = "60M") -> str:
    """Same-origin URL of a FeatureCollection of every region and unit of a level (ids 'code|version')."""
    frame = db.query(connection(), "geometry", level=level, scale=scale)
    return _static_file(
        f"nuts{level}-{scale.lower()}", geo.collection_text(zip(frame["key"], frame["geojson"], strict=True))
    )


@per_build(resource=True, max_entries=4)
def base_url(scale: str = "60M") -> str:
    """Same-origin URL of the NUTS level-0 outlines (the map base layer)."""
    frame = db.query(connection(), "base_outlines", scale=scale)
    return _static_file(f"base-{scale.lower()}", geo.collection_text(zip(frame["code"], frame["geojson"], strict=True)))


def resolve_geometry(url: str) -> dict:
    """The FeatureCollection behind one of our geometry URLs (for exports, which must be self-contained)."""
    name = url.removeprefix(STATIC_URL)
    if not url.startswith(STATIC_URL) or not _GEO_NAME.match(name):
        raise ValueError(f"not an app geometry URL: {url!r}")
    return json.loads((STATIC_GEO / name).read_text(encoding="utf-8"))

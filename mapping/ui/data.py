"""Cached access to the query gate. Connection per process, frames keyed on plain arguments."""

from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from mapping import config, db


@st.cache_resource(show_spinner=False)
def connection(path: str) -> duckdb.DuckDBPyConnection:
    return db.connect(path)


def _db_stamp() -> tuple[str, float]:
    """DB path and modification time: a rebuilt DB (atomic swap) gets a fresh connection and cache."""
    path = config.db_path()
    try:
        return str(path), path.stat().st_mtime
    except FileNotFoundError:
        return str(path), 0.0


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(stamp: tuple[str, float], name: str, params: tuple[tuple[str, object], ...]) -> pd.DataFrame:
    con = connection(stamp[0]) if stamp[1] else db.connect(stamp[0])
    return db.query(con, name, **dict(params))


def query(name: str, **params) -> pd.DataFrame:
    """Run a named query (cached); callers must not mutate the returned frame."""
    return _cached_query(_db_stamp(), name, tuple(sorted(params.items())))


def database_ready() -> str | None:
    """None when the DB can be opened, else a message for the user."""
    try:
        connection(_db_stamp()[0])
    except db.DatabaseMissing as exc:
        return str(exc)
    return None

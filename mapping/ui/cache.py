"""One cache decorator for everything computed from a database build (Streamlit edge).

A build is swapped in atomically (a new file, a new modification time); whatever was computed from the old one
must not be served after the swap. ``per_build`` keys a function's cache on the build's stamp without the function
taking it as an argument, so there is one function per computation instead of a public function and a cached twin
that takes the stamp.

    @per_build(max_entries=8)
    def programme_summary(edition: str) -> pd.DataFrame: ...

``resource=True`` shares one object between sessions (connections, parsed geometry, built figures: never mutate
them); the default copies the result per call (``st.cache_data``: frames a caller may change).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import streamlit as st

from mapping import config

F = TypeVar("F", bound=Callable[..., Any])


@functools.lru_cache(maxsize=8)
def _db_file(env: str | None) -> Path:
    return config.db_path()


def build_stamp() -> tuple[str, float]:
    """The database file and its modification time: the key that changes when a new build is swapped in."""
    path = _db_file(os.environ.get("CLUSTERMAP_DB"))  # resolving the path costs more than the stat
    try:
        return str(path), path.stat().st_mtime
    except FileNotFoundError:
        return str(path), 0.0


def per_build(
    func: F | None = None, *, resource: bool = False, max_entries: int | None = None, show_spinner: bool | str = False
) -> Any:
    """Cache ``func`` per database build (see the module's text). Usable bare (``@per_build``) or with options."""

    def wrap(fn: F) -> F:
        # The stamp travels as a keyword: Streamlit names positional arguments after the wrapped function's
        # signature (functools.wraps), and hashes every argument whose name does not start with "_".
        @functools.wraps(fn)
        def keyed(*args: Any, build: tuple[str, float], **kwargs: Any) -> Any:
            return fn(*args, **kwargs)

        store = st.cache_resource if resource else st.cache_data
        cached = store(show_spinner=show_spinner, max_entries=max_entries)(keyed)

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> Any:
            return cached(*args, build=build_stamp(), **kwargs)

        call.clear = cached.clear  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return wrap(func) if func is not None else wrap


__all__ = ["build_stamp", "per_build"]

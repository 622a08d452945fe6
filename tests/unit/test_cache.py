"""``per_build``: one computation per build and arguments; a swapped-in build is never served stale."""

from __future__ import annotations

import os

from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from mapping.ui.cache import per_build

    calls = st.session_state.setdefault("calls", [])

    @per_build
    def double(x):
        calls.append(("double", x))
        return x * 2

    @per_build(resource=True, max_entries=4)
    def boxed(x):
        calls.append(("boxed", x))
        return [x]

    st.session_state["out"] = (double(1), double(1), double(2), boxed(3), boxed(3))


def test_cached_per_arguments_and_per_build(tmp_path, monkeypatch):
    db = tmp_path / "clustermap.duckdb"
    db.write_bytes(b"")
    monkeypatch.setenv("CLUSTERMAP_DB", str(db))
    at = AppTest.from_function(_script)
    at.run()
    assert not at.exception
    assert at.session_state["out"] == (2, 2, 4, [3], [3])
    assert at.session_state["calls"] == [("double", 1), ("double", 2), ("boxed", 3)]
    at.run()  # same build: nothing computed again
    assert len(at.session_state["calls"]) == 3
    os.utime(db, (1, 1))  # a new build swapped in: everything computed again
    at.run()
    assert at.session_state["calls"][3:] == [("double", 1), ("double", 2), ("boxed", 3)]

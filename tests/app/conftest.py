"""AppTest on the real database: open the app, optionally on another page, with URL parameters and session state."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from streamlit.testing.v1 import AppTest

from mapping.config import PROJECT_ROOT


@pytest.fixture
def app_test(real_db, monkeypatch) -> Callable[..., AppTest]:
    """``app_test(page=None, session=None, *, timeout=120, **params)``: the app run once with ``params`` in the URL
    (on ``page`` when given, else the default page); fails the test if the run raised."""
    monkeypatch.setenv("CLUSTERMAP_DB", str(real_db))

    def _open(page: str | None = None, session: dict | None = None, *, timeout: float = 120, **params) -> AppTest:
        at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=timeout)
        for k, v in params.items():
            at.query_params[k] = str(v)
        for k, v in (session or {}).items():
            at.session_state[k] = v
        if page:
            at.switch_page(page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open

"""Several replicas behind nginx (deploy/replicas.py) in a real browser: a session whose replica dies comes back on
another with the same view, and the sticky cookie keeps a visitor on one replica meanwhile."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from deploy import replicas
from tests.e2e.conftest import ARTIFACTS, wait_for_app, wait_idle
from tests.e2e.test_map_browser import choose, no_exceptions, query

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), reason="nginx missing"),
]


@pytest.fixture(scope="module")
def cluster(real_db, tmp_path_factory):
    env = {**os.environ, "CLUSTERMAP_DB": str(real_db)}
    with replicas.running(2, run_dir=tmp_path_factory.mktemp("replicas"), env=env) as c:
        yield c


def _selected(pg, label: str) -> str:
    return pg.get_by_role("combobox", name=label, exact=True).input_value()


def test_a_session_whose_replica_dies_comes_back_on_another_with_the_same_view(browser, cluster):
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    pg = context.new_page()
    seen: list[str] = []  # the replica behind every HTTP answer, in order
    pg.on("response", lambda r: seen.append(r.headers.get("x-replica")))
    try:
        first = pg.goto(cluster.url + "/clusters?tab=sensitivity")
        wait_for_app(pg, chart=False)
        choose(pg, "Alternative value", "1.25")
        pg.wait_for_function("() => location.search.includes('alt=1.25')")
        wait_idle(pg)
        served_by = first.headers["x-replica"]
        # the page and its assets went to the same replica: the cookie routes them all
        assert set(seen) - {None} == {served_by}, seen
        seen.clear()
        before = pg.url
        index = [f"127.0.0.1:{r.port}" for r in cluster.replicas].index(served_by)
        cluster.kill(index)
        # Streamlit's frontend reconnects; nginx skips the dead replica; the other one runs the page from the URL.
        # Wait for the reconnect itself (the old page stays on screen meanwhile), then for its run to end.
        alive = cluster.replicas[1 - index]
        deadline = time.monotonic() + 90
        while f"127.0.0.1:{alive.port}" not in {x.split(", ")[-1] for x in seen if x}:
            assert time.monotonic() < deadline, f"no request reached the other replica: {seen}"
            pg.wait_for_timeout(250)
        pg.get_by_role("combobox", name="Alternative value", exact=True).wait_for(timeout=90_000)
        wait_for_app(pg, chart=False)
        pg.screenshot(path=str(ARTIFACTS / "replica-recovered.png"))
        no_exceptions(pg)
        assert pg.url == before and query(pg.url)["alt"] == "1.25"
        assert _selected(pg, "Alternative value") == "1.25"
        # the reconnect's requests were refused by the dead replica and answered by the other (nginx lists both)
        answered_by = {x.split(", ")[-1] for x in seen if x}
        assert answered_by == {f"127.0.0.1:{alive.port}"}, seen
    finally:
        context.close()
        cluster.supervise_once()  # restart the killed replica for the next test

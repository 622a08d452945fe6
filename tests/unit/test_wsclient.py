"""bench.wsclient against a throwaway Streamlit app served by a real ``streamlit run`` subprocess."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.common import ServerDidNotStart, streamlit_server
from bench.wsclient import RunFailed, Session

APP = textwrap.dedent(
    """
    import streamlit as st


    def main_page():
        if st.query_params.get("boom"):
            raise RuntimeError("kaboom")
        choice = st.selectbox("Choice", ["a", "b", "c"], key="choice")
        st.write(f"chosen {choice}")
        st.write(f"x is {st.query_params.get('x')}")
        view = st.segmented_control("View", ["One", "Two"], key="view", default="One")
        st.write(f"view {view}")
        if choice == "c":
            st.checkbox("Extra", key="extra")
        if choice == "b" and not st.session_state.get("reran"):
            st.session_state.reran = True
            st.rerun()
        st.write(f"reran {st.session_state.get('reran', False)}")


    def other_page():
        st.write("other page")


    st.navigation(
        [st.Page(main_page, title="Main", default=True), st.Page(other_page, title="Other", url_path="other")]
    ).run()
    """
)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("wsapp")
    (root / "app.py").write_text(APP)
    args = ["-m", "streamlit", "run", str(root / "app.py"), "--server.fileWatcherType", "none"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with (root / "server.log").open("w") as log:
        try:
            with streamlit_server(args, env=env, cwd=root, log=log, timeout=30) as (_, url):
                yield url
        except ServerDidNotStart:
            pytest.fail(f"streamlit did not start: {(root / 'server.log').read_text()[-2000:]}")


def run(coro):
    # On a fresh thread: Playwright's sync API (the e2e fixtures) leaves an event loop set on the main thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, 30)).result()


def test_open_reads_widgets_and_query(app_url):
    async def go():
        async with await Session.open(app_url, query="x=42") as s:
            assert s.statuses == ["FINISHED_SUCCESSFULLY"]
            assert s.open_seconds > 0
            assert s.session_id
            choice = s.widgets["choice"]
            assert choice.type == "selectbox"
            assert choice.options == ["a", "b", "c"]
            assert choice.value == "a"
            assert choice.id.startswith("$$ID-") and choice.id.endswith("-choice")
            view = s.widgets["view"]
            assert (view.type, view.options, view.value, view.multi) == ("button_group", ["One", "Two"], "One", False)
            assert "extra" not in s.widgets
            assert "x is 42" in s.texts
            assert "chosen a" in s.texts
            assert s.exceptions == []

    run(go())


def test_set_value_reruns_and_tracks_widgets(app_url):
    async def go():
        async with await Session.open(app_url, query="x=7") as s:
            seconds = await s.set_value("choice", "c")
            assert seconds > 0
            assert s.last_run.seconds == seconds and s.last_run.messages > 0
            assert "chosen c" in s.texts
            assert "x is 7" in s.texts  # the query string is sent with every rerun
            assert s.widgets["choice"].value == "c"
            assert s.widgets["extra"].type == "checkbox" and s.widgets["extra"].value is False

            # The other widgets keep their states; a segmented control sends its displayed option.
            assert await s.set_value("view", "Two") > 0
            assert {"chosen c", "view Two"} <= set(s.texts)
            assert await s.set_value("extra", True) > 0
            assert s.widgets["extra"].value is True and "view Two" in s.texts

            # A widget that the run no longer writes disappears.
            await s.set_value("choice", "a")
            assert "extra" not in s.widgets
            assert "chosen a" in s.texts and "view Two" in s.texts
            assert await s.rerun() > 0
            assert "chosen a" in s.texts

            with pytest.raises(ValueError, match="not one of"):
                await s.set_value("choice", "z")
            with pytest.raises(KeyError):
                await s.set_value("nope", "a")

    run(go())


def test_st_rerun_is_timed_to_the_successful_finish(app_url):
    async def go():
        async with await Session.open(app_url) as s:
            await s.set_value("choice", "b")
            assert s.statuses == ["FINISHED_EARLY_FOR_RERUN", "FINISHED_SUCCESSFULLY"]
            assert {"chosen b", "reran True"} <= set(s.texts)

    run(go())


def test_script_exception_is_reported(app_url):
    async def go():
        async with await Session.open(app_url, query="boom=1") as s:
            assert s.statuses == ["FINISHED_SUCCESSFULLY"]
            assert len(s.exceptions) == 1 and "kaboom" in s.exceptions[0]
            assert s.widgets == {}

    run(go())


def test_page_by_url_path(app_url):
    async def go():
        async with await Session.open(app_url, page="other") as s:
            assert s.texts == ["other page"]
            assert s.widgets == {}
            assert await s.rerun() > 0  # later reruns name the page by its script hash
            assert s.texts == ["other page"]

    run(go())


def test_concurrent_sessions_are_independent(app_url):
    async def go():
        sessions = await asyncio.gather(*(Session.open(app_url, query=f"x={i}") for i in range(2)))
        try:
            assert sessions[0].session_id != sessions[1].session_id
            times = await asyncio.gather(sessions[0].set_value("choice", "c"), sessions[1].set_value("view", "Two"))
            assert all(t > 0 for t in times)
            assert {"chosen c", "view One", "x is 0"} <= set(sessions[0].texts)
            assert {"chosen a", "view Two", "x is 1"} <= set(sessions[1].texts)
        finally:
            await asyncio.gather(*(s.close() for s in sessions))

    run(go())


def test_closed_session_refuses_runs(app_url):
    async def go():
        s = await Session.open(app_url)
        await s.close()
        with pytest.raises(RunFailed):
            await s.rerun()

    run(go())

"""bench.attack without the app: the hostile payloads, and the protocol upload against a throwaway Streamlit app."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from bench import attack
from bench.common import ServerDidNotStart, streamlit_server

APP = textwrap.dedent(
    """
    import streamlit as st

    file = st.file_uploader("CSV file", type=["csv"], key="up")
    if file is None:
        st.write("no file")
    else:
        st.write(f"got {file.name} with {file.size} bytes")
        st.write(f"first line {file.getvalue().splitlines()[0].decode()}")
    """
)


def test_console_links_differ_only_by_their_comment():
    links = [attack.console_link(n) for n in (1, 2, 3)]
    assert len(set(links)) == 3
    sqls = [parse_qs(link)["sql"][0] for link in links]
    assert sqls == [f"{attack.CONSOLE_SQL} -- {n}" for n in (1, 2, 3)]
    assert all(parse_qs(link)["tab"] == ["console"] for link in links)
    assert "&" not in links[0].split("sql=", 1)[1]  # the SQL is one encoded parameter


def test_wide_header_has_150000_columns():
    data = attack.wide_header_csv()
    header, row = data.decode().splitlines()
    names = header.split(",")
    assert len(names) == 150_000
    assert names[:4] == ["code", "value", "c3", "c4"] and names[-1] == "c150000"
    assert row == "DE11,1"
    assert 1_000_000 < len(data) < 1_300_000  # ~1.1 MB


def test_bad_rows_payload_is_20_mb_of_bad_lines():
    data = attack.bad_rows_csv()
    assert 19_999_990 < len(data) <= 20_000_000
    lines = data.split(b"\n")
    assert lines[0] == b"code,value" and lines[-1] == b""
    assert set(lines[1:-1]) == {b"!,1"} and len(lines) - 2 == (20_000_000 - 11) // 4


def test_multipart_declares_its_length_and_streams_the_filler():
    ctype, length, chunks = attack.multipart("big.csv", attack.filler(3_000_001, chunk=1024), 3_000_001, "text/csv")
    body = b"".join(chunks)
    assert len(body) == length
    boundary = ctype.split("boundary=", 1)[1]
    assert body.startswith(f"--{boundary}\r\n".encode()) and body.endswith(f"\r\n--{boundary}--\r\n".encode())
    assert b'name="big.csv"; filename="big.csv"' in body
    assert body.count(b"0,0\n") == 3_000_001 // 4


@pytest.fixture(scope="module")
def app_url(tmp_path_factory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("uploadapp")
    (root / "app.py").write_text(APP)
    # A 1 MB cap so that the refusal of an oversized body is checked with a small one.
    args = ["-m", "streamlit", "run", str(root / "app.py"), "--server.fileWatcherType", "none"]
    args += ["--server.maxUploadSize", "1"]
    with (root / "server.log").open("w") as log:
        try:
            with streamlit_server(args, env={**os.environ}, cwd=root, log=log, timeout=30) as (_, url):
                yield url
        except ServerDidNotStart:
            pytest.fail(f"streamlit did not start: {(root / 'server.log').read_text()[-2000:]}")


def run(coro):
    # On a fresh thread: Playwright's sync API (the e2e fixtures) leaves an event loop set on the main thread.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, asyncio.wait_for(coro, 30)).result()


def test_upload_reaches_the_script_and_stays_with_later_reruns(app_url):
    async def go():
        async with await attack.UploadSession.open(app_url) as s:
            assert "no file" in s.texts
            assert s.widgets["up"].type == "file_uploader"
            data = b"code,value\nDE11,1\n"
            result = await s.upload("up", "mine.csv", data, timeout=10)
            assert result.status == 204, result.detail
            assert result.rerun_seconds is not None and result.rerun_seconds > 0
            assert "got mine.csv with 18 bytes" in s.texts
            assert "first line code,value" in s.texts
            await s.rerun()  # the browser keeps sending the file's state
            assert "got mine.csv with 18 bytes" in s.texts

    run(go())


def test_oversized_body_is_refused_and_seen_while_sending(app_url):
    async def go():
        async with await attack.UploadSession.open(app_url) as s:
            headers = await attack.xsrf_headers(app_url)
            assert set(headers) == {"X-Xsrftoken", "Cookie"}  # XSRF protection is on by default
            size = 3 * 1024 * 1024
            ctype, length, chunks = attack.multipart("big.csv", attack.filler(size), size, "text/csv")
            answer = await attack.http_request(
                f"{app_url}/_stcore/upload_file/{s.session_id}/{uuid.uuid4()}",
                "PUT",
                headers={"Content-Type": ctype, **headers},
                body=chunks,
                length=length,
                timeout=10,
            )
            assert answer.status == 413, answer
            # Without the XSRF header the upload is refused before its size matters.
            small = await attack.http_request(
                f"{app_url}/_stcore/upload_file/{s.session_id}/{uuid.uuid4()}", "PUT", body=b"x", timeout=10
            )
            assert small.status == 403

    run(go())

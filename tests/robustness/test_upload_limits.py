"""Uploads a script sends straight to the server: one file over 20 MB is refused by the server itself, a session
holds at most a few files' worth, and a session's files are dropped when its browser disconnects."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import urllib.request
import uuid

import pytest
from starlette.exceptions import HTTPException
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from bench.common import streamlit_server
from bench.upload_client import UploadSession, http_request, multipart, xsrf_headers
from mapping.ui import serve


@pytest.fixture(scope="module", autouse=True)
def _hardened():
    serve.harden()


def _rec(size: int) -> UploadedFileRec:
    return UploadedFileRec(file_id=str(uuid.uuid4()), name="f.csv", type="text/csv", data=b"x" * size)


def test_a_session_holds_a_bounded_number_of_uploaded_bytes():
    mgr = MemoryUploadedFileManager("/_stcore/upload_file")
    mgr.add_file("s1", _rec(20 * 2**20))
    mgr.add_file("s1", _rec(20 * 2**20))
    with pytest.raises(HTTPException) as refused:
        mgr.add_file("s1", _rec(20 * 2**20))
    assert refused.value.status_code == 413
    mgr.add_file("s2", _rec(20 * 2**20))  # another visitor is not affected


def _uploaded_bytes(url: str) -> int:
    """The server's uploaded-file memory, from Streamlit's metrics endpoint (0 when it holds no file)."""
    text = urllib.request.urlopen(f"{url}/_stcore/metrics?families=cache_memory_bytes", timeout=10).read().decode()
    lines = [ln for ln in text.splitlines() if "UploadedFileManager" in ln and not ln.startswith("#")]
    return int(float(lines[0].rsplit(" ", 1)[1])) if lines else 0


@pytest.mark.integration
def test_the_server_refuses_a_big_direct_upload_and_releases_files_on_disconnect():
    async def scenario(url: str) -> tuple[int, int, int, int]:
        session = await UploadSession.open(url)
        try:
            headers = await xsrf_headers(url)
            size = 25 * 2**20
            ctype, length, chunks = multipart("big.csv", [b"x" * size], size, "text/csv")
            answer = await http_request(
                f"{url}/_stcore/upload_file/{session.session_id}/{uuid.uuid4()}",
                "PUT",
                headers={"Content-Type": ctype, "Origin": session.origin, **headers},
                body=chunks,
                length=length,
                timeout=30,
            )
            urls = (await session.file_urls(["ok.csv"]))[0]
            small = await session.put_file(urls.upload_url, "ok.csv", b"code,value\n" + b"DE21,1\n" * 100_000)
            held = _uploaded_bytes(url)
        finally:
            await session.close()
        for _ in range(100):  # the disconnect reaches the server within moments
            if _uploaded_bytes(url) == 0:
                break
            await asyncio.sleep(0.1)
        return answer.status, small.status, held, _uploaded_bytes(url)

    # The scenario runs in a thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with (
        streamlit_server(["-m", "mapping.ui.serve"], env=dict(os.environ)) as (_, url),
        concurrent.futures.ThreadPoolExecutor(1) as pool,
    ):
        big, small, held, after = pool.submit(asyncio.run, scenario(url)).result(timeout=120)
    assert big == 413  # over server.maxUploadSize (20 MB), refused by the server, not only by the widget
    assert small in (200, 204) and held > 700_000  # a normal upload is held while the session lives ...
    assert after == 0  # ... and released when the browser goes away

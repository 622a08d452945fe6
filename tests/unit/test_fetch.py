"""`python -m mapping fetch` against a local mirror: placement, record, skip, resume, retries, Eurostat's 413 and
asynchronous answers, payload checks, progress lines, and the CLI over the real manifest."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import xlsxwriter

from mapping.config import PROJECT_ROOT
from mapping.fetch import RECORD_NAME, FetchError, FetchReport, FetchSettings, check_payload, fetch, rebase_url
from mapping.fetch.progress import RunProgress
from mapping.fetch.tsv import merge_parts
from mapping.ingest.manifest import EUROSTAT_TSV, FetchItem, Manifest, Source, load_manifest
from tests.mirror import Mirror, eurostat_path, start_mirror

GISCO = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson"
API = "https://ec.europa.eu/eurostat/api/dissemination"
ASSETS = "https://ec.europa.eu/assets/rtd/eis/2025/downloads"
ASYNC = "/eurostat/api/dissemination/1.0/async/"


def _feature(code: str) -> dict[str, object]:
    return {"type": "Feature", "properties": {"NUTS_ID": code}, "geometry": {"type": "Point", "coordinates": [9, 48]}}


GEOJSON = json.dumps({"type": "FeatureCollection", "features": [_feature("DE11")]}).encode()
# big enough to cut in the middle (resume tests)
BIG_GEOJSON = json.dumps(
    {"type": "FeatureCollection", "features": [_feature(f"DE{i:03d}") for i in range(60)]}
).encode()
CSV = b"geo,nace_r2,TIME_PERIOD,OBS_VALUE\nDE11,C29,2022,160445\n"
HTML = b"<!doctype html><html><head><title>Service unavailable</title></head><body>Down</body></html>"
# 3 series x 6 years, in Eurostat's layout: a trailing space after every period and cell, flags after the space.
# BE has no value in 2015-2016 and DE none after 2016, so the mirror leaves them out of some period answers.
TABLE = (
    "freq,unit,geo\\TIME_PERIOD\t2015 \t2016 \t2017 \t2018 \t2019 \t2020 \n"
    "A,MIO_EUR,AT\t10 \t11 \t12 \t13 \t14 p\t15 \n"
    "A,MIO_EUR,BE\t: \t: \t22 \t23 \t: \t25 e\n"
    "A,MIO_EUR,DE\t30 \t: c\t: \t: \t: \t: \n"
)
TINY_TABLE = "freq,unit,geo\\TIME_PERIOD\t2021 \t2022 \t2023 \nA,X,AT\t1 \t2 \t3 \nA,X,BE\t4 \t: \t6 p\n"


class Sleeps(list[float]):
    """Stands in for time.sleep: records the delays, waits for none."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _settings(**kw: object) -> FetchSettings:
    base: dict[str, object] = dict(
        attempts=3,
        backoff=0.001,
        max_delay=60.0,
        poll_delay=0.001,
        poll_max_delay=0.004,
        async_deadline=30.0,
        last_year=2020,
        sleep=Sleeps(),
    )
    return FetchSettings(**{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy may divert requests for 127.0.0.1, and no developer setting may rebase the URLs."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("CLUSTERMAP_FETCH_BASE", raising=False)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The mirror's content root."""
    path = tmp_path / "mirror"
    path.mkdir()
    return path


@pytest.fixture
def serve(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Mirror]]:
    """Start the mirror over ``root`` with some behaviour and point CLUSTERMAP_FETCH_BASE at it."""
    started: list[Mirror] = []

    def start(**behaviour: object) -> Mirror:
        mirror = start_mirror(root, **behaviour)  # type: ignore[arg-type]
        started.append(mirror)
        monkeypatch.setenv("CLUSTERMAP_FETCH_BASE", mirror.url)
        return mirror

    yield start
    for mirror in started:
        mirror.stop()


@pytest.fixture
def target(tmp_path: Path) -> Path:
    return tmp_path / "sources"


def _put(root: Path, url: str, data: bytes) -> str:
    """Serve ``data`` at the path of ``url``; returns that path."""
    path = urlsplit(url).path
    dest = root / "files" / path.lstrip("/")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(data)
    return path


def _put_table(root: Path, dataset: str, text: str) -> None:
    (root / "eurostat").mkdir(exist_ok=True)
    (root / "eurostat" / f"{dataset}.tsv").write_text(text, encoding="utf-8")


def _plain(url: str, file: str) -> FetchItem:
    return FetchItem(url=url, file=file)


def _table(dataset: str, file: str, since: int | None = None) -> FetchItem:
    url = EUROSTAT_TSV.format(eurostat_api=API, dataset=dataset)
    return FetchItem(url=url, file=file, dataset=dataset, since=since)


def _source(sid: str, *items: FetchItem, **kw: object) -> Source:
    return Source(
        id=sid,
        title=sid,
        publisher="p",
        licence="l",
        attribution="a",
        url="https://example.invalid",
        format="x",
        reader="r",
        files=tuple(i.file for i in items) or (f"by_hand/{sid}.csv",),
        fetch=items,
        **kw,  # type: ignore[arg-type]
    )


def _manifest(*sources: Source) -> Manifest:
    return Manifest(sources=sources, defaults={})


def _xlsx() -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("RIS").write_row(0, 0, ["Region", "Value"])
    book.close()
    return buffer.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _record(target: Path) -> dict[str, dict]:
    return json.loads((target / RECORD_NAME).read_text(encoding="utf-8"))


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if re.search(r"\.part$|\.part\.json$|-tmp$|\.split-", p.name)]


def _run(target: Path, manifest: Manifest, **kw: object) -> tuple[FetchReport, list[str]]:
    lines: list[str] = []
    kw.setdefault("settings", _settings())
    report = fetch(target, manifest=manifest, timeout=5, progress=lines.append, **kw)  # type: ignore[arg-type]
    return report, lines


def _run_failing(target: Path, manifest: Manifest, **kw: object) -> tuple[FetchError, list[str]]:
    lines: list[str] = []
    kw.setdefault("settings", _settings())
    with pytest.raises(FetchError) as err:
        fetch(target, manifest=manifest, timeout=5, progress=lines.append, **kw)  # type: ignore[arg-type]
    return err.value, lines


def _gunzip(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8")


# ----------------------------------------------------------------------------------------------- plain files
def _plain_manifest() -> Manifest:
    return _manifest(
        _source("geo", _plain(f"{GISCO}/NUTS_RG_60M_2021_4326_LEVL_0.geojson", "nuts/l0.geojson")),
        _source("ris", _plain(f"{ASSETS}/RIS_web_download.xlsx", "workbooks/RIS.xlsx")),
        _source("csv", _plain("https://example.eu/data/extract.csv?startPeriod=2022", "csv/extract.csv")),
        _source("hand", fetch_note="Save the workbook as CSV by hand."),
        _source("repo", location="project"),
    )


def _serve_plain(root: Path) -> dict[str, bytes]:
    payloads = {"nuts/l0.geojson": GEOJSON, "workbooks/RIS.xlsx": _xlsx(), "csv/extract.csv": CSV}
    _put(root, f"{GISCO}/NUTS_RG_60M_2021_4326_LEVL_0.geojson", GEOJSON)
    _put(root, f"{ASSETS}/RIS_web_download.xlsx", payloads["workbooks/RIS.xlsx"])
    _put(root, "https://example.eu/data/extract.csv", CSV)
    return payloads


def test_files_are_placed_recorded_and_by_hand_sources_listed(
    root: Path, serve: Callable[..., Mirror], target: Path
) -> None:
    expected = _serve_plain(root)
    mirror = serve()
    report, lines = _run(target, _plain_manifest())

    for rel, data in expected.items():
        assert (target / rel).read_bytes() == data
    assert not _leftovers(target)
    record = _record(target)
    assert set(record) == set(expected)
    for rel, data in expected.items():
        assert record[rel]["sha256"] == _sha(data) == _sha((target / rel).read_bytes())
        assert record[rel]["bytes"] == len(data)
        assert record[rel]["fetched_at"].endswith("+00:00")
        assert "eurostat" not in record[rel]
    assert record["csv/extract.csv"]["url"] == f"{mirror.url}/data/extract.csv?startPeriod=2022"
    assert record["csv/extract.csv"]["source_ids"] == ["csv"]
    assert [f.file for f in report.fetched] == list(expected)
    assert report.skipped == [] and report.failures == []

    assert [s.id for s in report.by_hand] == ["hand"]
    text = "\n".join(lines)
    assert "hand: Save the workbook as CSV by hand." in text
    assert str(target / "by_hand" / "hand.csv") in text
    assert "repo" not in text
    assert "Fetch done: 3 fetched" in text and "0 failed, 1 to place by hand." in text


def test_present_and_recorded_files_are_skipped_unless_changed_or_refreshed(
    root: Path, serve: Callable[..., Mirror], target: Path
) -> None:
    _serve_plain(root)
    mirror = serve()
    _run(target, _plain_manifest())
    asked = len(mirror.requests)

    report, lines = _run(target, _plain_manifest())
    assert len(mirror.requests) == asked  # nothing downloaded again
    assert report.fetched == []
    assert sorted(report.skipped) == ["csv/extract.csv", "nuts/l0.geojson", "workbooks/RIS.xlsx"]
    assert any("already fetched: nuts/l0.geojson" in line for line in lines)
    assert any("3 skipped as already present" in line for line in lines)

    (target / "nuts/l0.geojson").write_bytes(b'{"type": "FeatureCollection", "features": []}')  # edited by hand
    report, _ = _run(target, _plain_manifest())
    assert [f.file for f in report.fetched] == ["nuts/l0.geojson"]
    assert (target / "nuts/l0.geojson").read_bytes() == GEOJSON

    report, _ = _run(target, _plain_manifest(), refresh=True)
    assert len(report.fetched) == 3 and report.skipped == []
    assert len(mirror.requests) == asked + 1 + 3


def test_only_selects_and_the_record_is_merged(root: Path, serve: Callable[..., Mirror], target: Path) -> None:
    _serve_plain(root)
    serve()
    _run(target, _plain_manifest(), only=["geo"])
    assert not (target / "workbooks").exists()
    _run(target, _plain_manifest(), only=["csv"])
    assert set(_record(target)) == {"nuts/l0.geojson", "csv/extract.csv"}
    with pytest.raises(FetchError, match="unknown source id"):
        fetch(target, only=["nope"], manifest=_plain_manifest(), progress=lambda _: None)


# ----------------------------------------------------------------------------------------------- resume, retries
def test_a_cut_download_resumes_on_the_next_run(root: Path, serve: Callable[..., Mirror], target: Path) -> None:
    url = f"{GISCO}/NUTS_RG_20M_2024_4326.geojson"
    path = _put(root, url, BIG_GEOJSON)
    mirror = serve(cut={path: 1000})
    manifest = _manifest(_source("nuts", _plain(url, "nuts/all.geojson")))

    error, lines = _run_failing(target, manifest, settings=_settings(attempts=1))
    assert f"connection closed after 1,000 of {len(BIG_GEOJSON):,} bytes" in str(error)
    part = target / "nuts/all.geojson.part"
    assert part.read_bytes() == BIG_GEOJSON[:1000]
    facts = json.loads((target / "nuts/all.geojson.part.json").read_text())
    assert facts["url"] == mirror.url + path and facts["bytes"] == 1000 and facts["etag"]
    assert not (target / "nuts/all.geojson").exists()
    assert any("kept: the next run resumes it" in line for line in lines)

    _report, lines = _run(target, manifest)
    assert (target / "nuts/all.geojson").read_bytes() == BIG_GEOJSON
    assert _record(target)["nuts/all.geojson"]["sha256"] == _sha(BIG_GEOJSON)
    second = mirror.requests_for(path)[-1]
    assert second.status == 206
    assert second.headers == {"Range": "bytes=1000-", "If-Range": facts["etag"]}
    assert any("resuming after 1,000 bytes" in line for line in lines)
    assert not _leftovers(target)


def test_a_cut_download_resumes_within_the_run(root: Path, serve: Callable[..., Mirror], target: Path) -> None:
    url = f"{GISCO}/NUTS_RG_20M_2024_4326.geojson"
    path = _put(root, url, BIG_GEOJSON)
    mirror = serve(cut={path: 1500})
    _run(target, _manifest(_source("nuts", _plain(url, "all.geojson"))))
    assert (target / "all.geojson").read_bytes() == BIG_GEOJSON
    assert [(r.status, r.headers.get("Range")) for r in mirror.requests] == [(200, None), (206, "bytes=1500-")]


def test_a_changed_file_is_downloaded_whole_instead_of_resumed(
    root: Path, serve: Callable[..., Mirror], target: Path
) -> None:
    url = f"{GISCO}/x.geojson"
    path = _put(root, url, BIG_GEOJSON)
    mirror = serve(cut={path: 1000})
    manifest = _manifest(_source("nuts", _plain(url, "x.geojson")))
    _run_failing(target, manifest, settings=_settings(attempts=1))
    newer = BIG_GEOJSON.replace(b"DE0", b"AT0")
    _put(root, url, newer)
    os.utime(root / "files" / path.lstrip("/"), ns=(1, 1))  # a new ETag for certain

    _run(target, manifest)
    assert (target / "x.geojson").read_bytes() == newer
    assert mirror.requests[-1].status == 200 and "If-Range" in mirror.requests[-1].headers


def test_503_twice_then_success_with_exponential_back_off(
    root: Path, serve: Callable[..., Mirror], target: Path
) -> None:
    path = _put(root, f"{GISCO}/a.geojson", GEOJSON)
    mirror = serve(flaky={path: 2})
    sleeps = Sleeps()
    _report, lines = _run(
        target,
        _manifest(_source("geo", _plain(f"{GISCO}/a.geojson", "a.geojson"))),
        settings=_settings(backoff=0.25, sleep=sleeps),
    )
    assert (target / "a.geojson").read_bytes() == GEOJSON
    assert [r.status for r in mirror.requests] == [503, 503, 200]
    assert sleeps == [0.25, 0.5]
    assert any("HTTP 503 Service Unavailable" in line and "retrying in 0.2 s (try 2 of 3)" in line for line in lines)


def test_retry_after_is_honoured_and_retries_end(root: Path, serve: Callable[..., Mirror], target: Path) -> None:
    path = _put(root, f"{GISCO}/a.geojson", GEOJSON)
    mirror = serve(flaky={path: 9}, retry_after=7)
    sleeps = Sleeps()
    manifest = _manifest(_source("geo", _plain(f"{GISCO}/a.geojson", "a.geojson")))
    error, _ = _run_failing(target, manifest, settings=_settings(attempts=3, sleep=sleeps))
    assert sleeps == [7.0, 7.0]
    assert len(mirror.requests) == 3
    assert "HTTP 503 Service Unavailable (gave up after 3 tries)" in str(error)
    assert not (target / "a.geojson").exists() and not _leftovers(target)


def test_404_is_reported_once_and_other_files_still_arrive(
    root: Path, serve: Callable[..., Mirror], target: Path
) -> None:
    expected = _serve_plain(root)
    (root / "files/assets/rtd/eis/2025/downloads/RIS_web_download.xlsx").unlink()
    mirror = serve()
    error, _ = _run_failing(target, _plain_manifest())
    assert f"ris: {mirror.url}/assets/rtd/eis/2025/downloads/RIS_web_download.xlsx: HTTP 404" in str(error)
    assert len(mirror.requests_for("/assets/rtd/eis/2025/downloads/RIS_web_download.xlsx")) == 1  # 404: no retry
    assert (target / "nuts/l0.geojson").read_bytes() == expected["nuts/l0.geojson"]
    assert (target / "csv/extract.csv").read_bytes() == CSV
    assert not (target / "workbooks/RIS.xlsx").exists()
    assert set(_record(target)) == {"nuts/l0.geojson", "csv/extract.csv"}
    assert error.report is not None
    assert len(error.report.fetched) == 2 and len(error.report.failures) == 1
    assert [s.id for s in error.report.by_hand] == ["hand"]


def test_timeout_is_retried_then_reported(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections, never answers
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        manifest = _manifest(_source("slow", _plain(f"{base}/x.geojson", "x.geojson")))
        with pytest.raises(FetchError, match=r"slow: http://127\.0\.0\.1:\d+/x\.geojson: timed out \(gave up after 2"):
            fetch(tmp_path, manifest=manifest, timeout=0.2, progress=lambda _: None, settings=_settings(attempts=2))
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_host_fails_its_other_files_at_once(tmp_path: Path) -> None:
    """Offline (refused or unknown host), the first file's failure stands for the rest of that host's files."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    base = f"http://127.0.0.1:{port}"
    manifest = _manifest(
        _source("a", _plain(f"{base}/a.geojson", "a.geojson")),
        _source("b", _plain(f"{base}/b.geojson", "b.geojson")),
        _source("c", _plain(f"{base}/c.geojson", "c.geojson")),
    )
    delays: list[float] = []
    err, _ = _run_failing(tmp_path, manifest, settings=_settings(attempts=3, sleep=delays.append))
    assert len(err.report.failures) == 3
    assert delays == []  # a refused connection is not retried: nothing listens there
    assert "Connection refused" in err.report.failures[0]
    assert sum("could not be reached earlier in this run" in f for f in err.report.failures) == 2  # b, c not tried


# ----------------------------------------------------------------------------------------------- payload checks
@pytest.mark.parametrize(
    ("file", "bad", "reason"),
    [
        ("a.geojson", HTML, "HTML page instead of the file (an error or sign-in page): 'Service unavailable'"),
        ("a.geojson", b"", "empty response"),
        ("a.geojson", b'{"type": "Feature"}', "FeatureCollection"),
        ("a.geojson", b'{"type": "FeatureCollection"', "not valid JSON"),
        ("t.tsv.gz", b"freq,geo\\TIME_PERIOD\t2015 \nA,DE\t1 \n", "not valid gzip"),
        ("t.tsv.gz", gzip.compress(TABLE.encode(), mtime=0)[:-12], "not valid gzip"),
        ("t.tsv.gz", gzip.compress(b"geo,value\nDE,1\n", mtime=0), "Eurostat TSV header"),
        ("c.csv", b"geo,value\nDE\xff,1\n", "UTF-8"),
        ("c.csv", b"region,value\nDE11,1\n", "lacks column(s) geo"),
        ("w.xlsx", b"PK\x05\x06" + b"\0" * 18, "not an Excel workbook (no xl/workbook.xml)"),
        ("w.xlsx", _xlsx()[:-300], "not a valid xlsx"),
        ("w.xlsx", HTML, "HTML page"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 80 else "payload",  # bytes with timestamps: no ids from them
)
def test_a_refused_payload_keeps_the_good_file(
    root: Path, serve: Callable[..., Mirror], target: Path, file: str, bad: bytes, reason: str
) -> None:
    url = f"https://example.eu/files/{file}"
    _put(root, url, bad)
    mirror = serve()
    old = b"previous good bytes"
    target.mkdir()
    (target / file).write_bytes(old)
    error, _ = _run_failing(target, _manifest(_source("s", _plain(url, file))))
    assert reason in str(error)
    assert f"s: {mirror.url}/files/{file}: refused:" in str(error)
    assert (target / file).read_bytes() == old
    assert not _leftovers(target)
    assert not (target / RECORD_NAME).exists()


def test_a_fresh_refusal_leaves_no_file(root: Path, serve: Callable[..., Mirror], target: Path) -> None:
    _put(root, f"{GISCO}/a.geojson", HTML)
    serve()
    _run_failing(target, _manifest(_source("geo", _plain(f"{GISCO}/a.geojson", "nuts/a.geojson"))))
    assert not (target / "nuts/a.geojson").exists()
    assert not _leftovers(target)


def test_a_file_outside_the_target_is_refused(root: Path, serve: Callable[..., Mirror], target: Path) -> None:
    _put(root, f"{GISCO}/a.geojson", GEOJSON)
    serve()
    error, _ = _run_failing(target, _manifest(_source("geo", _plain(f"{GISCO}/a.geojson", "../escape.geojson"))))
    assert "lies outside the target folder" in str(error)
    assert not (target.parent / "escape.geojson").exists()


def test_check_payload_accepts_valid_files(tmp_path: Path) -> None:
    cases = {
        "x.csv": "\ufeffGEO;value\nDE11;1\n".encode(),
        "w.xlsx": _xlsx(),
        "t.tsv.gz": gzip.compress(TABLE.encode()),
        "old.tsv.gz": gzip.compress(b"nace_r2,indic_sb,geo\\time\t2015 \t2014 \nC29,V16110,DE11\t1 \t2 \n"),
        "n.geojson": GEOJSON,
        "other.bin": b"\x00\x01",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        check_payload(tmp_path / name, name, "any")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    (tmp_path / "d.xlsx").write_bytes(buffer.getvalue())
    with pytest.raises(ValueError, match=r"no xl/workbook\.xml"):
        check_payload(tmp_path / "d.xlsx", "d.xlsx")


# ----------------------------------------------------------------------------------------------- Eurostat tables
def _periods(mirror: Mirror, dataset: str) -> list[tuple[str | None, str | None, int]]:
    return [
        (r.query.get("startPeriod"), r.query.get("endPeriod"), r.status)
        for r in mirror.requests_for(eurostat_path(dataset))
    ]


@pytest.mark.parametrize("since", [2015, 2010])
def test_413_splits_by_period_and_merges_one_table(
    root: Path, serve: Callable[..., Mirror], target: Path, since: int
) -> None:
    _put_table(root, "nama_10r_2gdp", TABLE)
    mirror = serve(too_big={"nama_10r_2gdp": 6})  # 3 series: at most 2 years per request
    manifest = _manifest(_source("gdp", _table("nama_10r_2gdp", "eurostat/gdp.tsv.gz", since=since)))
    _report, lines = _run(target, manifest)

    assert _gunzip(target / "eurostat/gdp.tsv.gz") == TABLE  # every series once, years ascending, gaps ": "
    asked = _periods(mirror, "nama_10r_2gdp")
    halves = [("2015", "2017", 413), ("2015", "2015", 200), ("2016", "2017", 200)]
    halves += [("2018", "2020", 413), ("2018", "2018", 200), ("2019", "2020", 200)]
    if since == 2015:
        assert asked == [(None, None, 413), *halves]
    else:  # 2010-2014 holds no data: the mirror answers 404, the fetch carries on
        assert asked == [(None, None, 413), ("2010", "2014", 404), ("2015", "2020", 413), *halves]
        assert any("no data for 2010-2014" in line for line in lines)
    first_split = "split into 2015-2017 and 2018-2020" if since == 2015 else "split into 2010-2014 and 2015-2020"
    assert f"[1/1] gdp.tsv.gz: too large (HTTP 413): {first_split}" in lines
    assert "[1/1] gdp.tsv.gz: too large (HTTP 413): split into 2015 and 2016-2017" in lines
    entry = _record(target)["eurostat/gdp.tsv.gz"]
    assert entry["eurostat"] == {
        "dataset": "nama_10r_2gdp",
        "method": "split",
        "periods": ["2015", "2016-2017", "2018", "2019-2020"],
        "async_keys": [],
    }
    assert entry["sha256"] == _sha((target / "eurostat/gdp.tsv.gz").read_bytes())
    assert not _leftovers(target)


def test_413_for_a_single_year_fails_with_eurostats_message(
    root: Path, serve: Callable[..., Mirror], target: Path
) -> None:
    _put_table(root, "nama_10r_2gdp", TABLE)
    serve(too_big={"nama_10r_2gdp": 2})
    manifest = _manifest(_source("gdp", _table("nama_10r_2gdp", "eurostat/gdp.tsv.gz", since=2019)))
    error, _ = _run_failing(target, manifest)
    assert "too large (HTTP 413) even for the single year 2019: EXTRACTION_TOO_BIG" in str(error)
    assert "estimated 3 rows, max authorised is 2" in str(error)
    assert not (target / "eurostat/gdp.tsv.gz").exists()
    assert not _leftovers(target)


def test_asynchronous_answer_is_polled_and_the_data_placed(
    root: Path, serve: Callable[..., Mirror], target: Path
) -> None:
    _put_table(root, "tgs00007", TABLE)
    mirror = serve(asynchronous={"tgs00007"}, not_ready={"tgs00007"}, packaging={"tgs00007": "zip"})
    manifest = _manifest(_source("emp", _table("tgs00007", "eurostat/tgs00007.tsv.gz")))
    _report, lines = _run(target, manifest)

    assert _gunzip(target / "eurostat/tgs00007.tsv.gz") == TABLE  # the zip's member, gzipped
    [submitted] = mirror.requests_for(eurostat_path("tgs00007"))
    key = _record(target)["eurostat/tgs00007.tsv.gz"]["eurostat"]["async_keys"][0]
    assert submitted.status == 200
    # PROCESSING, AVAILABLE, data not yet there (400), AVAILABLE again, data
    assert [r.status for r in mirror.requests_for(f"{ASYNC}status/{key}")] == [200, 200, 200]
    assert [r.status for r in mirror.requests_for(f"{ASYNC}data/{key}")] == [400, 200]
    assert f"[1/1] tgs00007.tsv.gz: data of {key} not yet available; polling again" in lines
    assert f"[1/1] tgs00007.tsv.gz: answered asynchronously, key {key}, polling" in lines
    assert _record(target)["eurostat/tgs00007.tsv.gz"]["eurostat"]["method"] == "asynchronous"


def test_an_expired_request_is_asked_again_once(root: Path, serve: Callable[..., Mirror], target: Path) -> None:
    _put_table(root, "tgs00007", TABLE)
    mirror = serve(asynchronous={"tgs00007"}, expire={"tgs00007": 1})
    manifest = _manifest(_source("emp", _table("tgs00007", "eurostat/tgs00007.tsv.gz")))
    _report, lines = _run(target, manifest)
    assert _gunzip(target / "eurostat/tgs00007.tsv.gz") == TABLE
    assert len(mirror.requests_for(eurostat_path("tgs00007"))) == 2
    assert any(re.search(r"asynchronous request [0-9a-f-]{36} expired: asking again", line) for line in lines)
    assert len(_record(target)["eurostat/tgs00007.tsv.gz"]["eurostat"]["async_keys"]) == 1


def test_a_request_expiring_twice_fails(root: Path, serve: Callable[..., Mirror], target: Path) -> None:
    _put_table(root, "tgs00007", TABLE)
    mirror = serve(asynchronous={"tgs00007"}, expire={"tgs00007": 2})
    manifest = _manifest(_source("emp", _table("tgs00007", "eurostat/tgs00007.tsv.gz")))
    error, _ = _run_failing(target, manifest)
    assert "asynchronous request expired again" in str(error)
    assert len(mirror.requests_for(eurostat_path("tgs00007"))) == 2
    assert not (target / "eurostat/tgs00007.tsv.gz").exists() and not _leftovers(target)


def test_an_asynchronous_request_past_its_deadline_fails(
    root: Path, serve: Callable[..., Mirror], target: Path
) -> None:
    _put_table(root, "tgs00007", TABLE)
    serve(asynchronous={"tgs00007"})
    manifest = _manifest(_source("emp", _table("tgs00007", "eurostat/tgs00007.tsv.gz")))
    error, _ = _run_failing(target, manifest, settings=_settings(async_deadline=0))
    assert re.search(r"asynchronous request [0-9a-f-]{36} still SUBMITTED after 0 s", str(error))


def test_a_shared_eurostat_file_is_downloaded_once(root: Path, serve: Callable[..., Mirror], target: Path) -> None:
    _put_table(root, "nama_10r_2gdp", TABLE)
    mirror = serve()
    ids = ["gdp_pps", "gdp_rel", "gdp_eur"]
    manifest = _manifest(*(_source(sid, _table("nama_10r_2gdp", "eurostat/nama_10r_2gdp.tsv.gz")) for sid in ids))
    report, lines = _run(target, manifest)
    assert len(mirror.requests) == 1
    assert [f.file for f in report.fetched] == ["eurostat/nama_10r_2gdp.tsv.gz"]
    entry = _record(target)["eurostat/nama_10r_2gdp.tsv.gz"]
    assert entry["source_ids"] == ids and entry["eurostat"]["method"] == "direct"
    assert _gunzip(target / "eurostat/nama_10r_2gdp.tsv.gz") == TABLE
    assert lines[0] == f"[1/1] nama_10r_2gdp.tsv.gz  <- {entry['url']} (gdp_pps, gdp_rel, gdp_eur)"


def test_merge_of_unsorted_parts_falls_back_to_memory(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("f,geo\\TIME_PERIOD\t2001 \nA,DE\t1 \nA,AT\t2 \n")  # out of order
    (tmp_path / "b.tsv.gz").write_bytes(
        gzip.compress(b"f,geo\\TIME_PERIOD\t2000 \t2002 \nA,BE\t3 \t4 p\nA,DE\t5 \t: c\n")
    )
    rows, periods = merge_parts([tmp_path / "a.tsv", tmp_path / "b.tsv.gz"], tmp_path / "out.tsv.gz")
    assert (rows, periods) == (3, 3)
    assert _gunzip(tmp_path / "out.tsv.gz") == (
        "f,geo\\TIME_PERIOD\t2000 \t2001 \t2002 \nA,AT\t: \t2 \t: \nA,BE\t3 \t: \t4 p\nA,DE\t5 \t1 \t: c\n"
    )
    (tmp_path / "c.tsv").write_text("f,unit,geo\\TIME_PERIOD\t2003 \nA,X,DE\t1 \n")
    with pytest.raises(ValueError, match="disagree on the dimensions"):
        merge_parts([tmp_path / "a.tsv", tmp_path / "c.tsv"], tmp_path / "out.tsv.gz")


# ----------------------------------------------------------------------------------------------- progress
def test_progress_lines_per_file_and_overall() -> None:
    lines: list[str] = []
    now = [0.0]
    run = RunProgress(lines.append, 21, every=2.0, clock=lambda: now[0])
    run.files_done, run.bytes_done = 2, 9_800_000
    ticker = run.file(3, "eurostat_sbs_regional/sbs_r_nuts2021.tsv.gz")
    now[0] = 1.0
    ticker.on_bytes(1_000_000, 8_100_000)
    assert lines == []  # less than 2 s since the start
    now[0] = 2.5
    ticker.on_bytes(4_212_000, 8_100_000)
    now[0] = 3.0
    ticker.on_bytes(8_100_000, 8_100_000)  # 100 %: always said
    assert lines == [
        "[ 3/21] sbs_r_nuts2021.tsv.gz  4.2 / 8.1 MB  52 %  (overall 14.0 MB, 2 of 21 files done)",
        "[ 3/21] sbs_r_nuts2021.tsv.gz  8.1 / 8.1 MB  100 %  (overall 17.9 MB, 2 of 21 files done)",
    ]
    ticker.finish("fetched x")
    assert (run.files_done, run.bytes_done) == (3, 17_900_000)
    other = run.file(4, "a.tsv.gz")
    now[0] = 9.0
    other.on_bytes(1234, None)  # total unknown: bytes only
    assert lines[-2:] == ["[ 3/21] fetched x", "[ 4/21] a.tsv.gz  1.2 kB  (overall 17.9 MB, 3 of 21 files done)"]


def test_run_progress_has_start_per_file_and_summary_lines(
    root: Path, serve: Callable[..., Mirror], target: Path
) -> None:
    _serve_plain(root)
    mirror = serve()
    _report, lines = _run(target, _plain_manifest())
    assert (
        lines[0]
        == f"[1/3] l0.geojson  <- {mirror.url}/distribution/v2/nuts/geojson/NUTS_RG_60M_2021_4326_LEVL_0.geojson (geo)"
    )
    assert (
        f"[1/3] l0.geojson  {len(GEOJSON)} / {len(GEOJSON)} B  100 %  (overall {len(GEOJSON)} B, 0 of 3 files done)"
        in lines
    )
    assert re.search(
        r"^\[2/3\] RIS\.xlsx  \d\.\d / \d\.\d kB  100 %  \(overall \d\.\d kB, 1 of 3 files done\)$",
        "\n".join(lines),
        re.M,
    )
    assert any(
        re.fullmatch(rf"\[3/3\] fetched csv csv/extract\.csv: {len(CSV)} bytes in \d+\.\d s", line) for line in lines
    )
    assert re.search(
        r"Fetch done: 3 fetched \(\d\.\d kB\), 0 skipped as already present, 0 failed, 1 to place by hand\.",
        "\n".join(lines),
    )


def test_rebase_url(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/tgs00007?format=TSV&compressed=true"
    assert rebase_url(url, "http://127.0.0.1:9") == (
        "http://127.0.0.1:9/eurostat/api/dissemination/sdmx/2.1/data/tgs00007?format=TSV&compressed=true"
    )
    assert rebase_url(url, "http://mirror/m/").startswith("http://mirror/m/eurostat/api/")
    assert rebase_url(url) == url
    monkeypatch.setenv("CLUSTERMAP_FETCH_BASE", "http://localhost:1")
    assert rebase_url(url).startswith("http://localhost:1/eurostat/")


# ----------------------------------------------------------------------------------------------- the CLI
def _cli(target: Path, base: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLUSTERMAP_FETCH_BASE": base}
    return subprocess.run(
        [sys.executable, "-m", "mapping", "fetch", "--to", str(target), "--timeout", "10"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_end_to_end_with_the_real_manifest(root: Path, target: Path) -> None:
    manifest = load_manifest()
    items = {item.file: item for source in manifest.sources for item in source.fetch}
    datasets = {item.dataset for item in items.values() if item.is_eurostat}
    xlsx = _xlsx()
    for item in items.values():
        if item.is_eurostat:
            _put_table(root, item.dataset, TINY_TABLE)
        elif item.file.endswith(".geojson"):
            _put(root, item.url, GEOJSON)
        elif item.file.endswith(".xlsx"):
            _put(root, item.url, xlsx)
        else:
            pytest.fail(f"the test has no tiny payload for {item.file}")
    # one table too large whole (2 series x 3 years > 4 cells): split by period from its `since`, real clock
    assert "lfst_r_lfe2en2" in datasets
    with start_mirror(root, too_big={"lfst_r_lfe2en2": 4}) as mirror:
        done = _cli(target, mirror.url)
        assert done.returncode == 0, done.stderr
        record = _record(target)
        assert set(record) == set(items)
        for file in items:
            assert record[file]["sha256"] == _sha((target / file).read_bytes())
            assert record[file]["url"].startswith(mirror.url + "/")
        assert _gunzip(target / "eurostat/nama_10r_2gdp.tsv.gz") == TINY_TABLE
        assert len(mirror.requests_for(eurostat_path("nama_10r_2gdp"))) == 1  # three sources, one download
        assert record["eurostat/nama_10r_2gdp.tsv.gz"]["source_ids"][:2] == [
            "eurostat_gdp_pps_hab",
            "eurostat_gdp_pps_rel_eu",
        ]
        assert _gunzip(target / "eurostat_lfs_regional/lfst_r_lfe2en2.tsv.gz") == TINY_TABLE
        assert record["eurostat_lfs_regional/lfst_r_lfe2en2.tsv.gz"]["eurostat"]["method"] == "split"
        assert (target / "workbooks/RIS_web_download.xlsx").read_bytes() == xlsx
        assert not _leftovers(target)

        n = len(items)
        err = done.stderr
        assert re.search(rf"^\[ ?1/{n}\] NUTS_RG_60M_2021_4326_LEVL_0\.geojson  <- {re.escape(mirror.url)}/", err, re.M)
        assert "lfst_r_lfe2en2.tsv.gz: too large (HTTP 413): split into" in err
        assert f"Fetch done: {n} fetched" in err and "0 failed" in err
        for source in manifest.sources:
            if not source.fetch and source.location != "project":
                assert f"  {source.id}" in err and source.fetch_note[:60] in err
        asked = len(mirror.requests)

        again = _cli(target, mirror.url)
        assert again.returncode == 0, again.stderr
        assert len(mirror.requests) == asked
        assert f"Fetch done: 0 fetched (0 B), {n} skipped as already present, 0 failed" in again.stderr

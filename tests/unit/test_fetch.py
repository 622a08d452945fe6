"""`python -m mapping fetch`: downloads from a local HTTP server, checks, atomic placement, checksums."""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mapping.build.manifest import FetchItem, Manifest, Source
from mapping.config import PROJECT_ROOT
from mapping.fetch import RECORD_NAME, FetchError, check_payload, fetch, rebase_url

GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"NUTS_ID": "DE11"},
                "geometry": {"type": "Point", "coordinates": [9.0, 48.5]},
            }
        ],
    }
).encode()
TSV_GZ = gzip.compress(b"nace_r2,indic_sb,geo\\time\t2015 \t2014 \nC29,V16110,DE11\t160445 \t158012 \n")
SDMX_CSV = (
    b"DATAFLOW,LAST UPDATE,freq,indic_sbs,nace_r2,geo,TIME_PERIOD,OBS_VALUE\n"
    b"ESTAT:SBS_R_NUTS2021(1.0),01/01/24 23:00:00,A,EMP_LOC_NR,C29,DE11,2022,160445\n"
)
HTML = b"<!doctype html><html><body>Service unavailable</body></html>"


@pytest.fixture(autouse=True)
def _offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy may divert requests for 127.0.0.1, and no developer setting may rebase the URLs."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("CLUSTERMAP_FETCH_BASE", raising=False)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server over a fresh folder; yields (base URL, folder to put files in)."""
    root = tmp_path / "www"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def _put(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _source(sid: str, items: list[tuple[str, str]], **kw: object) -> Source:
    return Source(
        id=sid,
        title=sid,
        publisher="p",
        licence="l",
        attribution="a",
        url="https://example.invalid",
        format="x",
        reader="r",
        files=tuple(f for _, f in items) or ("by_hand/file.csv",),
        fetch=tuple(FetchItem(url=u, file=f) for u, f in items),
        **kw,  # type: ignore[arg-type]
    )


def _manifest(base: str) -> Manifest:
    return Manifest(
        sources=(
            _source("geo", [(f"{base}/geo/regions.geojson", "nuts/regions.geojson")]),
            _source("tsv", [(f"{base}/tsv/sbs.tsv.gz?format=TSV&compressed=true", "sbs/sbs.tsv.gz")]),
            _source(
                "eurostat_sbs_r_nuts2021_manuf",
                [(f"{base}/csv/manuf.csv?startPeriod=2022&format=SDMX-CSV", "sbs/manuf.csv")],
            ),
            _source("hand", [], fetch_note="Save the workbook as CSV by hand."),
            _source("repo", [], location="project"),
        ),
        defaults={},
    )


def _serve_all(root: Path) -> None:
    _put(root, "geo/regions.geojson", GEOJSON)
    _put(root, "tsv/sbs.tsv.gz", TSV_GZ)
    _put(root, "csv/manuf.csv", SDMX_CSV)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".part")]


def test_fetch_places_files_and_records_checksums(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    _serve_all(root)
    target = tmp_path / "sources"
    lines: list[str] = []
    report = fetch(target, manifest=_manifest(base), timeout=5, progress=lines.append)

    expected = {"nuts/regions.geojson": GEOJSON, "sbs/sbs.tsv.gz": TSV_GZ, "sbs/manuf.csv": SDMX_CSV}
    for rel, data in expected.items():
        assert (target / rel).read_bytes() == data
    assert not _leftovers(target)

    record = json.loads((target / RECORD_NAME).read_text(encoding="utf-8"))
    assert set(record) == set(expected)
    for rel, data in expected.items():
        assert record[rel]["sha256"] == _sha(data)
        assert record[rel]["bytes"] == len(data)
        assert record[rel]["fetched_at"].endswith("+00:00")
    assert record["sbs/sbs.tsv.gz"]["source_id"] == "tsv"
    assert record["sbs/sbs.tsv.gz"]["url"].endswith("/tsv/sbs.tsv.gz?format=TSV&compressed=true")

    assert [s.id for s in report.by_hand] == ["hand"]
    text = "\n".join(lines)
    assert "Save the workbook as CSV by hand." in text
    assert str(target / "by_hand" / "file.csv") in text
    assert "fetched geo nuts/regions.geojson" in text
    assert "repo" not in {s.id for s in report.by_hand}


def test_only_selects_and_record_is_merged(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    _serve_all(root)
    target = tmp_path / "sources"
    fetch(target, only=["geo"], manifest=_manifest(base), progress=lambda _: None)
    assert not (target / "sbs").exists()
    fetch(target, only=["tsv"], manifest=_manifest(base), progress=lambda _: None)
    record = json.loads((target / RECORD_NAME).read_text(encoding="utf-8"))
    assert set(record) == {"nuts/regions.geojson", "sbs/sbs.tsv.gz"}
    with pytest.raises(FetchError, match="unknown source id"):
        fetch(target, only=["nope"], manifest=_manifest(base), progress=lambda _: None)


def test_404_is_reported_and_other_files_still_arrive(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    _put(root, "geo/regions.geojson", GEOJSON)
    _put(root, "csv/manuf.csv", SDMX_CSV)  # the .tsv.gz is missing -> 404
    target = tmp_path / "sources"
    with pytest.raises(FetchError) as err:
        fetch(target, manifest=_manifest(base), progress=lambda _: None)
    msg = str(err.value)
    assert f"tsv: {base}/tsv/sbs.tsv.gz?format=TSV&compressed=true" in msg
    assert "404" in msg
    assert (target / "nuts/regions.geojson").read_bytes() == GEOJSON
    assert (target / "sbs/manuf.csv").read_bytes() == SDMX_CSV
    assert not (target / "sbs/sbs.tsv.gz").exists()
    assert set(json.loads((target / RECORD_NAME).read_text())) == {"nuts/regions.geojson", "sbs/manuf.csv"}
    assert err.value.report is not None and len(err.value.report.fetched) == 2


@pytest.mark.parametrize(
    ("rel", "dest", "bad", "reason"),
    [
        ("geo/regions.geojson", "nuts/regions.geojson", HTML, "not valid JSON"),
        ("geo/regions.geojson", "nuts/regions.geojson", b"", "empty response"),
        ("geo/regions.geojson", "nuts/regions.geojson", b'{"type": "Feature"}', "FeatureCollection"),
        ("tsv/sbs.tsv.gz", "sbs/sbs.tsv.gz", b"nace_r2,geo\\time\t2015\nC29,DE11\t1\n", "not valid gzip"),
        ("tsv/sbs.tsv.gz", "sbs/sbs.tsv.gz", TSV_GZ[:-12], "not valid gzip"),
        ("tsv/sbs.tsv.gz", "sbs/sbs.tsv.gz", gzip.compress(HTML), "Eurostat TSV header"),
        ("csv/manuf.csv", "sbs/manuf.csv", b"geo,nace_r2,TIME_PERIOD,OBS_VALUE\nDE\xff,C,1,2\n", "UTF-8"),
        ("csv/manuf.csv", "sbs/manuf.csv", b"region,nace_r2,TIME_PERIOD,OBS_VALUE\nDE11,C29,2022,1\n", "geo"),
        ("csv/manuf.csv", "sbs/manuf.csv", b"geo,TIME_PERIOD,OBS_VALUE\nDE11,2022,1\n", "nace_r2"),
    ],
)
def test_corrupt_payload_is_refused_and_keeps_old_file(
    server: tuple[str, Path], tmp_path: Path, rel: str, dest: str, bad: bytes, reason: str
) -> None:
    base, root = server
    _serve_all(root)
    _put(root, rel, bad)
    target = tmp_path / "sources"
    old = b"previous good bytes"
    _put(target, dest, old)
    with pytest.raises(FetchError, match=reason) as err:
        fetch(target, manifest=_manifest(base), progress=lambda _: None)
    assert base + "/" + rel in str(err.value)
    assert (target / dest).read_bytes() == old
    assert not _leftovers(target)
    assert dest not in json.loads((target / RECORD_NAME).read_text())


def test_fresh_refusal_leaves_no_file(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    _serve_all(root)
    _put(root, "geo/regions.geojson", HTML)
    target = tmp_path / "sources"
    with pytest.raises(FetchError):
        fetch(target, only=["geo"], manifest=_manifest(base), progress=lambda _: None)
    assert not (target / "nuts/regions.geojson").exists()
    assert not _leftovers(target)
    assert not (target / RECORD_NAME).exists()


def test_timeout_is_reported(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections, never answers
        base = f"http://127.0.0.1:{silent.getsockname()[1]}"
        manifest = Manifest(sources=(_source("slow", [(f"{base}/x.geojson", "x.geojson")]),), defaults={})
        with pytest.raises(FetchError, match=r"slow: http://127\.0\.0\.1:\d+/x\.geojson: .*timed out"):
            fetch(tmp_path, manifest=manifest, timeout=0.2, progress=lambda _: None)
    assert list(tmp_path.iterdir()) == []


def test_plain_csv_with_geo_column_passes(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("\ufeffGEO;value\nDE11;1\n".encode())
    check_payload(path, "x.csv", "any")


def test_rebase_url(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data/tgs00007?format=SDMX-CSV"
    assert (
        rebase_url(url, "http://127.0.0.1:9")
        == "http://127.0.0.1:9/eurostat/api/dissemination/sdmx/2.1/data/tgs00007?format=SDMX-CSV"
    )
    assert (
        rebase_url(url, "http://mirror/m/")
        == "http://mirror/m/eurostat/api/dissemination/sdmx/2.1/data/tgs00007?format=SDMX-CSV"
    )
    assert rebase_url(url) == url
    monkeypatch.setenv("CLUSTERMAP_FETCH_BASE", "http://localhost:1")
    assert rebase_url(url).startswith("http://localhost:1/eurostat/")


def _cli(args: list[str], base: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CLUSTERMAP_FETCH_BASE": base}
    return subprocess.run(
        [sys.executable, "-m", "mapping", "fetch", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_end_to_end_with_real_manifest(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    _put(root, "distribution/v2/nuts/geojson/NUTS_RG_20M_2024_4326.geojson", GEOJSON)
    target = tmp_path / "sources"
    done = _cli(["--to", str(target), "--only", "gisco_nuts2024_20m", "--timeout", "5"], base)
    assert done.returncode == 0, done.stderr
    rel = "nuts/gisco_2024_20M/NUTS_RG_20M_2024_4326.geojson"
    assert (target / rel).read_bytes() == GEOJSON
    entry = json.loads((target / RECORD_NAME).read_text())[rel]
    assert entry["sha256"] == _sha(GEOJSON)
    assert entry["url"] == base + "/distribution/v2/nuts/geojson/NUTS_RG_20M_2024_4326.geojson"
    assert "gisco_nuts2024_20m" in done.stderr

    failed = _cli(["--to", str(target), "--only", "gisco_nuts2021_60m", "--timeout", "5"], base)
    assert failed.returncode == 2
    assert "FETCH FAILED" in failed.stderr
    assert "NUTS_RG_60M_2021_4326_LEVL_0.geojson" in failed.stderr

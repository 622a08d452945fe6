"""A corrupted source file: a strict build fails with a message naming the file and leaves the previous DB
byte-identical (no partial swap, no temporary file left behind); the lenient build of `make run` records the
source as failed, with the file named, and builds everything else, unless the file is a boundary file."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from mapping import config, db
from mapping.ingest import build
from mapping.ingest.errors import BuildError
from mapping.ingest.manifest import Manifest, load_manifest

pytestmark = pytest.mark.integration


def _bytes(rel: str) -> bytes:
    return (config.sources_dir() / rel).read_bytes()


def _first_half(rel: str) -> bytes:
    data = _bytes(rel)
    return data[: len(data) // 2]


# case: (file, corrupted bytes, message, source id)
CORRUPTIONS = {
    "truncated gzip (SBS)": (
        "eurostat_sbs_regional/sbs_r_nuts06_r2.tsv.gz",
        lambda: _first_half("eurostat_sbs_regional/sbs_r_nuts06_r2.tsv.gz"),
        "cannot read file",
        "eurostat_sbs_r_nuts06_r2",
    ),
    "truncated GeoJSON (NUTS 2024)": (
        "nuts/gisco_2024_20M/NUTS_RG_20M_2024_4326.geojson",
        lambda: _first_half("nuts/gisco_2024_20M/NUTS_RG_20M_2024_4326.geojson"),
        "invalid JSON",
        "gisco_nuts2024_20m",
    ),
    "text instead of a workbook (RIS 2023)": (
        "workbooks/RIS_2023.xlsx",
        lambda: b"garbage;header\n1;2\n",
        "not a readable xlsx workbook",
        "ris2023",
    ),
    "binary garbage (EIS 2023)": (
        "innovation_scoreboard/eis2023_country_indicators.csv",
        lambda: os.urandom(4096),
        "UTF-8",
        "eis2023",
    ),
    "semicolons for commas (Eurostat SDMX-CSV)": (
        "eurostat_regional_recent/eurostat_tgs00010_unemployment_rate.csv",
        lambda: _bytes("eurostat_regional_recent/eurostat_tgs00010_unemployment_rate.csv").replace(b",", b";", 50),
        "Eurostat layout not understood",
        "eurostat_tgs00010",
    ),
}


def _around(source_id: str) -> Manifest:
    """The manifest cut to the boundaries, this repository's records and one source (a build in seconds)."""
    manifest = load_manifest()
    kept = tuple(s for s in manifest.sources if s.required or s.location == "project" or s.id == source_id)
    return Manifest(sources=kept, defaults=manifest.defaults, digest=manifest.digest)


def _mirror(src: Path, dst: Path, victim: str, data: bytes) -> None:
    """A sources folder of symlinks to the real files, except the victim, written with ``data``."""
    for path in src.rglob("*"):
        if path.is_file():
            rel = path.relative_to(src)
            target = dst / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel.as_posix() == victim:
                target.write_bytes(data)
            else:
                target.symlink_to(path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def previous_db(real_db, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("previous")
    path = folder / "clustermap.duckdb"
    shutil.copy2(real_db, path)
    return path


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corrupted_source_keeps_the_previous_db(case, previous_db, tmp_path):
    victim, corrupt, message, source_id = CORRUPTIONS[case]
    sources = tmp_path / "sources"
    _mirror(config.sources_dir(), sources, victim, corrupt())
    before, stat = _digest(previous_db), previous_db.stat()
    with pytest.raises(BuildError) as failed:
        build(sources, previous_db, manifest=_around(source_id), progress=lambda _m: None)
    assert victim in str(failed.value) and message in str(failed.value)
    assert _digest(previous_db) == before
    assert previous_db.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in previous_db.parent.iterdir()) == ["clustermap.duckdb"]  # no temporary left


@pytest.mark.usefixtures("real_db")  # skipped without the real sources folder
@pytest.mark.parametrize("case", [c for c in CORRUPTIONS if not CORRUPTIONS[c][0].startswith("nuts/")])
def test_lenient_build_records_the_corrupted_source_as_failed(case, tmp_path):
    victim, corrupt, message, source_id = CORRUPTIONS[case]
    sources = tmp_path / "sources"
    _mirror(config.sources_dir(), sources, victim, corrupt())
    path = tmp_path / "out.duckdb"
    summary = build(sources, path, manifest=_around(source_id), allow_missing=True, progress=lambda _m: None)
    assert summary.failed == [source_id]
    con = db.connect(path)
    try:
        row = db.run_sql(con, "SELECT * FROM sources WHERE source_id = $s", {"s": source_id}).iloc[0]
        assert row["status"] == "failed" and victim in row["reason"] and message in row["reason"]
        assert str(tmp_path) not in row["reason"]  # named relative to the sources folder, never a server path
        assert row["rows_loaded"] == 0 and row["remedy"]
        # Nothing of the failed source reached the tables (its transaction was rolled back); the rest did.
        leftovers = db.run_sql(
            con,
            """SELECT (SELECT count(*) FROM indicators WHERE source_id = $s)
                      + (SELECT count(*) FROM employment WHERE source_id = $s)
                      + (SELECT count(*) FROM indicator_catalog WHERE source_id = $s) AS n""",
            {"s": source_id},
        )
        assert leftovers["n"].iloc[0] == 0
        loaded = db.run_sql(con, "SELECT count(*) AS n FROM sources WHERE status = 'loaded'")["n"].iloc[0]
        assert loaded == len(_around(source_id).sources) - 1  # everything else loaded
    finally:
        con.close()


def test_lenient_build_still_stops_on_a_corrupted_boundary_file(previous_db, tmp_path):
    victim, corrupt, message, _ = CORRUPTIONS["truncated GeoJSON (NUTS 2024)"]
    sources = tmp_path / "sources"
    _mirror(config.sources_dir(), sources, victim, corrupt())
    before = _digest(previous_db)
    with pytest.raises(BuildError, match=message):
        build(sources, previous_db, manifest=_around("none"), allow_missing=True, progress=lambda _m: None)
    assert _digest(previous_db) == before

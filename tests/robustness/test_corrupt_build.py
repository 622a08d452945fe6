"""A build from a sources folder with one corrupted file fails with a message naming the file, and leaves the
previous DB byte-identical (no partial swap, no temporary file left behind)."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from mapping import config
from mapping.build import build
from mapping.build.errors import BuildError

pytestmark = pytest.mark.integration


def _bytes(rel: str) -> bytes:
    return (config.sources_dir() / rel).read_bytes()


def _first_half(rel: str) -> bytes:
    data = _bytes(rel)
    return data[: len(data) // 2]


CORRUPTIONS = {
    "truncated gzip (SBS)": (
        "eurostat_sbs_regional/sbs_r_nuts06_r2.tsv.gz",
        lambda: _first_half("eurostat_sbs_regional/sbs_r_nuts06_r2.tsv.gz"),
        "cannot read file",
    ),
    "truncated GeoJSON (NUTS 2024)": (
        "nuts/gisco_2024_20M/NUTS_RG_20M_2024_4326.geojson",
        lambda: _first_half("nuts/gisco_2024_20M/NUTS_RG_20M_2024_4326.geojson"),
        "invalid JSON",
    ),
    "wrong header (RIS 2023)": (
        "innovation_scoreboard/ris2023_regional_indicators.csv",
        lambda: b"garbage;header\n1;2\n",
        "missing column",
    ),
    "binary garbage (ESCP members)": (
        "escp/escp_members_compiled.csv",
        lambda: os.urandom(4096),
        "UTF-8",
    ),
    "semicolons for commas (Eurostat SDMX-CSV)": (
        "eurostat_regional_recent/eurostat_tgs00010_unemployment_rate.csv",
        lambda: _bytes("eurostat_regional_recent/eurostat_tgs00010_unemployment_rate.csv").replace(b",", b";", 50),
        "expected columns",
    ),
}


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
    victim, corrupt, message = CORRUPTIONS[case]
    sources = tmp_path / "sources"
    _mirror(config.sources_dir(), sources, victim, corrupt())
    before, stat = _digest(previous_db), previous_db.stat()
    with pytest.raises(BuildError) as failed:
        build(sources, previous_db, progress=lambda _m: None)
    assert victim in str(failed.value) and message in str(failed.value)
    assert _digest(previous_db) == before
    assert previous_db.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in previous_db.parent.iterdir()) == ["clustermap.duckdb"]  # no temporary left

"""The two doors on a fresh machine: `make` installs into a project venv, never the system interpreter, and the
manifest asks Eurostat for whole tables (no query depends on the order of a table's dimensions)."""

from __future__ import annotations

import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest

from mapping.config import PROJECT_ROOT
from mapping.ingest.manifest import load_manifest


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
@pytest.mark.parametrize("target", ["install", "install-dev", "run", "test"])
def test_make_installs_into_the_project_venv_only(tmp_path, target):
    venv = tmp_path / "venv"
    plan = subprocess.run(
        ["make", "-n", "-B", target, f"VENV={venv}", "PYTHON=python3"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pip = [line for line in plan.splitlines() if "pip install" in line]
    assert pip, plan
    assert all(line.strip().startswith(f"{venv}/bin/python -m pip install") for line in pip), pip
    assert f"python3 -m venv {venv}" in plan
    assert not re.search(r"(^|\s)python3 -m pip", plan)  # PEP 668: the system interpreter refuses installs


def test_eurostat_fetches_are_whole_tables_without_positional_keys():
    manifest = load_manifest()
    items = [i for s in manifest.sources for i in s.fetch if i.is_eurostat]
    assert len(items) >= 15
    for item in items:
        parts = urlsplit(item.url)
        assert parts.path.endswith(f"/sdmx/2.1/data/{item.dataset}"), item.url  # no '/A.THS..' key segment
        assert "format=TSV" in parts.query and "compressed=true" in parts.query


def test_every_source_says_how_to_get_it():
    for source in load_manifest().sources:
        assert source.location == "project" or source.fetch or source.fetch_note, source.id
        assert source.how_to_get()

"""Shared fixtures: a real build from the sources folder, once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapping import config


def _sources_present() -> bool:
    from mapping.build.manifest import load_manifest

    src = config.sources_dir()
    return all(p.is_file() for s in load_manifest().sources for p in s.paths(src))


@pytest.fixture(scope="session")
def real_db(tmp_path_factory) -> Path:
    """Path of a DB built from the real sources folder (skips when the folder is absent)."""
    if not _sources_present():
        pytest.skip(f"sources folder {config.sources_dir()} is not complete")
    from mapping.build import build

    path = tmp_path_factory.mktemp("real") / "clustermap.duckdb"
    build(config.sources_dir(), path, progress=lambda _m: None)
    return path

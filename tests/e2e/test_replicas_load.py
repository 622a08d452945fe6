"""Replicas under load, over Streamlit's own protocol (bench/load.py's users): a replica killed under its sessions;
they reconnect through nginx to the other with their view, and nobody else sees an error."""

from __future__ import annotations

import asyncio
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench import load
from deploy import replicas

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()), reason="nginx missing"),
]


def test_sessions_on_a_killed_replica_reconnect_with_their_view(real_db, tmp_path, monkeypatch):
    monkeypatch.setattr(load, "SECONDS", 24.0)
    monkeypatch.setattr(load, "KILL_AT", 10.0)
    monkeypatch.setattr(load, "THINK", (0.5, 1.5))
    monkeypatch.setattr(load, "NAVIGATE", 0.0)  # keep every user on its first session: the kill must reach some
    env = {**os.environ, "CLUSTERMAP_DB": str(real_db)}
    with replicas.running(2, run_dir=tmp_path, env=env) as cluster:
        # a thread of its own: the session's Playwright keeps an event loop running in this one
        with ThreadPoolExecutor(1) as pool:
            tally = pool.submit(asyncio.run, load._run(cluster.url, 10, lambda: cluster.kill(0))).result()
        assert cluster.replicas[1].proc.poll() is None
    assert tally.dropped >= 1, "no session was on the killed replica"
    assert tally.recovered == tally.dropped, tally.errors
    assert not tally.errors
    assert len(tally.latencies) > 20

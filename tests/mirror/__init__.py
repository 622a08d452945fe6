"""A local mirror of the official download hosts (GISCO, Commission assets, Eurostat's API) for tests and benchmarks."""

from __future__ import annotations

from .server import Behaviour, Logged, Mirror, eurostat_path, start_mirror

__all__ = ["Behaviour", "Logged", "Mirror", "eurostat_path", "start_mirror"]

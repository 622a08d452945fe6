"""Readers by publisher family: ``READERS[name](ctx, source, paths) -> rows loaded``.

One module per family (GISCO boundaries, Eurostat tables, the Commission's scoreboard workbooks, the
Regional Competitiveness Index, this project's partnership records and reference tables); each registers its
readers with ``@reader(name)``. A reader gets the build context, its manifest entry and the file set the build
resolved for it (primary files or an alternative layout), and raises ``BuildError`` naming file and line.
"""

from __future__ import annotations

from . import escp, eurostat, gisco, reference, regio, rtd  # noqa: F401 (each module registers its readers)
from ._registry import READERS, reader
from .escp import ESCP_MEMBER_COLS

__all__ = ["ESCP_MEMBER_COLS", "READERS", "reader"]

"""Eurostat GISCO boundaries: NUTS 2021 label points, NUTS 2021 polygons (two scales), NUTS 2024 polygons."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .. import nuts
from ._registry import reader

if TYPE_CHECKING:
    from ..manifest import Source
    from ..pipeline import Context


@reader("nuts_labels")
def read_nuts_labels(ctx: Context, source: Source, paths: list[Path]) -> int:
    df = nuts.read_labels(paths, source.nuts_version)
    ctx.insert_df("regions", df)
    return len(df)


@reader("nuts_geometry")
def read_nuts_geometry(ctx: Context, source: Source, paths: list[Path]) -> int:
    df = nuts.read_geometry(paths, source.nuts_version, source.options["scale"])
    ctx.insert_geometry(df)
    return len(df)


@reader("nuts2024")
def read_nuts2024(ctx: Context, source: Source, paths: list[Path]) -> int:
    regions, geometry = nuts.read_nuts2024(paths[0])
    ctx.insert_df("regions", regions)
    ctx.insert_geometry(geometry)
    return len(regions)

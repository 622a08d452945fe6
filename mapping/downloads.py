"""Downloads of the DB's tables: one zip per table with the data (CSV or Parquet), the sources table and a
README naming the build, the columns and the caveats.

Pure builders: Arrow tables and frames in, bytes out. Geometry stays WKB (GeoArrow metadata kept) in
Parquet and becomes WKT text in CSV; CSV text cells that a spreadsheet would run as a formula get a
leading quote (Parquet keeps every value as it is in the DB).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from mapping import export

FORMATS = {"csv": "CSV (spreadsheets)", "parquet": "Parquet (typed, compact)"}
GEOARROW_WKB = b"geoarrow.wkb"


def is_geometry(field: pa.Field) -> bool:
    return (field.metadata or {}).get(b"ARROW:extension:name") == GEOARROW_WKB


def wkt(column: pa.ChunkedArray) -> list[str | None]:
    """WKB geometry as WKT at full precision; invalid geometry becomes None."""
    import shapely

    geoms = shapely.from_wkb(column.to_numpy(zero_copy_only=False), on_invalid="ignore")
    return list(shapely.to_wkt(geoms, rounding_precision=-1))


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame with geometry as WKT text and other binary values as hex."""
    columns = {}
    for field, column in zip(table.schema, table.columns, strict=True):
        if is_geometry(field):
            columns[field.name] = pd.Series(wkt(column), dtype=object)
        elif pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            columns[field.name] = pd.Series([None if v is None else v.hex() for v in column.to_pylist()], dtype=object)
        else:
            columns[field.name] = column.to_pandas()
    return pd.DataFrame(columns, columns=table.column_names)


def table_bytes(table: pa.Table, fmt: str) -> bytes:
    """One table as CSV (geometry as WKT, formulas quoted) or Parquet (as in the DB, geometry as WKB)."""
    if fmt == "csv":
        return export.to_csv(to_frame(table))
    if fmt == "parquet":
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd")
        return buf.getvalue()
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def readme(
    *,
    tables: Iterable[tuple[str, str, int, pd.DataFrame]],
    fmt: str,
    built: dict[str, str],
) -> str:
    """The README of a download: the build, each table's description, rows and columns, and the caveats."""
    lines = [
        "EU cluster mapping dashboard: data download",
        "",
        f"Database built: {built.get('built_at', '?')} from {built.get('sources_label', 'the sources folder')}.",
        "sources.csv lists every source with its publisher, licence, attribution, official URL, file SHA-256 and rows",
        "loaded. Cite the source (its 'attribution' column) when you reuse a number; source_id links rows to it.",
        "",
    ]
    for name, description, rows, columns in tables:
        lines += [f"{name}.{fmt} - {rows:,} rows", f"  {description or ''}".rstrip(), "  columns:"]
        for col in columns.itertuples(index=False):
            note = f" - {col.comment}" if getattr(col, "comment", None) else ""
            lines.append(f"    {col.column_name} ({col.data_type}){note}")
        lines.append("")
    if fmt == "csv":
        lines += [
            "CSV: UTF-8, comma-separated, empty cell = no value. Geometry as WKT (EPSG:4326). Text cells starting",
            "with = + - or @ carry a leading ' so spreadsheets do not run them as formulas.",
        ]
    else:
        lines += ["Parquet: types as in the database; geometry as WKB (GeoArrow 'geoarrow.wkb', EPSG:4326)."]
    return "\n".join(lines) + "\n"


def bundle(
    tables: dict[str, pa.Table],
    *,
    fmt: str,
    sources: pd.DataFrame,
    descriptions: dict[str, str],
    columns: dict[str, pd.DataFrame],
    built: dict[str, str],
) -> bytes:
    """A zip with each table in ``fmt``, ``sources.csv`` and ``README.txt``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, table in tables.items():
            zf.writestr(f"{name}.{fmt}", table_bytes(table, fmt))
        if "sources" not in tables or fmt != "csv":
            zf.writestr("sources.csv", export.to_csv(sources))
        listing = [(n, descriptions.get(n, ""), t.num_rows, columns[n]) for n, t in tables.items()]
        zf.writestr("README.txt", readme(tables=listing, fmt=fmt, built=built))
    return buf.getvalue()

"""Results as plain columns: what a DataFrame and a spreadsheet can hold, within caps on columns, cells and bytes."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from mapping import config

from ._base import CELL_CAP, MAX_COLUMNS


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


class ResultTooLarge(ValueError):
    """The result, as text, would exceed the byte cap."""


def _as_text(column: pa.ChunkedArray, type_: pa.DataType, budget: int) -> pa.Array:
    """Values as text, 2,000 rows at a time, stopping once ``budget`` bytes are exceeded (nested values can grow
    a hundredfold as Python objects and text)."""
    out: list[str | None] = []
    used = 0
    try:
        for start in range(0, len(column), 2000):
            for v in column.slice(start, 2000).to_pylist():
                text = None if v is None else _text(v)
                used += len(text) if text else 0
                out.append(text)
            if used > budget:
                raise ResultTooLarge(f"{used:,} bytes as text")
        return pa.array(out, pa.string())
    except (pa.ArrowException, ValueError, OverflowError, TypeError) as exc:
        if isinstance(exc, ResultTooLarge):
            raise
    try:
        return column.cast(pa.string()).combine_chunks()
    except (pa.ArrowException, ValueError):
        return pa.array([f"<{type_}>"] * len(column), pa.string())


def _simple(type_: pa.DataType) -> bool:
    t = pa.types
    if t.is_dictionary(type_):
        return t.is_string(type_.value_type) or t.is_large_string(type_.value_type)
    return (
        any(
            f(type_)
            for f in (
                t.is_integer,
                t.is_floating,
                t.is_boolean,
                t.is_string,
                t.is_large_string,
                t.is_decimal,
                t.is_null,
            )
        )
        or t.is_date(type_)
        or t.is_timestamp(type_)
    )


class TooWide(ValueError):
    """The result has more columns than the console shows."""


def result_row_cap(columns: int, row_cap: int, cell_cap: int = CELL_CAP) -> int:
    """Rows shown for a result this wide: the row cap, fewer when rows x columns would pass the cell cap."""
    if columns > MAX_COLUMNS:
        raise TooWide(f"The result has {columns:,} columns; the console shows up to {MAX_COLUMNS}: select fewer.")
    return max(1, min(row_cap, cell_cap // max(1, columns)))


def frame_bytes(table: pa.Table) -> int:
    """Rough size of ``table`` as a pandas DataFrame: text, dates, decimals, nulls in boolean columns and the like
    become one Python object per cell (a pointer plus ~50 bytes), which Arrow's byte count does not show."""
    total = 0
    for column in table.columns:
        t = column.type
        native = (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_timestamp(t)) or (
            pa.types.is_boolean(t) and column.null_count == 0
        )
        total += column.nbytes if native else column.nbytes + 58 * len(column)
    return total


def plain_table(table: pa.Table, *, budget: int = config.CONSOLE_BYTE_CAP) -> pa.Table:
    """Columns a DataFrame and a spreadsheet can hold: geometry as WKT, nested/binary/odd types as text, unique
    names. Numbers, text, dates and timestamps keep their type when pandas can hold the values."""
    from mapping.downloads import is_geometry, wkt

    names: list[str] = []
    seen: dict[str, int] = {}
    arrays = []
    for field, column in zip(table.schema, table.columns, strict=True):
        name = base = field.name or "column"
        while name in seen:
            seen[base] += 1
            name = f"{base}_{seen[base]}"
        seen.setdefault(name, 0)
        names.append(name)
        if is_geometry(field):
            arrays.append(pa.array(wkt(column), pa.string()))
            continue
        if _simple(field.type):
            try:
                pa.table({"c": column}).to_pandas()
                arrays.append(column)
                continue
            except (pa.ArrowException, ValueError, OverflowError, TypeError):
                pass
        arrays.append(_as_text(column, field.type, budget))
    return pa.table(arrays, names=names)


CELL_CHARS = 500  # characters of a text cell shown on the page (the download has them all)
PREVIEW_BYTES = 2 * 2**20  # what a page holds of one result per visitor


def preview(
    frame: pd.DataFrame, *, budget: int = PREVIEW_BYTES, cell_chars: int = CELL_CHARS
) -> tuple[pd.DataFrame, str]:
    """The part of a result a page shows and keeps: long text cut, rows within ``budget`` bytes.

    Returns the frame and a note saying what was cut ('' when nothing was).
    """
    notes = []
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            lengths = values.map(lambda v: len(v) if isinstance(v, str) else 0)
            if (lengths > cell_chars).any():
                out[column] = values.map(
                    lambda v: v[:cell_chars] + "…" if isinstance(v, str) and len(v) > cell_chars else v
                )
                notes.append(f"text cells cut at {cell_chars:,} characters")
    if len(out):
        per_row = out.memory_usage(deep=True, index=False).sum() / len(out)
        keep = max(1, int(budget // max(per_row, 1)))
        if keep < len(out):
            notes.append(f"the first {keep:,} of {len(out):,} rows shown ({budget / 2**20:g} MB per view)")
            out = out.iloc[:keep]
    return out, "; ".join(dict.fromkeys(notes))

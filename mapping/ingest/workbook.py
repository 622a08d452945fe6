"""Official xlsx workbooks read directly (python-calamine: a maintained Rust reader, ~10x openpyxl).

Column names are matched loosely (case, spaces, dots, underscores and line breaks ignored: ``Region code``,
``Region.code`` and ``region_code`` are one name), because the Commission's workbooks have changed their
header spelling between editions. A workbook that cannot be opened, a missing sheet or a missing column
fails naming the file, the sheet and what was expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .errors import BuildError

# Text the Commission's workbooks put in numeric columns for "not available".
NOT_AVAILABLE = {"NA", "N/A", "n.a.", "n/a", ":", "..", "-"}


def norm_name(name: object) -> str:
    """The loose form of a column name: lower-case letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def sheet_names(path: Path) -> list[str]:
    return _open(path).sheet_names


def _open(path: Path):
    from python_calamine import CalamineWorkbook

    if not path.is_file():
        raise BuildError("file is missing", file=path)
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for zip, xml and format faults
        raise BuildError(f"not a readable xlsx workbook ({type(exc).__name__}: {exc})", file=path) from exc


def read_rows(path: Path, sheet: str) -> tuple[list[list], int]:
    """The used area of a sheet as lists of cell values ('' for empty cells), and the Excel row number of the
    first row (leading empty rows and columns are skipped)."""
    book = _open(path)
    if sheet not in book.sheet_names:
        raise BuildError(f"workbook has no sheet {sheet!r} (sheets: {', '.join(book.sheet_names)})", file=path)
    try:
        data = book.get_sheet_by_name(sheet)
        first = (data.start or (0, 0))[0] + 1
        return [list(r) for r in data.to_python(skip_empty_area=True)], first
    except Exception as exc:
        raise BuildError(f"sheet {sheet!r} cannot be read ({type(exc).__name__}: {exc})", file=path) from exc


def header_index(rows: list[list], first_cell: str, path: Path, sheet: str) -> int:
    """The 0-based index of the first row whose first non-empty cell is ``first_cell`` (loosely)."""
    for i, row in enumerate(rows):
        cells = [c for c in row if c not in ("", None)]
        if cells and norm_name(cells[0]) == norm_name(first_cell):
            return i
    raise BuildError(f"sheet {sheet!r} has no header row starting with {first_cell!r}", file=path)


def read_sheet(path: Path, sheet: str, *, header_row: int | None = 0, header_starts: str = "") -> pd.DataFrame:
    """One sheet as a frame: the row ``header_row`` (0-based), or the first row starting with ``header_starts``,
    gives the column names; data follows it.

    Each data row keeps its spreadsheet row number in ``_row`` (1-based, as Excel shows it), so errors can
    name it. Empty cells are None; fully empty rows are dropped.
    """
    rows, first = read_rows(path, sheet)
    if header_starts:
        header_row = header_index(rows, header_starts, path, sheet)
    if len(rows) <= header_row:
        raise BuildError(f"sheet {sheet!r} has no header row {header_row + 1}", file=path)
    header = [str(h).strip() if h is not None else "" for h in rows[header_row]]
    width = len(header)
    body = []
    for i, row in enumerate(rows[header_row + 1 :], start=first + header_row + 1):
        cells = [
            None if c == "" or (isinstance(c, str) and c.strip() in NOT_AVAILABLE) else c for c in list(row)[:width]
        ]
        cells += [None] * (width - len(cells))
        if any(c is not None for c in cells):
            body.append([*cells, i])
    names = _unique(header)
    return pd.DataFrame(body, columns=[*names, "_row"])


def _unique(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        name = h or "column"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def columns(frame: pd.DataFrame, path: Path, sheet: str, wanted: dict[str, Iterable[str]]) -> dict[str, str]:
    """Map roles to actual column names by loose matching; ``wanted`` = {role: (accepted names, ...)}.

    A role whose accepted names all end in ``?`` is optional.
    """
    by_norm = {}
    for c in frame.columns:
        by_norm.setdefault(norm_name(c), c)
    found, missing = {}, []
    for role, names in wanted.items():
        names = list(names)
        optional = all(n.endswith("?") for n in names)
        hit = next((by_norm[norm_name(n.rstrip("?"))] for n in names if norm_name(n.rstrip("?")) in by_norm), None)
        if hit is not None:
            found[role] = hit
        elif not optional:
            missing.append(" or ".join(repr(n) for n in names))
    if missing:
        shown = ", ".join(str(c) for c in frame.columns if c != "_row")[:300]
        raise BuildError(f"sheet {sheet!r} lacks column {'; '.join(missing)}; header is {shown}", file=path, line=1)
    return found


def numbers(frame: pd.DataFrame, column: str, path: Path, sheet: str) -> pd.Series:
    """A column as floats; a cell that is text but not a number fails naming its row."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad = frame[frame[column].notna() & values.isna()]
    if not bad.empty:
        row = bad.iloc[0]
        raise BuildError(
            f"sheet {sheet!r}: {column} {row[column]!r} is not a number (row {int(row['_row'])})",
            file=path,
            line=int(row["_row"]),
        )
    return values.astype(float)

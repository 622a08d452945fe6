"""Merge Eurostat TSV answers for different periods into one table, as if asked for all years at once.

Each part is ``dims\\TIME_PERIOD<TAB>2008 <TAB>2009 ...`` with one line per series. The merge keeps the
union of the periods (ascending) and every series key once, filling cells a part did not carry with ``: ``
(Eurostat leaves out series without data in the period asked for). Eurostat sorts lines by series key,
so the parts are merged as sorted streams in constant memory; a part out of order falls back to a merge
in memory.
"""

from __future__ import annotations

import gzip
import heapq
import io
import itertools
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

MISSING = ": "  # Eurostat's empty cell: no value, no flag
_GZIP_MAGIC = b"\x1f\x8b"


class _Unsorted(Exception):
    """A part's series keys are not ascending: the streaming merge cannot be used."""


@dataclass(frozen=True)
class _Header:
    dims: str  # first field, e.g. ``freq,unit,geo\TIME_PERIOD``
    periods: tuple[str, ...]  # labels without the trailing space, in file order


def open_text(path: Path) -> TextIO:
    """Open a TSV part as text, gzip or plain alike (universal newlines)."""
    with path.open("rb") as fh:
        gzipped = fh.read(2) == _GZIP_MAGIC
    raw = gzip.open(path, "rb") if gzipped else path.open("rb")  # noqa: SIM115 - the wrapper returned closes it
    return io.TextIOWrapper(raw, encoding="utf-8", newline=None)


def merge_parts(parts: Sequence[Path], out: Path) -> tuple[int, int]:
    """Write the merge of ``parts`` (gzip or plain TSV) to ``out`` as gzip TSV.

    Args:
        parts: TSV answers for disjoint periods of the same table.
        out: The gzip file to write (replaced).

    Returns:
        (series lines, periods) of the merged table.

    Raises:
        ValueError: A part is empty or its dimensions differ from the others'.
    """
    headers = [_read_header(p) for p in parts]
    dims = {h.dims for h in headers}
    if len(dims) != 1:
        raise ValueError(f"the parts disagree on the dimensions: {', '.join(sorted(dims))}")
    periods = sorted({p for h in headers for p in h.periods})
    column = {p: i for i, p in enumerate(periods)}
    places = [[column[p] for p in h.periods] for h in headers]
    try:
        rows = _write(out, headers[0].dims, periods, _merge_sorted(parts, places, len(periods)))
    except _Unsorted:
        rows = _write(out, headers[0].dims, periods, _merge_in_memory(parts, places, len(periods)))
    return rows, len(periods)


def _read_header(path: Path) -> _Header:
    with open_text(path) as fh:
        line = fh.readline().rstrip("\n")
    if not line:
        raise ValueError(f"{path.name}: empty answer, no header line")
    first, *periods = line.split("\t")
    return _Header(first, tuple(p.strip() for p in periods))


def _lines(fh: TextIO) -> Iterator[tuple[str, list[str]]]:
    """(series key, cells) of each data line; raises _Unsorted when keys do not ascend."""
    fh.readline()  # the header
    previous = None
    for line in fh:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        key, _, rest = line.partition("\t")
        if previous is not None and key <= previous:
            raise _Unsorted(key)
        previous = key
        yield key, rest.split("\t") if rest else []


def _place(row: list[str], places: list[int], cells: list[str]) -> None:
    for column, cell in zip(places, cells, strict=False):
        if row[column] == MISSING:  # periods are disjoint; should two parts overlap, a value beats a gap
            row[column] = cell


def _tagged(index: int, lines: Iterator[tuple[str, list[str]]]) -> Iterator[tuple[str, int, list[str]]]:
    for key, cells in lines:
        yield key, index, cells


def _merge_sorted(parts: Sequence[Path], places: list[list[int]], width: int) -> Iterator[tuple[str, list[str]]]:
    with ExitStack() as stack:
        streams = [_tagged(i, _lines(stack.enter_context(open_text(path)))) for i, path in enumerate(parts)]
        for key, group in itertools.groupby(heapq.merge(*streams, key=lambda t: (t[0], t[1])), key=lambda t: t[0]):
            row = [MISSING] * width
            for _key, i, cells in group:
                _place(row, places[i], cells)
            yield key, row


def _merge_in_memory(parts: Sequence[Path], places: list[list[int]], width: int) -> Iterator[tuple[str, list[str]]]:
    table: dict[str, list[str]] = {}
    for i, path in enumerate(parts):
        with open_text(path) as fh:
            fh.readline()
            for line in fh:
                line = line.rstrip("\n")
                if line.strip():
                    key, _, rest = line.partition("\t")
                    _place(table.setdefault(key, [MISSING] * width), places[i], rest.split("\t") if rest else [])
    for key in sorted(table):
        yield key, table[key]


def _write(out: Path, dims: str, periods: list[str], rows: Iterator[tuple[str, list[str]]]) -> int:
    count = 0
    with gzip.open(out, "wt", encoding="utf-8", newline="\n", compresslevel=6) as fh:
        fh.write("\t".join([dims, *(f"{p} " for p in periods)]) + "\n")
        for key, cells in rows:
            fh.write("\t".join([key, *cells]) + "\n")
            count += 1
    return count

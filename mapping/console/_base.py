"""What every part of the console shares: its limits, its two errors, a result, and the app's own precheck."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mapping import config

MAX_CHARS = 10_000
MAX_COLUMNS = 300  # columns in a result
CELL_CAP = 1_000_000  # rows x columns in a result: wide results get fewer rows (each cell can become an object)
RSS_MARGIN_MB = 1024  # a worker is killed above memory_mb + this much resident memory
ADDRESS_MARGIN_MB = 5120  # address-space backstop above memory_mb (DuckDB reserves ~1.5 GB it does not touch)
PAGE = os.sysconf("SC_PAGE_SIZE")

MAX_MESSAGE = 2000  # characters of an error message sent back to the app


class Refused(Exception):
    """The console will not run this text; the message says why and what to do instead."""


class ConsoleError(Exception):
    """The query ran and failed (syntax, unknown table, time or memory limit); message for the user."""


@dataclass
class Result:
    frame: pd.DataFrame
    truncated: bool
    seconds: float
    sql: str
    row_cap: int = config.CONSOLE_ROW_CAP  # rows shown at most (fewer for very wide results)


def precheck(sql: Any) -> str:
    """The checks the app process makes itself: a string of sane length without NUL characters."""
    if not isinstance(sql, str) or not sql.strip():
        raise Refused("Type a query, e.g. SELECT * FROM sources.")
    if len(sql) > MAX_CHARS:
        raise Refused(f"The query is {len(sql):,} characters long; the console takes up to {MAX_CHARS:,}.")
    if "\x00" in sql:
        raise Refused("The query contains a NUL character.")
    return sql.strip()

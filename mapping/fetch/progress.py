"""Progress lines: a start line per file, byte counts at most every few seconds and at 100 %, a summary.

Everything goes through one ``say`` callable (default: stderr, flushed), so the CLI, tests and
benchmarks see the same lines, e.g.
``[ 3/21] sbs_r_nuts2021.tsv.gz  4.2 / 8.1 MB  52 %  (overall 14.0 MB, 2 of 21 files done)``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from .report import FetchReport

Say = Callable[[str], None]
_UNITS = (("GB", 10**9), ("MB", 10**6), ("kB", 10**3))


def to_stderr(line: str) -> None:
    """Default progress output: one line on stderr, flushed at once (progress must show while it happens)."""
    print(line, file=sys.stderr, flush=True)


def human_bytes(n: int) -> str:
    """``1234567`` -> ``1.2 MB`` (decimal units, as download tools show them)."""
    for unit, size in _UNITS:
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def _pair(done: int, total: int) -> str:
    """``4.2 / 8.1 MB``: both figures in the unit of the total."""
    for unit, size in _UNITS:
        if total >= size:
            return f"{done / size:.1f} / {total / size:.1f} {unit}"
    return f"{done} / {total} B"


class RunProgress:
    """Counts over the whole run; hands out one :class:`FileProgress` per file."""

    def __init__(self, say: Say, files: int, *, every: float = 2.0, clock: Callable[[], float] = time.monotonic):
        self.say = say
        self.files = files
        self.every = every
        self.clock = clock
        self.files_done = 0  # fetched, skipped or failed
        self.bytes_done = 0  # bytes received for files already finished

    def file(self, index: int, file: str) -> FileProgress:
        """The progress of file number ``index`` (1-based) of this run."""
        return FileProgress(self, index, PurePosixPath(file).name)

    def summary(self, report: FetchReport, target: Path) -> None:
        """The closing lines: counts, the sources to place by hand (with their note), every failure."""
        fetched = sum(f.bytes for f in report.fetched)
        self.say(
            f"Fetch done: {len(report.fetched)} fetched ({human_bytes(fetched)}), "
            f"{len(report.skipped)} skipped as already present, {len(report.failures)} failed, "
            f"{len(report.by_hand)} to place by hand."
        )
        if report.by_hand:
            self.say("Place by hand (no official machine-readable file):")
            for source in report.by_hand:
                paths = source.paths(target)
                present = " (present)" if paths and all(p.is_file() for p in paths) else ""
                self.say(f"  {source.id}{present}: {source.fetch_note or 'no fetch URL in the manifest'}")
                for path in paths:
                    self.say(f"    -> {path}")
        if report.failures:
            self.say("Failed:")
            for failure in report.failures:
                self.say(f"  {failure}")


class FileProgress:
    """Lines about one file: start, events, byte counts (throttled), outcome."""

    def __init__(self, run: RunProgress, index: int, name: str):
        self.run = run
        self.name = name
        self.tag = f"[{index:>{len(str(run.files))}}/{run.files}]"
        self._earlier = 0  # bytes of finished transfers of this file (a split table comes in several)
        self._current = 0
        self._last = run.clock()

    def say(self, text: str) -> None:
        """A line about this file."""
        self.run.say(f"{self.tag} {self.name}  {text}")

    def event(self, text: str) -> None:
        """Something worth knowing happened (asynchronous answer, split, retry)."""
        self.run.say(f"{self.tag} {self.name}: {text}")

    def on_bytes(self, done: int, total: int | None) -> None:
        """Byte callback for one transfer: ``done`` so far of ``total`` (None when unknown)."""
        self._current = done
        now = self.run.clock()
        if (total is not None and done >= total) or now - self._last >= self.run.every:
            self._last = now
            self.say(self._figures(total))

    def on_part_bytes(self, done: int, _total: int | None) -> None:
        """Byte callback for one part of several: a part's total says nothing about the file's, so bytes only."""
        self.on_bytes(done, None)

    def end_transfer(self) -> None:
        """One transfer of this file is over; the next one counts on top."""
        self._earlier += self._current
        self._current = 0

    def finish(self, text: str) -> None:
        """The file is done (fetched, skipped or failed): count it and say how it went."""
        self.end_transfer()
        self.run.files_done += 1
        self.run.bytes_done += self._earlier
        self.run.say(f"{self.tag} {text}")

    def _figures(self, total: int | None) -> str:
        got = self._earlier + self._current
        if total:
            whole = self._earlier + total
            size = f"{_pair(got, whole)}  {100 * got // whole} %"
        else:
            size = human_bytes(got)
        overall = human_bytes(self.run.bytes_done + got)
        return f"{size}  (overall {overall}, {self.run.files_done} of {self.run.files} files done)"

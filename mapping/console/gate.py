"""Fair turns at the console's workers: first come, first served, one query per visitor at a time.

A visitor (a browser session) with a query running or waiting cannot queue another; the others wait in arrival
order for a free worker, and a full queue answers "busy" at once rather than holding a thread. So five hostile
sessions hold at most five places in the line: everyone else's query still runs in its turn.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

from ._base import ConsoleError

_anonymous = itertools.count()


class ConsoleBusy(ConsoleError):
    """No turn now: this visitor already has a query in line, or the line is full or too slow."""


class FairGate:
    """``slots`` turns handed out in arrival order; at most one per owner; at most ``max_waiting`` in line."""

    def __init__(self, slots: int, *, max_waiting: int = 16) -> None:
        self.slots = slots
        self.max_waiting = max_waiting
        self._cond = threading.Condition()
        self._line: deque[str] = deque()
        self._running: set[str] = set()

    @property
    def waiting(self) -> int:
        with self._cond:
            return len(self._line)

    @contextmanager
    def turn(self, owner: str | None, *, timeout: float) -> Iterator[None]:
        """Hold a turn for ``owner`` (None: a caller of its own) while the body runs."""
        owner = owner or f"anonymous-{next(_anonymous)}"
        self._enter(owner, timeout)
        try:
            yield
        finally:
            with self._cond:
                self._running.discard(owner)
                self._cond.notify_all()

    def _enter(self, owner: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            if owner in self._running or owner in self._line:
                raise ConsoleBusy("Your previous query is still running; wait for its answer before the next one.")
            if len(self._line) >= self.max_waiting:
                raise ConsoleBusy(f"The console is busy ({len(self._line)} queries waiting); try again in a minute.")
            self._line.append(owner)
            try:
                while not (self._line[0] == owner and len(self._running) < self.slots):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise ConsoleBusy("The console is busy with other queries; try again in a few seconds.")
                    self._cond.wait(left)
            except BaseException:
                self._line.remove(owner)
                self._cond.notify_all()
                raise
            self._line.popleft()
            self._running.add(owner)
            self._cond.notify_all()

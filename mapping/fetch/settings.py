"""How hard and how patiently the downloader tries: retries, asynchronous polling, period splits, progress cadence."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class FetchSettings:
    """Knobs of one fetch run; the defaults suit the real hosts, tests shrink the delays.

    Attributes:
        attempts: Tries per request (connection errors, timeouts, HTTP 429 and 5xx are retried).
        backoff: Delay before the first retry in seconds, doubled for each further one.
        max_delay: Cap on one retry delay, also on a server's ``Retry-After``.
        poll_delay: First wait before asking for the status of an asynchronous Eurostat request, doubled per poll.
        poll_max_delay: Cap on one wait between status polls.
        async_deadline: Seconds an asynchronous Eurostat request may take before the file is given up.
        first_year: First year asked for when a Eurostat table is too large and has no ``since`` of its own.
        last_year: Last year asked for when splitting; None means the current year.
        progress_every: Seconds between two progress lines of one download.
        sleep: How to wait (tests pass a recorder to check the delays without waiting).
    """

    attempts: int = 5
    backoff: float = 1.0
    max_delay: float = 120.0
    poll_delay: float = 5.0
    poll_max_delay: float = 60.0
    async_deadline: float = 3600.0
    first_year: int = 1990
    last_year: int | None = None
    progress_every: float = 2.0
    sleep: Callable[[float], None] = time.sleep

    def retry_delay(self, attempt: int) -> float:
        """Seconds to wait after failed try number ``attempt`` (1-based): exponential, capped."""
        return min(self.backoff * 2 ** (attempt - 1), self.max_delay)

    def final_year(self) -> int:
        """Last year worth asking for when a table is split by period."""
        return self.last_year or datetime.now(UTC).year

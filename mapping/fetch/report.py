"""What a fetch run did: files fetched (with how), skipped, failed, left to place by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

from mapping.ingest.manifest import Source


class FetchError(Exception):
    """One or more downloads failed or were refused; the message lists every failure."""

    def __init__(self, message: str, report: FetchReport | None = None):
        super().__init__(message)
        self.report = report


class FetchProblem(Exception):
    """A download that cannot succeed as asked (refused payload, expired request, too large); never retried."""


@dataclass(frozen=True)
class EurostatOrigin:
    """How a Eurostat table was obtained: in one answer, through the asynchronous API, or split by period."""

    dataset: str
    method: str  # "direct" | "asynchronous" | "split"
    periods: tuple[str, ...] = ()  # the year ranges asked for when split, e.g. ("2008-2016", "2017-2026")
    async_keys: tuple[str, ...] = ()  # keys of the asynchronous requests that delivered data

    def describe(self) -> str:
        """A few words for the progress line, e.g. ``split into 4 periods, 1 asynchronous``."""
        if self.method == "split":
            text = f"split into {len(self.periods)} periods"
            return text + (f", {len(self.async_keys)} asynchronous" if self.async_keys else "")
        if self.method == "asynchronous":
            return f"asynchronous, key {', '.join(self.async_keys)}"
        return "direct"


@dataclass(frozen=True)
class FetchedFile:
    """One file placed in the sources folder, as recorded in FETCHED.json."""

    source_id: str
    file: str
    url: str
    sha256: str
    bytes: int
    fetched_at: str
    source_ids: tuple[str, ...] = ()  # every source that reads this file (several share a Eurostat table)
    eurostat: EurostatOrigin | None = None


@dataclass
class FetchReport:
    """The outcome of :func:`mapping.fetch.fetch`.

    Attributes:
        fetched: Files downloaded, checked and placed in this run.
        skipped: Files (relative to the target) already present with the recorded checksum.
        failures: One line per failed file: ``<source ids>: <url>: <reason>``.
        by_hand: Sources without an official machine-readable file (see their ``fetch_note``).
    """

    fetched: list[FetchedFile] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    by_hand: list[Source] = field(default_factory=list)

"""Fair turns at the console: arrival order, one query per visitor, a bounded line, no thread held forever."""

from __future__ import annotations

import threading
import time

import pytest

from mapping.console import ConsoleBusy, FairGate


def _hold(gate: FairGate, owner: str, order: list[str], release: threading.Event, timeout: float = 5.0):
    def body():
        with gate.turn(owner, timeout=timeout):
            order.append(owner)
            release.wait(5)

    t = threading.Thread(target=body, daemon=True)
    t.start()
    return t


def _wait_for(predicate, seconds: float = 2.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_one_query_per_visitor():
    gate = FairGate(2)
    release, order = threading.Event(), []
    t = _hold(gate, "alice", order, release)
    _wait_for(lambda: order == ["alice"])
    with pytest.raises(ConsoleBusy, match="previous query is still running"), gate.turn("alice", timeout=1):
        pass
    release.set()
    t.join()
    with gate.turn("alice", timeout=1):  # her turn again once the first query ended
        pass


def test_turns_in_arrival_order():
    gate = FairGate(1)
    release, order = threading.Event(), []
    first = _hold(gate, "a", order, release)
    _wait_for(lambda: order == ["a"])
    later = []
    for n, name in enumerate(("b", "c", "d"), start=1):
        later.append(_hold(gate, name, order, release))
        _wait_for(lambda n=n: gate.waiting == n)
    release.set()
    for t in (first, *later):
        t.join()
    assert order == ["a", "b", "c", "d"]


def test_a_full_line_answers_busy_at_once():
    gate = FairGate(1, max_waiting=2)
    release, order = threading.Event(), []
    threads = [_hold(gate, "running", order, release)]
    _wait_for(lambda: order == ["running"])
    for name in ("w1", "w2"):
        threads.append(_hold(gate, name, order, release))
    _wait_for(lambda: gate.waiting == 2)
    started = time.monotonic()
    with pytest.raises(ConsoleBusy, match="2 queries waiting"), gate.turn("late", timeout=10):
        pass
    assert time.monotonic() - started < 0.5  # no thread is held waiting for a place
    release.set()
    for t in threads:
        t.join()


def test_a_turn_that_waits_too_long_leaves_the_line():
    gate = FairGate(1)
    release, order = threading.Event(), []
    t = _hold(gate, "a", order, release)
    _wait_for(lambda: order == ["a"])
    with pytest.raises(ConsoleBusy, match="busy with other queries"), gate.turn("b", timeout=0.1):
        pass
    assert gate.waiting == 0
    release.set()
    t.join()


def test_hostile_visitors_hold_at_most_one_place_each():
    gate = FairGate(2, max_waiting=16)
    release, order = threading.Event(), []
    threads = [_hold(gate, f"hostile{i}", order, release) for i in range(5)]
    _wait_for(lambda: gate.waiting == 3)
    for i in range(5):  # each hostile visitor asks again: refused, nothing more queued
        with pytest.raises(ConsoleBusy), gate.turn(f"hostile{i}", timeout=1):
            pass
    assert gate.waiting == 3
    threads.append(_hold(gate, "person", order, release))  # the sixth in line, whatever the hostile ones do
    _wait_for(lambda: gate.waiting == 4)
    release.set()
    for t in threads:
        t.join()
    assert order.index("person") == 5

"""Looks asked for at once share one that began after each of them asked."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import pytest

from domain.desk.look_rounds import LookRounds

WAIT = 5.0
CALLERS, ASKS = 32, 10


class Log:
    """A log other threads keep writing to, and what the looks saw of it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.written = 0
        self.seen = 0
        self.looks = 0

    def write(self) -> None:
        with self.lock:
            self.written += 1

    def look(self) -> None:
        """See the log as it is when the look begins, slowly."""
        with self.lock:
            begun = self.written
            self.looks += 1
        time.sleep(0.001)
        with self.lock:
            self.seen = max(self.seen, begun)


def asking(threads: int, call: Callable[[], None]) -> list[BaseException]:
    """Run `call` on that many threads at once; what they raised."""
    raised: list[BaseException] = []
    start = threading.Barrier(threads)

    def one() -> None:
        start.wait(WAIT)
        try:
            call()
        except Exception as error:
            raised.append(error)

    workers = [threading.Thread(target=one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(WAIT)
    assert not any(worker.is_alive() for worker in workers)
    return raised


def test_every_caller_is_answered_by_a_look_begun_after_it_asked() -> None:
    rounds, log = LookRounds(), Log()
    stop = threading.Event()
    wrong: list[tuple[int, int]] = []

    def writer() -> None:
        while not stop.is_set():
            log.write()
            time.sleep(0.0001)

    def caller() -> None:
        for _ in range(ASKS):
            # Callers ask at scattered moments, some while a look is under way.
            time.sleep(random.uniform(0, 0.003))
            with log.lock:
                asked = log.written
            rounds.look(log.look)
            with log.lock:
                if log.seen < asked:
                    wrong.append((asked, log.seen))

    writing = threading.Thread(target=writer)
    writing.start()
    try:
        assert asking(CALLERS, caller) == []
    finally:
        stop.set()
        writing.join(WAIT)
    assert wrong == []
    # Callers asking while a look was under way shared the next one.
    assert log.looks < CALLERS * ASKS


def test_the_callers_waiting_on_a_look_share_the_next_one() -> None:
    rounds = LookRounds()
    first_begun, release = threading.Event(), threading.Event()
    looks: list[str] = []

    def slow_first() -> None:
        looks.append("first")
        first_begun.set()
        release.wait(WAIT)

    first = threading.Thread(target=rounds.look, args=(slow_first,))
    first.start()
    assert first_begun.wait(WAIT)
    waiters = [
        threading.Thread(target=rounds.look, args=(lambda: looks.append("next"),))
        for _ in range(5)
    ]
    for waiter in waiters:
        waiter.start()
    _until(lambda: rounds._asked == 6)
    release.set()
    for thread in [first, *waiters]:
        thread.join(WAIT)

    # The five asked after the first look began: one more look answered them all.
    assert looks == ["first", "next"]


def test_a_failed_look_fails_the_callers_it_covered_and_the_next_look_again() -> None:
    rounds = LookRounds()
    first_begun, release = threading.Event(), threading.Event()
    outcomes: list[str] = []

    def slow_first() -> None:
        first_begun.set()
        release.wait(WAIT)

    def failing() -> None:
        outcomes.append("looked")
        raise ConnectionError("the store went away")

    first = threading.Thread(target=rounds.look, args=(slow_first,))
    first.start()
    assert first_begun.wait(WAIT)
    raised: list[BaseException] = []

    def waiter() -> None:
        try:
            rounds.look(failing)
        except ConnectionError as error:
            raised.append(error)

    waiters = [threading.Thread(target=waiter) for _ in range(4)]
    for thread in waiters:
        thread.start()
    _until(lambda: rounds._asked == 5)
    release.set()
    for thread in [first, *waiters]:
        thread.join(WAIT)

    # One look, for the four of them; each got its error.
    assert outcomes == ["looked"]
    assert len(raised) == 4
    assert all(str(error) == "the store went away" for error in raised)
    # A caller asking afterwards is not answered by that failure: it looks.
    rounds.look(lambda: outcomes.append("again"))
    assert outcomes == ["looked", "again"]


def test_a_look_that_fails_leaves_the_callers_who_asked_after_it_began_to_look() -> (
    None
):
    rounds = LookRounds()
    begun, release = threading.Event(), threading.Event()
    looks: list[str] = []

    def failing_slowly() -> None:
        looks.append("failed")
        begun.set()
        release.wait(WAIT)
        raise ConnectionError("the store went away")

    failures: list[BaseException] = []

    def first() -> None:
        with pytest.raises(ConnectionError) as caught:
            rounds.look(failing_slowly)
        failures.append(caught.value)

    thread = threading.Thread(target=first)
    thread.start()
    assert begun.wait(WAIT)
    later = threading.Thread(target=rounds.look, args=(lambda: looks.append("ok"),))
    later.start()
    _until(lambda: rounds._asked == 2)
    release.set()
    for each in (thread, later):
        each.join(WAIT)

    assert len(failures) == 1
    assert looks == ["failed", "ok"]


def test_a_caller_alone_looks_each_time_it_asks() -> None:
    rounds, log = LookRounds(), Log()
    for _ in range(3):
        rounds.look(log.look)
    assert log.looks == 3


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "the callers never asked"
        time.sleep(0.001)
    # They asked; give each a moment to reach the lock it waits on.
    time.sleep(0.02)

"""SLA clocks: a ticket's timeline read under a policy's targets, in business time.

The rules (the README repeats them for users):

- first response: runs from the ticket's creation until an agent's first public
  article; an internal note never counts.
- update: once the first response was given, a public customer message starts
  it (the first unanswered one: further messages do not move it, as the ticket's
  `waiting_since` fact), and an agent's public article meets it. A reopen after
  the customer spoke last starts it at the reopen.
- solution: runs from the creation until the ticket is resolved or closed; a
  reopen resumes it where it stood (the time used is kept, never reset).
- while the ticket is in a category the policy pauses (pending by default) no
  clock counts; leaving it resumes them.
- a resolution or a close stops the first response and update clocks that still
  run; a merge stops every clock.
- a clock is breached when its business time used reaches the target before it
  is met; met late, it stays breached. It is warned when the time used reaches
  the warning threshold.
- the policy is the one that matches the ticket's traits as they are now, and its
  targets are those of the ticket's priority now: a priority, queue or policy
  change recomputes every due time from the start of the ticket.

`read_clocks` is pure: the same timeline, terms, hours and moment give the same
readings, which is what lets an auditor read them as of any past moment and an
analyst replay the log under a candidate policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from domain.sla_timeline import Happening, Timeline
from domain.statuses import FINISHED, Category


class Clock(StrEnum):
    """The three SLA clocks."""

    FIRST_RESPONSE = "first_response"
    UPDATE = "update"
    SOLUTION = "solution"


class ClockState(StrEnum):
    """Where a clock stands."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    STOPPED = "stopped"


class Terms(Protocol):
    """What the clocks read of a policy: targets in business minutes (None: the
    clock does not run), the warning threshold and the categories that pause."""

    @property
    def first_response(self) -> int | None: ...

    @property
    def update(self) -> int | None: ...

    @property
    def solution(self) -> int | None: ...

    @property
    def warn_percent(self) -> int | None: ...

    @property
    def warn_before_minutes(self) -> int | None: ...

    @property
    def pause_categories(self) -> frozenset[str]: ...


class Hours(Protocol):
    """Business time: how much lies between instants, and where an amount ends."""

    def between(self, start: datetime, end: datetime) -> timedelta: ...

    def add(self, start: datetime, amount: timedelta) -> datetime: ...


@dataclass(frozen=True)
class ClockReading:
    """One clock as it stood at a moment.

    `counting`: the clock still counts (running, paused, or breached and not yet
    met). `due_at`: when it is or was due; None while paused (it depends on when
    the pause ends). `breaches`: how many times the clock was breached (the
    update clock runs once per unanswered customer message).
    """

    clock: Clock
    state: ClockState
    counting: bool
    target_minutes: int
    started_at: datetime
    due_at: datetime | None
    warn_at: datetime | None
    met_at: datetime | None
    stopped_at: datetime | None
    breached_at: datetime | None
    warned_at: datetime | None
    used: timedelta
    left: timedelta
    breaches: int


class _Run:
    """One clock's current cycle while the timeline is read (private, mutable)."""

    def __init__(
        self, clock: Clock, target: int, warn: int | None, at: datetime, paused: bool
    ) -> None:
        self.clock, self.started_at = clock, at
        self.target = timedelta(minutes=target)
        self.warn = None if warn is None else timedelta(minutes=warn)
        self.used = timedelta(0)
        self.since: datetime | None = None if paused else at
        self.counting = True
        self.met_at: datetime | None = None
        self.stopped_at: datetime | None = None
        self.breached_at: datetime | None = None
        self.warned_at: datetime | None = None
        self.due_at: datetime | None = None

    def advance(self, hours: Hours, to: datetime) -> None:
        """Count the business time from `since` to `to`."""
        if self.since is None or to <= self.since:
            return
        span = hours.between(self.since, to)
        warn, unwarned = self.warn, self.warned_at is None
        if warn is not None and unwarned and self.used + span >= warn:
            self.warned_at = hours.add(self.since, warn - self.used)
        if self.breached_at is None and self.used + span >= self.target:
            self.breached_at = hours.add(self.since, self.target - self.used)
        self.used += span
        self.since = to

    def pause(self, paused: bool, at: datetime) -> None:
        if self.counting:
            self.since = None if paused else (self.since or at)

    def end(self, hours: Hours, at: datetime, met: bool) -> None:
        """Meet or stop the clock at `at` (it was advanced to `at` already)."""
        if not self.counting:
            return
        self.due_at = self._due(hours)
        self.counting, self.since = False, None
        if met:
            self.met_at = at
        else:
            self.stopped_at = at

    def resume(self, at: datetime, paused: bool) -> None:
        """Count again from `at`, keeping the time used (the solution clock)."""
        self.counting, self.met_at, self.stopped_at = True, None, None
        self.due_at = None
        self.since = None if paused else at

    def _due(self, hours: Hours) -> datetime | None:
        if self.breached_at is not None:
            return self.breached_at
        if self.since is None:
            return None
        return hours.add(self.since, self.target - self.used)

    def _warn_at(self, hours: Hours) -> datetime | None:
        if self.warned_at is not None or self.warn is None:
            return self.warned_at
        if self.since is None or not self.counting:
            return None
        return hours.add(self.since, self.warn - self.used)

    def reading(self, hours: Hours, breaches: int) -> ClockReading:
        if self.breached_at is not None:
            state = ClockState.BREACHED
        elif self.met_at is not None:
            state = ClockState.MET
        elif self.stopped_at is not None:
            state = ClockState.STOPPED
        else:
            state = ClockState.PAUSED if self.since is None else ClockState.RUNNING
        return ClockReading(
            clock=self.clock,
            state=state,
            counting=self.counting,
            target_minutes=int(self.target.total_seconds() // 60),
            started_at=self.started_at,
            due_at=self._due(hours) if self.counting else self.due_at,
            warn_at=self._warn_at(hours),
            met_at=self.met_at,
            stopped_at=self.stopped_at,
            breached_at=self.breached_at,
            warned_at=self.warned_at,
            used=self.used,
            left=self.target - self.used,
            breaches=breaches,
        )


def warning_minutes(terms: Terms, target: int) -> int | None:
    """After how many business minutes of a target the clock is warned."""
    if terms.warn_before_minutes is not None:
        return max(target - terms.warn_before_minutes, 0)
    if terms.warn_percent is not None:
        return target * terms.warn_percent // 100
    return None


def due_marks(reading: ClockReading, now: datetime) -> list[tuple[str, datetime]]:
    """The SLA marks a clock calls for by `now`: ("breached", due) once its due
    time passed, else ("warned", due) once its warning time passed while it
    still counts. Recorded once per clock and due time (Ticket.mark_sla)."""
    if reading.breached_at is not None and reading.breached_at <= now:
        return [("breached", reading.breached_at)]
    warned, due = reading.warned_at, reading.due_at
    if reading.counting and warned is not None and warned <= now and due is not None:
        return [("warned", due)]
    return []


def read_clocks(
    timeline: Timeline, terms: Terms, hours: Hours, now: datetime | None = None
) -> tuple[ClockReading, ...]:
    """The ticket's clocks under these terms, as they stand at `now`.

    Moments after `now` are not read; without `now`, the clocks stand at the
    timeline's last moment (what a view stores: readings that do not depend on
    when they are read).
    """
    reader = _Reader(terms, hours)
    for moment in timeline.moments:
        if now is not None and moment.at > now:
            break
        reader.take(moment.at, moment.happening, moment.category)
    end = now if now is not None else timeline.last_at
    return reader.readings(end)


class _Reader:
    """Reads the moments one by one into the clocks' cycles."""

    def __init__(self, terms: Terms, hours: Hours) -> None:
        self.terms, self.hours = terms, hours
        self.runs: dict[Clock, _Run] = {}
        self.breaches: dict[Clock, int] = dict.fromkeys(Clock, 0)
        self.category: str | None = None
        self.customer_spoke_last = False
        self.responded = False

    def take(self, at: datetime, happening: Happening, category: str | None) -> None:
        for run in self.runs.values():
            run.advance(self.hours, at)
        if happening is Happening.ENTERED and category is not None:
            self._entered(at, category)
        elif happening is Happening.AGENT_REPLIED:
            self.customer_spoke_last, self.responded = False, True
            for clock in (Clock.FIRST_RESPONSE, Clock.UPDATE):
                if replied := self.runs.get(clock):
                    replied.end(self.hours, at, met=True)
        elif happening is Happening.CUSTOMER_WROTE:
            self.customer_spoke_last = True
            if self._working:
                self._start_update(at)

    def readings(self, end: datetime | None) -> tuple[ClockReading, ...]:
        if end is not None:
            for run in self.runs.values():
                run.advance(self.hours, end)
        found = []
        for clock in Clock:
            if read := self.runs.get(clock):
                breaches = self.breaches[clock] + (read.breached_at is not None)
                found.append(read.reading(self.hours, breaches))
        return tuple(found)

    @property
    def _working(self) -> bool:
        return self.category not in (*FINISHED, Category.MERGED)

    @property
    def _paused(self) -> bool:
        return self.category in self.terms.pause_categories

    def _entered(self, at: datetime, category: str) -> None:
        first = self.category is None
        was_finished = self.category in FINISHED
        self.category = category
        if first:
            self._start(Clock.FIRST_RESPONSE, at)
            self._start(Clock.SOLUTION, at)
            return
        if category == Category.MERGED:
            for run in self.runs.values():
                run.end(self.hours, at, met=False)
        elif category in FINISHED:
            for clock, run in self.runs.items():
                run.end(self.hours, at, met=clock is Clock.SOLUTION)
        elif was_finished:
            if (solution := self.runs.get(Clock.SOLUTION)) is not None:
                solution.resume(at, self._paused)
            if self.customer_spoke_last:
                self._start_update(at)
        for run in self.runs.values():
            run.pause(self._paused, at)

    def _start(self, clock: Clock, at: datetime) -> None:
        target: int | None = getattr(self.terms, clock.value)
        if target is None:
            return
        warn = warning_minutes(self.terms, target)
        self.runs[clock] = _Run(clock, target, warn, at, self._paused)

    def _start_update(self, at: datetime) -> None:
        """A customer waits for an update, unless one is awaited already or the
        first response is still to come (its clock covers the wait)."""
        current = self.runs.get(Clock.UPDATE)
        if not self.responded or (current is not None and current.counting):
            return
        if current is not None and current.breached_at is not None:
            self.breaches[Clock.UPDATE] += 1
        self._start(Clock.UPDATE, at)

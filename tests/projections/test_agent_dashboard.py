"""The agent dashboard on SQLite and PostgreSQL: holdings, responses, resolutions."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.audit import Origin
from domain.desk import HelpDesk
from domain.errors import InvalidValue
from domain.people import Agent
from projections.agents.dashboard import AgentDashboard
from projections.agents.durations import OVERALL, PER_OCTAVE, bucket
from projections.agents.figures import AgentFigures, Dashboard, Figures, dashboard
from projections.engine.runner import ViewRunner
from projections.engine.store import Row, ViewStore
from projections.engine.values import micros
from tests.examples import examples_with_fixtures
from tests.projections.view_stores import assert_rebuilt_alike, view_rows, wipe
from tests.projections.work_desk import (
    ADMIN,
    ALICE,
    CAROL,
    STEPS,
    open_ticket,
    play,
    staffed_desk,
    write,
)
from tests.unit.builders import Clock

MINUTE, SECOND = timedelta(minutes=1), timedelta(seconds=1)
DAY_START, DAY_END = Clock.START, Clock.START + timedelta(days=1)


@pytest.fixture
def runner(view_store: ViewStore) -> ViewRunner:
    """The dashboard's runner over a day of work, described minute by minute below.

    Minute 0: bob opens t1..t6, but alice opens t3 with her message to him (its
    first response, 0 s, hers); t1 and t4 go to alice, t2 to carol. 5: alice
    notes t2 (no response). 10: alice answers t1 (600 s). 20: an admin answers
    t2 (1200 s, nobody's). 30: carol answers t3 (answered already). 60: carol
    resolves alice's t1 (3600 s, alice's); t4 pending.
    120: an admin resolves carol's t2 (7200 s, carol's), then closes it (no
    second resolution). 200: t2 reopened. 260: t2 resolved again (3600 s).
    270: carol resolves unowned t5 (16200 s, hers). 300: t1 set open by hand.
    310: alice resolves t1 (600 s). dan was hired and let go; t3 and t6 nobody's.
    """
    desk, clock = staffed_desk()
    dan = Agent.hire("dan", "Dan", "dan@x.test", ["support"], [], ADMIN)
    dan.update("Dan", "dan@x.test", ["support"], [], False, ADMIN)
    desk.save_config(dan)
    t1, t2, t3, t4, t5, _ = (
        open_ticket(desk, "agent" if i == 3 else "customer") for i in range(1, 7)
    )
    for number, login in ((t1, "alice"), (t2, "carol"), (t4, "alice")):
        desk.assign(number, login, None, ADMIN)
    for minutes, step in (
        (5, lambda: write(desk, t2, ALICE, "internal")),
        (5, lambda: write(desk, t1, ALICE)),
        (10, lambda: write(desk, t2, ADMIN)),
        (10, lambda: write(desk, t3, CAROL)),
        (30, lambda: desk.change_status(t1, "resolved", None, "", CAROL)),
        (0, lambda: desk.change_status(t4, "waiting_for_customer", None, "", ALICE)),
        (60, lambda: desk.change_status(t2, "resolved", None, "", ADMIN)),
        (0, lambda: desk.change_status(t2, "closed", None, "", ADMIN)),
        (80, lambda: desk.reopen(t2, ALICE)),
        (60, lambda: desk.change_status(t2, "resolved", None, "", CAROL)),
        (10, lambda: desk.change_status(t5, "resolved", None, "", CAROL)),
        (30, lambda: desk.change_status(t1, "open", None, "", ALICE)),
        (10, lambda: desk.change_status(t1, "resolved", None, "", ALICE)),
    ):
        clock.advance(minutes * MINUTE)
        step()
    runner = ViewRunner(desk, view_store, [AgentDashboard()], batch_size=3)
    runner.catch_up()
    return runner


def test_a_day_of_figures(runner: ViewRunner) -> None:
    board = dashboard(runner.store, DAY_START, DAY_END)
    assert board.agents == [
        AgentFigures("alice", True, Figures(0, 1, 2, 2, 300.0, 2100.0)),
        AgentFigures("carol", True, Figures(0, 0, 3, 0, None, 7200.0)),
        AgentFigures("dan", False, Figures()),
    ]
    # t6 is new; t3 (answered) and t4 pending. Resolutions: 600, 3600, 3600,
    # 7200, 16200 s; first responses 0, 600, 1200 s.
    assert board.overall == Figures(1, 2, 5, 3, 600.0, 3600.0)
    assert board.position == runner.position("agent_dashboard") > 0


def test_a_period_counts_only_what_happened_in_it(runner: ViewRunner) -> None:
    board = dashboard(runner.store, DAY_START + 61 * MINUTE, DAY_END, "alice")
    assert board.agents == [AgentFigures("alice", True, Figures(0, 1, 1, 0, None, 600))]
    assert board.overall == Figures(1, 2, 4, 0, None, 5400.0)
    empty = dashboard(runner.store, DAY_END, DAY_END + MINUTE)
    assert empty.overall == Figures(1, 2)


def test_an_empty_period_is_refused(runner: ViewRunner) -> None:
    with pytest.raises(InvalidValue):
        dashboard(runner.store, DAY_END, DAY_START)


@examples_with_fixtures(25)
@given(steps=STEPS)
def test_incremental_equals_a_rebuild(
    view_store: ViewStore, steps: list[tuple[str, int, int]]
) -> None:
    wipe(view_store, AgentDashboard())
    desk, clock = staffed_desk()
    runner = ViewRunner(desk, view_store, [AgentDashboard()], batch_size=3)
    made = play(desk, clock, runner, steps)
    incremental = view_rows(view_store, AgentDashboard())
    board = dashboard(view_store, Clock.START, clock() + MINUTE)
    assert board.overall.resolved == len(incremental["dashboard_resolutions"])
    assert board.overall.first_responses <= len(made)
    held = [r for r in incremental["dashboard_tickets"] if r[2] in HELD]
    assert board.overall.open == sum(r[2] != "pending" for r in held)
    assert board.overall.pending == sum(r[2] == "pending" for r in held)
    for agent in board.agents:
        mine = [r for r in held if r[1] == agent.login]
        assert agent.figures.open == sum(r[2] != "pending" for r in mine)
        assert agent.figures.pending == sum(r[2] == "pending" for r in mine)
    assert_rebuilt_alike(desk, view_store, AgentDashboard())
    assert dashboard(view_store, Clock.START, clock() + MINUTE) == board


HELD = ("new", "open", "pending")
WHO = (ALICE, CAROL, ADMIN)


@given(st.integers(1, 10**14))
def test_a_bucket_middle_is_within_two_percent(duration_us: int) -> None:
    middle = 2 ** ((bucket(duration_us) + 0.5) / PER_OCTAVE)
    assert abs(middle - duration_us) <= 0.0195 * duration_us


#: Seconds and who: an answer or a resolution after the step before, by alice,
#: carol or an admin.
LATER = st.none() | st.tuples(st.integers(1, 3 * 86_400), st.integers(0, 2))
#: Per ticket: the second it opens at, its first answer, its resolution.
LIVES = st.lists(st.tuples(st.integers(0, 3 * 86_400), LATER, LATER), max_size=12)
#: A period: its start (from the first ticket's day) and length, in seconds.
PERIODS = st.tuples(st.integers(-86_400, 6 * 86_400), st.integers(1, 7 * 86_400))
Life = tuple[int, tuple[int, int] | None, tuple[int, int] | None]
Step = Callable[[], object]
#: First responses, resolutions and their medians.
Counted = tuple[int, int, float | None, float | None]


@examples_with_fixtures(30)
@given(lives=LIVES, periods=st.lists(PERIODS, min_size=1, max_size=4))
def test_figures_equal_the_raw_rows_within_the_stated_precision(
    view_store: ViewStore, lives: list[Life], periods: list[tuple[int, int]]
) -> None:
    """Counts and small medians are exact; every median is within 2% from the
    histograms alone (exact_up_to=0), whole days and partial ones alike."""
    wipe(view_store, AgentDashboard())
    desk, clock = staffed_desk()
    for at, step in _schedule(desk, lives):
        clock.offset = at * SECOND
        step()
    ViewRunner(desk, view_store, [AgentDashboard()], batch_size=7).catch_up()
    raw = view_rows(view_store, AgentDashboard())
    for begin, length in periods:
        start = Clock.START + begin * SECOND
        end = start + length * SECOND
        span = (micros(start), micros(end))
        exact = _figures(dashboard(view_store, start, end))
        estimated = _figures(dashboard(view_store, start, end, exact_up_to=0))
        for key, (responses, resolutions, *medians) in exact.items():
            answered = _durations(raw["dashboard_responses"], 2, key, span)
            solved = _durations(raw["dashboard_resolutions"], 3, key, span)
            assert (responses, resolutions) == (len(answered), len(solved))
            assert medians == [_median(answered), _median(solved)]
            assert estimated[key][:2] == (responses, resolutions)
            for near, want in zip(estimated[key][2:], medians, strict=True):
                if near is None or want is None:
                    assert near == want
                else:
                    assert abs(near - want) <= 0.0195 * want


def _schedule(desk: HelpDesk, lives: list[Life]) -> list[tuple[int, Step]]:
    """Every ticket's opening, answer and resolution, in the order of their time."""
    numbers: dict[int, str] = {}
    steps: list[tuple[int, int, Step]] = []

    def opening(i: int) -> Step:
        return lambda: numbers.update({i: open_ticket(desk)})

    def answer(i: int, who: Origin) -> Step:
        return lambda: write(desk, numbers[i], who)

    def resolve(i: int, who: Origin) -> Step:
        return lambda: desk.change_status(numbers[i], "resolved", None, "", who)

    for i, (opens, answered, resolved) in enumerate(lives):
        steps.append((opens, len(steps), opening(i)))
        at = opens
        for later, make in ((answered, answer), (resolved, resolve)):
            if later:
                at += later[0]
                steps.append((at, len(steps), make(i, WHO[later[1]])))
    return [(at, step) for at, _, step in sorted(steps, key=lambda s: s[:2])]


def _figures(board: Dashboard) -> dict[str, Counted]:
    """Per agent (and OVERALL), the period's counts and medians."""
    found = {a.login: a.figures for a in board.agents} | {OVERALL: board.overall}
    return {
        key: (
            f.first_responses,
            f.resolved,
            f.median_first_response_seconds,
            f.median_resolution_seconds,
        )
        for key, f in found.items()
    }


def _durations(
    raw: list[Row], moment: int, key: str, span: tuple[int, int]
) -> list[int]:
    """The durations of the raw rows in the span credited to the key (OVERALL: all)."""
    return [
        int(row[moment + 1])
        for row in raw
        if span[0] <= row[moment] < span[1] and key in (OVERALL, row[moment - 1])
    ]


def _median(durations: list[int]) -> float | None:
    """The exact median in seconds, as the dashboard defines it."""
    return statistics.median(durations) / 1e6 if durations else None

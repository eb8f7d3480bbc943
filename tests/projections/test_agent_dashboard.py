"""The agent dashboard on SQLite and PostgreSQL: holdings, responses, resolutions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings

from domain.errors import InvalidValue
from domain.people import Agent
from projections.agent_dashboard import AgentDashboard
from projections.agent_figures import AgentFigures, Figures, dashboard
from projections.rebuild import rebuild
from projections.runner import ViewRunner
from projections.store import ViewStore
from tests.projections.work_desk import (
    ADMIN,
    ALICE,
    CAROL,
    STEPS,
    dump,
    open_ticket,
    play,
    staffed_desk,
    wipe,
    write,
)
from tests.unit.builders import Clock

MINUTE = timedelta(minutes=1)
DAY_START, DAY_END = Clock.START, Clock.START + timedelta(days=1)


@pytest.fixture
def runner(view_store: ViewStore) -> ViewRunner:
    """The dashboard's runner over a day of work, described minute by minute below.

    Minute 0: bob opens t1..t6 (t3's opening article is alice's); t1 and t4 go
    to alice, t2 to carol. 5: alice notes t2 (no response). 10: alice answers
    t1 (600 s). 20: an admin answers t2 (1200 s, nobody's). 30: carol answers t3
    (1800 s). 60: carol resolves alice's t1 (3600 s, alice's); t4 pending.
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
        AgentFigures("alice", True, Figures(0, 1, 2, 1, 600.0, 2100.0)),
        AgentFigures("carol", True, Figures(0, 0, 3, 1, 1800.0, 7200.0)),
        AgentFigures("dan", False, Figures()),
    ]
    # t6 is new; t3 (answered) and t4 pending. Resolutions: 600, 3600, 3600,
    # 7200, 16200 s; first responses 600, 1200, 1800 s.
    assert board.overall == Figures(1, 2, 5, 3, 1200.0, 3600.0)
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


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=STEPS)
def test_incremental_equals_a_rebuild(
    view_store: ViewStore, steps: list[tuple[str, int, int]]
) -> None:
    wipe(view_store, AgentDashboard())
    desk, clock = staffed_desk()
    runner = ViewRunner(desk, view_store, [AgentDashboard()], batch_size=3)
    made = play(desk, clock, runner, steps)
    incremental = dump(view_store, AgentDashboard())
    board = dashboard(view_store, Clock.START, clock() + MINUTE)
    assert board.overall.resolved == len(incremental["dashboard_resolutions"])
    assert board.overall.first_responses <= len(made)
    rebuild(desk, view_store, AgentDashboard(), batch_size=4)
    assert dump(view_store, AgentDashboard()) == incremental
    assert dashboard(view_store, Clock.START, clock() + MINUTE) == board

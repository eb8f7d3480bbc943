"""The escalation worker records each SLA warning and breach, and each expired
pending time, exactly once: ticking again, with two workers at once, and after
one is killed with SIGKILL and started again, on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.articles import Article
from domain.audit import Origin
from domain.configuration_commands import DefineSlaPolicy
from domain.desk import HelpDesk
from domain.ids import ticket_id
from domain.sla_policies import Targets
from domain.ticket import Ticket
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.escalations.view import EscalationView
from projections.escalations.worker import EscalationWorker
from tests.projections.view_stores import wipe
from tests.projections.work_desk import ALICE, open_ticket, staffed_desk
from tests.projections.worker_process import cli_process, eventually
from tests.unit.builders import Clock
from tests.writing import open_tickets
from tickettape.bootstrap import Runtime
from tickettape.stores import event_store_env

MINUTE = timedelta(minutes=1)
MARKS = (Ticket.SlaWarned, Ticket.SlaBreached)
SLA_RUN = ["sla", "run"]
FAST = {"TICKETTAPE_SLA_POLL_SECONDS": "0.1"}


def marks(desk: HelpDesk, numbers: list[str]) -> Counter[tuple[str, str, str, object]]:
    """Every SLA mark on the tickets, counted by ticket, kind, clock and due time."""
    found: Counter[tuple[str, str, str, object]] = Counter()
    for number in numbers:
        for event in desk.events.get(ticket_id(number)):
            if isinstance(event, MARKS):
                assert event.actor == "system:sla"
                found[number, type(event).__name__, event.clock, event.due_at] += 1
    return found


@pytest.fixture
def worker(view_store: ViewStore) -> tuple[EscalationWorker, ViewRunner, Clock]:
    wipe(view_store, EscalationView())
    desk, clock = staffed_desk()
    runner = ViewRunner(desk, view_store, [EscalationView()], batch_size=50)
    worker = EscalationWorker(
        desk, view_store, clock=clock, before_tick=runner.catch_up
    )
    return worker, runner, clock


def test_warnings_then_breaches_are_recorded_once_at_their_moment(
    worker: tuple[EscalationWorker, ViewRunner, Clock],
) -> None:
    sla, _, clock = worker
    desk = sla.desk
    number = open_ticket(desk)
    created = clock()
    sla.catch_up()
    clock.advance(23 * MINUTE)
    assert sla.catch_up().recorded == 0
    clock.advance(2 * MINUTE)
    assert sla.catch_up().recorded == 1
    assert sla.catch_up().recorded == 0
    [warned] = list(marks(desk, [number]))
    assert warned == (number, "SlaWarned", "first_response", created + 30 * MINUTE)
    clock.advance(10 * MINUTE)
    sla.catch_up()
    sla.catch_up()
    assert marks(desk, [number]) == {
        warned: 1,
        (number, "SlaBreached", "first_response", created + 30 * MINUTE): 1,
    }


def test_a_tick_takes_on_at_most_its_limit_and_the_next_ones_the_rest(
    view_store: ViewStore,
) -> None:
    wipe(view_store, EscalationView())
    desk, clock = staffed_desk()
    runner = ViewRunner(desk, view_store, [EscalationView()], batch_size=50)
    sla = EscalationWorker(
        desk, view_store, clock=clock, before_tick=runner.catch_up, limit=2
    )
    numbers = [open_ticket(desk) for _ in range(5)]
    clock.advance(25 * MINUTE)
    assert [sla.catch_up().asked for _ in range(4)] == [2, 2, 1, 0]
    assert set(marks(desk, numbers).values()) == {1}
    assert len(marks(desk, numbers)) == 5


def test_a_met_clock_is_not_breached_however_late_the_worker(
    worker: tuple[EscalationWorker, ViewRunner, Clock],
) -> None:
    sla, runner, clock = worker
    desk = sla.desk
    number = open_ticket(desk)
    runner.catch_up()
    clock.advance(10 * MINUTE)
    reply = Article(desk.new_article_id(), "agent", "public", "web", "On it")
    desk.add_article(number, reply, ALICE)
    # The view has not seen the reply; the worker decides from the ticket.
    clock.advance(60 * MINUTE)
    sla.tick(clock())
    assert not any(key[2] == "first_response" for key in marks(desk, [number]))


def test_an_expired_pending_time_returns_the_ticket_to_open_once(
    worker: tuple[EscalationWorker, ViewRunner, Clock],
) -> None:
    sla, _, clock = worker
    desk = sla.desk
    number = open_ticket(desk)
    desk.assign(number, "alice", None, ALICE)
    until = clock() + 30 * MINUTE
    desk.change_status(number, "postponed", until, "call back", ALICE)
    sla.catch_up()
    assert desk.ticket(number).status == "postponed"
    clock.advance(31 * MINUTE)
    sla.catch_up()
    sla.catch_up()
    ticket = desk.ticket(number)
    assert (ticket.status, ticket.pending_until, ticket.owner) == (
        "open",
        None,
        "alice",
    )
    expired = [
        e
        for e in desk.events.get(ticket_id(number))
        if isinstance(e, Ticket.PendingExpired)
    ]
    assert len(expired) == 1
    assert (expired[0].actor, expired[0].expired) == ("system", until)


def breached_store(runtime: Runtime, count: int) -> tuple[HelpDesk, list[str]]:
    """Tickets opened three hours ago under a policy they all breached since."""
    settings = runtime.settings
    past = datetime.now(UTC) - timedelta(hours=3)
    desk = HelpDesk(env=event_store_env(settings), clock=lambda: past)
    targets = {p: Targets(10, None, 60) for p in ("low", "normal", "high")}
    desk.handle(DefineSlaPolicy("fast", targets), Origin("admin:root"))
    return desk, open_tickets(desk, count)


def expected_marks(numbers: list[str]) -> int:
    """Each ticket breaches its first response and its solution, once each."""
    return 2 * len(numbers)


def settled(
    desk: HelpDesk, numbers: list[str]
) -> Counter[tuple[str, str, str, object]]:
    """The marks once the count stopped moving for a while."""
    found = marks(desk, numbers)
    time.sleep(1.0)
    again = marks(desk, numbers)
    assert again == found
    return again


def test_two_workers_record_each_breach_once(runtime: Runtime, tmp_path: Path) -> None:
    desk, numbers = breached_store(runtime, 30)
    with (
        cli_process(runtime.settings, tmp_path / "one.log", SLA_RUN, **FAST) as one,
        cli_process(runtime.settings, tmp_path / "two.log", SLA_RUN, **FAST) as two,
    ):
        eventually(
            lambda: sum(marks(desk, numbers).values()) >= expected_marks(numbers),
            "every breach recorded",
            one,
        )
        found = settled(desk, numbers)
        assert one.terminate() == 0, one.output()
        assert two.terminate() == 0, two.output()
    assert len(found) == expected_marks(numbers)
    assert set(found.values()) == {1}


def test_a_worker_killed_midway_and_started_again_records_each_breach_once(
    runtime: Runtime, tmp_path: Path
) -> None:
    desk, numbers = breached_store(runtime, 60)
    log = tmp_path / "killed.log"
    with cli_process(runtime.settings, log, SLA_RUN, **FAST) as killed:
        eventually(
            lambda: sum(marks(desk, numbers).values()) > 0, "a first breach", killed
        )
        killed.process.kill()
        killed.process.wait(60)
    with cli_process(
        runtime.settings, tmp_path / "again.log", SLA_RUN, **FAST
    ) as again:
        eventually(
            lambda: sum(marks(desk, numbers).values()) >= expected_marks(numbers),
            "every breach recorded after the restart",
            again,
        )
        found = settled(desk, numbers)
        assert again.terminate() == 0, again.output()
    assert len(found) == expected_marks(numbers)
    assert set(found.values()) == {1}

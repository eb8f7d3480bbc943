"""The queue and status views' test helpers: a desk on a movable clock, random
command sequences, and what the counters should say, from the aggregates alone."""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta

from hypothesis import strategies as st

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.errors import DomainError
from domain.people import Agent
from domain.queues import FollowUp, Queue
from domain.statuses import FINISHED, Category
from domain.ticket import Ticket
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.engine.view import View
from tests.projections.view_stores import wipe
from tests.unit.builders import Clock

ALICE = Origin("agent:alice")
BOB = Origin("customer:bob@acme.test")
QUEUES = ("General", "Hardware")
RESTING = {*FINISHED, Category.MERGED}

Command = Callable[[HelpDesk, Clock, list[str], int], object]


def staff(desk: HelpDesk) -> HelpDesk:
    """Hire alice for group support, which works both queues."""
    desk.save_config(Agent.hire("alice", "Alice", "a@x.test", ["support"], [], ALICE))
    desk.save_config(Queue.open("Hardware", "support", FollowUp.REOPEN, None, ALICE))
    return desk


def staffed_desk(clock: Clock | None = None) -> HelpDesk:
    """An initialized in-memory desk (on the clock), alice working both queues."""
    desk = HelpDesk(clock=clock)
    desk.initialize()
    return staff(desk)


def open_ticket(
    desk: HelpDesk, queue: str = "General", priority: str = "normal"
) -> str:
    """A ticket opened by bob; its number."""
    text = Article(desk.new_article_id(), "customer", "public", "web", "Help")
    draft = TicketDraft(title="Help", customer="bob@acme.test", queue=queue)
    number = desk.open_ticket(draft, text, BOB).number
    if priority != "normal":
        desk.change_priority(number, priority, ALICE)
    return number


def _open(desk: HelpDesk, clock: Clock, made: list[str], i: int) -> object:
    made.append(open_ticket(desk, QUEUES[i % 2]))
    return None


def _of(made: list[str], i: int) -> str:
    """The ticket a step's number picks."""
    return made[i % len(made)]


COMMANDS: dict[str, Command] = {
    "open": _open,
    "agent reply": lambda d, c, m, i: d.add_article(
        _of(m, i), Article(d.new_article_id(), "agent", "public", "web", "Hi"), ALICE
    ),
    "customer reply": lambda d, c, m, i: d.add_article(
        _of(m, i), Article(d.new_article_id(), "customer", "public", "web", "?"), BOB
    ),
    "assign": lambda d, c, m, i: d.assign(_of(m, i), "alice", None, ALICE),
    "unassign": lambda d, c, m, i: d.unassign(_of(m, i), ALICE),
    "resolve": lambda d, c, m, i: d.change_status(
        _of(m, i), "resolved", None, "", ALICE
    ),
    "close": lambda d, c, m, i: d.change_status(_of(m, i), "closed", None, "", ALICE),
    "reopen": lambda d, c, m, i: d.reopen(_of(m, i), ALICE),
    "priority": lambda d, c, m, i: d.change_priority(
        _of(m, i), ("low", "high", "critical")[i % 3], ALICE
    ),
    # The queue depends on the step's number, the ticket on it and the tickets made.
    "move": lambda d, c, m, i: d.move(_of(m, i), QUEUES[i // 5 % 2], ALICE),
    "merge": lambda d, c, m, i: d.merge(_of(m, i), _of(m, i + 1), ALICE),
    "next day": lambda d, c, m, i: c.advance(timedelta(hours=7 + i)),
    "catch up": lambda d, c, m, i: None,
}

STEPS = st.lists(
    st.tuples(st.sampled_from(sorted(COMMANDS)), st.integers(0, 29)), max_size=30
)


def play(
    desk: HelpDesk,
    clock: Clock,
    steps: list[tuple[str, int]],
    catch_up: Callable[[], None],
) -> list[str]:
    """Run the steps (refused commands are skipped); the numbers of the tickets."""
    made: list[str] = []
    for kind, i in [("open", 0), *steps]:
        if kind == "catch up":
            catch_up()
        elif made or kind in ("open", "next day"):
            with contextlib.suppress(DomainError):
                COMMANDS[kind](desk, clock, made, i)
    return made


def tickets(desk: HelpDesk, numbers: list[str]) -> list[Ticket]:
    """The tickets as they are now."""
    return [desk.ticket(n) for n in numbers]


def expected_queue_counts(
    desk: HelpDesk, numbers: list[str]
) -> dict[str, tuple[Counter[str], Counter[str]]]:
    """Per queue: tickets by category, and unfinished tickets by priority."""
    found: dict[str, tuple[Counter[str], Counter[str]]] = {}
    for ticket in tickets(desk, numbers):
        by_category, by_priority = found.setdefault(
            ticket.queue, (Counter(), Counter())
        )
        by_category[ticket.status_category] += 1
        if ticket.status_category not in RESTING:
            by_priority[ticket.priority] += 1
    return found


def expected_backlog(
    desk: HelpDesk, numbers: list[str], queues: set[str], days: list[date]
) -> list[int]:
    """Per day, the tickets of these queues unfinished at its end (UTC)."""
    backlog = [0] * len(days)
    for number in numbers:
        ticket = desk.ticket(number)
        states: list[Ticket] = [
            desk.repository.get(ticket.id, version=v)
            for v in range(1, ticket.version + 1)
        ]
        for index, day in enumerate(days):
            before = [s for s in states if s.modified_on.date() <= day]
            if before and _unfinished_in(before[-1], queues):
                backlog[index] += 1
    return backlog


def _unfinished_in(ticket: Ticket, queues: set[str]) -> bool:
    return ticket.queue in queues and ticket.status_category not in RESTING


def played(
    store: ViewStore, view: View, steps: list[tuple[str, int]]
) -> tuple[HelpDesk, Clock, list[str]]:
    """A fresh staffed desk after the steps, the view caught up as they went.

    The desk, its clock and the tickets made.
    """
    wipe(store, view)
    clock = Clock()
    desk = staffed_desk(clock)
    runner = ViewRunner(desk, store, [view], batch_size=3)
    made = play(desk, clock, steps, runner.catch_up)
    runner.catch_up()
    return desk, clock, made

"""The work views' test helpers: a staffed desk on a hand-moved clock, the commands
random sequences draw from (inbound mail among them), and whole-table dumps to
compare views by."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import timedelta

from hypothesis import strategies as st

from domain.articles import Article
from domain.audit import Origin
from domain.commands import (
    CompleteTask,
    ExpirePending,
    RecordSlaMarks,
    ReopenTask,
    ScheduleTask,
)
from domain.configuration_commands import (
    DefineCalendar,
    DefineSlaPolicy,
    ReconfigureSlaPolicy,
)
from domain.desk import HelpDesk, TicketDraft
from domain.errors import DomainError
from domain.people import Agent
from domain.queues import FollowUp, Queue
from domain.sla_policies import PolicyScope, Targets
from projections.engine.runner import ViewRunner
from tests.projections import mail_steps
from tests.unit.builders import Clock

ALICE = Origin("agent:alice")
CAROL = Origin("agent:carol")
ADMIN = Origin("admin:root")
BOB = Origin("customer:bob@acme.test")


def staffed_desk() -> tuple[HelpDesk, Clock]:
    """An in-memory desk on a clock, alice and carol working General, and Billing."""
    clock = Clock()
    desk = HelpDesk(clock=clock)
    desk.initialize()
    for login in ("alice", "carol"):
        hire = Agent.hire(
            login, login.title(), f"{login}@x.test", ["support"], [], ADMIN
        )
        desk.save_config(hire)
    desk.save_config(Queue.open("Billing", "billing", FollowUp.REOPEN, None, ADMIN))
    # Office hours, so clocks pause overnight and at weekends; Billing has none.
    desk.handle(DefineCalendar("office", "Europe/Berlin", OFFICE_WEEK), ADMIN)
    desk.handle(
        DefineSlaPolicy(
            "standard",
            {p: Targets(30, 60, 240) for p in ("low", "normal", "high")},
            calendar="office",
            applies_to=PolicyScope(queues=("General",)),
        ),
        ADMIN,
    )
    return desk, clock


OFFICE_WEEK = (("08:00-12:00", "13:00-18:00"),) * 5 + ((), ())
SLA = Origin("system:sla")


def open_ticket(
    desk: HelpDesk, sender: str = "customer", queue: str = "General"
) -> str:
    """A ticket for bob with one public article by the sender; its number."""
    text = Article(desk.new_article_id(), sender, "public", "web", "Help")
    draft = TicketDraft(title="Printer", customer="bob@acme.test", queue=queue)
    origin = BOB if sender == "customer" else ALICE
    return desk.open_ticket(draft, text, origin).number


def write(
    desk: HelpDesk, number: str, origin: Origin, visibility: str = "public"
) -> None:
    """An article on the ticket: the customer's if bob writes, else an agent's."""
    sender = "customer" if origin is BOB else "agent"
    text = Article(desk.new_article_id(), sender, visibility, "web", "Words")
    desk.add_article(number, text, origin)


def schedule_task(desk: HelpDesk, number: str, i: int) -> None:
    """A task t0..t2 for alice or carol, due 0 to 90 minutes from now."""
    assignee = ("alice", "carol")[i % 2]
    due_at = desk.clock() + timedelta(minutes=30 * (i % 4))
    desk.handle(ScheduleTask(number, f"Task {i}", assignee, due_at, f"t{i % 3}"), ALICE)


Command = Callable[[HelpDesk, list[str], int], object]

COMMANDS: dict[str, Command] = {
    "open": lambda d, m, i: m.append(open_ticket(d)),
    "open by agent": lambda d, m, i: m.append(open_ticket(d, "agent")),
    "customer reply": lambda d, m, i: write(d, m[i], BOB),
    "agent reply": lambda d, m, i: write(d, m[i], (ALICE, CAROL)[i % 2]),
    "admin reply": lambda d, m, i: write(d, m[i], ADMIN),
    "agent note": lambda d, m, i: write(d, m[i], ALICE, "internal"),
    "assign": lambda d, m, i: d.assign(m[i], ("alice", "carol")[i % 2], None, ADMIN),
    "unassign": lambda d, m, i: d.unassign(m[i], ALICE),
    "resolve": lambda d, m, i: d.change_status(m[i], "resolved", None, "", CAROL),
    "close": lambda d, m, i: d.change_status(m[i], "closed", None, "", ADMIN),
    "set open": lambda d, m, i: d.change_status(m[i], "open", None, "", ALICE),
    "pending": lambda d, m, i: d.change_status(
        m[i], "waiting_for_customer", None, "", ALICE
    ),
    "reopen": lambda d, m, i: d.reopen(m[i], ALICE),
    "merge": lambda d, m, i: d.merge(m[i], m[(i + 1) % len(m)], ALICE),
    "move": lambda d, m, i: d.move(m[i], ("General", "Billing")[i % 2], ADMIN),
    "retitle": lambda d, m, i: d.retitle(m[i], f"Printer {i}", ALICE),
    "priority": lambda d, m, i: d.change_priority(m[i], ("low", "high")[i % 2], ALICE),
    "postpone": lambda d, m, i: d.change_status(
        m[i], "postponed", d.clock() + timedelta(minutes=45), "", ALICE
    ),
    "sla marks": lambda d, m, i: d.handle(RecordSlaMarks(m[i]), SLA),
    "expire pending": lambda d, m, i: d.handle(ExpirePending(m[i]), SLA),
    "tighten sla": lambda d, m, i: d.handle(
        ReconfigureSlaPolicy(
            "standard", targets={"normal": Targets(10 + i, None, 60 + i)}
        ),
        ADMIN,
    ),
    "move warnings": lambda d, m, i: d.handle(
        ReconfigureSlaPolicy("standard", warn_percent=(50, 95)[i % 2]), ADMIN
    ),
    "schedule task": lambda d, m, i: schedule_task(d, m[i], i),
    "task done": lambda d, m, i: d.handle(CompleteTask(m[i], f"t{i % 3}"), CAROL),
    "task reopen": lambda d, m, i: d.handle(ReopenTask(m[i], f"t{i % 3}"), ALICE),
    "mail in": lambda d, m, i: mail_steps.take(d, m, None),
    "mail reply": lambda d, m, i: mail_steps.take(d, m, m[i]),
    "mail refused": lambda d, m, i: mail_steps.refuse(d),
    "mail unreadable": lambda d, m, i: mail_steps.unreadable(d),
    "mail retry": lambda d, m, i: mail_steps.retry(d, m, i, readable=True),
    "mail retry fails": lambda d, m, i: mail_steps.retry(d, m, i, readable=False),
    "mail discard": lambda d, m, i: mail_steps.discard(d, i),
    "catch up": lambda d, m, i: None,
}

#: (command, which ticket, minutes the clock moves first)
STEPS = st.lists(
    st.tuples(st.sampled_from(sorted(COMMANDS)), st.integers(0, 4), st.integers(0, 90)),
    max_size=30,
)


def play(
    desk: HelpDesk, clock: Clock, runner: ViewRunner, steps: list[tuple[str, int, int]]
) -> list[str]:
    """Open a ticket, then run the steps (refused ones change nothing); numbers."""
    made: list[str] = []
    for kind, i, minutes in [("open", 0, 0), *steps]:
        clock.advance(timedelta(minutes=minutes))
        if kind == "catch up":
            runner.catch_up()
        elif made or kind.startswith("open"):
            with contextlib.suppress(DomainError):
                COMMANDS[kind](desk, made, i % max(len(made), 1))
    runner.catch_up()
    return made

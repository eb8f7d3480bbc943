"""A store of tickets whose events give every view work: rebuild and verify share it.

Each ticket is opened by the customer through the desk's command, then assigned,
answered by the agent (the status follows), answered by the customer, tagged,
reprioritized and given an internal note; every other one is resolved. The
follow-up changes run the ticket's own methods, as the commands do, and are saved
for a handful of tickets at once: one command per change would make seeding, not
the scenario, the slow part.
"""

from __future__ import annotations

from dataclasses import replace

from bench.helpdesk import (
    AGENT,
    AGENT_ORIGIN,
    CUSTOMER_ORIGIN,
    article,
    draft,
    internal_note,
)
from domain.articles import Sender
from domain.desk import HelpDesk
from domain.ticket import Ticket

# Events in the log before a scenario measures, by mode (bench/counts.py's mode).
SEED_EVENTS = {"full": 20_000, "quick": 3_000, "tiny": 300}
# Tickets whose follow-up changes are saved in one transaction.
SAVE_BATCH = 20


def seed(desk: HelpDesk, events: int) -> int:
    """Open and work on tickets until the log holds at least `events`; its length."""
    while (at := desk.recorder.max_notification_id() or 0) < events:
        tickets = [_opened(desk) for _ in range(SAVE_BATCH)]
        for turn, ticket in enumerate(tickets):
            _work_on(desk, ticket, resolve=turn % 2 == 0)
        desk.save(*tickets)
    return at


def _opened(desk: HelpDesk) -> Ticket:
    opened = desk.open_ticket(draft(), article(Sender.CUSTOMER), CUSTOMER_ORIGIN)
    return desk.ticket(opened.number)


def _work_on(desk: HelpDesk, ticket: Ticket, *, resolve: bool) -> None:
    """About ten events: what an ordinary ticket's first day brings."""
    now = desk.clock()
    agent, customer = replace(AGENT_ORIGIN, at=now), replace(CUSTOMER_ORIGIN, at=now)
    statuses, queue = desk.statuses(), desk.queue(ticket.queue)
    ticket.assign(desk.agent(AGENT), queue, None, agent)
    ticket.add_article(article(Sender.AGENT), statuses, queue, now, agent)
    ticket.add_article(article(Sender.CUSTOMER), statuses, queue, now, customer)
    ticket.tag("printer", agent)
    ticket.change_priority("high", agent)
    ticket.add_article(internal_note(), statuses, queue, now, agent)
    if resolve:
        resolved = statuses.settable("resolved")
        ticket.change_status(resolved, None, "fixed the fuser", now, agent)

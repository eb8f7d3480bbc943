"""A ticket's facts folded from its own events, to hold the views against."""

from __future__ import annotations

from functools import reduce

from domain.desk import HelpDesk
from domain.ticket_facts import TicketFacts


def folded(desk: HelpDesk, number: str) -> TicketFacts:
    """The ticket's facts after every one of its events."""
    events = desk.events.get(desk.ticket(number).id)
    return reduce(lambda facts, event: facts.after(event), events, TicketFacts())

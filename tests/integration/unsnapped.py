"""Tickets rebuilt without snapshots, to compare with loads that use them."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.desk import HelpDesk
from domain.ids import ticket_id
from domain.ticket import Ticket


class UnsnappedDesk(HelpDesk):
    """The same desk without snapshots: every load replays the whole stream."""

    # eventsourcing names a subclass after itself, and on PostgreSQL the name
    # prefixes the tables: keep HelpDesk's to read the same store.
    name = "helpdesk"

    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {}


def replayed(desk: HelpDesk, number: str, upto: int | None = None) -> Ticket:
    """The ticket folded from its stored events alone, never from a snapshot."""
    aggregate: Any = None
    event: Any
    for event in desk.events.get(ticket_id(number), lte=upto):
        aggregate = event.mutate(aggregate)
    assert isinstance(aggregate, Ticket)
    return aggregate

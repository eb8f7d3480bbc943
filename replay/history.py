"""A ticket's history, event by event, and the ticket as it stood at any moment.

Replays the stored events without snapshots, so each entry says exactly what its
event changed: the ticket's fields before and after, and what the event carried.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.desk import HelpDesk
from domain.disclosure import EVERYTHING, Disclosure
from domain.errors import NotFound
from domain.ids import ticket_id
from domain.ticket import Ticket

# The ticket's fields whose before and after an entry shows.
TRACKED = (
    "title",
    "customer",
    "organization",
    "queue",
    "priority",
    "type",
    "channel",
    "hidden",
    "status",
    "status_category",
    "pending_until",
    "owner",
    "responsible",
    "merged_into",
    "tags",
    "links",
    "fields",
    "rating",
)


@dataclass(frozen=True)
class HistoryEntry:
    """One event of a ticket: who, when, why, and what it changed."""

    version: int
    at: datetime
    actor: str
    correlation_id: str | None
    event: str
    changes: dict[str, tuple[Any, Any]]
    details: dict[str, Any]


@dataclass(frozen=True)
class HistoryFilter:
    """Which entries an auditor asks for: a time range, event types, an actor."""

    since: datetime | None = None
    until: datetime | None = None
    events: frozenset[str] = frozenset()
    actor: str | None = None

    def matches(self, entry: HistoryEntry) -> bool:
        """Whether the entry passes every condition given."""
        return (
            (self.since is None or entry.at >= self.since)
            and (self.until is None or entry.at <= self.until)
            and (not self.events or entry.event in self.events)
            and (self.actor is None or entry.actor == self.actor)
        )


def ticket_events(desk: HelpDesk, number: str) -> list[Ticket.Event]:
    """Every stored event of a ticket, oldest first; NotFound if there is none."""
    events = [
        e for e in desk.events.get(ticket_id(number)) if isinstance(e, Ticket.Event)
    ]
    if not events:
        raise NotFound(f"ticket {number} not found")
    return events


def history(
    desk: HelpDesk, number: str, told: Disclosure = EVERYTHING
) -> list[HistoryEntry]:
    """Every event of a ticket the reader may see, with its changes, oldest first."""
    entries = []
    ticket: Ticket | None = None
    for event in ticket_events(desk, number):
        before = _tracked(ticket, told)
        ticket = event.mutate(ticket)
        details = told.event_fields(event)
        if details is None:
            continue
        after = _tracked(ticket, told)
        entries.append(
            HistoryEntry(
                version=event.originator_version,
                at=event.timestamp,
                actor=event.actor,
                correlation_id=event.correlation_id,
                event=type(event).__name__,
                changes={
                    name: (before.get(name), value)
                    for name, value in after.items()
                    if before.get(name) != value
                },
                details=details,
            )
        )
    return entries


def version_at(desk: HelpDesk, number: str, moment: datetime) -> int:
    """The ticket's version at a moment; NotFound if it did not exist yet."""
    versions = [
        e.originator_version
        for e in ticket_events(desk, number)
        if e.timestamp <= moment
    ]
    if not versions:
        raise NotFound(f"ticket {number} did not exist at {moment.isoformat()}")
    return versions[-1]


def ticket_as_of(desk: HelpDesk, number: str, moment: datetime) -> Ticket:
    """The ticket exactly as it stood at a moment, every field and article."""
    return desk.ticket(number, version_at(desk, number, moment))


def _tracked(ticket: Ticket | None, told: Disclosure) -> dict[str, Any]:
    """The tracked fields of the ticket the reader may see."""
    if ticket is None:
        return {}
    state = {name: getattr(ticket, name) for name in TRACKED}
    # Copies, so that a later event changing a list in place shows as a change.
    state["tags"] = sorted(ticket.tags)
    state["links"] = sorted(
        f"{link.kind}:{link.number}" for link in told.links(ticket.links)
    )
    state["merged_into"] = told.other_ticket(ticket.merged_into)
    state["fields"] = dict(ticket.fields)
    state["rating"] = ticket.rating.score if ticket.rating else None
    return {k: v for k, v in state.items() if told.sees_ticket_field(k)}

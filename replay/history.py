"""A ticket's history, event by event, and the ticket as it stood at any moment.

Replays the stored events without snapshots, so each entry says exactly what its
event changed: the ticket's fields before and after, and what the event carried.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from domain.articles import Visibility
from domain.desk import HelpDesk
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
# What a customer never sees: internal work and staff-only fields.
STAFF_ONLY_EVENTS = frozenset({"TimeAccounted", "FieldChanged"})
STAFF_ONLY_FIELDS = frozenset({"responsible", "hidden", "fields"})
_META = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "actor",
        "correlation_id",
    }
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
    internal: bool

    def for_customer(self) -> HistoryEntry:
        """The entry without the fields a customer may not see."""
        return replace(
            self,
            changes={
                k: v for k, v in self.changes.items() if k not in STAFF_ONLY_FIELDS
            },
            details={
                k: v for k, v in self.details.items() if k not in STAFF_ONLY_FIELDS
            },
        )


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


def history(desk: HelpDesk, number: str) -> list[HistoryEntry]:
    """Every event of a ticket with the changes it made, oldest first."""
    entries = []
    ticket: Ticket | None = None
    for event in ticket_events(desk, number):
        before = _tracked(ticket)
        ticket = event.mutate(ticket)
        after = _tracked(ticket)
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
                details={k: v for k, v in vars(event).items() if k not in _META},
                internal=_is_internal(event),
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


def _is_internal(event: Ticket.Event) -> bool:
    if type(event).__name__ in STAFF_ONLY_EVENTS:
        return True
    return (
        isinstance(event, Ticket.ArticleAdded) and event.visibility != Visibility.PUBLIC
    )


def _tracked(ticket: Ticket | None) -> dict[str, Any]:
    if ticket is None:
        return {}
    state = {name: getattr(ticket, name) for name in TRACKED}
    # Copies, so that a later event changing a list in place shows as a change.
    state["tags"] = sorted(ticket.tags)
    state["links"] = sorted(f"{link.kind}:{link.number}" for link in ticket.links)
    state["fields"] = dict(ticket.fields)
    state["rating"] = ticket.rating.score if ticket.rating else None
    return state

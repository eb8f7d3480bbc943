"""What a ticket's SLA clocks are computed from: its moments, folded from its events.

A `Timeline` keeps only what the clocks read: when the ticket was created, each
change of its status category, each public reply of an agent and each public
message of its customer, and the traits a policy is chosen by (queue, type,
priority, organization). It is independent of any policy, so the same timeline
is read under the policy of the day, the policy as it stood at a past moment,
or a candidate policy an analyst tries out (domain/sla_clocks.py).

`Timeline().after(event)` is the one fold: the Ticket aggregate's events in
order give the timeline, and the escalation view keeps it the same way. A moment
that changes no clock under any policy (a second message of the same side in a
row, a new status of the same category) is left out, so long conversations stay
short timelines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from domain.articles import Sender, Visibility
from domain.statuses import Category

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


class Happening(StrEnum):
    """What a moment of the timeline is."""

    #: The ticket entered a status category (created, status change, reopen, merge).
    ENTERED = "entered"
    #: An agent's public article: a response to the customer.
    AGENT_REPLIED = "agent_replied"
    #: The customer's public article.
    CUSTOMER_WROTE = "customer_wrote"


@dataclass(frozen=True)
class Moment:
    """One thing that happened to the ticket that the clocks care about."""

    at: datetime
    happening: Happening
    #: The category entered (ENTERED only).
    category: str | None = None


@dataclass(frozen=True)
class Timeline:
    """A ticket's moments and traits, as far as its events have been folded."""

    number: str | None = None
    queue: str | None = None
    type: str | None = None
    priority: str | None = None
    organization: str | None = None
    owner: str | None = None
    category: str | None = None
    pending_until: datetime | None = None
    moments: tuple[Moment, ...] = ()

    @property
    def last_at(self) -> datetime | None:
        """The last moment the clocks care about."""
        return self.moments[-1].at if self.moments else None

    def after(self, event: object) -> Timeline:
        """The timeline once the event happened (most events change nothing)."""
        rule = _RULES.get(type(event).__qualname__)
        return rule(self, event) if rule is not None else self

    def to_data(self) -> dict[str, Any]:
        """A JSON-ready form, for a view to store (`from_data` reads it back)."""
        return {
            "number": self.number,
            "queue": self.queue,
            "type": self.type,
            "priority": self.priority,
            "organization": self.organization,
            "owner": self.owner,
            "category": self.category,
            "pending_until": _micros(self.pending_until),
            "moments": [
                [_micros(m.at), m.happening.value, m.category] for m in self.moments
            ],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Timeline:
        """The timeline `to_data` described."""
        moments = tuple(
            Moment(_moment(at), Happening(happening), category)
            for at, happening, category in data["moments"]
        )
        return cls(
            number=data["number"],
            queue=data["queue"],
            type=data["type"],
            priority=data["priority"],
            organization=data["organization"],
            owner=data["owner"],
            category=data["category"],
            pending_until=_optional_moment(data["pending_until"]),
            moments=moments,
        )

    def _entered(
        self, at: datetime, category: str, pending_until: datetime | None = None
    ) -> Timeline:
        # A new status of the same category changes no clock: no moment.
        if self.moments and category == self.category:
            return replace(self, pending_until=pending_until)
        return replace(
            self,
            category=category,
            pending_until=pending_until,
            moments=(*self.moments, Moment(at, Happening.ENTERED, category)),
        )

    def _article(self, event: Any) -> Timeline:
        if event.visibility != Visibility.PUBLIC:
            return self
        if event.sender == Sender.AGENT:
            happening = Happening.AGENT_REPLIED
        elif event.sender == Sender.CUSTOMER:
            happening = Happening.CUSTOMER_WROTE
        else:
            return self
        # A second message of the same side in a row changes no clock.
        if self.moments and self.moments[-1].happening is happening:
            return self
        return replace(
            self, moments=(*self.moments, Moment(event.timestamp, happening))
        )


def timeline_of(events: Iterable[object]) -> Timeline:
    """The timeline of a ticket's events, in order."""
    timeline = Timeline()
    for event in events:
        timeline = timeline.after(event)
    return timeline


def _created(timeline: Timeline, e: Any) -> Timeline:
    return Timeline(
        number=e.number,
        queue=e.queue,
        type=e.type,
        priority=e.priority,
        organization=e.organization,
    )._entered(e.timestamp, e.status_category)


def _micros(at: datetime | None) -> int | None:
    if at is None:
        return None
    return (at.astimezone(UTC) - EPOCH) // MICROSECOND


def _moment(micros: int) -> datetime:
    return EPOCH + micros * MICROSECOND


def _optional_moment(micros: int | None) -> datetime | None:
    return None if micros is None else _moment(micros)


# By the class's name: the aggregate's module may import this one.
_RULES: dict[str, Callable[[Timeline, Any], Timeline]] = {
    "Ticket.Created": _created,
    "Ticket.ArticleAdded": lambda t, e: t._article(e),
    "Ticket.StatusChanged": lambda t, e: t._entered(
        e.timestamp, e.category, e.pending_until
    ),
    "Ticket.Reopened": lambda t, e: replace(
        t._entered(e.timestamp, e.category), owner=e.owner
    ),
    "Ticket.PendingExpired": lambda t, e: t._entered(e.timestamp, e.category),
    "Ticket.Merged": lambda t, e: t._entered(e.timestamp, Category.MERGED.value),
    "Ticket.Assigned": lambda t, e: replace(t, owner=e.owner),
    "Ticket.Unassigned": lambda t, e: replace(t, owner=None),
    "Ticket.Moved": lambda t, e: replace(t, queue=e.to_queue),
    "Ticket.PriorityChanged": lambda t, e: replace(t, priority=e.to_priority),
    "Ticket.TypeChanged": lambda t, e: replace(t, type=e.to_type),
}

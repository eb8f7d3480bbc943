"""Plain helpers for the unit tests: articles, the desk set-up, a movable clock."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.articles import Article, Sender, Visibility
from domain.audit import AuditedAggregate, Origin
from domain.desk import HelpDesk
from domain.fields import FieldDefinition
from domain.ids import ticket_id
from domain.people import Agent, Customer, Organization

ADMIN = Origin("admin:test")
ALICE = Origin("agent:alice")
BOB = Origin("customer:bob@acme.test")
BOB_EMAIL = "bob@acme.test"

# The open_ticket fixture: call with an optional first article and queue.
OpenTicket = Callable[..., str]

_article_ids = itertools.count(1)


class Clock:
    """A clock the tests move forward by hand, starting well in the past.

    The desk stamps every event with this clock, so a ticket's `finished_at`
    and the follow-up window are measured on the same time line.
    """

    START = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return self.START + self.offset

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward."""
        self.offset += delta


def article(
    sender: str = Sender.CUSTOMER,
    visibility: str = Visibility.PUBLIC,
    body: str = "hello",
    minutes: int = 0,
) -> Article:
    """An article with a fresh id."""
    return Article(
        article_id=f"a{next(_article_ids)}",
        sender=sender,
        visibility=visibility,
        channel="web" if sender == Sender.CUSTOMER else "note",
        body=body,
        time_spent_minutes=minutes,
    )


def agent_reply() -> Article:
    """A public reply from an agent."""
    return article(Sender.AGENT, Visibility.PUBLIC)


def internal_note() -> Article:
    """An internal note from an agent."""
    return article(Sender.AGENT, Visibility.INTERNAL)


def setup_desk(desk: HelpDesk) -> HelpDesk:
    """Initialize a desk and give it agents, an organization and customers.

    alice works group support (queue General); carol works group billing only;
    ivan is in support but no longer active; bob is a customer of ACME;
    tickets have a text field `serial`.
    """
    desk.initialize()
    for login, groups in (("alice", ["support"]), ("carol", ["billing"])):
        desk.save_config(
            Agent.hire(login, login.title(), f"{login}@example.com", groups, [], ADMIN)
        )
    ivan = Agent.hire("ivan", "Ivan", "ivan@example.com", ["support"], [], ADMIN)
    ivan.update("Ivan", "ivan@example.com", ["support"], [], False, ADMIN)
    desk.save_config(ivan)
    desk.save_config(Organization.register("ACME", ["acme.test"], ADMIN))
    desk.save_config(Customer.register(BOB_EMAIL, "Bob", "ACME", ADMIN))
    desk.save_config(FieldDefinition.define("serial", "Serial", "text", [], ADMIN))
    return desk


def audited_events(desk: HelpDesk, aggregate_id: UUID) -> list[AuditedAggregate.Event]:
    """Every stored event of an aggregate, oldest first."""
    events = []
    for event in desk.events.get(aggregate_id):
        if not isinstance(event, AuditedAggregate.Event):
            raise TypeError(f"{event!r} records no actor")
        events.append(event)
    return events


def stored_events(desk: HelpDesk, number: str) -> list[AuditedAggregate.Event]:
    """Every stored event of a ticket, oldest first."""
    return audited_events(desk, ticket_id(number))


def event_names(desk: HelpDesk, number: str) -> list[str]:
    """The class names of a ticket's stored events, oldest first."""
    return [type(e).__name__ for e in stored_events(desk, number)]


def log_position(desk: HelpDesk) -> int:
    """The id of the last notification in the log."""
    return int(desk.recorder.max_notification_id() or 0)


class Ticks:
    """A monotonic clock (seconds) moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

"""A desk with the people the scenarios need, and the articles they write."""

from __future__ import annotations

import itertools
from typing import Any, ClassVar

from domain.articles import Article, Sender, Visibility
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.people import Agent, Customer
from tickettape.settings import Settings
from tickettape.stores import event_store_env

SETUP = Origin("admin:bench")
AGENT = "alice"
CUSTOMER = "bob@acme.test"
AGENT_ORIGIN = Origin(f"agent:{AGENT}")
CUSTOMER_ORIGIN = Origin(f"customer:{CUSTOMER}")
# About what a short e-mail reply weighs once quoted text is trimmed.
BODY = (
    "Hello, the printer on the second floor shows error E-042 again after the "
    "toner was replaced this morning. We tried switching it off and on, cleaning "
    "the rollers and reseating the cartridge; the paper still jams at the fuser. "
    "Could someone have a look before the board meeting at three? Thanks, Bob. "
)

_article_numbers = itertools.count(1)


class UnsnapshottedDesk(HelpDesk):
    """The HelpDesk without snapshots: every load replays the whole stream."""

    name = "helpdesk"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {}


def open_desk(settings: Settings, cls: type[HelpDesk] = HelpDesk) -> HelpDesk:
    """A desk on the store, initialized, with agent alice and customer bob."""
    return _staffed(cls(env=event_store_env(settings)))


def memory_desk() -> HelpDesk:
    """The same desk on the library's in-memory store: no database at all."""
    return _staffed(HelpDesk(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}))


def _staffed(desk: HelpDesk) -> HelpDesk:
    if desk.initialize(SETUP):
        hire = Agent.hire(AGENT, "Alice", "alice@example.com", ["support"], [], SETUP)
        desk.save_config(hire)
        desk.save_config(Customer.register(CUSTOMER, "Bob", None, SETUP))
    return desk


def article(sender: str, visibility: str = Visibility.PUBLIC) -> Article:
    """A web article from the customer, or a note (reply or internal) by an agent."""
    return Article(
        article_id=f"bench{next(_article_numbers)}",
        sender=sender,
        visibility=visibility,
        channel="web" if sender == Sender.CUSTOMER else "note",
        body=BODY,
    )


def draft() -> TicketDraft:
    """The customer's new ticket in queue General."""
    return TicketDraft(title="Printer jams at the fuser", customer=CUSTOMER)


def conversation_turn(turn: int) -> tuple[Article, Origin]:
    """The turn-th follow-up: the agent and the customer take turns, agent first."""
    if turn % 2 == 0:
        return article(Sender.AGENT), AGENT_ORIGIN
    return article(Sender.CUSTOMER), CUSTOMER_ORIGIN


def internal_note() -> Article:
    """An internal note: exactly one event, no status change."""
    return article(Sender.AGENT, Visibility.INTERNAL)

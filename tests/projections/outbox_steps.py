"""The outbox on an in-memory desk beside a real view store, and the steps its
tests take: a reply by mail, the mail events of a ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.articles import Article
from domain.desk import HelpDesk
from domain.ids import ticket_id
from domain.mail import MailTerms
from domain.ticket import Ticket
from mail.outbox import MailOutbox, RetryPolicy
from mail.outgoing import Letterhead
from mail.relay import Relay
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.outbox.view import OutboxView
from tests.e2e.memory_desk import MemoryBlobs
from tests.projections.work_desk import ALICE, staffed_desk
from tests.unit.builders import Clock

BOB_EMAIL = "bob@acme.test"
TERMS = MailTerms(tag="Ticket#", message_id_domain="desk.test")
HEAD = Letterhead("support@desk.test", TERMS)
MINUTE = timedelta(minutes=1)


@dataclass
class Outbox:
    """A worker on an in-memory desk, its view, its clock and its blobs."""

    worker: MailOutbox
    runner: ViewRunner
    clock: Clock
    blobs: MemoryBlobs

    @property
    def desk(self) -> HelpDesk:
        return self.worker.desk


def outbox_on(
    store: ViewStore,
    url: str,
    policy: RetryPolicy | None = None,
    desk_clock: tuple[HelpDesk, Clock] | None = None,
    blobs: MemoryBlobs | None = None,
) -> Outbox:
    desk, clock = desk_clock or staffed_desk()
    runner = ViewRunner(desk, store, [OutboxView()], batch_size=50)
    blobs = blobs or MemoryBlobs()
    worker = MailOutbox(
        desk,
        store,
        blobs,
        Relay.from_url(url, timeout=10),
        HEAD,
        policy or RetryPolicy(attempts=3, first_wait=MINUTE),
        clock=clock,
        before_tick=runner.catch_up,
    )
    return Outbox(worker, runner, clock, blobs)


def reply(desk: HelpDesk, number: str, **parts: object) -> Article:
    """A public agent reply by mail on the ticket."""
    fields: dict[str, object] = {
        "article_id": desk.new_article_id(),
        "sender": "agent",
        "visibility": "public",
        "channel": "email",
        "body": "We replaced the toner.",
        **parts,
    }
    article = Article(**fields)  # type: ignore[arg-type]
    desk.add_article(number, article, ALICE)
    return article


def mail_events(desk: HelpDesk, number: str) -> list[Ticket.Event]:
    return [
        e
        for e in desk.events.get(ticket_id(number))
        if isinstance(e, Ticket.MailSent | Ticket.MailFailed)
    ]

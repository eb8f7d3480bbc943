"""The outbox worker: sends the outgoing articles' mail and records what came of it.

Each tick reads the deliveries due from the outbox view, and for each asks the
ticket (not the view) whether it is finished: a view that lags, a second
worker or a restart only make it ask again. A delivery is composed, handed to
the relay under its own Message-ID, and recorded on the ticket (MailSent, or
MailFailed with the time of the next try, or for good). The relay's answer and
its record are two systems: a worker killed between them sends that one mail
again on restart, under the same Message-ID, so the receiving side can tell
it for the same mail. That is the only way a mail goes twice.

One worker at a time sends: each tick first holds a lease in the view store,
which another process's worker takes over only once it lapses. So two `serve`
processes on one PostgreSQL never hand the same mail over together.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from domain.attachments import BlobStore
from domain.audit import Origin
from domain.commands import RecordDelivery
from domain.desk import HelpDesk
from domain.errors import DomainError
from domain.mail_out import (
    MAIL_ACTOR,
    Delivery,
    Notice,
    check_notice,
    delivery_key,
    mail_name,
    sent_message_id,
)
from domain.ticket import Ticket
from mail.outgoing import Letterhead, MissingAttachment, compose, notice_mail
from mail.relay import Relay, RelayError
from mail.templates import DEFAULTS, render
from projections.engine.following import LogFollower
from projections.engine.store import ViewStore
from projections.engine.values import micros
from projections.outbox.query import OutboxRow, due_deliveries

log = logging.getLogger(__name__)

#: How many deliveries one tick takes on at most.
TICK_LIMIT = 100
LEASE = "mail_outbox_lease"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long the outbox tries a delivery."""

    #: Tries before a passing failure becomes final.
    attempts: int = 10
    #: The wait after the first failed try; it doubles after each, up to `longest`.
    first_wait: timedelta = timedelta(minutes=1)
    longest_wait: timedelta = timedelta(hours=2)
    #: An article older than this when the outbox first sees it is not sent
    #: (an outbox turned on for an old store does not mail its history).
    max_age: timedelta = timedelta(days=3)

    def next_try(self, attempt: int, now: datetime) -> datetime | None:
        """When to try again after this failed attempt; None: never."""
        if attempt >= self.attempts:
            return None
        wait: timedelta = self.first_wait * (2 ** min(attempt - 1, 30))
        return now + min(wait, self.longest_wait)


@dataclass(frozen=True)
class Sweep:
    """What one tick did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0


class MailOutbox(LogFollower):
    """Ticks every `poll_seconds` until stopped; the outbox view must be kept
    caught up meanwhile (by the views' runner, or by `before_tick`)."""

    thread_name = "tickettape-mail-out"

    def __init__(
        self,
        desk: HelpDesk,
        store: ViewStore,
        blobs: BlobStore,
        relay: Relay,
        head: Letterhead,
        policy: RetryPolicy | None = None,
        poll_seconds: float = 5.0,
        clock: Callable[[], datetime] | None = None,
        before_tick: Callable[[], object] | None = None,
        agent_notices: bool = True,
    ) -> None:
        super().__init__(poll_seconds, None)
        self.agent_notices = agent_notices
        self.desk, self.store, self.blobs = desk, store, blobs
        self.relay, self.head = relay, head
        self.policy = policy or RetryPolicy()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.before_tick = before_tick
        self.lease = Lease(store, f"{socket.gethostname()}:{os.getpid()}:{id(self)}")

    def catch_up(self) -> Sweep:
        """One tick: the deliveries due by now."""
        if self.before_tick is not None:
            self.before_tick()
        # The lease outlasts the longest a send may take, with room to spare.
        hold_for = timedelta(seconds=4 * self.relay.timeout + 60)
        sent = failed = skipped = 0
        now = self.clock()
        due = due_deliveries(
            self.store,
            now,
            TICK_LIMIT,
            notices_since=now - self.policy.max_age,
            agent_notices=self.agent_notices,
        )
        for row in due:
            if not self.lease.hold(self.clock(), hold_for):
                break
            outcome = self._deliver(row)
            sent += outcome == "sent"
            failed += outcome == "failed"
            skipped += outcome == "skipped"
        return Sweep(sent, failed, skipped)

    def stop(self) -> None:
        """Finish the current delivery, stop, and let another worker take over."""
        super().stop()
        try:
            self.lease.release()
        except Exception:
            # The store is away: the lease lapses on its own.
            log.warning("mail outbox: could not release the lease", exc_info=True)

    def _deliver(self, row: OutboxRow) -> str:
        ticket = self.desk.ticket(row.number)
        name = mail_name(row.article_id, row.notice, row.cause)
        key = delivery_key(name, row.recipient)
        if key in ticket.mail_finished:
            return "skipped"
        domain = self.head.terms.message_id_domain
        message_id = sent_message_id(ticket.number, name, row.recipient, domain)
        attempt = ticket.mail_attempts.get(key, 0) + 1
        now = self.clock()
        written = row.created_at
        error: str | None = None
        retry_at: datetime | None = None
        if row.attempts == 0 and now - written > self.policy.max_age:
            error = f"not sent: written {now - written} before the outbox saw it"
        else:
            try:
                mail = self._compose(ticket, row, name)
            except (MissingAttachment, ValueError) as unfit:
                # Nothing a later try would change: fail it, and go on.
                error = f"cannot be composed: {unfit}"
            else:
                try:
                    self.relay.send(mail, self.head.sender, row.recipient)
                except RelayError as refused:
                    error = str(refused)
                    if not refused.permanent:
                        retry_at = self.policy.next_try(attempt, self.clock())
        delivery = Delivery(
            row.article_id,
            row.recipient,
            message_id,
            error,
            retry_at,
            notice=row.notice,
            cause=row.cause,
        )
        try:
            self.desk.handle(
                RecordDelivery(ticket.number, delivery),
                Origin(MAIL_ACTOR, message_id),
            )
        except DomainError as refused_record:
            log.warning("mail outbox: %s: %s", ticket.number, refused_record.message)
            return "skipped"
        if error is None:
            return "sent"
        log.info("mail outbox: %s to %s: %s", message_id, row.recipient, error)
        return "failed"

    def _compose(self, ticket: Ticket, row: OutboxRow, name: str) -> EmailMessage:
        """The mail of this delivery, its text from the queue's templates."""
        queue = self.desk.queue(ticket.queue)
        values = self._values(ticket)
        if not row.notice:
            article = ticket.article(row.article_id)
            if article.article_id in ticket.forwarded:
                # A forward goes as written, outside the customer's thread.
                head, blobs = self.head, self.blobs
                return compose(
                    ticket, article, row.recipient, head, blobs, thread=False
                )
            reply = queue.templates.get("reply") or DEFAULTS["reply"]
            written = {**values, "body": article.body, "subject": article.subject}
            text = render(reply, {**written, "agent": article.author})
            return compose(ticket, article, row.recipient, self.head, self.blobs, text)
        notice = check_notice(row.notice)
        title, text = ticket.title, ""
        if notice is Notice.ACKNOWLEDGEMENT:
            template = queue.templates.get("acknowledgement") or DEFAULTS[notice]
            text = render(template, values)
        elif notice is Notice.ASSIGNED:
            title = f"Assigned to you: {ticket.title}"
            text = (
                f"Ticket {ticket.number} ({ticket.title}) in queue {ticket.queue} "
                "is assigned to you.\n"
            )
        else:
            article = ticket.article(row.article_id)
            title = f"{ticket.customer} wrote: {ticket.title}"
            text = (
                f"{ticket.customer} wrote on ticket {ticket.number} "
                f"({ticket.title}):\n\n{article.body}\n"
            )
        return notice_mail(ticket, name, row.recipient, self.head, notice, title, text)

    def _values(self, ticket: Ticket) -> dict[str, str | int | None]:
        """What a template may use of the ticket."""
        try:
            customer_name: str | None = self.desk.customer(ticket.customer).name
        except DomainError:
            customer_name = None
        return {
            "number": ticket.number,
            "title": ticket.title,
            "queue": ticket.queue,
            "priority": ticket.priority,
            "status": ticket.status,
            "customer": ticket.customer,
            "customer_name": customer_name,
            "tag": self.head.terms.tag,
        }


class Lease:
    """Who may send now: one holder at a time, until its lease lapses."""

    def __init__(self, store: ViewStore, holder: str) -> None:
        self.store, self.holder = store, holder
        self._made = False

    def hold(self, now: datetime, hold_for: timedelta) -> bool:
        """Take or renew the lease until now + hold_for; False if another holds it."""
        with self.store.transaction(write=True) as rows:
            if not self._made:
                rows.execute(
                    f"CREATE TABLE IF NOT EXISTS {LEASE} (name TEXT PRIMARY KEY, "
                    "holder TEXT NOT NULL, until_us BIGINT NOT NULL)"
                )
                self._made = True
            rows.execute(
                f"INSERT INTO {LEASE} (name, holder, until_us) VALUES ('outbox', ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                f"until_us = excluded.until_us WHERE {LEASE}.holder = ? "
                f"OR {LEASE}.until_us < ?",
                [self.holder, micros(now + hold_for), self.holder, micros(now)],
            )
            rows.execute(f"SELECT holder FROM {LEASE} WHERE name = 'outbox'")
            row = rows.fetchone()
        return row is not None and row.holder == self.holder

    def release(self) -> None:
        """Give the lease up (a worker that stops lets another take over at once)."""
        with self.store.transaction(write=True) as rows:
            if self._made:
                rows.execute(
                    f"DELETE FROM {LEASE} WHERE name = 'outbox' AND holder = ?",
                    [self.holder],
                )

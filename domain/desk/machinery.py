"""How a ticket command runs: load, decide, save atomically, remember the key."""

from __future__ import annotations

import contextlib
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.articles import Article, Sender
from domain.audit import Origin
from domain.desk.configuration import ConfiguredDesk
from domain.desk.records import (
    CommandResult,
    Outcome,
    TicketDraft,
    check_channel,
    fingerprint,
)
from domain.errors import (
    DomainError,
    IdempotencyKeyReused,
    NotFound,
    VersionConflict,
)
from domain.idempotency import IdempotencyRecord
from domain.ids import idempotency_id, ticket_id
from domain.links import LinkKind
from domain.people import Customer
from domain.queues import FollowUp
from domain.statuses import Step
from domain.ticket import Ticket

#: How often a command runs before a lost race is reported as a conflict.
COMMIT_ATTEMPTS = 10
#: Seconds: the longest pause before the second attempt, doubling for each after
#: it, up to the cap.
PAUSE = 0.005
PAUSE_CAP = 0.25
# The system's generator: its draws never disturb the global `random` state
# that hypothesis seeds for the property tests.
_JITTER = random.SystemRandom()


class TicketMachinery(ConfiguredDesk):
    """Loading tickets and committing commands with concurrency and idempotency."""

    def ticket(self, number: str, version: int | None = None) -> Ticket:
        """The ticket with this number, as it stands or as it was at a version.

        The current ticket is shared with other readers: do not change it.
        """
        if version is None:
            return self._loaded(number, self._shared)
        return self._loaded(
            number, lambda i: self.repository.get(i, version=version), version
        )

    def _ticket_to_change(self, number: str) -> Ticket:
        """A private copy of the ticket as it stands, for a command to change."""
        return self._loaded(number, self.repository.get)

    def _loaded(
        self, number: str, load: Callable[[UUID], Aggregate], version: int | None = None
    ) -> Ticket:
        try:
            ticket: Aggregate = load(ticket_id(number))
        except AggregateNotFoundError:
            raise NotFound(f"ticket {number} not found") from None
        if not isinstance(ticket, Ticket):
            raise NotFound(f"ticket {number} not found")
        if version is not None and ticket.version != version:
            raise NotFound(f"ticket {number} has no version {version}")
        return ticket

    def new_article_id(self) -> str:
        """A fresh article id."""
        return secrets.token_hex(8)

    def _open(self, draft: TicketDraft, article: Article, origin: Origin) -> Outcome:
        queue = self._known_queue(draft.queue)
        customer, new_customer = self._customer_for(draft.customer, origin)
        values = {
            name: self._known_field(name).check(value)
            for name, value in draft.fields.items()
        }
        for _ in range(20):
            number = self._new_number()
            if not self._exists(ticket_id(number)):
                break
        ticket = Ticket.open(
            number,
            draft.title,
            customer.email,
            customer.organization,
            queue,
            self.priorities().require(draft.priority or self.priorities().default),
            self.ticket_types().require(draft.type or self.ticket_types().default),
            check_channel(draft.channel),
            draft.hidden,
            values,
            self.statuses().for_step(Step.INITIAL),
            origin,
        )
        ticket.add_article(article, self.statuses(), queue, origin.time(), origin)
        self._account_article_time(ticket, article, origin)
        return Outcome(
            ticket, [new_customer] if new_customer else [], article.article_id
        )

    def _add_article(self, number: str, article: Article, origin: Origin) -> Outcome:
        ticket = self._checked_ticket(number, origin)
        queue = self.queue(ticket.queue)
        action = ticket.add_article(
            article, self.statuses(), queue, origin.time(), origin
        )
        if action is not FollowUp.NEW_TICKET:
            self._account_article_time(ticket, article, origin)
            return Outcome(ticket, [], article.article_id)
        draft = TicketDraft(
            title=ticket.title,
            customer=ticket.customer,
            queue=ticket.queue,
            channel=article.channel,
            hidden=ticket.hidden,
        )
        follow_up = self._open(draft, article, origin)
        follow_up.ticket.link(ticket, LinkKind.RELATED, origin)
        ticket.link(follow_up.ticket, LinkKind.RELATED, origin)
        return Outcome(
            ticket,
            [follow_up.ticket, *follow_up.others],
            article.article_id,
            follow_up.ticket.number,
        )

    def _account_article_time(
        self, ticket: Ticket, article: Article, origin: Origin
    ) -> None:
        if article.time_spent_minutes and article.sender == Sender.AGENT:
            ticket.account_time(
                article.time_spent_minutes, "article", article.article_id, origin
            )

    def _change(
        self,
        number: str,
        origin: Origin,
        command: tuple[Any, ...],
        change: Callable[[Ticket, Origin], Any],
    ) -> CommandResult:
        def run(stamped: Origin) -> Outcome:
            ticket = self._checked_ticket(number, stamped)
            others = change(ticket, stamped)
            return Outcome(ticket, list(others) if isinstance(others, list) else [])

        return self._commit(origin, (number, *command), run)

    def _link(
        self, ticket: Ticket, other: str, kind: LinkKind, origin: Origin
    ) -> list[Aggregate]:
        target = self._ticket_to_change(other)
        ticket.link(target, kind, origin)
        target.link(ticket, kind.inverse, origin)
        return [target]

    def _unlink(
        self, ticket: Ticket, other: str, kind: LinkKind, origin: Origin
    ) -> list[Aggregate]:
        target = self._ticket_to_change(other)
        ticket.unlink(other, kind, origin)
        target.unlink(ticket.number, kind.inverse, origin)
        return [target]

    def _merge(
        self, ticket: Ticket, target_number: str, origin: Origin
    ) -> list[Aggregate]:
        target = (
            self._ticket_to_change(target_number)
            if target_number != ticket.number
            else ticket
        )
        ticket.merge_into(target, self.statuses(), origin)
        return [target] if target is not ticket else []

    def _commit(
        self,
        origin: Origin,
        command: tuple[Any, ...],
        run: Callable[[Origin], Outcome],
    ) -> CommandResult:
        """Run the command and save what it records; a lost race runs it again.

        Another command may save the ticket between this one's load and save
        (the store refuses the second save). The command then runs again, on the
        ticket as the winner left it, so a caller who asked for no version check
        never sees the race; an expected version is checked on that fresh
        ticket, so it conflicts as it should. The attempts are bounded.
        """
        command_print = fingerprint(command)
        for attempt in range(COMMIT_ATTEMPTS):
            if attempt:
                # Random pauses, growing, spread out writers that keep colliding.
                time.sleep(
                    _JITTER.uniform(0, min(PAUSE_CAP, PAUSE * 2 ** (attempt - 1)))
                )
            if prior := self._prior(origin, command_print):
                return prior
            # The desk's clock stamps every event of an attempt with one time.
            stamped = replace(origin, at=origin.at or self.clock())
            try:
                outcome = run(stamped)
            except DomainError:
                # The first request under this key may have saved since the check
                # (its article exists now, say): a retry gets the first result.
                if prior := self._prior(origin, command_print):
                    return prior
                raise
            with contextlib.suppress(IntegrityError):
                return self._save(outcome, stamped, command_print)
        raise VersionConflict(
            self._current_version(outcome.ticket.id), origin.expected_version
        )

    def _save(
        self, outcome: Outcome, origin: Origin, command_print: str
    ) -> CommandResult:
        """Save the outcome's records (and the idempotency key) atomically."""
        ticket = outcome.ticket
        pending = [ticket, *outcome.others]
        if not any(a.pending_events for a in pending):
            return CommandResult(ticket.number, ticket.version, None)
        if origin.idempotency_key:
            pending.append(
                IdempotencyRecord.remember(
                    origin.idempotency_key,
                    command_print,
                    ticket.number,
                    ticket.version,
                    outcome.article_id,
                    outcome.follow_up_number,
                    origin,
                )
            )
        recordings = self.save(*pending)
        for saved in pending:
            self.records.keep(saved)
        return CommandResult(
            ticket.number,
            ticket.version,
            recordings[-1].notification.id if recordings else None,
            outcome.article_id,
            outcome.follow_up_number,
        )

    def _prior(self, origin: Origin, command_print: str) -> CommandResult | None:
        """The first result of a command under the origin's idempotency key."""
        key = origin.idempotency_key
        if not key:
            return None
        try:
            record: Aggregate = self.repository.get(idempotency_id(origin.actor, key))
        except AggregateNotFoundError:
            return None
        if not isinstance(record, IdempotencyRecord):
            return None
        if record.fingerprint != command_print:
            raise IdempotencyKeyReused(
                "this idempotency key was used for a different command"
            )
        return CommandResult(
            record.number,
            record.ticket_version,
            None,
            record.article_id,
            record.follow_up_number,
            replayed=True,
        )

    def _checked_ticket(self, number: str, origin: Origin) -> Ticket:
        ticket = self._ticket_to_change(number)
        origin.expect(ticket.version)
        return ticket

    def _customer_for(
        self, email: str, origin: Origin
    ) -> tuple[Customer, Customer | None]:
        try:
            return self.customer(email), None
        except NotFound:
            name = email.split("@", 1)[0] or email
            customer = Customer.register(email, name, None, origin)
            return customer, customer

    def _new_number(self) -> str:
        return f"{self.clock():%Y%m%d}{secrets.randbelow(10**6):06d}"

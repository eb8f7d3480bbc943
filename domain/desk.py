"""The HelpDesk application: short commands over tickets and their configuration."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Transcoding
from eventsourcing.utils import get_topic

from domain.articles import Article, Channel, Sender
from domain.attachments import AttachmentRef
from domain.audit import SYSTEM, Origin
from domain.choices import DEFAULT_PRIORITIES, DEFAULT_TICKET_TYPES, ChoiceList
from domain.errors import (
    AlreadyExists,
    DomainError,
    IdempotencyKeyReused,
    InvalidValue,
    NotFound,
    VersionConflict,
)
from domain.fields import FieldDefinition
from domain.idempotency import IdempotencyRecord
from domain.ids import (
    PRIORITIES_ID,
    STATUS_CATALOGUE_ID,
    TICKET_TYPES_ID,
    agent_id,
    customer_id,
    field_id,
    idempotency_id,
    organization_id,
    queue_id,
    ticket_id,
    token_id,
)
from domain.links import Link, LinkKind, Rating, TimeEntry, link_kind
from domain.people import Agent, Customer, Organization
from domain.queues import FollowUp, Queue
from domain.statuses import Status, StatusCatalogue, Step
from domain.ticket import Ticket
from domain.tokens import ApiToken, Role, hash_secret, new_secret

A = TypeVar("A", bound=Aggregate)

DEFAULT_QUEUE = "General"
DEFAULT_GROUP = "support"


@dataclass(frozen=True)
class CommandResult:
    """What a ticket command returns: the ticket, its version and the log position."""

    number: str
    version: int
    position: int | None
    article_id: str | None = None
    follow_up_number: str | None = None
    replayed: bool = False


@dataclass(frozen=True)
class TicketDraft:
    """The fields of a new ticket, before the desk fills in the defaults."""

    title: str
    customer: str
    queue: str = DEFAULT_QUEUE
    priority: str | None = None
    type: str | None = None
    channel: str = "web"
    hidden: bool = False
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Outcome:
    ticket: Ticket
    others: list[Aggregate] = field(default_factory=list)
    article_id: str | None = None
    follow_up_number: str | None = None


class _DataclassAsDict(Transcoding):
    """Stores a frozen dataclass of the ticket's state as a plain JSON object."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__name__.lower()

    def encode(self, obj: Any) -> dict[str, Any]:
        return {f.name: getattr(obj, f.name) for f in fields(obj)}

    def decode(self, data: dict[str, Any]) -> Any:
        return self.type(**data)


class HelpDesk(Application[UUID]):
    """The write side: every change to a ticket or the configuration passes here."""

    name = "helpdesk"
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {Ticket: 50}

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """Teach the JSON transcoder the value objects kept in snapshots."""
        super().register_transcodings(transcoder)
        for cls in (Article, AttachmentRef, Link, TimeEntry, Rating, Status):
            if is_dataclass(cls):
                transcoder.register(_DataclassAsDict(cls))

    # Set-up and configuration.

    def initialize(self, origin: Origin | None = None) -> bool:
        """Create the default catalogues and queue once; True if it did."""
        origin = origin or Origin(SYSTEM)
        if self._exists(STATUS_CATALOGUE_ID):
            return False
        self.save(
            StatusCatalogue.start(STATUS_CATALOGUE_ID, origin),
            ChoiceList.start(
                PRIORITIES_ID, "priority", DEFAULT_PRIORITIES, "normal", origin
            ),
            ChoiceList.start(
                TICKET_TYPES_ID, "ticket type", DEFAULT_TICKET_TYPES, "question", origin
            ),
            Queue.open(DEFAULT_QUEUE, DEFAULT_GROUP, FollowUp.REOPEN, None, origin),
        )
        return True

    def statuses(self) -> StatusCatalogue:
        """The status catalogue."""
        return self._get(STATUS_CATALOGUE_ID, StatusCatalogue, "status catalogue")

    def priorities(self) -> ChoiceList:
        """The ordered list of priorities."""
        return self._get(PRIORITIES_ID, ChoiceList, "priority list")

    def ticket_types(self) -> ChoiceList:
        """The list of ticket types."""
        return self._get(TICKET_TYPES_ID, ChoiceList, "ticket type list")

    def queue(self, name: str) -> Queue:
        """The queue with this name."""
        return self._get(queue_id(name), Queue, f"queue {name!r}")

    def agent(self, login: str) -> Agent:
        """The agent with this login."""
        return self._get(agent_id(login), Agent, f"agent {login!r}")

    def customer(self, email: str) -> Customer:
        """The customer with this email address."""
        return self._get(customer_id(email), Customer, f"customer {email!r}")

    def organization(self, name: str) -> Organization:
        """The organization with this name."""
        return self._get(organization_id(name), Organization, f"organization {name!r}")

    def field_definition(self, name: str) -> FieldDefinition:
        """The custom field definition with this name."""
        return self._get(field_id(name), FieldDefinition, f"field {name!r}")

    def token(self, token_uuid: UUID) -> ApiToken:
        """The API token with this id."""
        return self._get(token_uuid, ApiToken, "token")

    def all_of(self, kind: type[A]) -> list[A]:
        """Every configuration record of a kind (queues, agents...), oldest first."""
        created = getattr(kind, "Created")  # noqa: B009
        return [self._get(i, kind, kind.__name__) for i in self._created_ids(created)]

    def save_config(self, record: Aggregate) -> int:
        """Save a new or changed configuration record; returns its version."""
        try:
            self.save(record)
        except IntegrityError:
            if record.version == record.__class__.INITIAL_VERSION:
                raise AlreadyExists(f"that {type(record).__name__} exists") from None
            raise VersionConflict(self._current_version(record.id), None) from None
        return record.version

    def issue_token(
        self, name: str, role: str, subject: str, origin: Origin
    ) -> tuple[str, ApiToken]:
        """A new token; the secret is returned once and only its hash is kept.

        An agent's or customer's token must name an existing agent or customer.
        """
        secret = new_secret()
        subject = self._token_subject(role, subject)
        token = ApiToken.issue(secret, name, role, subject, origin)
        self.save_config(token)
        return secret, token

    def authenticate(self, secret: str) -> ApiToken | None:
        """The live token for a presented secret, or None."""
        try:
            token = self._get(token_id(hash_secret(secret)), ApiToken, "token")
        except NotFound:
            return None
        return None if token.revoked else token

    # Tickets.

    def ticket(self, number: str, version: int | None = None) -> Ticket:
        """The ticket with this number, as it stands or as it was at a version."""
        try:
            ticket: Aggregate = self.repository.get(ticket_id(number), version=version)
        except AggregateNotFoundError:
            raise NotFound(f"ticket {number} not found") from None
        if not isinstance(ticket, Ticket):
            raise NotFound(f"ticket {number} not found")
        if version is not None and ticket.version != version:
            raise NotFound(f"ticket {number} has no version {version}")
        return ticket

    def open_ticket(
        self, draft: TicketDraft, article: Article, origin: Origin
    ) -> CommandResult:
        """Open a ticket with its first article (the customer is registered if new)."""
        return self._commit(
            origin, ("open", draft, article), lambda: self._open(draft, article, origin)
        )

    def add_article(
        self, number: str, article: Article, origin: Origin
    ) -> CommandResult:
        """Add a reply or note; a follow-up may reopen the ticket or open a new one."""
        return self._commit(
            origin,
            ("article", number, article),
            lambda: self._add_article(number, article, origin),
        )

    def assign(
        self, number: str, owner: str, responsible: str | None, origin: Origin
    ) -> CommandResult:
        """Give the ticket to an agent of its queue."""
        return self._change(
            number,
            origin,
            ("assign", owner, responsible),
            lambda t: t.assign(
                self.agent(owner),
                self.queue(t.queue),
                self.agent(responsible) if responsible else None,
                origin,
            ),
        )

    def unassign(self, number: str, origin: Origin) -> CommandResult:
        """Take the ticket from its owner."""
        return self._change(number, origin, ("unassign",), lambda t: t.unassign(origin))

    def change_status(
        self,
        number: str,
        status: str,
        pending_until: datetime | None,
        reason: str,
        origin: Origin,
    ) -> CommandResult:
        """Set a status by hand."""
        return self._change(
            number,
            origin,
            ("status", status, pending_until, reason),
            lambda t: t.change_status(
                self.statuses().settable(status),
                pending_until,
                reason,
                self.clock(),
                origin,
            ),
        )

    def reopen(self, number: str, origin: Origin) -> CommandResult:
        """Reopen a resolved or closed ticket."""
        return self._change(
            number, origin, ("reopen",), lambda t: t.reopen(self.statuses(), origin)
        )

    def change_priority(
        self, number: str, priority: str, origin: Origin
    ) -> CommandResult:
        """Set the priority."""
        return self._change(
            number,
            origin,
            ("priority", priority),
            lambda t: t.change_priority(self.priorities().require(priority), origin),
        )

    def move(self, number: str, queue: str, origin: Origin) -> CommandResult:
        """Move the ticket to another queue."""
        return self._change(
            number,
            origin,
            ("move", queue),
            lambda t: t.move(self._known_queue(queue), origin),
        )

    def change_type(self, number: str, type_: str, origin: Origin) -> CommandResult:
        """Set the ticket type."""
        return self._change(
            number,
            origin,
            ("type", type_),
            lambda t: t.change_type(self.ticket_types().require(type_), origin),
        )

    def retitle(self, number: str, title: str, origin: Origin) -> CommandResult:
        """Change the title."""
        return self._change(
            number, origin, ("title", title), lambda t: t.retitle(title, origin)
        )

    def set_field(
        self, number: str, name: str, value: object, origin: Origin
    ) -> CommandResult:
        """Set or clear a custom field."""
        return self._change(
            number,
            origin,
            ("field", name, value),
            lambda t: t.set_field(self._known_field(name), value, origin),
        )

    def tag(self, number: str, tag: str, origin: Origin) -> CommandResult:
        """Add a tag."""
        return self._change(number, origin, ("tag", tag), lambda t: t.tag(tag, origin))

    def untag(self, number: str, tag: str, origin: Origin) -> CommandResult:
        """Remove a tag."""
        return self._change(
            number, origin, ("untag", tag), lambda t: t.untag(tag, origin)
        )

    def link(self, number: str, other: str, kind: str, origin: Origin) -> CommandResult:
        """Link two tickets; both record the link."""
        return self._change(
            number,
            origin,
            ("link", other, kind),
            lambda t: self._link(t, other, link_kind(kind), origin),
        )

    def unlink(
        self, number: str, other: str, kind: str, origin: Origin
    ) -> CommandResult:
        """Remove a link from both tickets."""
        return self._change(
            number,
            origin,
            ("unlink", other, kind),
            lambda t: self._unlink(t, other, link_kind(kind), origin),
        )

    def merge(self, number: str, target: str, origin: Origin) -> CommandResult:
        """Merge a ticket into another; the source then refuses every change."""
        return self._change(
            number, origin, ("merge", target), lambda t: self._merge(t, target, origin)
        )

    def account_time(
        self,
        number: str,
        minutes: int,
        activity: str,
        article_id: str | None,
        origin: Origin,
    ) -> CommandResult:
        """Account minutes of work."""
        return self._change(
            number,
            origin,
            ("time", minutes, activity, article_id),
            lambda t: t.account_time(minutes, activity, article_id, origin),
        )

    def rate(
        self, number: str, score: int, comment: str, origin: Origin
    ) -> CommandResult:
        """Record the customer's satisfaction."""
        return self._change(
            number,
            origin,
            ("rate", score, comment),
            lambda t: t.rate(score, comment, origin),
        )

    def new_article_id(self) -> str:
        """A fresh article id."""
        return secrets.token_hex(8)

    # The machinery behind the commands.

    def _open(self, draft: TicketDraft, article: Article, origin: Origin) -> _Outcome:
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
            _channel(draft.channel),
            draft.hidden,
            values,
            self.statuses().for_step(Step.INITIAL),
            origin,
        )
        ticket.add_article(article, self.statuses(), queue, self.clock(), origin)
        self._account_article_time(ticket, article, origin)
        return _Outcome(
            ticket, [new_customer] if new_customer else [], article.article_id
        )

    def _add_article(self, number: str, article: Article, origin: Origin) -> _Outcome:
        ticket = self._checked_ticket(number, origin)
        queue = self.queue(ticket.queue)
        action = ticket.add_article(
            article, self.statuses(), queue, self.clock(), origin
        )
        if action is not FollowUp.NEW_TICKET:
            self._account_article_time(ticket, article, origin)
            return _Outcome(ticket, [], article.article_id)
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
        return _Outcome(
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
        change: Callable[[Ticket], Any],
    ) -> CommandResult:
        def run() -> _Outcome:
            ticket = self._checked_ticket(number, origin)
            others = change(ticket)
            return _Outcome(ticket, list(others) if isinstance(others, list) else [])

        return self._commit(origin, (number, *command), run)

    def _link(
        self, ticket: Ticket, other: str, kind: LinkKind, origin: Origin
    ) -> list[Aggregate]:
        target = self.ticket(other)
        ticket.link(target, kind, origin)
        target.link(ticket, kind.inverse, origin)
        return [target]

    def _unlink(
        self, ticket: Ticket, other: str, kind: LinkKind, origin: Origin
    ) -> list[Aggregate]:
        ticket.unlink(other, kind, origin)
        try:
            target = self.ticket(other)
        except NotFound:
            return []
        target.unlink(ticket.number, kind.inverse, origin)
        return [target]

    def _merge(
        self, ticket: Ticket, target_number: str, origin: Origin
    ) -> list[Aggregate]:
        target = (
            self.ticket(target_number) if target_number != ticket.number else ticket
        )
        ticket.merge_into(target, self.statuses(), origin)
        return [target] if target is not ticket else []

    def _commit(
        self, origin: Origin, command: tuple[Any, ...], run: Callable[[], _Outcome]
    ) -> CommandResult:
        fingerprint = _fingerprint(command)
        if origin.idempotency_key and (prior := self._prior(origin, fingerprint)):
            return prior
        outcome = run()
        ticket = outcome.ticket
        pending = [ticket, *outcome.others]
        if not any(a.pending_events for a in pending):
            return CommandResult(ticket.number, ticket.version, None)
        if origin.idempotency_key:
            pending.append(
                IdempotencyRecord.remember(
                    origin.idempotency_key,
                    fingerprint,
                    ticket.number,
                    ticket.version,
                    outcome.article_id,
                    outcome.follow_up_number,
                    origin,
                )
            )
        try:
            recordings = self.save(*pending)
        except IntegrityError:
            if origin.idempotency_key and (prior := self._prior(origin, fingerprint)):
                return prior
            raise VersionConflict(
                self._current_version(ticket.id), origin.expected_version
            ) from None
        return CommandResult(
            ticket.number,
            ticket.version,
            recordings[-1].notification.id if recordings else None,
            outcome.article_id,
            outcome.follow_up_number,
        )

    def _prior(self, origin: Origin, fingerprint: str) -> CommandResult | None:
        key = origin.idempotency_key or ""
        try:
            record: Aggregate = self.repository.get(idempotency_id(origin.actor, key))
        except AggregateNotFoundError:
            return None
        if not isinstance(record, IdempotencyRecord):
            return None
        if record.fingerprint != fingerprint:
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
        ticket = self.ticket(number)
        expected = origin.expected_version
        if expected is not None and expected != ticket.version:
            raise VersionConflict(ticket.version, expected)
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

    def _known_queue(self, name: str) -> Queue:
        try:
            return self.queue(name)
        except NotFound:
            raise InvalidValue(f"unknown queue {name!r}") from None

    def _known_field(self, name: str) -> FieldDefinition:
        try:
            return self.field_definition(name)
        except NotFound:
            raise InvalidValue(f"unknown custom field {name!r}") from None

    def _new_number(self) -> str:
        return f"{self.clock():%Y%m%d}{secrets.randbelow(10**6):06d}"

    def _get(self, aggregate_id: UUID, kind: type[A], what: str) -> A:
        try:
            record: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"{what} not found") from None
        if not isinstance(record, kind):
            raise NotFound(f"{what} not found")
        return record

    def _token_subject(self, role: str, subject: str) -> str:
        try:
            if role == Role.AGENT:
                return self.agent(subject).login
            if role == Role.CUSTOMER:
                return self.customer(subject).email
        except NotFound as error:
            raise InvalidValue(
                f"a {role} token needs an existing {role}: {error.message}"
            ) from None
        return subject

    def _exists(self, aggregate_id: UUID) -> bool:
        return bool(list(self.events.get(aggregate_id, limit=1)))

    def _current_version(self, aggregate_id: UUID) -> int:
        try:
            return int(self.repository.get(aggregate_id).version)
        except AggregateNotFoundError:
            return 0

    def _created_ids(self, created: type[Any]) -> Iterator[UUID]:
        topic = get_topic(created)
        start = 1
        while True:
            batch = self.recorder.select_notifications(start, 500, topics=[topic])
            yield from (UUID(str(n.originator_id)) for n in batch)
            if len(batch) < 500:
                return
            start = batch[-1].id + 1


def _channel(channel: str) -> str:
    if channel not in {c.value for c in Channel}:
        raise InvalidValue(f"unknown channel {channel!r}")
    return channel


def _fingerprint(command: tuple[Any, ...]) -> str:
    text = json.dumps(command, default=_plain, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        # Ids and stamps the edge makes up afresh on every retry are not the command.
        return {
            f.name: getattr(value, f.name)
            for f in fields(value)
            if f.name not in ("article_id", "author", "created_at")
        }
    return str(value)


__all__ = ["CommandResult", "DomainError", "HelpDesk", "TicketDraft"]

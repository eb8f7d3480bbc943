"""The Ticket aggregate: what happened to a ticket, and the rules on what may."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from domain.articles import (
    Article,
    Articles,
    Channel,
    Sender,
    Visibility,
    check_article,
)
from domain.attachments import AttachmentRef
from domain.audit import AuditedAggregate, Origin
from domain.errors import (
    FollowUpRejected,
    InvalidValue,
    NotFound,
    RuleViolation,
    TicketClosed,
    TicketMerged,
)
from domain.fields import FieldDefinition, FieldValue
from domain.ids import ticket_id
from domain.links import Link, LinkKind, Rating, TimeEntry
from domain.mail_out import (
    Delivery,
    Notice,
    addressed,
    check_notice,
    delivery_key,
    forward_subject,
    forwarded_text,
    is_outgoing,
    mail_name,
    recipients,
)
from domain.people import Agent, check_email
from domain.queues import FollowUp, Queue
from domain.statuses import FINISHED, Category, Status, StatusCatalogue, Step
from domain.tasks import Task, check_due_at, check_task_id, check_task_title
from domain.ticket_facts import changes, settle

MAX_TITLE = 250
#: The ticket facts (domain.ticket_facts) the aggregate keeps as attributes.
KEPT_FACTS = (
    "queue",
    "owner",
    "status_category",
    "last_public_sender",
    "first_response_at",
    "finished_at",
)


class Ticket(AuditedAggregate):
    """A support ticket, rebuilt from its events; the guards live in the methods."""

    # Snapshots of version 1 were taken before tickets kept tasks; those of
    # version 2 hold the articles as a plain list, decoded with the rest.
    class_version = 3

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        """A snapshot from before tasks: the ticket had none."""
        state["tasks"] = []

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        """A snapshot whose articles were decoded with it: keep them as they are."""
        state["articles"] = Articles(state["articles"])

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        number: str
        title: str
        customer: str
        organization: str | None
        queue: str
        priority: str
        type: str
        channel: str
        hidden: bool
        fields: dict[str, FieldValue]
        status: str
        status_category: str
        pending_until: datetime | None
        owner: str | None
        responsible: str | None
        last_owner: str | None
        articles: Articles
        tags: list[str]
        links: list[Link]
        merged_into: str | None
        absorbed: list[str]
        time_entries: list[TimeEntry]
        rating: Rating | None
        last_public_sender: str | None
        first_response_at: datetime | None
        finished_at: datetime | None
        sla_marks: list[str]
        tasks: list[Task]
        mail_tries: dict[str, int]
        mail_done: list[str]
        forwards: list[str]

    class Created(AuditedAggregate.Created):
        number: str
        title: str
        customer: str
        organization: str | None
        queue: str
        priority: str
        type: str
        channel: str
        hidden: bool
        fields: dict[str, FieldValue]
        status: str
        status_category: str

        def apply(self, aggregate: Ticket) -> None:
            for name in (
                "number",
                "title",
                "customer",
                "organization",
                "priority",
                "type",
                "channel",
                "hidden",
                "status",
            ):
                setattr(aggregate, name, getattr(self, name))
            aggregate.fields = dict(self.fields)
            aggregate.pending_until = None
            aggregate.responsible = aggregate.last_owner = None
            aggregate.articles, aggregate.tags, aggregate.links = Articles(), [], []
            aggregate.merged_into, aggregate.absorbed = None, []
            aggregate.time_entries, aggregate.rating = [], None
            aggregate.sla_marks = []
            aggregate.tasks = []
            for name in KEPT_FACTS:
                setattr(aggregate, name, None)
            aggregate.learn(self)

    class ArticleAdded(AuditedAggregate.Event):
        article_id: str
        sender: str
        visibility: str
        channel: str
        subject: str
        body: str
        body_html: str | None
        from_address: str | None
        to: list[str]
        cc: list[str]
        attachments: list[dict[str, Any]]
        message_id: str | None
        in_reply_to: str | None
        time_spent_minutes: int

        def apply(self, aggregate: Ticket) -> None:
            article = Article(
                article_id=self.article_id,
                sender=self.sender,
                visibility=self.visibility,
                channel=self.channel,
                body=self.body,
                subject=self.subject,
                body_html=self.body_html,
                from_address=self.from_address,
                to=list(self.to),
                cc=list(self.cc),
                attachments=[AttachmentRef(**a) for a in self.attachments],
                message_id=self.message_id,
                in_reply_to=self.in_reply_to,
                time_spent_minutes=self.time_spent_minutes,
                author=self.actor,
                created_at=self.timestamp,
            )
            aggregate.articles.append(article)
            aggregate.learn(self)

    class Assigned(AuditedAggregate.Event):
        owner: str
        responsible: str | None

        def apply(self, aggregate: Ticket) -> None:
            aggregate.last_owner = self.owner
            aggregate.responsible = self.responsible
            aggregate.learn(self)

    class Unassigned(AuditedAggregate.Event):
        owner: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.responsible = None
            aggregate.learn(self)

    class StatusChanged(AuditedAggregate.Event):
        from_status: str
        to_status: str
        category: str
        pending_until: datetime | None
        reason: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.status = self.to_status
            aggregate.pending_until = self.pending_until
            aggregate.learn(self)

    class Reopened(AuditedAggregate.Event):
        from_status: str
        to_status: str
        category: str
        cause: str
        article_id: str | None
        owner: str | None

        def apply(self, aggregate: Ticket) -> None:
            aggregate.status = self.to_status
            aggregate.pending_until = None
            aggregate.learn(self)

    class PriorityChanged(AuditedAggregate.Event):
        from_priority: str
        to_priority: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.priority = self.to_priority

    class Moved(AuditedAggregate.Event):
        from_queue: str
        to_queue: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.learn(self)

    class TypeChanged(AuditedAggregate.Event):
        from_type: str
        to_type: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.type = self.to_type

    class Retitled(AuditedAggregate.Event):
        from_title: str
        to_title: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.title = self.to_title

    class FieldChanged(AuditedAggregate.Event):
        name: str
        value: FieldValue
        previous: FieldValue

        def apply(self, aggregate: Ticket) -> None:
            if self.value is None:
                aggregate.fields.pop(self.name, None)
            else:
                aggregate.fields[self.name] = self.value

    class Tagged(AuditedAggregate.Event):
        tag: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.tags = sorted({*aggregate.tags, self.tag})

    class Untagged(AuditedAggregate.Event):
        tag: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.tags = [t for t in aggregate.tags if t != self.tag]

    class Linked(AuditedAggregate.Event):
        number: str
        kind: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.links.append(Link(self.number, self.kind))

    class Unlinked(AuditedAggregate.Event):
        number: str
        kind: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.links.remove(Link(self.number, self.kind))

    class Merged(AuditedAggregate.Event):
        target: str
        from_status: str
        to_status: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.merged_into = self.target
            aggregate.status = self.to_status
            aggregate.pending_until = None
            aggregate.learn(self)

    class Absorbed(AuditedAggregate.Event):
        source: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.absorbed.append(self.source)

    class TimeAccounted(AuditedAggregate.Event):
        minutes: int
        article_id: str | None
        activity: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.time_entries.append(
                TimeEntry(
                    self.minutes,
                    self.activity,
                    self.article_id,
                    self.actor,
                    self.timestamp,
                )
            )

    class SatisfactionRated(AuditedAggregate.Event):
        score: int
        comment: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.rating = Rating(
                self.score, self.comment, self.timestamp, self.actor
            )

    # What the system records on its own: SLA warnings and breaches, expired pending.

    class SlaWarned(AuditedAggregate.Event):
        clock: str
        due_at: datetime
        policy: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.sla_marks = [*aggregate.marks, _mark("warned", self)]

    class SlaBreached(AuditedAggregate.Event):
        clock: str
        due_at: datetime
        policy: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate.sla_marks = [*aggregate.marks, _mark("breached", self)]

    class PendingExpired(AuditedAggregate.Event):
        from_status: str
        to_status: str
        category: str
        expired: datetime

        def apply(self, aggregate: Ticket) -> None:
            aggregate.status = self.to_status
            aggregate.pending_until = None
            aggregate.learn(self)

    class Hidden(AuditedAggregate.Event):
        def apply(self, aggregate: Ticket) -> None:
            aggregate.hidden = True

    class Unhidden(AuditedAggregate.Event):
        def apply(self, aggregate: Ticket) -> None:
            aggregate.hidden = False

    @property
    def marks(self) -> list[str]:
        """The SLA warnings and breaches recorded, as `kind clock due` keys."""
        # Snapshots taken before SLA clocks existed have no marks.
        return list(getattr(self, "sla_marks", []))

    # What the mail outbox recorded of the deliveries (domain/mail_out.py).

    class MailSent(AuditedAggregate.Event):
        article_id: str
        notice: str
        cause: int
        recipient: str
        message_id: str
        attempt: int

        def apply(self, aggregate: Ticket) -> None:
            aggregate._delivered(self, True)

    class MailFailed(AuditedAggregate.Event):
        article_id: str
        notice: str
        cause: int
        recipient: str
        message_id: str
        attempt: int
        reason: str
        final: bool
        retry_at: datetime | None

        def apply(self, aggregate: Ticket) -> None:
            aggregate._delivered(self, self.final)

    class ArticleForwarded(AuditedAggregate.Event):
        """The article just added is a forward of another, to these addresses."""

        article_id: str
        source_article_id: str
        to: list[str]
        cc: list[str]

        def apply(self, aggregate: Ticket) -> None:
            aggregate.forwards = [*aggregate.forwarded, self.article_id]

    @property
    def forwarded(self) -> list[str]:
        """The ids of the articles that are forwards (mailed, though internal)."""
        # Snapshots taken before forwarding have none.
        return list(getattr(self, "forwards", []))

    @property
    def mail_attempts(self) -> dict[str, int]:
        """Tries so far, by delivery key."""
        # Snapshots taken before the outbox have none.
        return dict(getattr(self, "mail_tries", {}))

    @property
    def mail_finished(self) -> list[str]:
        """The delivery keys sent, or failed for good: never tried again."""
        return list(getattr(self, "mail_done", []))

    def _delivered(
        self, event: Ticket.MailSent | Ticket.MailFailed, done: bool
    ) -> None:
        name = mail_name(event.article_id, event.notice, event.cause)
        key = delivery_key(name, event.recipient)
        self.mail_tries = {**self.mail_attempts, key: event.attempt}
        if done:
            self.mail_done = [*self.mail_finished, key]

    # Scheduled tasks (Splynx): staff work on the ticket, see domain/tasks.py.

    class TaskScheduled(AuditedAggregate.Event):
        task_id: str
        title: str
        assignee: str
        due_at: datetime

        def apply(self, aggregate: Ticket) -> None:
            aggregate.tasks.append(
                Task(self.task_id, self.title, self.assignee, self.due_at)
            )

    class TaskDone(AuditedAggregate.Event):
        task_id: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate._replace_task(self.task_id, done=True, done_at=self.timestamp)

    class TaskReopened(AuditedAggregate.Event):
        task_id: str

        def apply(self, aggregate: Ticket) -> None:
            aggregate._replace_task(self.task_id, done=False, done_at=None)

    def learn(self, event: object) -> None:
        """Take on what the event means for the ticket facts the aggregate keeps."""
        kept = {name: getattr(self, name) for name in KEPT_FACTS}
        for name, value in settle(changes(event), kept).items():
            setattr(self, name, value)

    # Commands: each checks the lifecycle rules, then records what happened.

    @classmethod
    def open(
        cls,
        number: str,
        title: str,
        customer: str,
        organization: str | None,
        queue: Queue,
        priority: str,
        type_: str,
        channel: str,
        hidden: bool,
        fields: dict[str, FieldValue],
        status: Status,
        origin: Origin,
    ) -> Ticket:
        """A new ticket in its initial status; the desk adds its first article."""
        if not queue.active:
            raise InvalidValue(f"queue {queue.name!r} is not active")
        return cls._start(
            cls.Created,
            ticket_id(number),
            origin,
            number=number,
            title=_check_title(title),
            customer=customer,
            organization=organization,
            queue=queue.name,
            priority=priority,
            type=type_,
            channel=channel,
            hidden=hidden,
            fields=dict(fields),
            status=status.name,
            status_category=status.category,
        )

    def add_article(
        self,
        article: Article,
        statuses: StatusCatalogue,
        queue: Queue,
        now: datetime,
        origin: Origin,
    ) -> FollowUp | None:
        """Add an article and let who spoke last set the status.

        Returns FollowUp.NEW_TICKET, without adding anything, when the queue's
        policy wants a customer's follow-up on a finished ticket to open a new one.
        """
        self._refuse_if_merged()
        article = addressed(check_article(article), self.customer)
        if self.articles.has(article.article_id):
            raise InvalidValue(f"article {article.article_id} exists already")
        customer_speaks = article.sender == Sender.CUSTOMER
        if self.status_category in FINISHED and customer_speaks:
            action = queue.follow_up_action(self.finished_at, now)
            if action is FollowUp.REJECT:
                raise FollowUpRejected(
                    f"ticket {self.number} is finished and queue {queue.name!r} "
                    "accepts no follow-ups; please open a new ticket"
                )
            if action is FollowUp.NEW_TICKET:
                return action
            self._record_article(article, origin)
            self._reopen(statuses, "customer_follow_up", article.article_id, origin)
            return FollowUp.REOPEN
        if self.status_category == Category.CLOSED:
            raise TicketClosed(f"ticket {self.number} is closed; reopen it first")
        self._record_article(article, origin)
        if article.visibility == Visibility.PUBLIC:
            self._who_spoke_last(article.sender, statuses, origin)
        return None

    def assign(
        self, owner: Agent, queue: Queue, responsible: Agent | None, origin: Origin
    ) -> None:
        """Give the ticket to an active agent of its queue's group."""
        self._refuse_if_finished_for_changes()
        for agent in (owner, responsible):
            if agent is not None and not (agent.active and queue.group in agent.groups):
                raise InvalidValue(
                    f"{agent.login} is not an active agent of queue {queue.name!r}"
                )
        resp = responsible.login if responsible else None
        if (owner.login, resp) != (self.owner, self.responsible):
            self._record(self.Assigned, origin, owner=owner.login, responsible=resp)

    def unassign(self, origin: Origin) -> None:
        """Take the ticket away from its owner."""
        self._refuse_if_finished_for_changes()
        if self.owner is not None:
            self._record(self.Unassigned, origin, owner=self.owner)

    def change_status(
        self,
        status: Status,
        pending_until: datetime | None,
        reason: str,
        now: datetime,
        origin: Origin,
    ) -> None:
        """Set a status by hand; pending statuses may carry a pending-until time."""
        self._refuse_if_finished_for_changes()
        if status.category != Category.PENDING and pending_until is not None:
            raise InvalidValue("only pending statuses take pending_until")
        if status.pending_until_required and pending_until is None:
            raise InvalidValue(f"status {status.name!r} needs pending_until")
        if pending_until is not None and pending_until <= now:
            raise InvalidValue("pending_until must lie in the future")
        if (status.name, pending_until) != (self.status, self.pending_until):
            self._record(
                self.StatusChanged,
                origin,
                from_status=self.status,
                to_status=status.name,
                category=status.category,
                pending_until=pending_until,
                reason=reason[:500],
            )

    def reopen(self, statuses: StatusCatalogue, origin: Origin) -> None:
        """Reopen a resolved or closed ticket, back to its last owner."""
        self._refuse_if_merged()
        if self.status_category not in FINISHED:
            raise RuleViolation(f"ticket {self.number} is not resolved or closed")
        self._reopen(statuses, "agent", None, origin)

    def change_priority(self, priority: str, origin: Origin) -> None:
        """Set the priority (checked against the configured list by the desk)."""
        self._refuse_if_finished_for_changes()
        if priority != self.priority:
            self._record(
                self.PriorityChanged,
                origin,
                from_priority=self.priority,
                to_priority=priority,
            )

    def move(self, queue: Queue, origin: Origin) -> None:
        """Move the ticket to another active queue."""
        self._refuse_if_finished_for_changes()
        if not queue.active:
            raise InvalidValue(f"queue {queue.name!r} is not active")
        if queue.name != self.queue:
            self._record(self.Moved, origin, from_queue=self.queue, to_queue=queue.name)

    def change_type(self, type_: str, origin: Origin) -> None:
        """Set the ticket type (checked against the configured list by the desk)."""
        self._refuse_if_finished_for_changes()
        if type_ != self.type:
            self._record(self.TypeChanged, origin, from_type=self.type, to_type=type_)

    def retitle(self, title: str, origin: Origin) -> None:
        """Change the title."""
        self._refuse_if_finished_for_changes()
        title = _check_title(title)
        if title != self.title:
            self._record(self.Retitled, origin, from_title=self.title, to_title=title)

    def set_field(
        self, definition: FieldDefinition, value: object, origin: Origin
    ) -> None:
        """Set or clear (None) a custom field, validated against its definition."""
        self._refuse_if_finished_for_changes()
        checked = definition.check(value)
        previous = self.fields.get(definition.name)
        if checked != previous or type(checked) is not type(previous):
            self._record(
                self.FieldChanged,
                origin,
                name=definition.name,
                value=checked,
                previous=previous,
            )

    def tag(self, tag: str, origin: Origin) -> None:
        """Add a tag; closed tickets take tags too."""
        self._refuse_if_merged()
        tag = _check_tag(tag)
        if tag not in self.tags:
            self._record(self.Tagged, origin, tag=tag)

    def untag(self, tag: str, origin: Origin) -> None:
        """Remove a tag."""
        self._refuse_if_merged()
        if tag in self.tags:
            self._record(self.Untagged, origin, tag=tag)

    def link(self, other: Ticket, kind: LinkKind, origin: Origin) -> None:
        """Record how another ticket relates to this one."""
        self._refuse_if_merged()
        if other.number == self.number:
            raise InvalidValue("a ticket cannot link to itself")
        if Link(other.number, kind.value) not in self.links:
            self._record(self.Linked, origin, number=other.number, kind=kind.value)

    def unlink(self, number: str, kind: LinkKind, origin: Origin) -> None:
        """Remove a link."""
        self._refuse_if_merged()
        if Link(number, kind.value) in self.links:
            self._record(self.Unlinked, origin, number=number, kind=kind.value)

    def merge_into(
        self, target: Ticket, statuses: StatusCatalogue, origin: Origin
    ) -> None:
        """Merge this ticket into the target; both sides record it."""
        self._refuse_if_finished_for_changes()
        if target.number == self.number:
            raise InvalidValue("a ticket cannot merge into itself")
        if target.merged_into is not None:
            raise RuleViolation(f"ticket {target.number} is merged already")
        if target.status_category == Category.CLOSED:
            raise RuleViolation(f"ticket {target.number} is closed")
        merged = statuses.for_step(Step.MERGED)
        self._record(
            self.Merged,
            origin,
            target=target.number,
            from_status=self.status,
            to_status=merged.name,
        )
        target._record(target.Absorbed, origin, source=self.number)

    def account_time(
        self, minutes: int, activity: str, article_id: str | None, origin: Origin
    ) -> None:
        """Account minutes of work, optionally against one article."""
        self._refuse_if_finished_for_changes()
        if not 1 <= minutes <= 10_000:
            raise InvalidValue("time accounted is 1 to 10000 minutes")
        if article_id is not None and not self.articles.has(article_id):
            raise InvalidValue(f"ticket {self.number} has no article {article_id}")
        self._record(
            self.TimeAccounted,
            origin,
            minutes=minutes,
            activity=activity[:100],
            article_id=article_id,
        )

    def rate(self, score: int, comment: str, origin: Origin) -> None:
        """Record the customer's satisfaction after resolution."""
        self._refuse_if_merged()
        if self.status_category not in FINISHED:
            raise RuleViolation("a ticket is rated after it is resolved")
        if not 1 <= score <= 5:
            raise InvalidValue("a satisfaction score is 1 to 5")
        self._record(
            self.SatisfactionRated, origin, score=score, comment=comment[:2000]
        )

    def close(self, statuses: StatusCatalogue, origin: Origin) -> None:
        """Close the ticket for its customer; follow-ups then meet the queue policy."""
        self._refuse_if_merged()
        if self.status_category == Category.CLOSED:
            return
        closed = statuses.closing()
        self._record(
            self.StatusChanged,
            origin,
            from_status=self.status,
            to_status=closed.name,
            category=closed.category,
            pending_until=None,
            reason="closed by the customer",
        )

    def hide(self, hidden: bool, origin: Origin) -> None:
        """Hide the ticket from its customer, or show it again."""
        self._refuse_if_merged()
        if hidden != self.hidden:
            self._record(self.Hidden if hidden else self.Unhidden, origin)

    def mark_sla(
        self, kind: str, clock: str, due_at: datetime, policy: str, origin: Origin
    ) -> None:
        """Record that a clock was warned or breached, once per clock and due time."""
        event = self.SlaWarned if kind == "warned" else self.SlaBreached
        if mark_key(kind, clock, due_at) not in self.marks:
            self._record(event, origin, clock=clock, due_at=due_at, policy=policy)

    def expire_pending(
        self, statuses: StatusCatalogue, now: datetime, origin: Origin
    ) -> None:
        """Return a pending ticket whose pending time passed to an open status."""
        if self.merged_into is not None or self.status_category != Category.PENDING:
            return
        if self.pending_until is None or self.pending_until > now:
            return
        target = statuses.for_step(Step.CUSTOMER_REPLIED)
        self._record(
            self.PendingExpired,
            origin,
            from_status=self.status,
            to_status=target.name,
            category=target.category,
            expired=self.pending_until,
        )

    def forward(
        self,
        source_id: str,
        forward_id: str,
        to: list[str],
        cc: list[str],
        comment: str,
        origin: Origin,
    ) -> None:
        """Forward an article by mail: an internal agent article on the email
        channel, the original quoted with its attachments, and the record that
        it is a forward (which the outbox mails)."""
        self._refuse_if_merged()
        if self.status_category == Category.CLOSED:
            raise TicketClosed(f"ticket {self.number} is closed; reopen it first")
        source = self.article(source_id)
        if not to:
            raise InvalidValue("a forward needs a recipient")
        for address in (*to, *cc):
            check_email(address)
        article = check_article(
            Article(
                article_id=forward_id,
                sender=Sender.AGENT,
                visibility=Visibility.INTERNAL,
                channel=Channel.EMAIL,
                body=forwarded_text(source, comment),
                subject=forward_subject(source.subject or self.title),
                to=list(to),
                cc=list(cc),
                attachments=list(source.attachments),
            )
        )
        self._record_article(article, origin)
        self._record(
            self.ArticleForwarded,
            origin,
            article_id=forward_id,
            source_article_id=source_id,
            to=list(to),
            cc=list(cc),
        )

    def record_delivery(self, delivery: Delivery, origin: Origin) -> None:
        """Record a try at one of the ticket's mails to one recipient.

        A delivery sent or failed for good is finished: a later report of it
        (a second worker, a retry after a crash) records nothing. An agent's
        notice goes to the address the agent had when it was called for.
        """
        self._check_mailed(delivery)
        if delivery.key in self.mail_finished:
            return
        fields: dict[str, object] = {
            "article_id": delivery.article_id,
            "notice": delivery.notice,
            "cause": delivery.cause,
            "recipient": delivery.recipient,
            "message_id": delivery.message_id,
            "attempt": self.mail_attempts.get(delivery.key, 0) + 1,
        }
        if delivery.error is None:
            self._record(self.MailSent, origin, **fields)
        else:
            self._record(
                self.MailFailed,
                origin,
                **fields,
                reason=delivery.reason,
                final=delivery.retry_at is None,
                retry_at=delivery.retry_at,
            )

    def _check_mailed(self, delivery: Delivery) -> None:
        """Refuse a delivery of a mail the ticket does not send to that recipient."""
        recipient = delivery.recipient.casefold()
        if not delivery.notice:
            article = self.article(delivery.article_id)
            mailed = is_outgoing(article) or article.article_id in self.forwarded
            if mailed and recipient in {
                r.casefold() for r in recipients(article.to, article.cc)
            }:
                return
            raise InvalidValue(
                f"article {article.article_id} is not mailed to {delivery.recipient!r}"
            )
        notice = check_notice(delivery.notice)
        if not 1 <= delivery.cause <= self.version:
            raise InvalidValue(f"ticket {self.number} has no version {delivery.cause}")
        if notice is Notice.ACKNOWLEDGEMENT and (
            delivery.cause != 1 or recipient != self.customer.casefold()
        ):
            raise InvalidValue("an acknowledgement goes to the customer, of version 1")
        replied = notice is Notice.CUSTOMER_REPLIED
        if replied and self.article(delivery.article_id).sender != Sender.CUSTOMER:
            raise InvalidValue(f"article {delivery.article_id} is not the customer's")

    def article(self, article_id: str) -> Article:
        """The ticket's article with this id; NotFound if it has none."""
        for article in self.articles:
            if article.article_id == article_id:
                return article
        raise NotFound(f"ticket {self.number} has no article {article_id}")

    # Scheduled tasks.

    def schedule_task(
        self,
        task_id: str,
        title: str,
        assignee: Agent,
        due_at: datetime,
        now: datetime,
        origin: Origin,
    ) -> None:
        """Schedule a task for an active agent (of any group), due in the future."""
        self._refuse_if_finished_for_changes()
        check_task_id(task_id)
        if any(t.task_id == task_id for t in self.tasks):
            raise InvalidValue(f"task {task_id} exists already")
        if not assignee.active:
            raise InvalidValue(f"{assignee.login} is not an active agent")
        self._record(
            self.TaskScheduled,
            origin,
            task_id=task_id,
            title=check_task_title(title),
            assignee=assignee.login,
            due_at=check_due_at(due_at, now),
        )

    def complete_task(self, task_id: str, origin: Origin) -> None:
        """Mark a task done; a done task stays as it is."""
        self._refuse_if_finished_for_changes()
        if not self.task(task_id).done:
            self._record(self.TaskDone, origin, task_id=task_id)

    def reopen_task(self, task_id: str, origin: Origin) -> None:
        """Mark a done task open again; an open task stays as it is."""
        self._refuse_if_finished_for_changes()
        if self.task(task_id).done:
            self._record(self.TaskReopened, origin, task_id=task_id)

    def task(self, task_id: str) -> Task:
        """The ticket's task with this id; NotFound if it has none."""
        for task in self.tasks:
            if task.task_id == task_id:
                return task
        raise NotFound(f"ticket {self.number} has no task {task_id}")

    def _replace_task(self, task_id: str, done: bool, done_at: datetime | None) -> None:
        self.tasks = [
            replace(t, done=done, done_at=done_at) if t.task_id == task_id else t
            for t in self.tasks
        ]

    # Rule helpers.

    def _record_article(self, article: Article, origin: Origin) -> None:
        self._record(
            self.ArticleAdded,
            origin,
            article_id=article.article_id,
            sender=article.sender,
            visibility=article.visibility,
            channel=article.channel,
            subject=article.subject,
            body=article.body,
            body_html=article.body_html,
            from_address=article.from_address,
            to=list(article.to),
            cc=list(article.cc),
            attachments=[vars(a).copy() for a in article.attachments],
            message_id=article.message_id,
            in_reply_to=article.in_reply_to,
            time_spent_minutes=article.time_spent_minutes,
        )

    def _who_spoke_last(
        self, sender: str, statuses: StatusCatalogue, origin: Origin
    ) -> None:
        if sender == Sender.AGENT and self.status_category in (
            Category.NEW,
            Category.OPEN,
        ):
            target, reason = statuses.for_step(Step.AGENT_REPLIED), "agent replied"
        elif sender == Sender.CUSTOMER and self.status_category == Category.PENDING:
            target, reason = (
                statuses.for_step(Step.CUSTOMER_REPLIED),
                "customer replied",
            )
        else:
            return
        if target.name != self.status:
            self._record(
                self.StatusChanged,
                origin,
                from_status=self.status,
                to_status=target.name,
                category=target.category,
                pending_until=None,
                reason=reason,
            )

    def _reopen(
        self,
        statuses: StatusCatalogue,
        cause: str,
        article_id: str | None,
        origin: Origin,
    ) -> None:
        target = statuses.for_step(Step.REOPENED)
        self._record(
            self.Reopened,
            origin,
            from_status=self.status,
            to_status=target.name,
            category=target.category,
            cause=cause,
            article_id=article_id,
            owner=self.last_owner,
        )

    def _refuse_if_merged(self) -> None:
        if self.merged_into is not None:
            raise TicketMerged(self.number, self.merged_into)

    def _refuse_if_finished_for_changes(self) -> None:
        self._refuse_if_merged()
        if self.status_category == Category.CLOSED:
            raise TicketClosed(f"ticket {self.number} is closed; reopen it first")


def mark_key(kind: str, clock: str, due_at: datetime) -> str:
    """The key of one SLA mark: its kind, clock and due time (in UTC)."""
    return f"{kind} {clock} {due_at.astimezone(UTC).isoformat()}"


def _mark(kind: str, event: Ticket.SlaWarned | Ticket.SlaBreached) -> str:
    return mark_key(kind, event.clock, event.due_at)


def _check_title(title: str) -> str:
    title = title.strip()
    if not title or len(title) > MAX_TITLE or any(c in title for c in "\r\n\0"):
        raise InvalidValue(f"a title has 1 to {MAX_TITLE} characters on one line")
    return title


def _check_tag(tag: str) -> str:
    tag = tag.strip()
    if not tag or len(tag) > 64 or any(c.isspace() or c == "," for c in tag):
        raise InvalidValue("a tag has 1 to 64 characters, no spaces or commas")
    return tag

"""Queues: where tickets wait, which group works them, and the follow-up policy."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from domain.audit import AuditedAggregate, Origin
from domain.errors import InvalidValue
from domain.ids import queue_id


class FollowUp(StrEnum):
    """What a customer's mail on a resolved or closed ticket does."""

    REOPEN = "reopen"
    REJECT = "reject"
    NEW_TICKET = "new_ticket"
    REOPEN_WITHIN_DAYS = "reopen_within_days"


class MailTemplateKind(StrEnum):
    """The mail a queue has templates for: its agents' replies, and the
    acknowledgement of a new ticket."""

    REPLY = "reply"
    ACKNOWLEDGEMENT = "acknowledgement"


MAIL_TEMPLATE_KINDS = tuple(kind.value for kind in MailTemplateKind)
MAX_TEMPLATE = 20_000


class Queue(AuditedAggregate):
    """A queue of tickets, worked by one group of agents."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        name: str
        group: str
        follow_up: str
        reopen_within_days: int | None
        active: bool
        show_solution_due: bool
        mail_acknowledge: bool
        mail_templates: dict[str, str]

    class Created(AuditedAggregate.Created):
        name: str
        group: str
        follow_up: str
        reopen_within_days: int | None

        def apply(self, aggregate: Queue) -> None:
            aggregate.name = self.name
            aggregate.group = self.group
            aggregate.follow_up = self.follow_up
            aggregate.reopen_within_days = self.reopen_within_days
            aggregate.active = True
            aggregate.show_solution_due = False

    class Reconfigured(AuditedAggregate.Event):
        group: str
        follow_up: str
        reopen_within_days: int | None
        active: bool

        def apply(self, aggregate: Queue) -> None:
            aggregate.group = self.group
            aggregate.follow_up = self.follow_up
            aggregate.reopen_within_days = self.reopen_within_days
            aggregate.active = self.active

    class SolutionDueShown(AuditedAggregate.Event):
        """Whether customers see the solution due time of the queue's tickets."""

        shown: bool

        def apply(self, aggregate: Queue) -> None:
            aggregate.show_solution_due = self.shown

    class MailSettingsChanged(AuditedAggregate.Event):
        """Whether the queue acknowledges new tickets by mail, and its templates."""

        acknowledge: bool
        templates: dict[str, str]

        def apply(self, aggregate: Queue) -> None:
            aggregate.mail_acknowledge = self.acknowledge
            aggregate.mail_templates = dict(self.templates)

    @property
    def acknowledges(self) -> bool:
        """Whether a customer who opens a ticket here is sent an acknowledgement."""
        # Queues configured before mail went out have no mail settings.
        return bool(getattr(self, "mail_acknowledge", False))

    @property
    def templates(self) -> dict[str, str]:
        """The queue's own mail templates by kind (the others are the defaults)."""
        return dict(getattr(self, "mail_templates", {}))

    @classmethod
    def open(
        cls,
        name: str,
        group: str,
        follow_up: str,
        reopen_within_days: int | None,
        origin: Origin,
    ) -> Queue:
        """A new active queue."""
        _check_name(name, "queue")
        _check_name(group, "group")
        policy = _check_policy(follow_up, reopen_within_days)
        return cls._start(
            cls.Created,
            queue_id(name),
            origin,
            name=name,
            group=group,
            follow_up=policy,
            reopen_within_days=reopen_within_days,
        )

    def reconfigure(
        self,
        group: str,
        follow_up: str,
        reopen_within_days: int | None,
        active: bool,
        origin: Origin,
    ) -> None:
        """Change the queue's group, follow-up policy or active flag."""
        _check_name(group, "group")
        policy = _check_policy(follow_up, reopen_within_days)
        new = (group, policy, reopen_within_days, active)
        if new != (self.group, self.follow_up, self.reopen_within_days, self.active):
            self._record(
                self.Reconfigured,
                origin,
                group=group,
                follow_up=policy,
                reopen_within_days=reopen_within_days,
                active=active,
            )

    def share_solution_due(self, shown: bool, origin: Origin) -> None:
        """Show customers the solution due time of this queue's tickets, or stop."""
        if shown != self.show_solution_due:
            self._record(self.SolutionDueShown, origin, shown=shown)

    def set_mail(
        self, acknowledge: bool, templates: Mapping[str, str], origin: Origin
    ) -> None:
        """Acknowledge new tickets by mail or not, and set the templates given
        (an empty one goes back to the default)."""
        merged = self.templates
        for kind, text in templates.items():
            if kind not in MAIL_TEMPLATE_KINDS:
                allowed = ", ".join(MAIL_TEMPLATE_KINDS)
                raise InvalidValue(f"unknown mail template {kind!r}; one of {allowed}")
            if len(text) > MAX_TEMPLATE:
                raise InvalidValue(f"a template has at most {MAX_TEMPLATE} characters")
            if text.strip():
                merged[kind] = text
            else:
                merged.pop(kind, None)
        if (acknowledge, merged) != (self.acknowledges, self.templates):
            self._record(
                self.MailSettingsChanged,
                origin,
                acknowledge=acknowledge,
                templates=merged,
            )

    def follow_up_action(self, finished_at: datetime | None, now: datetime) -> FollowUp:
        """What a customer follow-up on a ticket finished at `finished_at` does."""
        policy = FollowUp(self.follow_up)
        if policy is not FollowUp.REOPEN_WITHIN_DAYS:
            return policy
        days = self.reopen_within_days or 0
        if finished_at is None or now - finished_at <= timedelta(days=days):
            return FollowUp.REOPEN
        return FollowUp.NEW_TICKET


def _check_name(name: str, what: str) -> None:
    if not name or len(name) > 100 or name != name.strip():
        raise InvalidValue(f"a {what} name has 1 to 100 characters, no outer spaces")


def _check_policy(follow_up: str, reopen_within_days: int | None) -> str:
    try:
        policy = FollowUp(follow_up)
    except ValueError:
        choices = ", ".join(p.value for p in FollowUp)
        raise InvalidValue(
            f"unknown follow-up policy {follow_up!r}; one of {choices}"
        ) from None
    if policy is FollowUp.REOPEN_WITHIN_DAYS:
        if reopen_within_days is None or not 0 <= reopen_within_days <= 3650:
            raise InvalidValue("reopen_within_days needs a number of days, 0 to 3650")
    elif reopen_within_days is not None:
        raise InvalidValue("reopen_within_days goes with the reopen_within_days policy")
    return policy.value

"""The status catalogue: configurable statuses, each in one of six categories."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING
from uuid import UUID

from domain.audit import AuditedAggregate, Origin
from domain.errors import AlreadyExists, InvalidValue, NotFound, RuleViolation


class Category(StrEnum):
    """What a status means for SLA clocks, views and the lifecycle rules."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"
    MERGED = "merged"


FINISHED = frozenset({Category.RESOLVED, Category.CLOSED})


class Step(StrEnum):
    """The moments at which the lifecycle rules pick a status on their own."""

    INITIAL = "initial"
    AGENT_REPLIED = "agent_replied"
    CUSTOMER_REPLIED = "customer_replied"
    REOPENED = "reopened"
    MERGED = "merged"


@dataclass(frozen=True)
class Status:
    """One configured status."""

    name: str
    category: str
    pending_until_required: bool = False
    active: bool = True


DEFAULT_STATUSES = [
    Status("new", Category.NEW),
    Status("open", Category.OPEN),
    Status("waiting_for_customer", Category.PENDING),
    Status("waiting_on_agent", Category.OPEN),
    Status("postponed", Category.PENDING, pending_until_required=True),
    Status("resolved", Category.RESOLVED),
    Status("closed", Category.CLOSED),
    Status("merged", Category.MERGED),
]

DEFAULT_WORKFLOW = {
    Step.INITIAL: "new",
    Step.AGENT_REPLIED: "waiting_for_customer",
    Step.CUSTOMER_REPLIED: "open",
    Step.REOPENED: "open",
    Step.MERGED: "merged",
}


class StatusCatalogue(AuditedAggregate):
    """The one catalogue of statuses; admins add and retire their own."""

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        statuses: list[Status]
        workflow: dict[str, str]

    class Created(AuditedAggregate.Created):
        statuses: list[Status]
        workflow: dict[str, str]

        def apply(self, aggregate: StatusCatalogue) -> None:
            aggregate.statuses = list(self.statuses)
            aggregate.workflow = dict(self.workflow)

    class StatusAdded(AuditedAggregate.Event):
        status: Status

        def apply(self, aggregate: StatusCatalogue) -> None:
            aggregate.statuses.append(self.status)

    class StatusRetired(AuditedAggregate.Event):
        name: str

        def apply(self, aggregate: StatusCatalogue) -> None:
            aggregate.statuses = [
                Status(s.name, s.category, s.pending_until_required, active=False)
                if s.name == self.name
                else s
                for s in aggregate.statuses
            ]

    @classmethod
    def start(cls, catalogue_id: UUID, origin: Origin) -> StatusCatalogue:
        """The default catalogue of DESIGN.md."""
        return cls._start(
            cls.Created,
            catalogue_id,
            origin,
            statuses=list(DEFAULT_STATUSES),
            workflow={str(k): v for k, v in DEFAULT_WORKFLOW.items()},
        )

    def find(self, name: str) -> Status:
        """The status with this name, active or retired."""
        for status in self.statuses:
            if status.name == name:
                return status
        raise NotFound(f"unknown status {name!r}")

    def settable(self, name: str) -> Status:
        """The status an agent may set by hand: known, active and not `merged`."""
        try:
            status = self.find(name)
        except NotFound:
            raise InvalidValue(f"unknown status {name!r}") from None
        if not status.active:
            raise InvalidValue(f"status {name!r} is retired")
        if status.category == Category.MERGED:
            raise InvalidValue("tickets become merged only by merging them")
        return status

    def for_step(self, step: Step) -> Status:
        """The status the lifecycle rules use at this step."""
        return self.find(self.workflow[str(step)])

    def closing(self) -> Status:
        """The status a customer's close sets: the first active closed status."""
        for status in self.statuses:
            if status.category == Category.CLOSED and status.active:
                return status
        raise RuleViolation("no active status in the closed category")

    def add(self, status: Status, origin: Origin) -> None:
        """Add a status to a category."""
        if any(s.name == status.name for s in self.statuses):
            raise AlreadyExists(f"status {status.name!r} exists already")
        if status.category not in set(Category) - {Category.MERGED}:
            raise InvalidValue(f"unknown status category {status.category!r}")
        if not status.name or len(status.name) > 64:
            raise InvalidValue("a status name has 1 to 64 characters")
        self._record(self.StatusAdded, origin, status=status)

    def retire(self, name: str, origin: Origin) -> None:
        """Retire a status: existing tickets keep it, no ticket can enter it."""
        status = self.find(name)
        if name in self.workflow.values():
            raise InvalidValue(f"status {name!r} is used by the lifecycle rules")
        if status.active:
            self._record(self.StatusRetired, origin, name=name)

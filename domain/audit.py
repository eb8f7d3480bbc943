"""Who did it and why: every event of every aggregate records its actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import VersionConflict

SYSTEM = "system"


@dataclass(frozen=True)
class Origin:
    """The actor behind a command, its correlation id and its concurrency terms.

    actor is `agent:<login>`, `customer:<email>`, `admin:<name>`, `system` or
    `rule:<id>`; correlation_id is a request id, idempotency key or Message-ID;
    at is when the command happened (the desk's clock), None meaning now.
    """

    actor: str
    correlation_id: str | None = None
    expected_version: int | None = None
    idempotency_key: str | None = None
    at: datetime | None = None

    def time(self) -> datetime:
        """When the command happened."""
        return self.at or datetime.now(UTC)

    def expect(self, version: int) -> None:
        """Refuse the command if the caller expected another version than this."""
        if self.expected_version is not None and self.expected_version != version:
            raise VersionConflict(version, self.expected_version)


class AuditedAggregate(Aggregate):
    """An aggregate whose every event carries the actor and the correlation id."""

    class Event(Aggregate.Event):
        actor: str
        correlation_id: str | None

    class Created(Event, Aggregate.Created):
        pass

    def _record(
        self,
        event_class: type[AuditedAggregate.Event],
        origin: Origin,
        **fields: object,
    ) -> None:
        """Trigger an event stamped with the command's origin."""
        self.trigger_event(
            event_class,
            timestamp=origin.at,
            actor=origin.actor,
            correlation_id=origin.correlation_id,
            **fields,
        )

    @classmethod
    def _start(
        cls,
        event_class: type[AuditedAggregate.Created],
        aggregate_id: UUID,
        origin: Origin,
        **fields: Any,
    ) -> Self:
        """Create the aggregate with a Created event stamped with the origin."""
        return cls._create(
            event_class,
            id=aggregate_id,
            timestamp=origin.at,
            actor=origin.actor,
            correlation_id=origin.correlation_id,
            **fields,
        )

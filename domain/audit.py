"""Who did it and why: every event of every aggregate records its actor."""

from __future__ import annotations

from dataclasses import dataclass

from eventsourcing.domain import Aggregate

SYSTEM = "system"


@dataclass(frozen=True)
class Origin:
    """The actor behind a command, its correlation id and its concurrency terms.

    actor is `agent:<login>`, `customer:<email>`, `admin:<name>`, `system` or
    `rule:<id>`; correlation_id is a request id, idempotency key or Message-ID.
    """

    actor: str
    correlation_id: str | None = None
    expected_version: int | None = None
    idempotency_key: str | None = None


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
            actor=origin.actor,
            correlation_id=origin.correlation_id,
            **fields,
        )

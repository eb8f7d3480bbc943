"""Idempotency records: a retried command returns its first result, once stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.audit import AuditedAggregate, Origin
from domain.ids import idempotency_id


class IdempotencyRecord(AuditedAggregate):
    """The outcome of the first command sent with an actor's idempotency key.

    Saved atomically with the command's own events, so a crash can't record one
    without the other, and the uuid5 id makes a second record impossible.
    """

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        fingerprint: str
        number: str
        ticket_version: int
        article_id: str | None
        follow_up_number: str | None

    class Created(AuditedAggregate.Created):
        fingerprint: str
        number: str
        ticket_version: int
        article_id: str | None
        follow_up_number: str | None

        def apply(self, aggregate: IdempotencyRecord) -> None:
            aggregate.fingerprint = self.fingerprint
            aggregate.number = self.number
            aggregate.ticket_version = self.ticket_version
            aggregate.article_id = self.article_id
            aggregate.follow_up_number = self.follow_up_number

    @classmethod
    def remember(
        cls,
        key: str,
        fingerprint: str,
        number: str,
        ticket_version: int,
        article_id: str | None,
        follow_up_number: str | None,
        origin: Origin,
    ) -> IdempotencyRecord:
        """A record of the command's result under the actor's key."""
        return cls._start(
            cls.Created,
            idempotency_id(origin.actor, key),
            origin,
            fingerprint=fingerprint,
            number=number,
            ticket_version=ticket_version,
            article_id=article_id,
            follow_up_number=follow_up_number,
        )

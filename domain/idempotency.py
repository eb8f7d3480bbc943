"""Idempotency records: a retried command returns its first result, once stored."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.audit import AuditedAggregate, Origin
from domain.ids import idempotency_id


class IdempotencyRecord(AuditedAggregate):
    """The outcome of the first command sent with an actor's idempotency key.

    Saved atomically with the command's own events, so a crash can't record one
    without the other, and the uuid5 id makes a second record impossible. The
    subject is the ticket's number, or the configuration record's id; the log
    position of the first answer is this record's own (it is saved last).
    """

    # Declared for mypy only: class annotations would make the library
    # generate an __init__ from them.
    if TYPE_CHECKING:
        fingerprint: str
        subject: str
        subject_version: int
        article_id: str | None
        follow_up_number: str | None
        task_id: str | None

    class Created(AuditedAggregate.Created):
        class_version = 3

        fingerprint: str
        subject: str
        subject_version: int
        article_id: str | None
        follow_up_number: str | None
        task_id: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            """Records made when only tickets took idempotency keys."""
            state["subject"] = state.pop("number")
            state["subject_version"] = state.pop("ticket_version")

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            """Records made before commands scheduled tasks."""
            state["task_id"] = None

        def apply(self, aggregate: IdempotencyRecord) -> None:
            aggregate.fingerprint = self.fingerprint
            aggregate.subject = self.subject
            aggregate.subject_version = self.subject_version
            aggregate.article_id = self.article_id
            aggregate.follow_up_number = self.follow_up_number
            aggregate.task_id = self.task_id

    @classmethod
    def remember(
        cls,
        key: str,
        fingerprint: str,
        subject: str,
        subject_version: int,
        article_id: str | None,
        follow_up_number: str | None,
        origin: Origin,
        task_id: str | None = None,
    ) -> IdempotencyRecord:
        """A record of the command's result under the actor's key."""
        return cls._start(
            cls.Created,
            idempotency_id(origin.actor, key),
            origin,
            fingerprint=fingerprint,
            subject=subject,
            subject_version=subject_version,
            article_id=article_id,
            follow_up_number=follow_up_number,
            task_id=task_id,
        )

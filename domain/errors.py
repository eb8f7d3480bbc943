"""Domain errors: every refused command raises one of these, never a bare exception."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused; the message says why in helpdesk language."""

    code = "domain-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The ticket, queue, agent or other record does not exist."""

    code = "not-found"


class AlreadyExists(DomainError):
    """A record with the same natural key (number, name, email) exists already."""

    code = "already-exists"


class InvalidValue(DomainError):
    """A value is not allowed by the configuration (status, priority, field...)."""

    code = "invalid-value"


class RuleViolation(DomainError):
    """The ticket's lifecycle does not allow this command in its current state."""

    code = "rule-violation"


class TicketMerged(RuleViolation):
    """A merged ticket accepts nothing; its successor is named."""

    code = "ticket-merged"

    def __init__(self, number: str, target: str) -> None:
        super().__init__(f"ticket {number} was merged into {target}")
        self.target = target


class TicketClosed(RuleViolation):
    """A closed ticket accepts only reopen, follow-ups, tags, links and a rating."""

    code = "ticket-closed"


class FollowUpRejected(RuleViolation):
    """The queue's follow-up policy refuses customer mail on a finished ticket."""

    code = "follow-up-rejected"


class VersionConflict(DomainError):
    """The caller's expected version is not the ticket's current version."""

    code = "version-conflict"

    def __init__(self, current_version: int, expected_version: int | None) -> None:
        if expected_version is None:
            message = (
                "the record was changed concurrently; "
                f"current version is {current_version}"
            )
        else:
            message = (
                f"expected version {expected_version}, "
                f"current version is {current_version}"
            )
        super().__init__(message)
        self.current_version = current_version
        self.expected_version = expected_version


class IdempotencyKeyReused(DomainError):
    """An idempotency key was sent again with a different command."""

    code = "idempotency-key-reused"


class CommitUncertain(Exception):
    """The store lost the connection while committing a command, and whether the
    command was stored could not be found out; a retry with the same
    Idempotency-Key is safe, one without may do it twice."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

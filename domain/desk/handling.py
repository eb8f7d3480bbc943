"""The one path every command takes: load, decide, save atomically, remember the key."""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from domain.audit import Origin
from domain.commands import Command, CommandResult, fingerprint
from domain.configuration_commands import ConfigCommand, Configured
from domain.desk import configuration_rules, mail_rules, sla_rules, ticket_rules
from domain.desk.records import Outcome, attempt, saved_at
from domain.errors import DomainError, IdempotencyKeyReused, VersionConflict
from domain.idempotency import IdempotencyRecord
from domain.ids import idempotency_id
from domain.mail import InboundMail
from domain.ticket import Ticket

if TYPE_CHECKING:
    from domain.desk.application import HelpDesk

R = TypeVar("R")

#: How often a command runs before a lost race is reported as a conflict.
COMMIT_ATTEMPTS = 10
#: Seconds: the longest pause before the second attempt, doubling for each after
#: it, up to the cap.
PAUSE = 0.005
PAUSE_CAP = 0.25
# The system's generator: its draws never disturb the global `random` state
# that hypothesis seeds for the property tests.
_JITTER = random.SystemRandom()
RULES = {
    **ticket_rules.RULES,
    **configuration_rules.RULES,
    **sla_rules.RULES,
    **mail_rules.RULES,
}


class CommandPath:
    """Runs commands against a desk: the only way anything changes."""

    def __init__(self, desk: HelpDesk) -> None:
        self.desk = desk

    def handle(self, command: Command[R], origin: Origin) -> R:
        """Run the command and save what it records; a lost race runs it again.

        Another command may save a record between this one's load and save (the
        store refuses the second save). The command then runs again, on the
        record as the winner left it, so a caller who asked for no version check
        never sees the race; an expected version is checked on that fresh
        record, so it conflicts as it should. The attempts are bounded.
        """
        decide = RULES[type(command)]
        # Only a command under an idempotency key needs its fingerprint.
        command_print = fingerprint(command) if origin.idempotency_key else ""
        for tried in range(COMMIT_ATTEMPTS):
            if tried:
                # Random pauses, growing, spread out writers that keep colliding.
                time.sleep(_JITTER.uniform(0, min(PAUSE_CAP, PAUSE * 2 ** (tried - 1))))
            if prior := self._prior(command, origin, command_print):
                return prior
            # The desk's clock stamps every event of an attempt with one time.
            stamped = replace(origin, at=origin.at or self.desk.clock())
            # One look at the log tells which of the records the command reads
            # are still the cached ones (domain/desk/cache.py).
            with self.desk.records.current(), attempt(first=not tried):
                try:
                    outcome = decide(self.desk, command, stamped)
                except DomainError:
                    # The first request under this key may have saved since the
                    # check (its article exists now, say): a retry gets the
                    # first result.
                    if prior := self._prior(command, origin, command_print):
                        return prior
                    raise
            with contextlib.suppress(IntegrityError):
                return self._save(command, outcome, stamped, command_print)
        raise VersionConflict(
            self.desk.current_version(outcome.main.id), origin.expected_version
        )

    def _save(
        self, command: Command[R], outcome: Outcome, origin: Origin, command_print: str
    ) -> R:
        """Save the outcome's records (and the idempotency key) atomically."""
        main = outcome.main
        pending = [main, *outcome.others]
        if not any(a.pending_events for a in pending):
            return _result(command, outcome, None)
        if origin.idempotency_key:
            pending.append(
                IdempotencyRecord.remember(
                    origin.idempotency_key,
                    command_print,
                    _subject(main),
                    main.version,
                    outcome.article_id,
                    outcome.follow_up_number,
                    origin,
                    outcome.task_id,
                )
            )
        recordings = self.desk.save(*pending)
        position = saved_at(recordings)
        for saved in pending:
            self.desk.records.keep(saved, position)
        return _result(command, outcome, position)

    def _prior(
        self, command: Command[R], origin: Origin, command_print: str
    ) -> R | None:
        """The first result of a command under the origin's idempotency key."""
        key = origin.idempotency_key
        if not key:
            return None
        try:
            record: Aggregate = self.desk.repository.get(
                idempotency_id(origin.actor, key)
            )
        except AggregateNotFoundError:
            return None
        if not isinstance(record, IdempotencyRecord):
            return None
        if record.fingerprint != command_print:
            raise IdempotencyKeyReused(
                "this idempotency key was used for a different command"
            )
        # The record was saved last, so its position is the first answer's.
        position = self.desk.position_of(record.id, record.version)
        if isinstance(command, ConfigCommand):
            return cast(
                R,
                Configured(
                    UUID(record.subject), record.subject_version, position, True
                ),
            )
        return cast(
            R,
            CommandResult(
                record.subject,
                record.subject_version,
                position,
                record.article_id,
                record.follow_up_number,
                replayed=True,
                task_id=record.task_id,
            ),
        )


def _subject(main: Aggregate) -> str:
    return main.number if isinstance(main, Ticket) else str(main.id)


def _result(command: Command[R], outcome: Outcome, position: int | None) -> R:
    main = outcome.main
    if isinstance(main, InboundMail):
        # Nothing saved: the message had been received before.
        return cast(R, main.receipt(duplicate=position is None, position=position))
    if not isinstance(main, Ticket):
        return cast(
            R, Configured(main.id, main.version, position, secret=outcome.secret)
        )
    return cast(
        R,
        CommandResult(
            main.number,
            main.version,
            position,
            outcome.article_id,
            outcome.follow_up_number,
            task_id=outcome.task_id,
        ),
    )

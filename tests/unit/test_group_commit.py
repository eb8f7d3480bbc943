"""Group commit: concurrent commands share a transaction, and a loser fails alone."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence

from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent

from tickettape.group_commit import GroupCommit

WRITERS = 6


def event(version: int, originator: uuid.UUID | None = None) -> StoredEvent:
    """A stored event of a record at a version."""
    return StoredEvent(originator or uuid.uuid4(), version, "topic", b"{}")


class Log:
    """A store that refuses a taken (record, version), all or nothing per call;
    its first call waits until the test lets it go."""

    def __init__(self) -> None:
        self.rows: list[tuple[uuid.UUID | str, int]] = []
        self.calls: list[int] = []
        self.first_call = threading.Event()
        self.go = threading.Event()
        self.broken = False

    def insert(self, events: Sequence[StoredEvent]) -> list[int]:
        if not self.calls:
            self.first_call.set()
            self.go.wait(10)
        self.calls.append(len(events))
        if self.broken:
            raise OperationalError("the store is away")
        keys = [(e.originator_id, e.originator_version) for e in events]
        if len(set(keys)) < len(keys) or set(keys) & set(self.rows):
            raise IntegrityError("version taken")
        start = len(self.rows)
        self.rows += keys
        return list(range(start + 1, start + 1 + len(keys)))


def race(
    log: Log, batches: list[list[StoredEvent]], limit: int = 64
) -> list[Sequence[int] | BaseException | None]:
    """The first batch is stored alone and held; the rest queue behind it."""
    group = GroupCommit(log.insert, limit)
    outcomes: list[Sequence[int] | BaseException | None] = [None] * len(batches)

    def save(i: int) -> None:
        try:
            outcomes[i] = group.store(batches[i])
        except BaseException as error:
            outcomes[i] = error

    first = threading.Thread(target=save, args=(0,))
    first.start()
    assert log.first_call.wait(10)
    others = [threading.Thread(target=save, args=(i,)) for i in range(1, len(batches))]
    for thread in others:
        thread.start()
    while len(group._waiting) < len(others):
        threading.Event().wait(0.001)
    log.go.set()
    for thread in [first, *others]:
        thread.join(10)
        assert not thread.is_alive()
    return outcomes


def test_commands_saving_at_once_are_stored_in_one_transaction() -> None:
    log = Log()
    batches = [[event(1), event(2)] for _ in range(WRITERS)]

    outcomes = race(log, batches)

    assert log.calls == [2, 2 * (WRITERS - 1)]
    stored = {key: n for n, key in enumerate(log.rows, start=1)}
    for batch, positions in zip(batches, outcomes, strict=True):
        assert positions == [
            stored[e.originator_id, e.originator_version] for e in batch
        ]


def test_a_command_that_lost_a_race_fails_alone() -> None:
    log = Log()
    ticket = uuid.uuid4()
    batches = [[event(1)], [event(2, ticket)], [event(2, ticket)], [event(1)]]

    outcomes = race(log, batches)

    failed = [o for o in outcomes if isinstance(o, IntegrityError)]
    assert len(failed) == 1
    assert outcomes[2] is failed[0]
    assert all(isinstance(o, list) and len(o) == 1 for o in outcomes if o not in failed)
    assert len(log.rows) == 3


def test_a_store_that_is_away_fails_every_member_of_the_group() -> None:
    log = Log()
    log.broken = True

    outcomes = race(log, [[event(1)] for _ in range(WRITERS)])

    assert all(isinstance(o, OperationalError) for o in outcomes)
    assert log.rows == []


def test_a_command_alone_is_stored_at_once() -> None:
    log = Log()
    log.go.set()
    group = GroupCommit(log.insert)

    assert group.store([event(1)]) == [1]
    assert group.store([event(1), event(2)]) == [2, 3]
    assert log.calls == [1, 2]


def test_a_group_is_bounded_and_the_lead_passes_on() -> None:
    log = Log()

    outcomes = race(log, [[event(1)] for _ in range(WRITERS)], limit=2)

    assert log.calls == [1, 2, 2, 1]
    assert sorted(p for o in outcomes if isinstance(o, list) for p in o) == list(
        range(1, WRITERS + 1)
    )

"""Every stored snapshot against the record its events make.

A snapshot only saves a load some work, and nothing seals it: one damaged, or
written by someone with access to the database, would change what a load of
its ticket shows while every event still verifies. This walks each snapshotted
record's events once, in order, and compares the record they make at each
snapshot's version with the record the snapshot makes; `tickettape replay
snapshots` reports the ones that differ or do not decode, and can drop them
(loads then replay the events).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import EventStore

from domain.desk.replaying import apply_events

# What making or comparing a record from a bad snapshot can raise.
_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError)


@runtime_checkable
class SnapshotShelf(Protocol):
    """A snapshot recorder that lists and drops its snapshots."""

    def snapshot_keys(self) -> list[tuple[UUID, int]]:
        """The record id and version of every snapshot, in that order."""
        ...

    def drop_snapshot(self, originator_id: UUID, version: int) -> None:
        """Delete one snapshot."""
        ...


@dataclass(frozen=True)
class BadSnapshot:
    """A snapshot that is not the record its events make at its version."""

    record_id: UUID
    version: int
    number: str | None
    problem: str


def shelf_of(app: Application[UUID]) -> tuple[EventStore[UUID], SnapshotShelf]:
    """The application's snapshot store and its recorder; ValueError when it
    keeps none that can be listed."""
    store = app.snapshots
    if store is None or not isinstance(store.recorder, SnapshotShelf):
        raise ValueError("this store keeps no snapshots that can be listed")
    return store, store.recorder


def bad_snapshots(app: Application[UUID]) -> Iterator[BadSnapshot]:
    """Each snapshot that does not decode or differs from its events' record."""
    store, shelf = shelf_of(app)
    keys = shelf.snapshot_keys()
    for record_id, versions in itertools.groupby(keys, key=lambda key: key[0]):
        found = _record(app.events, store, record_id, [v for _, v in versions])
        yield from found


def _record(
    events_of: EventStore[UUID],
    store: EventStore[UUID],
    record_id: UUID,
    versions: list[int],
) -> Iterator[BadSnapshot]:
    """The bad snapshots of one record: its events folded once, compared at
    each snapshot's version on the way."""
    events = iter(events_of.get(record_id, lte=versions[-1]))
    record: Any = None
    for version in versions:
        while record is None or record.version < version:
            event = next(events, None)
            if event is None:
                break
            record = apply_events(record, [event])
        number = getattr(record, "number", None)
        if record is None or record.version != version:
            yield BadSnapshot(
                record_id, version, number, "its record has no event at that version"
            )
            continue
        problem = _compared(store, record_id, version, record)
        if problem is not None:
            yield BadSnapshot(record_id, version, number, problem)


def _compared(
    store: EventStore[UUID], record_id: UUID, version: int, record: Any
) -> str | None:
    """What is wrong with the snapshot at this version, or None."""
    found = list(store.recorder.select_events(record_id, gt=version - 1, lte=version))
    if not found:
        return None  # dropped meanwhile
    try:
        snapshot: Any = store.mapper.to_domain_event(found[0])
        made = vars(snapshot.mutate(None))
        wanted = vars(record)
        differing = sorted(
            name
            for name in made.keys() | wanted.keys()
            if name != "_pending_events" and made.get(name) != wanted.get(name)
        )
    except _UNREADABLE as error:
        return f"it cannot be read ({type(error).__name__}: {error})"
    if differing:
        return f"it differs from its events in {', '.join(differing)}"
    return None

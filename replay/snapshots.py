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

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import EventStore, StoredEvent

from domain.desk.replaying import apply_events

# What making or comparing a record from a bad snapshot can raise.
_UNREADABLE = (ValueError, TypeError, KeyError, AttributeError)


@runtime_checkable
class SnapshotShelf(Protocol):
    """A snapshot recorder that lists and drops its snapshots."""

    def snapshotted(self) -> list[UUID]:
        """The records that have snapshots, each once."""
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
    for record_id in shelf.snapshotted():
        yield from _record(app.events, store, record_id)


def _record(
    events_of: EventStore[UUID], store: EventStore[UUID], record_id: UUID
) -> Iterator[BadSnapshot]:
    """The bad snapshots of one record: its snapshots read at once, its events
    folded once, each snapshot compared on the way."""
    snapshots = store.recorder.select_events(record_id)
    if not snapshots:
        return  # dropped meanwhile
    events = iter(events_of.get(record_id, lte=snapshots[-1].originator_version))
    record: Any = None
    for snapshot in snapshots:
        version = snapshot.originator_version
        while record is None or record.version < version:
            event = next(events, None)
            if event is None:
                break
            record = apply_events(record, [event])
        number = getattr(record, "number", None)
        if record is None or record.version != version:
            problem: str | None = "its record has no event at that version"
        else:
            problem = _compared(store, snapshot, record)
        if problem is not None:
            yield BadSnapshot(record_id, version, number, problem)


def _compared(
    store: EventStore[UUID], snapshot: StoredEvent, record: Any
) -> str | None:
    """What is wrong with the snapshot, made into a record, or None."""
    try:
        made_from: Any = store.mapper.to_domain_event(snapshot)
        made = vars(made_from.mutate(None))
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

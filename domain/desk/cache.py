"""Records kept in memory between requests, checked against the store on every read.

Reading a ticket or a configuration record means fetching a snapshot and the
events after it and decoding them all, for every command and request. The cache
keeps the record as last loaded, so a read is never staler than a fresh load,
whichever process wrote last. It knows a cached record is still the stored one
in one of two ways:

- With the log (`LogChanges`): the cache follows the log's tail. Each look asks
  the store which records changed since the last look (one query, whatever the
  number of records read) and forgets those; a record cached once every change
  up to some position was committed, and not changed after it, is current. A
  command looks once for all the records it reads (`current()`), and so does
  an API request (`one_look()`, around the whole request).
- Without it: the store is asked for the version of the record's latest event,
  one query per record read.

A cached record is shared by every thread that reads it and is never changed in
place: when the store has moved on, a freshly loaded record replaces it. Whoever
means to change a record must take a private copy (`private_copy`).
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.desk.look_rounds import LookRounds

DEFAULT_SIZE = 1000
#: How many changes one look reads; a longer tail empties the cache instead.
LOOK_LIMIT = 1000
#: How many changed records the cache remembers before it starts afresh.
CHANGED_LIMIT = 50_000

A = TypeVar("A", bound=Aggregate)


class LogChanges(Protocol):
    """The event log's tail, as the cache reads it."""

    def changed_since(self, position: int, limit: int) -> Sequence[tuple[int, UUID]]:
        """(position, record id) of the next `limit` events after a position,
        in log order."""
        ...

    def last_position(self) -> int:
        """The position of the log's last event (0 when empty)."""
        ...


def private_copy(record: A) -> A:
    """A copy of a record for a command to change (a pickle round trip costs
    about a tenth of rebuilding the record from the store)."""
    copied: A = pickle.loads(pickle.dumps(record, pickle.HIGHEST_PROTOCOL))
    return copied


@dataclass
class _Looks:
    """The caches that have looked at the log within a block: reads in it
    (on any thread the block's context is copied to) trust that look."""

    caches: set[int] = field(default_factory=set)


_LOOKS: ContextVar[_Looks | None] = ContextVar("record_cache_looks", default=None)


@contextmanager
def one_look() -> Iterator[None]:
    """Within the block, each cache looks at the log once, at its first read."""
    token = _LOOKS.set(_Looks())
    try:
        yield
    finally:
        _LOOKS.reset(token)


@dataclass
class _Entry:
    record: Aggregate
    # The record's version when cached: a record someone changed in place
    # (against the rule) no longer has it, and is never served.
    version: int
    # The record was the stored one after every change up to here committed.
    stamp: int


class RecordCache:
    """The most recently read records, least recently used first out."""

    def __init__(self, size: int = DEFAULT_SIZE, log: LogChanges | None = None):
        self.size = size
        self._log = log
        self._records: OrderedDict[UUID, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        # Every change up to `_position` has been looked at; those after
        # `_floor` are in `_changed` (record id -> position of its last change).
        self._position = -1
        self._floor = 0
        self._changed: dict[UUID, int] = {}
        self._rounds = LookRounds()

    @contextmanager
    def current(self) -> Iterator[None]:
        """Look at the log now; reads inside the block trust that look."""
        token = _LOOKS.set(_Looks({id(self)}))
        try:
            self.look()
            yield
        finally:
            _LOOKS.reset(token)

    def look(self) -> None:
        """Forget every cached record changed since the last look (a look
        begun after this call, shared with callers asking at once)."""
        if self._log is None or self.size <= 0:
            return
        self._rounds.look(self._look_now)

    def _look_now(self) -> None:
        assert self._log is not None
        with self._lock:
            since = self._position
        if since < 0:
            self._start_afresh(self._log.last_position())
            return
        changes = self._log.changed_since(since, LOOK_LIMIT)
        if len(changes) >= LOOK_LIMIT:
            # A long tail (another process wrote a lot): start afresh from
            # where the log ends now; what is cached is checked record by record.
            self._start_afresh(self._log.last_position())
            return
        with self._lock:
            for position, record_id in changes:
                if self._changed.get(record_id, -1) < position:
                    self._changed[record_id] = position
            if changes:
                self._position = max(self._position, changes[-1][0])
            if len(self._changed) > CHANGED_LIMIT:
                self._changed.clear()
                self._floor = self._position

    def read(
        self,
        record_id: UUID,
        stored_version: Callable[[UUID], int | None],
        load: Callable[[UUID], Aggregate],
    ) -> Aggregate:
        """The record as stored now: the cached one if still current, else loaded.

        `stored_version` gives the version of the record's latest stored event
        (None if it has none); `load` rebuilds the record from the store.
        """
        if self.size <= 0:
            return load(record_id)
        looks = _LOOKS.get()
        if looks is None:
            self.look()
        else:
            self._look_once(looks)
        with self._lock:
            entry = self._records.get(record_id)
            if entry is not None:
                self._records.move_to_end(record_id)
            position = self._position
            known = entry is not None and self._known(entry)
            trusted = (
                entry is not None
                and known
                and self._changed.get(record_id, -1) <= entry.stamp
            )
        if entry is not None and trusted:
            return entry.record
        if (
            entry is not None
            and not known
            and entry.record.version == entry.version
            and stored_version(record_id) == entry.version
        ):
            self._stamp(record_id, entry, position)
            return entry.record
        fresh = load(record_id)
        self.keep(fresh, position)
        return fresh

    def seen_position(self) -> int | None:
        """A log position up to which every change is known to the reads of
        this request or command: its look's (made now if it has not looked
        yet). None outside such a block, or without the log."""
        looks = _LOOKS.get()
        if looks is None or self._log is None or self.size <= 0:
            return None
        self._look_once(looks)
        with self._lock:
            return self._position if self._position >= 0 else None

    def _look_once(self, looks: _Looks) -> None:
        if id(self) not in looks.caches:
            self.look()
            looks.caches.add(id(self))

    def forget(self, record_id: UUID) -> None:
        """Drop a record (it was changed in place, or is about to be)."""
        with self._lock:
            self._records.pop(record_id, None)

    def keep(self, record: Aggregate, stamp: int | None = None) -> None:
        """Cache a record exactly as stored (just loaded, or just saved).

        `stamp` is a log position such that the record was the stored one
        after every change up to it was committed: the cache's position before
        the record was loaded, or the position a save of it ended at. Without
        one the record is checked against the store when next read.
        """
        if self.size <= 0:
            return
        entry = _Entry(record, record.version, -1 if stamp is None else stamp)
        # Two readers loading at once may put back an older record; it is not
        # trusted (its change since is known), so the next read loads again.
        with self._lock:
            self._records[record.id] = entry
            self._records.move_to_end(record.id)
            while len(self._records) > self.size:
                self._records.popitem(last=False)

    def _known(self, entry: _Entry) -> bool:
        """Whether the looks tell if the entry is current: it was cached as
        stored (and not changed in place since) after the changes they saw."""
        return (
            self._log is not None
            and entry.stamp >= self._floor
            and entry.record.version == entry.version
        )

    def _stamp(self, record_id: UUID, entry: _Entry, position: int) -> None:
        """The record was found current after `position`: trust it from there."""
        with self._lock:
            if self._records.get(record_id) is entry:
                entry.stamp = max(entry.stamp, position)

    def _start_afresh(self, position: int) -> None:
        with self._lock:
            self._changed.clear()
            self._position = self._floor = max(self._position, position)

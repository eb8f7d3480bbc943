"""Records kept in memory between requests, checked against the store on every read.

Reading a ticket or a configuration record means fetching a snapshot and the
events after it and decoding them all, for every command and request. The cache
keeps the record as last loaded and asks the store only for the version of the
latest stored event: if that is the cached version, the cached record is the
stored record. So a read is never staler than a fresh load, whichever process
wrote last.

A cached record is shared by every thread that reads it and is never changed in
place: when the store has moved on, a freshly loaded record replaces it. Whoever
means to change a record must load or copy their own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from uuid import UUID

from eventsourcing.domain import Aggregate

DEFAULT_SIZE = 1000


class RecordCache:
    """The most recently read records, least recently used first out."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._records: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._lock = threading.Lock()

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
        with self._lock:
            cached = self._records.get(record_id)
            if cached is not None:
                self._records.move_to_end(record_id)
        if cached is not None and stored_version(record_id) == cached.version:
            return cached
        fresh = load(record_id)
        self.keep(fresh)
        return fresh

    def forget(self, record_id: UUID) -> None:
        """Drop a record (it was changed in place, or is about to be)."""
        with self._lock:
            self._records.pop(record_id, None)

    def keep(self, record: Aggregate) -> None:
        """Cache a record exactly as stored (just loaded, or just saved)."""
        if self.size <= 0:
            return
        record_id = record.id
        # Two readers loading at once may put back an older record; the next
        # read sees its version is not the stored one and loads again.
        with self._lock:
            self._records[record_id] = record
            self._records.move_to_end(record_id)
            while len(self._records) > self.size:
                self._records.popitem(last=False)

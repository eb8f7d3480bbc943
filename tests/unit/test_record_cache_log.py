"""The record cache following the log's tail never serves a record the store moved past.

A model store (records and a log of their changes) is written by "another
process" between the cache's reads, loads race with those writes, and the
cache's own saves are kept; whatever the interleaving, a read returns the
stored version.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

import pytest
from eventsourcing.domain import Aggregate
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.desk import cache as cache_module
from domain.desk.cache import RecordCache, private_copy


class Record(Aggregate):
    """A record with nothing in it but its id and version."""


class ModelStore:
    """Records at their stored versions, and the log of every change."""

    def __init__(self, records: int) -> None:
        self.ids = [Record().id for _ in range(records)]
        self.versions = dict.fromkeys(self.ids, 1)
        self.log: list[UUID] = list(self.ids)
        self.looks = 0
        self.version_checks = 0
        self.loads = 0

    def write(self, record_id: UUID) -> int:
        """Another process changes a record; the change's log position."""
        self.versions[record_id] += 1
        self.log.append(record_id)
        return len(self.log)

    def changed_since(self, position: int, limit: int) -> Sequence[tuple[int, UUID]]:
        self.looks += 1
        start = max(position, 0)
        tail = self.log[start : start + limit]
        return [(start + i + 1, record_id) for i, record_id in enumerate(tail)]

    def last_position(self) -> int:
        return len(self.log)

    def stored_version(self, record_id: UUID) -> int | None:
        self.version_checks += 1
        return self.versions[record_id]

    def load(self, record_id: UUID) -> Aggregate:
        self.loads += 1
        return self.record(record_id)

    def record(self, record_id: UUID) -> Record:
        record = Record()
        record._id = record_id
        record.version = self.versions[record_id]
        return record


def racing_load(store: ModelStore, record_id: UUID) -> Callable[[UUID], Aggregate]:
    """A load that reads the record, and another process changes it before the
    cache keeps what was read."""

    def load(wanted: UUID) -> Aggregate:
        read = store.load(wanted)
        store.write(record_id)
        return read

    return load


STEP = st.tuples(
    st.sampled_from(["read", "write", "racing read", "own save", "look"]),
    st.integers(0, 2),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(STEP, max_size=40), limit=st.sampled_from([2, 1000]))
def test_a_read_always_returns_the_stored_version(
    steps: list[tuple[str, int, bool]], limit: int
) -> None:
    store = ModelStore(3)
    cache = RecordCache(size=2, log=store)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cache_module, "LOOK_LIMIT", limit)
        for kind, which, in_command in steps:
            record_id = store.ids[which]
            if kind == "write":
                store.write(record_id)
            elif kind == "look":
                cache.look()
            elif kind == "own save":
                # A command saves the record it changed, and keeps it.
                position = store.write(record_id)
                cache.keep(store.record(record_id), position)
            else:
                load = racing_load(store, record_id) if kind == "racing read" else None
                loads = store.loads
                with cache.current() if in_command else _no_scope():
                    got = cache.read(
                        record_id, store.stored_version, load or store.load
                    )
                if store.loads > loads and kind == "racing read":
                    # What the read saw was stored when it read; the next is current.
                    assert got.version == store.versions[record_id] - 1
                    got = cache.read(record_id, store.stored_version, store.load)
                assert got.version == store.versions[record_id]


class _no_scope:  # noqa: N801 - reads like the context it stands for
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


def test_a_command_looks_at_the_log_once_for_every_record_it_reads() -> None:
    store = ModelStore(3)
    cache = RecordCache(log=store)
    for record_id in store.ids:
        cache.read(record_id, store.stored_version, store.load)
    store.write(store.ids[0])
    looks, loads = store.looks, store.loads

    with cache.current():
        versions = [
            cache.read(i, store.stored_version, store.load).version for i in store.ids
        ]

    assert versions == [2, 1, 1]
    assert store.looks == looks + 1
    assert store.loads == loads + 1
    assert store.version_checks == 0


def test_a_record_changed_in_place_is_loaded_again() -> None:
    store = ModelStore(1)
    cache = RecordCache(log=store)
    (record_id,) = store.ids
    careless = cache.read(record_id, store.stored_version, store.load)
    careless.version += 1

    again = cache.read(record_id, store.stored_version, store.load)

    assert again is not careless
    assert again.version == 1


def test_a_long_tail_starts_the_cache_afresh_and_checks_what_it_holds() -> None:
    store = ModelStore(2)
    cache = RecordCache(log=store)
    first, second = store.ids
    for record_id in store.ids:
        cache.read(record_id, store.stored_version, store.load)
    for _ in range(cache_module.LOOK_LIMIT):
        store.write(first)
    loads = store.loads

    assert (
        cache.read(first, store.stored_version, store.load).version
        == (store.versions[first])
    )
    assert cache.read(second, store.stored_version, store.load).version == 1
    assert store.loads == loads + 1
    assert store.version_checks == 2


def test_a_private_copy_is_equal_and_separate() -> None:
    record = Record()

    copy = private_copy(record)

    assert vars(copy) == vars(record)
    assert copy is not record


def test_the_position_seen_is_the_blocks_look_and_none_outside_one() -> None:
    store = ModelStore(2)
    cache = RecordCache(log=store)
    cache.read(store.ids[0], store.stored_version, store.load)

    assert cache.seen_position() is None
    with cache_module.one_look():
        looks = store.looks
        seen = cache.seen_position()
        store.write(store.ids[1])
        assert cache.seen_position() == seen == 2
        cache.read(store.ids[1], store.stored_version, store.load)
        assert store.looks == looks + 1
    with cache.current():
        assert cache.seen_position() == 3
    assert RecordCache(size=0, log=store).seen_position() is None

"""The chain's hashes never change: existing chains, checkpoints and archives verify."""

from __future__ import annotations

from hashlib import sha256

from hypothesis import given
from hypothesis import strategies as st

from replay.chain import GENESIS, Rehashing, aggregate_hash, event_hash, global_hash
from replay.records import StoredRecord

ID = "5f0c4f7e-3d7b-4c6b-8f4e-0a1b2c3d4e5f"
TOPIC = "domain.ticket:Ticket.Tagged"

records = st.builds(
    StoredRecord,
    notification_id=st.integers(min_value=1, max_value=2**62),
    originator_id=st.one_of(st.uuids().map(str), st.text(max_size=40)),
    version=st.integers(min_value=1, max_value=10**9),
    topic=st.text(max_size=60),
    state=st.binary(max_size=2000),
)
digests = st.binary(min_size=32, max_size=32)


def fed_one_by_one(label: bytes, *parts: bytes) -> bytes:
    """The digest as the first chains were hashed: each part fed to update()."""
    h = sha256(label)
    for part in parts:
        h.update(len(part).to_bytes(8, "big"))
        h.update(part)
    return h.digest()


def test_the_hashes_of_a_known_event_are_pinned() -> None:
    record = StoredRecord(7, ID, 3, TOPIC, b'{"tag":"printer"}')
    own = event_hash(record)
    assert own.hex() == (
        "e1ba7936d3810473c294360ee9a535d11c2605b280c0838cd6d28d4c6053923e"
    )
    assert aggregate_hash(GENESIS, own).hex() == (
        "d306bf10533fb2c88ce82dabbe0847cfd299ff5bc32b2bef5e802f270e4db556"
    )
    assert global_hash(GENESIS, 7, own).hex() == (
        "02a6231985b38656dca3d558de6764c76f0166832a30b8a4a5352c97275a97e6"
    )


@given(records, st.binary(max_size=64), st.binary(max_size=64))
def test_one_call_hashes_what_the_update_loop_hashed(
    record: StoredRecord, previous: bytes, head: bytes
) -> None:
    own = event_hash(record)
    assert own == fed_one_by_one(
        b"tickettape/event/1",
        record.originator_id.encode(),
        str(record.version).encode(),
        record.topic.encode(),
        record.state,
    )
    assert aggregate_hash(previous, own) == fed_one_by_one(
        b"tickettape/aggregate/1", previous, own
    )
    assert global_hash(head, record.notification_id, own) == fed_one_by_one(
        b"tickettape/log/1", head, str(record.notification_id).encode(), own
    )


@given(st.lists(st.tuples(records, digests, digests), max_size=20))
def test_rehashing_gives_the_definitions_digests(
    steps: list[tuple[StoredRecord, bytes, bytes]],
) -> None:
    # One Rehashing for every step, so its encodings are reused across events.
    rehashing = Rehashing()
    for record, previous, head in steps:
        own = event_hash(record)
        assert rehashing.hashes(
            previous,
            head,
            record.notification_id,
            record.originator_id,
            record.version,
            record.topic,
            record.state,
        ) == (
            own,
            aggregate_hash(previous, own),
            global_hash(head, record.notification_id, own),
        )

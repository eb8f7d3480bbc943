"""Tampering straight in the SQLite file and PostgreSQL tables is caught and named.

Each case is what an attacker with write access to the database, but not to the
seal keyring, can do; each asserts the exact finding: the problem, the log
position, the aggregate and its version.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.audit import Origin
from domain.ids import ticket_id
from replay.chain import GENESIS, aggregate_hash, event_hash, extend_chain, global_hash
from replay.records import StoredRecord
from replay.seals import Keyring, event_message
from replay.verdicts import Problem, Verdict
from replay.verify import verify_log
from tests.replay.store_on_trial import Archive, chained_archive
from tests.stores import DeskFactory

BOB = Origin("customer:bob@acme.test")
ALICE = Origin("agent:alice")
Row = tuple[int, str, int, str, bytes]


@pytest.fixture
def archive(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> Iterator[Archive]:
    """Three tickets of four events each after the configuration, all chained."""
    desk = desk_factory(durable_store_env)
    with chained_archive(desk, durable_store_env, ("first", "second", "third")) as made:
        yield made


def found(verdict: Verdict) -> tuple[Problem, int | None, str | None, int | None]:
    """What verify named: the problem, position, aggregate and version."""
    assert verdict.finding is not None, "verify found nothing"
    f = verdict.finding
    return f.problem, f.notification_id, f.originator_id, f.version


def forged_link_row(archive: Archive, record: StoredRecord) -> None:
    """A chain row for an event, with every hash right but no key to seal it."""
    head = archive.ledger.head()
    assert head is not None
    own = event_hash(record)
    chained = archive.ledger.links_of(record.originator_id)
    by_aggregate = aggregate_hash(
        chained[-1].aggregate_hash if chained else GENESIS, own
    )
    top = global_hash(head.global_hash, record.notification_id, own)
    archive.tamper.sql(
        "INSERT INTO audit_chain (notification_id, originator_id, originator_version, "
        "event_hash, aggregate_hash, global_hash, previous_id, previous_originator_id, "
        "previous_version, key_id, seal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        record.notification_id,
        record.originator_id,
        record.version,
        own,
        by_aggregate,
        top,
        head.notification_id,
        head.originator_id,
        head.version,
        head.key_id,
        b"\0" * 32,
    )


def test_an_untouched_store_verifies_clean(archive: Archive) -> None:
    verdict = archive.verify()
    rows = archive.tamper.rows()
    assert verdict.clean
    assert (verdict.checked, verdict.position, verdict.unchained) == (
        len(rows),
        rows[-1][0],
        0,
    )
    assert [s[0] for s in archive.tamper.seal_rows()] == [r[0] for r in rows]
    for number in archive.numbers:
        assert archive.verify_ticket(str(ticket_id(number))).checked == 4


def test_new_events_verify_on_their_seals_until_they_are_chained(
    archive: Archive,
) -> None:
    before = archive.verify().checked
    archive.add_ticket("fourth")
    unchained = archive.verify()
    assert unchained.clean
    assert (unchained.checked, unchained.unchained) == (before, 4)
    assert archive.chain() == 4
    assert archive.chain() == 0
    assert archive.verify().checked == before + 4


def test_verify_never_chains_or_seals(archive: Archive) -> None:
    archive.add_ticket("fourth")
    links, seals = (
        len(archive.ledger.links_of(str(ticket_id(archive.numbers[-1])))),
        len(archive.tamper.seal_rows()),
    )
    archive.verify()
    archive.verify_ticket(str(ticket_id(archive.numbers[-1])))
    assert (
        len(archive.ledger.links_of(str(ticket_id(archive.numbers[-1])))) == links == 0
    )
    assert len(archive.tamper.seal_rows()) == seals


def test_a_fabricated_event_past_the_head_is_unsealed_and_never_chained(
    archive: Archive,
) -> None:
    _, oid, version, topic, state = archive.row_of(archive.numbers[0], 4)
    last = archive.tamper.rows()[-1][0]
    archive.tamper.insert(
        last + 1, oid, version + 1, topic, state.replace(b"fire", b"ice")
    )
    named = (Problem.UNSEALED, last + 1, oid, version + 1)
    assert found(archive.verify()) == named
    assert found(archive.verify_ticket(oid)) == named
    added, stopped = extend_chain(archive.ledger, archive.keyring)
    assert added == 0
    assert stopped is not None
    assert (stopped.problem, stopped.notification_id) == (Problem.UNSEALED, last + 1)
    head = archive.ledger.head()
    assert head is not None
    assert head.notification_id == last


def test_a_copy_of_another_tickets_article_is_unsealed(archive: Archive) -> None:
    _, _, _, topic, state = archive.row_of(archive.numbers[1], 2)
    _, oid, version, _, _ = archive.row_of(archive.numbers[0], 4)
    last = archive.tamper.rows()[-1][0]
    archive.tamper.insert(last + 1, oid, version + 1, topic, state)
    assert found(archive.verify()) == (Problem.UNSEALED, last + 1, oid, version + 1)


def test_a_copy_with_a_copied_seal_row_is_named_as_inserted(archive: Archive) -> None:
    source, _, _, topic, state = archive.row_of(archive.numbers[1], 2)
    _, oid, version, _, _ = archive.row_of(archive.numbers[0], 4)
    last = archive.tamper.rows()[-1][0]
    archive.tamper.insert(last + 1, oid, version + 1, topic, state)
    copied = next(s for s in archive.tamper.seal_rows() if s[0] == source)
    archive.tamper.insert_seal(last + 1, oid, version + 1, copied[3], copied[4])
    verdict = archive.verify()
    assert found(verdict) == (Problem.INSERTED, last + 1, oid, version + 1)
    assert verdict.finding is not None
    assert f"copied from the event at position {source}" in verdict.finding.detail


def test_a_fabricated_event_with_a_forged_chain_row_is_still_unsealed(
    archive: Archive,
) -> None:
    _, oid, version, topic, state = archive.row_of(archive.numbers[2], 4)
    last = archive.tamper.rows()[-1][0]
    forged = StoredRecord(last + 1, oid, version + 1, topic, state + b" ")
    archive.tamper.insert(
        *(forged.notification_id, oid, forged.version, topic, forged.state)
    )
    forged_link_row(archive, forged)
    assert found(archive.verify()) == (Problem.UNSEALED, last + 1, oid, version + 1)
    # The keeper will not build on a link it did not seal.
    archive.add_ticket("fourth")
    added, stopped = extend_chain(archive.ledger, archive.keyring)
    assert added == 0
    assert stopped is not None
    assert stopped.problem is Problem.CHAIN_ALTERED


def test_an_event_sealed_with_the_attackers_own_key_is_named(archive: Archive) -> None:
    _, oid, version, topic, state = archive.row_of(archive.numbers[0], 4)
    last = archive.tamper.rows()[-1][0]
    forged = StoredRecord(last + 1, oid, version + 1, topic, state)
    archive.tamper.insert(last + 1, oid, version + 1, topic, state)
    theirs = Keyring((replace(archive.keyring.current, secret=b"x" * 32),))
    key_id, seal = theirs.sign(event_message(last + 1, event_hash(forged)))
    archive.tamper.insert_seal(last + 1, oid, version + 1, key_id, seal)
    verdict = archive.verify()
    assert found(verdict) == (Problem.BAD_SEAL, last + 1, oid, version + 1)
    assert verdict.finding is not None
    assert "does not hold" in verdict.finding.detail


def test_an_event_inserted_in_the_middle_is_unsealed(archive: Archive) -> None:
    # The attacker makes room by moving every later event one position on,
    # then slips in an extra version of the first ticket.
    nid, oid, version, topic, state = archive.row_of(archive.numbers[0], 4)
    later = [r[0] for r in archive.tamper.rows() if r[0] > nid]
    for position in later:
        archive.tamper.move(position, position + 1_000_000)
    for position in later:
        archive.tamper.move(position + 1_000_000, position + 1)
    archive.tamper.insert(nid + 1, oid, version + 1, topic, state)
    assert found(archive.verify()) == (Problem.UNSEALED, nid + 1, oid, version + 1)
    assert found(archive.verify_ticket(oid))[0] == Problem.UNSEALED


def test_a_modified_payload_is_named(archive: Archive) -> None:
    nid, oid, version, _, state = archive.row_of(archive.numbers[1], 2)
    archive.tamper.set_state(nid, state.replace(b"smokes", b"sparks"))
    assert found(archive.verify()) == (Problem.MODIFIED, nid, oid, version)
    assert found(archive.verify_ticket(oid)) == (Problem.MODIFIED, nid, oid, version)


def test_a_modified_event_not_yet_chained_is_named_and_never_chained(
    archive: Archive,
) -> None:
    number = archive.add_ticket("fourth")
    nid, oid, version, _, state = archive.row_of(number, 2)
    assert b"smokes" in state
    archive.tamper.set_state(nid, state.replace(b"smokes", b"sparks"))
    assert found(archive.verify()) == (Problem.MODIFIED, nid, oid, version)
    assert found(archive.verify_ticket(oid)) == (Problem.MODIFIED, nid, oid, version)
    added, stopped = extend_chain(archive.ledger, archive.keyring)
    assert stopped is not None
    # Version 1 was still as sealed; the chain stops right before the edit.
    assert (added, stopped.problem, stopped.notification_id) == (
        1,
        Problem.MODIFIED,
        nid,
    )


def test_a_modified_timestamp_is_named(archive: Archive) -> None:
    nid, oid, version, _, state = archive.row_of(archive.numbers[0], 3)
    data = json.loads(state)
    data["timestamp"]["_data_"] = "2020-01-01T00:00:00+00:00"
    archive.tamper.set_state(nid, json.dumps(data).encode())
    assert found(archive.verify()) == (Problem.MODIFIED, nid, oid, version)


def test_an_altered_seal_is_named(archive: Archive) -> None:
    nid, oid, version, _, _ = archive.row_of(archive.numbers[1], 3)
    archive.tamper.sql(
        "UPDATE audit_seals SET seal = ? WHERE notification_id = ?", b"\1" * 32, nid
    )
    assert found(archive.verify()) == (Problem.BAD_SEAL, nid, oid, version)


def test_a_deleted_event_is_named(archive: Archive) -> None:
    nid, oid, version, _, _ = archive.row_of(archive.numbers[1], 3)
    archive.tamper.delete(nid)
    assert found(archive.verify()) == (Problem.MISSING, nid, oid, version)
    assert found(archive.verify_ticket(oid)) == (Problem.MISSING, nid, oid, version)


def test_an_event_deleted_with_its_chain_row_is_named(archive: Archive) -> None:
    nid, oid, version, _, _ = archive.row_of(archive.numbers[1], 4)
    archive.tamper.delete(nid)
    archive.tamper.unchain(nid)
    assert found(archive.verify()) == (Problem.MISSING, nid, oid, version)
    assert found(archive.verify_ticket(oid)) == (Problem.MISSING, nid, oid, version)


@pytest.mark.parametrize("version", [2, 4])
def test_an_event_erased_with_its_seal_and_chain_row_is_named(
    archive: Archive, version: int
) -> None:
    # Version 4 is the ticket's last: only the link after it in the log knows it.
    nid, oid, _, _, _ = archive.row_of(archive.numbers[0], version)
    archive.tamper.erase(nid)
    assert found(archive.verify()) == (Problem.MISSING, nid, oid, version)
    assert found(archive.verify_ticket(oid)) == (Problem.MISSING, nid, oid, version)


def test_two_swapped_events_are_named(archive: Archive) -> None:
    first = archive.row_of(archive.numbers[0], 2)[0]
    second = archive.row_of(archive.numbers[2], 2)[0]
    archive.tamper.move(first, -1)
    archive.tamper.move(second, first)
    archive.tamper.move(-1, second)
    verdict = archive.verify()
    assert found(verdict)[:2] == (Problem.REORDERED, first)
    assert verdict.finding is not None
    assert f"at position {second}" in verdict.finding.detail


def test_two_swapped_versions_are_named(archive: Archive) -> None:
    number = archive.numbers[1]
    first, oid, _, _, _ = archive.row_of(number, 2)
    for was, becomes in ((2, -2), (3, 2), (-2, 3)):
        archive.tamper.sql(
            "UPDATE {events} SET originator_version = ? "
            "WHERE originator_id = ? AND originator_version = ?",
            becomes,
            archive.tamper.key(oid),
            was,
        )
    assert found(archive.verify()) == (Problem.REORDERED, first, oid, 3)
    assert found(archive.verify_ticket(oid))[0] == Problem.REORDERED


def test_a_truncated_tail_is_named(archive: Archive) -> None:
    rows = archive.tamper.rows()
    archive.tamper.delete(*(r[0] for r in rows[-3:]))
    problem, nid, _, _ = found(archive.verify())
    assert (problem, nid) == (Problem.TRUNCATED, rows[-3][0])


def test_a_tail_erased_whole_is_caught_by_the_checkpoint(archive: Archive) -> None:
    key = Ed25519PrivateKey.generate()
    checkpoint = archive.signed(key)
    rows = archive.tamper.rows()
    archive.tamper.erase(*(r[0] for r in rows[-3:]))
    assert archive.verify().clean
    verdict = archive.verify(checkpoint, key)
    assert found(verdict)[:2] == (Problem.TRUNCATED, checkpoint.position)


def test_a_rewrite_after_a_checkpoint_with_every_hash_recomputed_is_named(
    archive: Archive,
) -> None:
    key = Ed25519PrivateKey.generate()
    early = archive.signed(key)
    archive.add_ticket("fourth")
    late = archive.signed(key)
    # The attacker rewrites everything after the early checkpoint and recomputes
    # a consistent chain for it, seals and all, without the keys.
    rewritten = [r for r in archive.tamper.rows() if r[0] > early.position]
    for nid, _, _, _, state in rewritten:
        archive.tamper.set_state(nid, state.replace(b"printer", b"toaster") + b" ")
        archive.tamper.unchain(nid)
    for nid, oid, version, topic, state in rewritten:
        record = StoredRecord(
            nid, oid, version, topic, state.replace(b"printer", b"toaster") + b" "
        )
        forged_link_row(archive, record)
    first = rewritten[0]
    named = (Problem.MODIFIED, first[0], first[1], first[2])
    assert found(archive.verify()) == named
    assert found(archive.verify(early, key)) == named
    assert found(archive.verify(late, key)) == named


def test_an_altered_chain_record_is_named(archive: Archive) -> None:
    nid, oid, version, _, _ = archive.row_of(archive.numbers[2], 2)
    archive.tamper.sql(
        "UPDATE audit_chain SET global_hash = aggregate_hash WHERE notification_id = ?",
        nid,
    )
    assert found(archive.verify()) == (Problem.CHAIN_ALTERED, nid, oid, version)


def test_a_removed_chain_link_is_named(archive: Archive) -> None:
    nid, oid, version, _, _ = archive.row_of(archive.numbers[2], 3)
    archive.tamper.unchain(nid)
    assert found(archive.verify()) == (Problem.CHAIN_ALTERED, nid, oid, version)
    assert found(archive.verify_ticket(oid)) == (
        Problem.CHAIN_ALTERED,
        nid,
        oid,
        version,
    )


def test_a_checkpoint_that_does_not_verify_is_reported(archive: Archive) -> None:
    key = Ed25519PrivateKey.generate()
    checkpoint = archive.signed(key)
    forged = replace(checkpoint, count=checkpoint.count + 1)
    assert found(archive.verify(forged, key))[0] == Problem.BAD_CHECKPOINT
    stranger = Ed25519PrivateKey.generate()
    public = stranger.public_key()
    verdict = verify_log(archive.ledger, archive.keyring, checkpoint, public)
    assert found(verdict)[0] == Problem.BAD_CHECKPOINT
    assert archive.verify(checkpoint, key).clean

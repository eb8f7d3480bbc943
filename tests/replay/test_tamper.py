"""Tampering straight in the SQLite file and PostgreSQL tables is caught and named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.articles import Article
from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.ids import ticket_id
from replay.chain import extend_chain
from replay.checkpoint import Checkpoint, sign_checkpoint
from replay.findings import Problem, Verdict, verify_aggregate
from replay.ledger import Ledger
from replay.ledger_stores import open_ledger
from replay.verify import verify_log
from tests.conftest import DeskFactory
from tests.replay.tamper import Tamper

BOB = Origin("customer:bob@acme.test")
ALICE = Origin("agent:alice")


@dataclass
class Archive:
    """A store with a few tickets, its chain, and raw access to its tables."""

    desk: HelpDesk
    ledger: Ledger
    tamper: Tamper
    numbers: list[str]

    def add_ticket(self, title: str) -> str:
        """Open a ticket with a customer's article and tag it."""
        number = self.desk.open_ticket(
            TicketDraft(title=title, customer="bob@acme.test"),
            Article(
                article_id=f"{title}-1",
                sender="customer",
                visibility="public",
                channel="web",
                body=f"{title}: the printer smokes.",
            ),
            BOB,
        ).number
        self.desk.tag(number, "printer", ALICE)
        self.desk.tag(number, "fire", ALICE)
        self.numbers.append(number)
        return number

    def row_of(self, number: str, version: int) -> tuple[int, str, int, str, bytes]:
        """The stored row of one version of a ticket."""
        wanted = str(ticket_id(number))
        return next(r for r in self.tamper.rows() if r[1] == wanted and r[2] == version)

    def signed(self, key: Ed25519PrivateKey) -> Checkpoint:
        """Chain and verify the archive, then sign its head."""
        extend_chain(self.ledger)
        verdict = verify_log(self.ledger)
        assert verdict.clean
        return sign_checkpoint(
            key, verdict.position, verdict.head, verdict.checked, datetime.now(UTC)
        )


@pytest.fixture
def archive(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> Iterator[Archive]:
    """Three tickets of four events each after the configuration, all chained."""
    desk = desk_factory(durable_store_env)
    ledger = open_ledger(desk)
    made = Archive(desk, ledger, Tamper(durable_store_env), [])
    for title in ("first", "second", "third"):
        made.add_ticket(title)
    extend_chain(ledger)
    yield made
    ledger.close()


def found(verdict: Verdict) -> tuple[Problem, int | None, str | None, int | None]:
    """What verify named: the problem, position, aggregate and version."""
    assert verdict.finding is not None, "verify found nothing"
    f = verdict.finding
    return f.problem, f.notification_id, f.originator_id, f.version


def test_an_untouched_store_verifies_clean(archive: Archive) -> None:
    verdict = verify_log(archive.ledger)
    rows = archive.tamper.rows()
    assert verdict.clean
    assert (verdict.checked, verdict.position) == (len(rows), rows[-1][0])
    for number in archive.numbers:
        assert verify_aggregate(archive.ledger, str(ticket_id(number))).checked == 4


def test_new_events_are_chained_incrementally(archive: Archive) -> None:
    before = verify_log(archive.ledger).checked
    archive.add_ticket("fourth")
    assert extend_chain(archive.ledger) == 4
    assert extend_chain(archive.ledger) == 0
    assert verify_log(archive.ledger).checked == before + 4


def test_a_modified_payload_is_named(archive: Archive) -> None:
    nid, oid, version, _, state = archive.row_of(archive.numbers[1], 2)
    archive.tamper.set_state(nid, state.replace(b"smokes", b"sparks"))
    assert found(verify_log(archive.ledger)) == (Problem.MODIFIED, nid, oid, version)
    ticket = verify_aggregate(archive.ledger, oid)
    assert found(ticket) == (Problem.MODIFIED, nid, oid, version)


def test_a_modified_timestamp_is_named(archive: Archive) -> None:
    nid, oid, version, _, state = archive.row_of(archive.numbers[0], 3)
    data = json.loads(state)
    data["timestamp"]["_data_"] = "2020-01-01T00:00:00+00:00"
    archive.tamper.set_state(nid, json.dumps(data).encode())
    assert found(verify_log(archive.ledger)) == (Problem.MODIFIED, nid, oid, version)


def test_a_deleted_event_is_named(archive: Archive) -> None:
    nid, oid, version, _, _ = archive.row_of(archive.numbers[1], 3)
    archive.tamper.delete(nid)
    assert found(verify_log(archive.ledger)) == (Problem.MISSING, nid, oid, version)
    ticket = verify_aggregate(archive.ledger, oid)
    assert found(ticket) == (Problem.MISSING, nid, oid, version)


def test_an_event_inserted_in_the_middle_is_named(archive: Archive) -> None:
    # The attacker makes room by moving every later event one position on,
    # then slips in an extra version of the first ticket.
    nid, oid, version, topic, state = archive.row_of(archive.numbers[0], 4)
    later = [r[0] for r in archive.tamper.rows() if r[0] > nid]
    for position in later:
        archive.tamper.move(position, position + 1_000_000)
    for position in later:
        archive.tamper.move(position + 1_000_000, position + 1)
    archive.tamper.insert(nid + 1, oid, version + 1, topic, state)
    inserted = (Problem.INSERTED, nid + 1, oid, version + 1)
    assert found(verify_log(archive.ledger)) == inserted
    assert found(verify_aggregate(archive.ledger, oid))[0] == Problem.INSERTED


def test_an_extra_version_appended_out_of_order_is_named(archive: Archive) -> None:
    _, oid, version, topic, state = archive.row_of(archive.numbers[0], 4)
    last = archive.tamper.rows()[-1][0]
    archive.tamper.insert(last + 1, oid, version + 2, topic, state)
    extend_chain(archive.ledger)
    assert found(verify_log(archive.ledger)) == (
        Problem.VERSION_GAP,
        last + 1,
        oid,
        version + 2,
    )


def test_two_swapped_events_are_named(archive: Archive) -> None:
    first = archive.row_of(archive.numbers[0], 2)[0]
    second = archive.row_of(archive.numbers[2], 2)[0]
    archive.tamper.move(first, -1)
    archive.tamper.move(second, first)
    archive.tamper.move(-1, second)
    verdict = verify_log(archive.ledger)
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
    assert found(verify_log(archive.ledger)) == (Problem.REORDERED, first, oid, 3)
    assert found(verify_aggregate(archive.ledger, oid))[0] == Problem.REORDERED


def test_a_truncated_tail_is_named(archive: Archive) -> None:
    rows = archive.tamper.rows()
    archive.tamper.delete(*(r[0] for r in rows[-3:]))
    problem, nid, _, _ = found(verify_log(archive.ledger))
    assert (problem, nid) == (Problem.TRUNCATED, rows[-3][0])


def test_a_tail_truncated_with_its_chain_is_caught_by_the_checkpoint(
    archive: Archive,
) -> None:
    key = Ed25519PrivateKey.generate()
    checkpoint = archive.signed(key)
    rows = archive.tamper.rows()
    archive.tamper.delete(*(r[0] for r in rows[-3:]))
    archive.tamper.sql("DELETE FROM audit_chain WHERE notification_id > ?", rows[-4][0])
    assert verify_log(archive.ledger).clean
    verdict = verify_log(archive.ledger, checkpoint, key.public_key())
    assert found(verdict)[:2] == (Problem.TRUNCATED, checkpoint.position)


def test_a_rewrite_after_a_checkpoint_is_caught_by_a_later_one(
    archive: Archive,
) -> None:
    key = Ed25519PrivateKey.generate()
    early = archive.signed(key)
    archive.add_ticket("fourth")
    late = archive.signed(key)
    # The attacker rewrites everything after the early checkpoint and recomputes
    # a consistent chain for it: only the late signed head can tell.
    for nid, _, _, _, state in archive.tamper.rows():
        if nid > early.position:
            archive.tamper.set_state(nid, state.replace(b"printer", b"toaster"))
    archive.tamper.sql(
        "DELETE FROM audit_chain WHERE notification_id > ?", early.position
    )
    extend_chain(archive.ledger)
    public = key.public_key()
    assert verify_log(archive.ledger).clean
    assert verify_log(archive.ledger, early, public).clean
    verdict = verify_log(archive.ledger, late, public)
    assert found(verdict)[:2] == (Problem.REWRITTEN, late.position)


def test_an_altered_chain_record_is_named(archive: Archive) -> None:
    nid, oid, version, _, _ = archive.row_of(archive.numbers[2], 2)
    archive.tamper.sql(
        "UPDATE audit_chain SET global_hash = aggregate_hash WHERE notification_id = ?",
        nid,
    )
    assert found(verify_log(archive.ledger)) == (
        Problem.CHAIN_ALTERED,
        nid,
        oid,
        version,
    )


def test_a_checkpoint_that_does_not_verify_is_reported(archive: Archive) -> None:
    key = Ed25519PrivateKey.generate()
    checkpoint = archive.signed(key)
    forged = replace(checkpoint, count=checkpoint.count + 1)
    assert found(verify_log(archive.ledger, forged, key.public_key()))[0] == (
        Problem.BAD_CHECKPOINT
    )
    stranger = Ed25519PrivateKey.generate().public_key()
    verdict = verify_log(archive.ledger, checkpoint, stranger)
    assert found(verdict)[0] == Problem.BAD_CHECKPOINT
    assert verify_log(archive.ledger, checkpoint, key.public_key()).clean

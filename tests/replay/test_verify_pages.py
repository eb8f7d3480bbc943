"""Verify names the same first bad event whatever its page size."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from replay.verify import verify_log
from tests.replay.store_on_trial import Archive, chained_archive
from tests.stores import DeskFactory

PAGES = (1, 2, 3, 5)


@pytest.fixture
def tickets(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> Iterator[Archive]:
    """Four tickets of four events each after the configuration, all chained."""
    desk = desk_factory(durable_store_env)
    with chained_archive(
        desk, durable_store_env, ("first", "second", "third", "fourth")
    ) as made:
        yield made


def _untouched(archive: Archive) -> None:
    """Nothing changed."""


def _modified(archive: Archive) -> None:
    nid, _, _, _, state = archive.row_of(archive.numbers[1], 2)
    archive.tamper.set_state(nid, state.replace(b"smokes", b"sparks"))


def _deleted_pair(archive: Archive) -> None:
    rows = archive.tamper.rows()
    archive.tamper.delete(rows[-7][0], rows[-6][0])


def _unchained(archive: Archive) -> None:
    # A gap in the log filled with an event the chain never saw.
    nid, oid, version, topic, state = archive.row_of(archive.numbers[2], 4)
    archive.tamper.delete(nid)
    archive.tamper.insert(nid, oid, version, topic, state + b" ")


def _swapped(archive: Archive) -> None:
    first = archive.row_of(archive.numbers[0], 3)[0]
    second = archive.row_of(archive.numbers[3], 3)[0]
    archive.tamper.move(first, -1)
    archive.tamper.move(second, first)
    archive.tamper.move(-1, second)


def _erased(archive: Archive) -> None:
    archive.tamper.erase(archive.row_of(archive.numbers[1], 3)[0])


def _forged_at_the_end(archive: Archive) -> None:
    _, oid, version, topic, state = archive.row_of(archive.numbers[0], 4)
    archive.tamper.insert(
        archive.tamper.rows()[-1][0] + 1, oid, version + 1, topic, state
    )


def _truncated(archive: Archive) -> None:
    archive.tamper.delete(*(r[0] for r in archive.tamper.rows()[-5:]))


def _chain_altered(archive: Archive) -> None:
    nid = archive.row_of(archive.numbers[3], 2)[0]
    archive.tamper.sql(
        "UPDATE audit_chain SET aggregate_hash = global_hash WHERE notification_id = ?",
        nid,
    )


@pytest.mark.parametrize(
    "tampering",
    [
        _untouched,
        _modified,
        _deleted_pair,
        _unchained,
        _swapped,
        _erased,
        _forged_at_the_end,
        _truncated,
        _chain_altered,
    ],
)
def test_every_page_size_finds_the_same(
    tickets: Archive, tampering: Callable[[Archive], None]
) -> None:
    key = Ed25519PrivateKey.generate()
    checkpoint = tickets.signed(key)
    tampering(tickets)
    keyring, public = tickets.keyring, key.public_key()
    whole = verify_log(tickets.ledger, keyring)
    signed = verify_log(tickets.ledger, keyring, checkpoint, public)
    for page in PAGES:
        assert verify_log(tickets.ledger, keyring, batch=page) == whole
        assert verify_log(tickets.ledger, keyring, checkpoint, public, page) == signed


def test_a_state_stored_as_text_still_verifies(tickets: Archive) -> None:
    # An edit with SQLite's replace() stores TEXT; the same bytes still hash alike.
    if tickets.tamper.postgres:
        pytest.skip("a PostgreSQL bytea column cannot hold text")
    nid = tickets.row_of(tickets.numbers[1], 2)[0]
    events = len(tickets.tamper.rows())
    tickets.tamper.sql(
        "UPDATE {events} SET state = CAST(state AS TEXT) WHERE {id} = ?", nid
    )
    verdict = tickets.verify()
    assert verdict.clean
    assert verdict.checked == events

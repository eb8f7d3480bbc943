"""The one-time sealing of a store chained before events were sealed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass

import pytest

from replay.chain import extend_chain
from replay.ledger import Ledger
from replay.ledger_stores import open_ledger
from replay.mending import Mending
from replay.seals import Keyring
from replay.verdicts import Problem, Verdict
from replay.verify import mend_log, verify_log
from tests.replay.sealing import keyring_of
from tests.replay.tamper import Tamper
from tests.stores import DeskFactory
from tests.writing import open_tickets


@dataclass
class OlderStore:
    """A store as an older tickettape left it: chained, nothing sealed."""

    ledger: Ledger
    keyring: Keyring
    tamper: Tamper
    unchained: list[int]

    def mend(self, include_unchained: bool = False) -> tuple[Verdict, Mending]:
        """Run the one-time sealing (batches of 4, so that it spans pages)."""
        mending = Mending(self.keyring, include_unchained)
        return mend_log(self.ledger, self.keyring, mending, 4), mending


@pytest.fixture
def older(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> Iterator[OlderStore]:
    """Tickets chained by an older keeper, and one more it never chained."""
    desk = desk_factory(durable_store_env)
    open_tickets(desk, 3)
    keyring = keyring_of(durable_store_env)
    tamper = Tamper(durable_store_env)
    with closing(open_ledger(desk)) as ledger:
        assert extend_chain(ledger, keyring)[1] is None
        chained = len(tamper.rows())
        open_tickets(desk, 1)
        unchained = [r[0] for r in tamper.rows()][chained:]
        tamper.sql("DELETE FROM audit_seals")
        tamper.sql(
            "UPDATE audit_chain SET previous_id = NULL, previous_originator_id = "
            "NULL, previous_version = NULL, key_id = NULL, seal = NULL"
        )
        yield OlderStore(ledger, keyring, tamper, unchained)


def test_an_older_store_does_not_verify_and_is_not_chained_further(
    older: OlderStore,
) -> None:
    verdict = verify_log(older.ledger, older.keyring)
    assert verdict.finding is not None
    assert (verdict.finding.problem, verdict.finding.notification_id) == (
        Problem.UNSEALED,
        1,
    )
    added, stopped = extend_chain(older.ledger, older.keyring)
    assert added == 0
    assert stopped is not None
    assert stopped.problem is Problem.UNSEALED


def test_sealing_stops_at_the_first_event_the_chain_does_not_cover(
    older: OlderStore,
) -> None:
    verdict, mending = older.mend()
    assert verdict.finding is not None
    assert (verdict.finding.problem, verdict.finding.notification_id) == (
        Problem.UNSEALED,
        older.unchained[0],
    )
    chained = len(older.tamper.rows()) - len(older.unchained)
    assert (mending.sealed_events, mending.sealed_links) == (chained, chained)
    assert len(older.tamper.seal_rows()) == chained


def test_sealed_with_the_unchained_ones_the_store_verifies_and_chains_on(
    older: OlderStore,
) -> None:
    verdict, mending = older.mend(include_unchained=True)
    assert verdict.clean, verdict.finding
    events = len(older.tamper.rows())
    assert mending.sealed_events == events
    assert (verdict.checked, verdict.unchained) == (
        events - len(older.unchained),
        len(older.unchained),
    )
    assert extend_chain(older.ledger, older.keyring) == (len(older.unchained), None)
    assert verify_log(older.ledger, older.keyring).checked == events
    again, more = older.mend(include_unchained=True)
    assert again.clean
    assert (more.sealed_events, more.sealed_links) == (0, 0)


def test_an_event_edited_before_the_sealing_is_never_sealed(older: OlderStore) -> None:
    nid, _, _, _, state = older.tamper.rows()[5]
    older.tamper.set_state(nid, state + b" ")
    verdict, mending = older.mend(include_unchained=True)
    assert verdict.finding is not None
    assert (verdict.finding.problem, verdict.finding.notification_id) == (
        Problem.MODIFIED,
        nid,
    )
    assert mending.sealed_events == 5
    assert nid not in {s[0] for s in older.tamper.seal_rows()}


def test_an_older_chain_table_gains_the_sealed_link_columns(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    tamper = Tamper(durable_store_env)
    desk = desk_factory(durable_store_env)
    # The chain table as an older tickettape made it.
    tamper.sql(
        "CREATE TABLE audit_chain (notification_id BIGINT PRIMARY KEY, "
        "originator_id TEXT NOT NULL, originator_version BIGINT NOT NULL, "
        "event_hash BYTEA NOT NULL, aggregate_hash BYTEA NOT NULL, "
        "global_hash BYTEA NOT NULL, UNIQUE (originator_id, originator_version))"
    )
    keyring = keyring_of(durable_store_env)
    for _ in range(2):
        with closing(open_ledger(desk)) as ledger:
            assert extend_chain(ledger, keyring)[1] is None
            assert verify_log(ledger, keyring).clean
    head = tamper.sql("SELECT previous_id, key_id, seal FROM audit_chain")
    assert head
    assert all(row[1] is not None and row[2] is not None for row in head)

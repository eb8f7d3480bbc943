"""Verify since a signed checkpoint: what came after it, on from where it left off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.ids import ticket_id
from replay.checkpoint import Checkpoint, sign_checkpoint
from replay.verdicts import Problem, Verdict
from replay.verify import verify_log, verify_since
from tests.replay.store_on_trial import ALICE, Archive, chained_archive
from tests.stores import DeskFactory

KEY = Ed25519PrivateKey.generate()


@pytest.fixture
def archive(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> Iterator[tuple[Archive, Checkpoint]]:
    """Two tickets, a checkpoint signed, then a third ticket and more on the first."""
    desk = desk_factory(durable_store_env)
    with chained_archive(desk, durable_store_env, ("first", "second")) as made:
        checkpoint = made.signed(KEY)
        made.add_ticket("third")
        made.desk.tag(made.numbers[0], "after", ALICE)
        made.desk.tag(made.numbers[1], "after", ALICE)
        made.chain()
        yield made, checkpoint


def since(archive: Archive, checkpoint: Checkpoint, batch: int = 1000) -> Verdict:
    return verify_since(
        archive.ledger, archive.keyring, checkpoint, KEY.public_key(), batch
    )


def test_what_came_after_is_checked_on_from_the_checkpoint(
    archive: tuple[Archive, Checkpoint],
) -> None:
    made, checkpoint = archive
    asked: list[int] = []
    page = made.ledger.page

    def counted(after: int, stop: int, limit: int) -> object:
        asked.append(after)
        return page(after, stop, limit)

    made.ledger.page = counted  # type: ignore[assignment,method-assign]
    whole = verify_log(made.ledger, made.keyring)

    asked.clear()
    for batch in (1, 2, 1000):
        assert since(made, checkpoint, batch) == whole
    assert min(asked) == checkpoint.position
    assert whole.clean
    assert whole.checked == len(made.tamper.rows()) > checkpoint.count


def test_a_change_after_the_checkpoint_is_found(
    archive: tuple[Archive, Checkpoint],
) -> None:
    made, checkpoint = archive
    nid, _, _, _, state = made.row_of(made.numbers[2], 2)
    made.tamper.set_state(nid, state.replace(b"smokes", b"sparks"))

    verdict = since(made, checkpoint)

    assert verdict.finding is not None
    assert verdict.finding.notification_id == nid
    assert verdict == verify_log(made.ledger, made.keyring)


def test_a_change_before_the_checkpoint_is_left_to_the_whole_verify(
    archive: tuple[Archive, Checkpoint],
) -> None:
    made, checkpoint = archive
    nid, _, _, _, state = made.row_of(made.numbers[1], 2)
    made.tamper.set_state(nid, state.replace(b"smokes", b"sparks"))

    assert since(made, checkpoint).clean
    whole = verify_log(made.ledger, made.keyring, checkpoint, KEY.public_key())
    assert whole.finding is not None
    assert whole.finding.notification_id == nid


def test_an_aggregates_link_before_the_checkpoint_altered_is_found(
    archive: tuple[Archive, Checkpoint],
) -> None:
    made, checkpoint = archive
    # Version 4 is the first ticket's last event before the checkpoint.
    nid = made.row_of(made.numbers[0], 4)[0]
    made.tamper.sql(
        "UPDATE audit_chain SET aggregate_hash = global_hash WHERE notification_id = ?",
        nid,
    )

    verdict = since(made, checkpoint)

    assert verdict.finding is not None
    assert verdict.finding.problem is Problem.CHAIN_ALTERED
    assert verdict.finding.notification_id == nid


def test_an_aggregates_link_before_the_checkpoint_removed_is_found(
    archive: tuple[Archive, Checkpoint],
) -> None:
    made, checkpoint = archive
    last_before = made.row_of(made.numbers[0], 4)[0]
    made.tamper.sql("DELETE FROM audit_chain WHERE notification_id = ?", last_before)

    verdict = since(made, checkpoint)

    assert verdict.finding is not None
    assert verdict.finding.originator_id == str(ticket_id(made.numbers[0]))
    assert verdict.finding.problem is Problem.VERSION_GAP
    assert verdict.finding.version == 5


def test_the_checkpoints_own_link_must_still_end_in_its_head(
    archive: tuple[Archive, Checkpoint],
) -> None:
    made, checkpoint = archive
    made.tamper.sql(
        "UPDATE audit_chain SET global_hash = aggregate_hash WHERE notification_id = ?",
        checkpoint.position,
    )

    verdict = since(made, checkpoint)

    assert verdict.finding is not None
    assert verdict.finding.problem is Problem.REWRITTEN
    assert verdict.checked == 0


def test_a_checkpoint_signed_by_another_key_is_refused(
    archive: tuple[Archive, Checkpoint],
) -> None:
    made, checkpoint = archive
    other = Ed25519PrivateKey.generate()

    verdict = verify_since(made.ledger, made.keyring, checkpoint, other.public_key())

    assert verdict.finding is not None
    assert verdict.finding.problem is Problem.BAD_CHECKPOINT


def test_a_checkpoint_of_the_empty_log_checks_everything_since(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> None:
    desk = desk_factory(durable_store_env)
    with chained_archive(desk, durable_store_env, ()) as made:
        empty = verify_log(made.ledger, made.keyring)
        checkpoint = sign_checkpoint(
            KEY, empty.position, empty.head, empty.checked, datetime.now(UTC)
        )
        made.add_ticket("first")
        made.chain()

        verdict = since(made, checkpoint)
        assert verdict == verify_log(made.ledger, made.keyring)
        assert verdict.clean
        assert verdict.checked == len(made.tamper.rows()) > 0

        nid, _, _, _, state = made.row_of(made.numbers[0], 2)
        made.tamper.set_state(nid, state.replace(b"smokes", b"sparks"))
        assert since(made, checkpoint).finding is not None

"""Expected versions guard against lost updates; idempotency keys against retries."""

from __future__ import annotations

from copy import deepcopy

import pytest

from domain.audit import Origin
from domain.desk import HelpDesk, TicketDraft
from domain.errors import IdempotencyKeyReused, VersionConflict

from .builders import ADMIN, BOB, BOB_EMAIL, OpenTicket, article, log_position


def alice(
    expected_version: int | None = None, idempotency_key: str | None = None
) -> Origin:
    """alice's origin with concurrency terms."""
    return Origin("agent:alice", None, expected_version, idempotency_key)


def test_the_expected_version_lets_a_command_through(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    version = desk.ticket(number).version

    result = desk.tag(number, "vip", alice(expected_version=version))

    assert result.version == version + 1


def test_a_stale_expected_version_is_a_conflict_naming_the_current_version(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    stale = desk.ticket(number).version
    desk.tag(number, "vip", alice())
    position = log_position(desk)

    with pytest.raises(VersionConflict) as conflict:
        desk.change_priority(number, "high", alice(expected_version=stale))

    assert conflict.value.current_version == stale + 1
    assert conflict.value.expected_version == stale
    assert str(stale + 1) in conflict.value.message
    assert log_position(desk) == position


def test_a_lost_race_on_a_configuration_record_is_a_conflict(desk: HelpDesk) -> None:
    # Two admins, each with their own copy (the desk's record is shared).
    first, second = deepcopy(desk.agent("alice")), deepcopy(desk.agent("alice"))
    first.update("Alice A.", first.email, first.groups, [], True, ADMIN)
    second.update("Alice B.", second.email, second.groups, [], True, ADMIN)
    desk.save_config(first)

    with pytest.raises(VersionConflict) as conflict:
        desk.save_config(second)

    assert conflict.value.current_version == first.version
    assert desk.agent("alice").name == "Alice A."


def test_a_retried_command_returns_the_first_result_and_writes_nothing(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    first = desk.change_priority(number, "high", alice(idempotency_key="k1"))
    desk.change_priority(number, "low", alice())
    position = log_position(desk)

    retry = desk.change_priority(number, "high", alice(idempotency_key="k1"))

    assert retry.replayed
    assert not first.replayed
    assert (retry.number, retry.version) == (first.number, first.version)
    assert log_position(desk) == position
    assert desk.ticket(number).priority == "low"


def test_a_retried_ticket_opening_opens_one_ticket(desk: HelpDesk) -> None:
    origin = Origin("customer:bob@acme.test", None, None, "mail-1")
    draft = TicketDraft("Printer on fire", BOB_EMAIL)

    first = desk.open_ticket(draft, article(), origin)
    position = log_position(desk)
    retry = desk.open_ticket(draft, article(), origin)

    assert (retry.number, retry.article_id) == (first.number, first.article_id)
    assert retry.replayed
    assert log_position(desk) == position
    assert len(desk.ticket(first.number).articles) == 1


def test_a_retry_wins_over_a_stale_expected_version(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    version = desk.ticket(number).version
    origin = alice(expected_version=version, idempotency_key="k1")
    first = desk.tag(number, "vip", origin)

    retry = desk.tag(number, "vip", origin)

    assert retry.replayed
    assert retry.version == first.version


def test_the_same_key_with_another_command_is_refused(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number, other = open_ticket(), open_ticket()
    desk.change_priority(number, "high", alice(idempotency_key="k1"))
    position = log_position(desk)

    with pytest.raises(IdempotencyKeyReused):
        desk.change_priority(number, "critical", alice(idempotency_key="k1"))
    with pytest.raises(IdempotencyKeyReused):
        desk.change_priority(other, "high", alice(idempotency_key="k1"))

    assert desk.ticket(number).priority == "high"
    assert desk.ticket(other).priority == "normal"
    assert log_position(desk) == position


def test_idempotency_keys_belong_to_their_actor(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    desk.tag(number, "vip", alice(idempotency_key="k1"))

    other = desk.add_article(number, article(), Origin(BOB.actor, None, None, "k1"))

    assert not other.replayed
    assert len(desk.ticket(number).articles) == 2


def test_a_ticket_number_already_taken_is_drawn_again(
    desk: HelpDesk, open_ticket: OpenTicket, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = open_ticket()
    before = desk.ticket(taken).version
    draws = iter([taken, taken, "20260101000042"])
    monkeypatch.setattr(desk, "new_number", lambda: next(draws))
    draft = TicketDraft(title="Another printer", customer=BOB_EMAIL)

    result = desk.open_ticket(draft, article(), BOB)

    assert result.number == "20260101000042"
    assert desk.ticket(result.number).title == "Another printer"
    assert desk.ticket(taken).version == before

"""The mail view on SQLite and PostgreSQL: every message's row follows its
record (taken, quarantined, retried, discarded), the quarantine newest first in
keyset pages; rebuilt equal to the incremental view."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest
from hypothesis import given

from domain.commands import DiscardMail, RetryMail, TakeMail
from domain.desk import HelpDesk
from domain.errors import InvalidValue
from domain.mail import InboundMail, MailState, mail_id
from projections.engine.runner import ViewRunner
from projections.engine.store import ViewStore
from projections.engine.values import micros
from projections.mail.query import (
    MailRow,
    as_row,
    decode_cursor,
    find_messages,
    message,
)
from projections.mail.view import MailView
from tests.examples import examples_with_fixtures
from tests.projections.mail_steps import ADMIN, MAIL, TERMS, inbound, received
from tests.projections.view_stores import assert_rebuilt_alike, wipe
from tests.projections.work_desk import STEPS, play, staffed_desk
from tests.unit.builders import Clock

MINUTE = timedelta(minutes=1)


@pytest.fixture
def desk_and_clock() -> tuple[HelpDesk, Clock]:
    """A staffed in-memory desk and its clock."""
    return staffed_desk()


@pytest.fixture
def runner(desk_and_clock: tuple[HelpDesk, Clock], view_store: ViewStore) -> ViewRunner:
    """The mail view's runner, in small batches."""
    return ViewRunner(desk_and_clock[0], view_store, [MailView()], batch_size=3)


def refused(desk: HelpDesk, n: int) -> UUID:
    """Message n from a refused sender, quarantined; its record's id."""
    mail = inbound(n, from_address="offers@spam.test", subject=f"Offer {n}")
    return mail_id(desk.handle(TakeMail(mail, TERMS), MAIL).key)


def subjects(runner: ViewRunner, state: MailState | None) -> list[str]:
    """The subjects of the messages in a state, as the list shows them."""
    page = find_messages(runner.store, state, limit=1000)
    assert page.total == len(page.messages)
    return [m.subject for m in page.messages]


def test_the_quarantine_lists_held_messages_newest_first(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    for n in range(3):
        refused(desk, n)
        clock.advance(MINUTE)
    desk.handle(TakeMail(inbound(9), TERMS), MAIL)
    runner.catch_up()
    assert subjects(runner, MailState.QUARANTINED) == ["Offer 2", "Offer 1", "Offer 0"]
    assert subjects(runner, MailState.TAKEN) == ["Printer"]
    assert subjects(runner, None) == ["Printer", "Offer 2", "Offer 1", "Offer 0"]
    assert subjects(runner, MailState.DISCARDED) == []


def test_a_row_follows_its_record_through_retry_and_discard(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    record_id = refused(desk, 1)
    runner.catch_up()
    held = message(runner.store, record_id)
    assert held is not None
    raw = inbound(1).raw
    assert held == MailRow(
        id=record_id,
        key="id:<mail.1@acme.test>",
        message_id="<mail.1@acme.test>",
        sender="offers@spam.test",
        subject="Offer 1",
        state=MailState.QUARANTINED,
        reason="refused_sender",
        detail=held.detail,
        number=None,
        article_id=None,
        threaded_by=None,
        raw_sha256=raw.sha256,
        raw_size=raw.size,
        received_at=Clock.START,
        changed_at=Clock.START,
    )
    assert held.detail, "the reason is explained"
    clock.advance(MINUTE)
    desk.handle(RetryMail(held.key, None, TERMS, "still no header"), ADMIN)
    clock.advance(MINUTE)
    desk.handle(DiscardMail(held.key, "spam"), ADMIN)
    runner.catch_up()
    gone = message(runner.store, record_id)
    record = desk.record_to_change(record_id, InboundMail, "message")
    assert gone == as_row(record)
    assert gone is not None
    assert (gone.state, gone.reason, gone.detail) == (
        record.state,
        "unparsable",
        "spam",
    )
    assert (gone.received_at, gone.changed_at) == (
        Clock.START,
        Clock.START + 2 * MINUTE,
    )


def test_a_released_message_is_taken_onto_its_ticket(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk = desk_and_clock[0]
    record_id = refused(desk, 1)
    key = desk.record_to_change(record_id, InboundMail, "message").key
    receipt = desk.handle(RetryMail(key, inbound(1), TERMS), ADMIN)
    runner.catch_up()
    row = message(runner.store, record_id)
    assert row is not None
    assert (row.state, row.reason, row.detail) == (MailState.TAKEN, None, "")
    assert (row.number, row.article_id, row.threaded_by) == (
        receipt.number,
        receipt.article_id,
        "new_ticket",
    )
    assert message(runner.store, mail_id("id:<unknown@x>")) is None


def test_keyset_pages_walk_every_message_once(
    desk_and_clock: tuple[HelpDesk, Clock], runner: ViewRunner
) -> None:
    desk, clock = desk_and_clock
    for n in range(7):
        # Two messages a minute: the record's id breaks the tie.
        refused(desk, n)
        if n % 2:
            clock.advance(MINUTE)
    runner.catch_up()
    whole = find_messages(runner.store, MailState.QUARANTINED, limit=1000).messages
    pages, cursor = [], None
    while True:
        page = find_messages(runner.store, MailState.QUARANTINED, 3, cursor)
        assert page.total == 7
        pages.append(page.messages)
        if (cursor := page.next_cursor) is None:
            break
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [m for p in pages for m in p] == whole
    assert len({m.id for m in whole}) == 7


@pytest.mark.parametrize(
    "cursor", ["%%%", "bm90IGpzb24", "WyJ0YXNrcyIsMCwxXQ", "WyJtYWlsIiwiMSIsMV0"]
)
def test_a_bad_cursor_is_refused(runner: ViewRunner, cursor: str) -> None:
    with pytest.raises(InvalidValue):
        find_messages(runner.store, MailState.QUARANTINED, cursor=cursor)
    with pytest.raises(InvalidValue):
        decode_cursor(cursor)


@examples_with_fixtures(25)
@given(steps=STEPS)
def test_incremental_equals_the_records_and_a_rebuild(
    view_store: ViewStore, steps: list[tuple[str, int, int]]
) -> None:
    wipe(view_store, MailView())
    desk, clock = staffed_desk()
    runner = ViewRunner(desk, view_store, [MailView()], batch_size=3)
    play(desk, clock, runner, steps)
    expected = [
        as_row(desk.record_to_change(record_id, InboundMail, "message"))
        for record_id in received(desk)
    ]
    found = find_messages(view_store, None, limit=10_000).messages
    assert found == sorted(expected, key=lambda m: (-micros(m.received_at), str(m.id)))
    assert all(message(view_store, m.id) == m for m in expected)
    assert_rebuilt_alike(desk, view_store, MailView())

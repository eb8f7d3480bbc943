"""The customer's close, the staff's hide, and who rated: rules on the aggregate."""

from __future__ import annotations

import pytest

from domain.audit import Origin
from domain.commands import Close, Hide
from domain.desk import HelpDesk
from domain.errors import TicketMerged

from .builders import ALICE, BOB, OpenTicket


def test_closing_sets_the_first_closed_status_once(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    closed = desk.handle(Close(number), BOB)
    ticket = desk.ticket(number)
    assert (ticket.status, ticket.status_category) == ("closed", "closed")
    assert ticket.finished_at is not None
    assert desk.handle(Close(number), BOB).version == closed.version


def test_a_merged_ticket_cannot_be_closed(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    source, target = open_ticket(), open_ticket()
    desk.merge(source, target, ALICE)
    with pytest.raises(TicketMerged):
        desk.handle(Close(source), BOB)


def test_hiding_records_only_changes(desk: HelpDesk, open_ticket: OpenTicket) -> None:
    number = open_ticket()
    start = desk.ticket(number).version
    desk.handle(Hide(number), ALICE)
    desk.handle(Hide(number), ALICE)
    assert desk.ticket(number).hidden is True
    desk.handle(Hide(number, hidden=False), ALICE)
    assert desk.ticket(number).hidden is False
    assert desk.ticket(number).version == start + 2


def test_the_rating_says_who_rated(desk: HelpDesk, open_ticket: OpenTicket) -> None:
    number = open_ticket()
    desk.change_status(number, "resolved", None, "", ALICE)
    desk.rate(number, 4, "fine", BOB)
    rating = desk.ticket(number).rating
    assert rating is not None
    assert (rating.score, rating.rated_by) == (4, BOB.actor)
    desk.rate(number, 5, "", Origin("admin:root"))
    assert desk.ticket(number).rating.rated_by == "admin:root"  # type: ignore[union-attr]

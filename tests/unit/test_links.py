"""Links are recorded on both tickets, and only between tickets that exist."""

from __future__ import annotations

import pytest

from domain.desk import HelpDesk
from domain.errors import NotFound
from domain.links import Link

from .builders import ALICE, OpenTicket, log_position


def test_a_link_is_removed_from_both_tickets(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number, other = open_ticket(), open_ticket()
    desk.link(number, other, "parent", ALICE)

    desk.unlink(number, other, "parent", ALICE)

    assert desk.ticket(number).links == desk.ticket(other).links == []


@pytest.mark.parametrize("command", ["link", "unlink"])
def test_a_link_to_a_missing_ticket_is_not_found(
    desk: HelpDesk, open_ticket: OpenTicket, command: str
) -> None:
    number = open_ticket()
    position = log_position(desk)

    with pytest.raises(NotFound):
        getattr(desk, command)(number, "19990101000000", "related", ALICE)

    assert log_position(desk) == position


def test_unlinking_keeps_the_other_kinds_of_link(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number, other = open_ticket(), open_ticket()
    desk.link(number, other, "related", ALICE)

    desk.unlink(number, other, "duplicate", ALICE)

    assert desk.ticket(number).links == [Link(other, "related")]
    assert desk.ticket(other).links == [Link(number, "related")]

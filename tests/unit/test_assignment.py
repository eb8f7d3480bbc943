"""Tickets go only to active agents of the group that works their queue."""

from __future__ import annotations

import pytest

from domain.desk import HelpDesk
from domain.errors import InvalidValue, NotFound
from domain.queues import Queue

from .builders import ADMIN, ALICE, OpenTicket, event_names, log_position


def test_an_active_agent_of_the_queue_group_can_own_the_ticket(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()

    desk.assign(number, "alice", None, ALICE)

    ticket = desk.ticket(number)
    assert (ticket.owner, ticket.last_owner, ticket.responsible) == (
        "alice",
        "alice",
        None,
    )
    assert event_names(desk, number)[-1] == "Assigned"


@pytest.mark.parametrize(
    ("owner", "error"),
    [("ivan", InvalidValue), ("carol", InvalidValue), ("nobody", NotFound)],
    ids=["inactive agent", "agent of another group", "unknown agent"],
)
def test_assignment_is_refused_to(
    desk: HelpDesk, open_ticket: OpenTicket, owner: str, error: type[Exception]
) -> None:
    number = open_ticket()
    position = log_position(desk)

    with pytest.raises(error):
        desk.assign(number, owner, None, ALICE)

    assert desk.ticket(number).owner is None
    assert log_position(desk) == position


@pytest.mark.parametrize("responsible", ["ivan", "carol"])
def test_the_responsible_agent_must_also_work_the_queue(
    desk: HelpDesk, open_ticket: OpenTicket, responsible: str
) -> None:
    number = open_ticket()

    with pytest.raises(InvalidValue):
        desk.assign(number, "alice", responsible, ALICE)

    assert desk.ticket(number).owner is None


def test_the_queue_group_decides_who_may_own_a_ticket(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    desk.save_config(Queue.open("Billing", "billing", "reopen", None, ADMIN))
    number = open_ticket(queue="Billing")

    with pytest.raises(InvalidValue):
        desk.assign(number, "alice", None, ALICE)
    desk.assign(number, "carol", None, ALICE)

    assert desk.ticket(number).owner == "carol"


def test_assigning_the_same_owner_again_records_nothing(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    desk.assign(number, "alice", None, ALICE)
    position = log_position(desk)

    desk.assign(number, "alice", None, ALICE)

    assert log_position(desk) == position


def test_unassign_clears_the_owner_but_remembers_the_last_one(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    desk.assign(number, "alice", None, ALICE)

    desk.unassign(number, ALICE)

    ticket = desk.ticket(number)
    assert (ticket.owner, ticket.last_owner) == (None, "alice")
    assert event_names(desk, number)[-1] == "Unassigned"

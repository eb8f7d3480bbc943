"""Closed tickets accept only a few commands; merged tickets accept none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.desk import HelpDesk
from domain.errors import RuleViolation, TicketClosed, TicketMerged
from domain.links import Link

from .builders import (
    ALICE,
    BOB,
    OpenTicket,
    agent_reply,
    article,
    internal_note,
    log_position,
)

Command = Callable[[HelpDesk, str, str], Any]

REFUSED_WHEN_CLOSED: dict[str, Command] = {
    "assign": lambda d, n, _: d.assign(n, "alice", None, ALICE),
    "unassign": lambda d, n, _: d.unassign(n, ALICE),
    "status": lambda d, n, _: d.change_status(n, "open", None, "", ALICE),
    "priority": lambda d, n, _: d.change_priority(n, "high", ALICE),
    "move": lambda d, n, _: d.move(n, "General", ALICE),
    "type": lambda d, n, _: d.change_type(n, "incident", ALICE),
    "title": lambda d, n, _: d.retitle(n, "Another title", ALICE),
    "field": lambda d, n, _: d.set_field(n, "serial", "x", ALICE),
    "time": lambda d, n, _: d.account_time(n, 5, "phone", None, ALICE),
    "merge": lambda d, n, other: d.merge(n, other, ALICE),
    "agent reply": lambda d, n, _: d.add_article(n, agent_reply(), ALICE),
    "internal note": lambda d, n, _: d.add_article(n, internal_note(), ALICE),
}

ACCEPTED_WHEN_CLOSED: dict[str, Command] = {
    "tag": lambda d, n, _: d.tag(n, "vip", ALICE),
    "link": lambda d, n, other: d.link(n, other, "related", ALICE),
    "rating": lambda d, n, _: d.rate(n, 4, "quick", BOB),
    "follow-up": lambda d, n, _: d.add_article(n, article(), BOB),
    "reopen": lambda d, n, _: d.reopen(n, ALICE),
}

EVERYTHING: dict[str, Command] = {
    **REFUSED_WHEN_CLOSED,
    **ACCEPTED_WHEN_CLOSED,
    "untag": lambda d, n, _: d.untag(n, "vip", ALICE),
    "unlink": lambda d, n, other: d.unlink(n, other, "related", ALICE),
}


def closed_pair(desk: HelpDesk, open_ticket: OpenTicket) -> tuple[str, str]:
    """A closed ticket (assigned to alice) and another open one."""
    number, other = open_ticket(), open_ticket()
    desk.assign(number, "alice", None, ALICE)
    desk.change_status(number, "closed", None, "done", ALICE)
    return number, other


@pytest.mark.parametrize("name", sorted(REFUSED_WHEN_CLOSED))
def test_a_closed_ticket_refuses(
    desk: HelpDesk, open_ticket: OpenTicket, name: str
) -> None:
    number, other = closed_pair(desk, open_ticket)
    position = log_position(desk)

    with pytest.raises(TicketClosed):
        REFUSED_WHEN_CLOSED[name](desk, number, other)

    assert log_position(desk) == position


@pytest.mark.parametrize("name", sorted(ACCEPTED_WHEN_CLOSED))
def test_a_closed_ticket_accepts(
    desk: HelpDesk, open_ticket: OpenTicket, name: str
) -> None:
    number, other = closed_pair(desk, open_ticket)
    version = desk.ticket(number).version

    ACCEPTED_WHEN_CLOSED[name](desk, number, other)

    assert desk.ticket(number).version > version


def test_reopen_refuses_a_ticket_that_is_not_finished(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()

    with pytest.raises(RuleViolation):
        desk.reopen(number, ALICE)


def test_a_rating_comes_after_resolution(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()

    with pytest.raises(RuleViolation):
        desk.rate(number, 5, "", BOB)


@pytest.mark.parametrize("name", sorted(EVERYTHING))
def test_a_merged_ticket_refuses_everything_and_names_its_target(
    desk: HelpDesk, open_ticket: OpenTicket, name: str
) -> None:
    number, target, third = open_ticket(), open_ticket(), open_ticket()
    desk.tag(number, "vip", ALICE)
    desk.link(number, third, "related", ALICE)
    desk.merge(number, target, ALICE)
    position = log_position(desk)

    with pytest.raises(TicketMerged) as refused:
        EVERYTHING[name](desk, number, third)

    assert refused.value.target == target
    assert target in refused.value.message
    assert log_position(desk) == position
    assert desk.ticket(number).links == [Link(third, "related")]

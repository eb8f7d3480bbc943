"""A customer's follow-up on a resolved or closed ticket follows the queue's policy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.desk import HelpDesk
from domain.errors import FollowUpRejected
from domain.links import Link
from domain.queues import FollowUp, Queue

from .builders import (
    ADMIN,
    ALICE,
    BOB,
    Clock,
    OpenTicket,
    article,
    event_names,
    log_position,
)


def finished(
    desk: HelpDesk,
    open_ticket: OpenTicket,
    status: str = "closed",
    queue: str = "General",
) -> str:
    """A ticket alice owned, then handed back, then finished."""
    number = open_ticket(queue=queue)
    desk.assign(number, "alice", None, ALICE)
    desk.unassign(number, ALICE)
    desk.change_status(number, status, None, "done", ALICE)
    return number


def with_policy(desk: HelpDesk, policy: str, days: int | None = None) -> str:
    """A queue of group support with this follow-up policy."""
    name = f"Queue {policy}"
    desk.save_config(Queue.open(name, "support", policy, days, ADMIN))
    return name


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_reopen_reopens_and_gives_the_ticket_back_to_its_last_owner(
    desk: HelpDesk, open_ticket: OpenTicket, status: str
) -> None:
    number = finished(desk, open_ticket, status)
    follow_up = article()

    result = desk.add_article(number, follow_up, BOB)

    ticket = desk.ticket(number)
    assert result.follow_up_number is None
    assert event_names(desk, number)[-2:] == ["ArticleAdded", "Reopened"]
    assert (ticket.status, ticket.owner) == ("open", "alice")
    assert ticket.finished_at is None
    assert ticket.articles[-1].article_id == follow_up.article_id


def test_reject_refuses_the_follow_up_and_writes_nothing(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = finished(desk, open_ticket, queue=with_policy(desk, FollowUp.REJECT))
    version, position = desk.ticket(number).version, log_position(desk)

    with pytest.raises(FollowUpRejected):
        desk.add_article(number, article(), BOB)

    assert desk.ticket(number).version == version
    assert log_position(desk) == position


def test_new_ticket_opens_a_linked_ticket_and_leaves_the_old_one_closed(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = finished(desk, open_ticket, queue=with_policy(desk, FollowUp.NEW_TICKET))
    before = desk.ticket(number)
    follow_up = article(body="it burns again")

    result = desk.add_article(number, follow_up, BOB)

    assert result.follow_up_number is not None
    old, new = desk.ticket(number), desk.ticket(result.follow_up_number)
    assert event_names(desk, number)[-1] == "Linked"
    assert old.version == before.version + 1
    assert old.links == [Link(new.number, "related")]
    assert (old.status, old.articles) == ("closed", before.articles)
    assert new.links == [Link(old.number, "related")]
    assert new.status == "new"
    assert [a.body for a in new.articles] == ["it burns again"]
    assert (new.customer, new.queue) == (old.customer, old.queue)


@pytest.mark.parametrize(
    ("elapsed", "reopens"),
    [
        (timedelta(days=3) - timedelta(hours=1), True),
        (timedelta(days=3, hours=1), False),
    ],
)
def test_reopen_within_days_reopens_inside_the_window_and_opens_a_new_one_after(
    desk: HelpDesk,
    open_ticket: OpenTicket,
    clock: Clock,
    elapsed: timedelta,
    reopens: bool,
) -> None:
    queue = with_policy(desk, FollowUp.REOPEN_WITHIN_DAYS, 3)
    number = finished(desk, open_ticket, "resolved", queue)
    clock.advance(elapsed)

    result = desk.add_article(number, article(), BOB)

    ticket = desk.ticket(number)
    if reopens:
        assert result.follow_up_number is None
        assert (ticket.status, event_names(desk, number)[-1]) == ("open", "Reopened")
    else:
        assert result.follow_up_number is not None
        assert (ticket.status, ticket.links) == (
            "resolved",
            [Link(result.follow_up_number, "related")],
        )


def test_an_agent_article_on_a_resolved_ticket_is_no_follow_up(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = finished(desk, open_ticket, "resolved", with_policy(desk, FollowUp.REJECT))

    desk.add_article(number, article("agent", "internal"), ALICE)

    assert desk.ticket(number).status == "resolved"

"""Listing configuration records reads the log up to the request's look, no further."""

from __future__ import annotations

import pytest

from domain.audit import Origin
from domain.desk import HelpDesk
from domain.desk.cache import one_look
from domain.queues import FollowUp, Queue
from tests.stores import DeskFactory

ADMIN = Origin("admin:root")


@pytest.fixture
def desks(
    durable_store_env: dict[str, str], desk_factory: DeskFactory
) -> tuple[HelpDesk, HelpDesk]:
    """Two desks on one store, as two processes: ours, and another that writes."""
    ours, other = desk_factory(durable_store_env), desk_factory(durable_store_env)
    ours.initialize(ADMIN)
    return ours, other


def _open(desk: HelpDesk, name: str) -> None:
    desk.save_config(Queue.open(name, "support", FollowUp.REOPEN, None, ADMIN))


def test_a_request_lists_what_its_look_saw_without_asking_where_the_log_ends(
    desks: tuple[HelpDesk, HelpDesk],
) -> None:
    ours, other = desks
    _open(other, "Billing")
    ours.statuses()  # the cache's first look starts where the log ends
    asked: list[int] = []
    last = ours.recorder.max_notification_id

    def counted() -> int | None:
        asked.append(1)
        return last()

    ours.recorder.max_notification_id = counted  # type: ignore[method-assign]

    with one_look():
        names = [q.name for q in ours.all_of(Queue)]
        _open(other, "Returns")
        again = [q.name for q in ours.all_of(Queue)]
    with one_look():
        later = [q.name for q in ours.all_of(Queue)]

    assert "Billing" in names
    assert again == names
    assert later == [*names, "Returns"]
    assert asked == []
    assert [q.name for q in ours.all_of(Queue)] == later
    assert asked == [1]

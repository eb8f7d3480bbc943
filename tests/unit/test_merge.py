"""Merging records Merged on the source and Absorbed on the target."""

from __future__ import annotations

import pytest

from domain.desk import HelpDesk
from domain.errors import InvalidValue, NotFound, RuleViolation

from .builders import ALICE, OpenTicket, event_names, log_position


def test_merge_records_merged_on_the_source_and_absorbed_on_the_target(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    source, target = open_ticket(), open_ticket()

    result = desk.merge(source, target, ALICE)

    merged, absorbing = desk.ticket(source), desk.ticket(target)
    assert result.version == merged.version
    assert event_names(desk, source)[-1] == "Merged"
    assert event_names(desk, target)[-1] == "Absorbed"
    assert (merged.merged_into, merged.status, merged.status_category) == (
        target,
        "merged",
        "merged",
    )
    assert absorbing.absorbed == [source]
    assert absorbing.status == "new"


def test_a_resolved_ticket_can_be_merged_into_an_open_one(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    source, target = open_ticket(), open_ticket()
    desk.change_status(source, "resolved", None, "", ALICE)

    desk.merge(source, target, ALICE)

    assert desk.ticket(source).merged_into == target


def test_a_ticket_cannot_merge_into_itself(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    position = log_position(desk)

    with pytest.raises(InvalidValue):
        desk.merge(number, number, ALICE)

    assert log_position(desk) == position


def test_a_ticket_cannot_merge_into_a_merged_ticket(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    source, merged, target = open_ticket(), open_ticket(), open_ticket()
    desk.merge(merged, target, ALICE)
    position = log_position(desk)

    with pytest.raises(RuleViolation, match=merged):
        desk.merge(source, merged, ALICE)

    assert log_position(desk) == position
    assert desk.ticket(source).merged_into is None


def test_a_ticket_cannot_merge_into_a_closed_ticket(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    source, closed = open_ticket(), open_ticket()
    desk.change_status(closed, "closed", None, "", ALICE)
    position = log_position(desk)

    with pytest.raises(RuleViolation, match="closed"):
        desk.merge(source, closed, ALICE)

    assert log_position(desk) == position


def test_merging_into_an_unknown_ticket_is_not_found(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    source = open_ticket()

    with pytest.raises(NotFound):
        desk.merge(source, "19990101000000", ALICE)

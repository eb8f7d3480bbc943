"""Values are checked against the configured statuses, lists and custom fields."""

from __future__ import annotations

import pytest

from domain.desk import HelpDesk, TicketDraft
from domain.errors import InvalidValue
from domain.fields import FieldDefinition, FieldKind
from domain.people import check_email
from domain.queues import Queue
from domain.statuses import Category, Status

from .builders import ADMIN, ALICE, BOB, BOB_EMAIL, OpenTicket, article, log_position

GOOD_AND_BAD: dict[FieldKind, tuple[object, list[object]]] = {
    FieldKind.TEXT: ("serial 42", [42, True, "x" * 10_001]),
    FieldKind.NUMBER: (3.5, ["3.5", True, float("nan"), 1e16]),
    FieldKind.BOOLEAN: (False, ["yes", 1, 0]),
    FieldKind.DATE: ("2024-02-29", ["2023-02-29", "2024-2-9", 20240229, "tomorrow"]),
    FieldKind.SELECT: ("laser", ["inkjet", "Laser", 1]),
}


@pytest.fixture
def kinds(desk: HelpDesk) -> HelpDesk:
    """The desk with one custom field of every kind, named after its kind."""
    for kind in FieldKind:
        options = ["laser", "matrix"] if kind is FieldKind.SELECT else []
        desk.save_config(
            FieldDefinition.define(kind.value, kind.value, kind, options, ADMIN)
        )
    return desk


@pytest.mark.parametrize("kind", list(FieldKind))
def test_a_field_takes_a_value_of_its_kind_and_none_clears_it(
    kinds: HelpDesk, open_ticket: OpenTicket, kind: FieldKind
) -> None:
    number = open_ticket()
    good, _ = GOOD_AND_BAD[kind]

    kinds.set_field(number, kind.value, good, ALICE)
    assert kinds.ticket(number).fields == {kind.value: good}
    kinds.set_field(number, kind.value, None, ALICE)
    assert kinds.ticket(number).fields == {}


@pytest.mark.parametrize(
    ("kind", "bad"),
    [(kind, bad) for kind, (_, bads) in GOOD_AND_BAD.items() for bad in bads],
)
def test_a_field_refuses_a_value_of_another_kind(
    kinds: HelpDesk, open_ticket: OpenTicket, kind: FieldKind, bad: object
) -> None:
    number = open_ticket()
    position = log_position(kinds)

    with pytest.raises(InvalidValue):
        kinds.set_field(number, kind.value, bad, ALICE)

    assert log_position(kinds) == position


def test_an_unknown_or_retired_field_is_refused(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    serial = desk.field_definition("serial")
    serial.update("Serial", [], False, ADMIN)
    desk.save_config(serial)

    with pytest.raises(InvalidValue, match="unknown"):
        desk.set_field(number, "colour", "red", ALICE)
    with pytest.raises(InvalidValue, match="retired"):
        desk.set_field(number, "serial", "x", ALICE)


def test_a_new_ticket_checks_its_fields(desk: HelpDesk) -> None:
    def draft(fields: dict[str, object]) -> TicketDraft:
        return TicketDraft("Title", BOB_EMAIL, fields=fields)

    with pytest.raises(InvalidValue):
        desk.open_ticket(draft({"serial": 7}), article(), BOB)
    with pytest.raises(InvalidValue):
        desk.open_ticket(draft({"colour": "red"}), article(), BOB)
    number = desk.open_ticket(draft({"serial": "A7"}), article(), BOB).number

    assert desk.ticket(number).fields == {"serial": "A7"}


@pytest.mark.parametrize(
    ("status", "reason"),
    [("bogus", "unknown"), ("on_hold", "retired"), ("merged", "merging")],
)
def test_a_status_must_be_known_active_and_settable(
    desk: HelpDesk, open_ticket: OpenTicket, status: str, reason: str
) -> None:
    catalogue = desk.statuses()
    catalogue.add(Status("on_hold", Category.PENDING), ADMIN)
    catalogue.retire("on_hold", ADMIN)
    desk.save_config(catalogue)
    number = open_ticket()

    with pytest.raises(InvalidValue, match=reason):
        desk.change_status(number, status, None, "", ALICE)

    assert desk.ticket(number).status == "new"


def test_an_added_status_can_be_set(desk: HelpDesk, open_ticket: OpenTicket) -> None:
    catalogue = desk.statuses()
    catalogue.add(Status("with_vendor", Category.PENDING), ADMIN)
    desk.save_config(catalogue)
    number = open_ticket()

    desk.change_status(number, "with_vendor", None, "RMA sent", ALICE)

    assert desk.ticket(number).status_category == "pending"


def test_pending_until_goes_only_with_pending_statuses_and_lies_ahead(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    now = desk.clock()

    with pytest.raises(InvalidValue, match="needs pending_until"):
        desk.change_status(number, "postponed", None, "", ALICE)
    with pytest.raises(InvalidValue, match="only pending"):
        desk.change_status(number, "open", now.replace(year=now.year + 1), "", ALICE)
    with pytest.raises(InvalidValue, match="future"):
        desk.change_status(
            number, "postponed", now.replace(year=now.year - 1), "", ALICE
        )


def test_priorities_and_types_must_be_in_their_lists(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()

    with pytest.raises(InvalidValue):
        desk.change_priority(number, "urgent", ALICE)
    with pytest.raises(InvalidValue):
        desk.change_type(number, "complaint", ALICE)
    with pytest.raises(InvalidValue):
        desk.open_ticket(TicketDraft("T", BOB_EMAIL, priority="urgent"), article(), BOB)
    desk.change_priority(number, "critical", ALICE)
    desk.change_type(number, "incident", ALICE)

    ticket = desk.ticket(number)
    assert (ticket.priority, ticket.type) == ("critical", "incident")


def test_a_move_needs_a_known_active_queue(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    closed = Queue.open("Old", "support", "reopen", None, ADMIN)
    closed.reconfigure("support", "reopen", None, False, ADMIN)
    desk.save_config(closed)
    desk.save_config(Queue.open("Billing", "billing", "reopen", None, ADMIN))

    with pytest.raises(InvalidValue, match="unknown"):
        desk.move(number, "Nowhere", ALICE)
    with pytest.raises(InvalidValue, match="not active"):
        desk.move(number, "Old", ALICE)
    desk.move(number, "Billing", ALICE)

    assert desk.ticket(number).queue == "Billing"


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "x" * 251])
def test_a_title_is_one_line_of_1_to_250_characters(
    desk: HelpDesk, open_ticket: OpenTicket, title: str
) -> None:
    number = open_ticket()

    with pytest.raises(InvalidValue):
        desk.retitle(number, title, ALICE)


@pytest.mark.parametrize(
    "address",
    ["new\x00@x.test", "a@b", "two@@x.test", "tab\t@x.test", "x" * 250 + "@x.test"],
)
def test_email_addresses_are_checked(address: str) -> None:
    with pytest.raises(InvalidValue):
        check_email(address)

"""Configuration records are aggregates too: audited, unique, validated."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eventsourcing.domain import Aggregate

from domain.audit import SYSTEM, Origin
from domain.desk import HelpDesk
from domain.errors import AlreadyExists, InvalidValue
from domain.fields import FieldDefinition
from domain.people import Agent, Customer, Organization
from domain.queues import FollowUp, Queue
from domain.statuses import Category, Status
from domain.tokens import ApiToken

from .builders import ADMIN, ALICE, BOB_EMAIL, OpenTicket, log_position

DUPLICATES: dict[str, Callable[[], Aggregate]] = {
    "queue": lambda: Queue.open("general", "other", "reject", None, ADMIN),
    "agent": lambda: Agent.hire("ALICE", "A", "a@example.com", [], [], ADMIN),
    "customer": lambda: Customer.register(BOB_EMAIL.upper(), "B", None, ADMIN),
    "organization": lambda: Organization.register("acme", [], ADMIN),
    "field": lambda: FieldDefinition.define("serial", "S", "number", [], ADMIN),
}


@pytest.mark.parametrize("kind", sorted(DUPLICATES))
def test_a_second_record_with_the_same_natural_key_already_exists(
    desk: HelpDesk, kind: str
) -> None:
    position = log_position(desk)

    with pytest.raises(AlreadyExists):
        desk.save_config(DUPLICATES[kind]())

    assert log_position(desk) == position


def test_initialize_runs_once(desk: HelpDesk) -> None:
    position = log_position(desk)

    assert desk.initialize() is False
    assert log_position(desk) == position
    assert [q.name for q in desk.all_of(Queue)] == ["General"]


def test_the_defaults_of_a_fresh_desk(desk: HelpDesk) -> None:
    general = desk.queue("General")

    assert (general.group, general.follow_up) == ("support", FollowUp.REOPEN)
    assert desk.priorities().values == ["low", "normal", "high", "critical"]
    assert desk.priorities().default == "normal"
    assert desk.ticket_types().default == "question"
    assert {s.name for s in desk.statuses().statuses} >= {"new", "merged", "postponed"}


def test_a_queue_is_reconfigured_and_validated(desk: HelpDesk) -> None:
    queue = desk.queue("General")
    queue.reconfigure("support", "reopen_within_days", 7, True, ADMIN)
    desk.save_config(queue)

    assert desk.queue("general").reopen_within_days == 7
    with pytest.raises(InvalidValue):
        Queue.open("Q", "g", "reopen_within_days", None, ADMIN)
    with pytest.raises(InvalidValue):
        Queue.open("Q", "g", "reopen", 3, ADMIN)
    with pytest.raises(InvalidValue):
        Queue.open("Q", "g", "forward", None, ADMIN)


def test_an_agent_leaving_a_group_can_no_longer_take_its_tickets(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    alice = desk.agent("alice")
    alice.update("Alice", alice.email, ["billing"], ["printers"], True, ADMIN)
    desk.save_config(alice)

    with pytest.raises(InvalidValue):
        desk.assign(open_ticket(), "alice", None, ALICE)
    assert desk.agent("alice").skills == ["printers"]


def test_customers_and_organizations_are_registered_and_updated(desk: HelpDesk) -> None:
    bob = desk.customer("BOB@acme.test")
    bob.update("Robert", None, ADMIN)
    desk.save_config(bob)
    acme = desk.organization("ACME")
    acme.update(["acme.test", "acme.example"], ADMIN)
    desk.save_config(acme)

    assert (desk.customer(BOB_EMAIL).name, desk.customer(BOB_EMAIL).organization) == (
        "Robert",
        None,
    )
    assert desk.organization("acme").domains == ["acme.example", "acme.test"]
    with pytest.raises(InvalidValue):
        Customer.register("not-an-address", "X", None, ADMIN)


def test_the_status_catalogue_adds_and_retires_statuses(desk: HelpDesk) -> None:
    catalogue = desk.statuses()
    catalogue.add(Status("with_vendor", Category.PENDING), ADMIN)
    catalogue.retire("with_vendor", ADMIN)
    desk.save_config(catalogue)

    saved = desk.statuses()
    assert saved.find("with_vendor").active is False
    with pytest.raises(AlreadyExists):
        saved.add(Status("open", Category.OPEN), ADMIN)
    with pytest.raises(InvalidValue):
        saved.add(Status("gone", Category.MERGED), ADMIN)
    with pytest.raises(InvalidValue):
        saved.retire("waiting_for_customer", ADMIN)


def test_replacing_the_priorities_changes_what_tickets_may_take(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    priorities = desk.priorities()
    priorities.replace(["p3", "p2", "p1"], "p3", ADMIN)
    desk.save_config(priorities)

    with pytest.raises(InvalidValue):
        desk.change_priority(number, "high", ALICE)
    desk.change_priority(number, "p1", ALICE)
    assert desk.ticket(number).priority == "p1"
    with pytest.raises(InvalidValue):
        priorities.replace(["a", "a"], "a", ADMIN)
    with pytest.raises(InvalidValue):
        priorities.replace(["a"], "b", ADMIN)


def test_field_definitions_are_validated(desk: HelpDesk) -> None:
    with pytest.raises(InvalidValue):
        FieldDefinition.define("Bad Name", "", "text", [], ADMIN)
    with pytest.raises(InvalidValue):
        FieldDefinition.define("size", "", "select", [], ADMIN)
    with pytest.raises(InvalidValue):
        FieldDefinition.define("size", "", "text", ["s"], ADMIN)
    with pytest.raises(InvalidValue):
        FieldDefinition.define("size", "", "colour", [], ADMIN)
    assert desk.field_definition("serial").kind == "text"


def test_a_token_keeps_only_the_hash_of_its_secret(desk: HelpDesk) -> None:
    secret, token = desk.issue_token("cli", "agent", "alice", Origin(SYSTEM))

    stored = b"".join(e.state for e in desk.recorder.select_events(token.id))

    assert secret.encode() not in stored
    assert token.secret_hash.encode() in stored
    assert token.secret_hash != secret


def test_a_token_authenticates_until_it_is_revoked(desk: HelpDesk) -> None:
    secret, token = desk.issue_token("cli", "agent", "alice", Origin(SYSTEM))

    found = desk.authenticate(secret)
    assert found is not None
    assert (found.id, found.actor) == (token.id, "agent:alice")
    assert desk.authenticate(secret + "x") is None

    found.revoke(ADMIN)
    desk.save_config(found)
    assert desk.authenticate(secret) is None
    assert desk.token(token.id).revoked


def test_a_token_needs_a_known_role(desk: HelpDesk) -> None:
    with pytest.raises(InvalidValue):
        ApiToken.issue("tt_x", "cli", "root", "alice", ADMIN)

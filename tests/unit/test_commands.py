"""Commands as data: one path runs them all, keyed by a fingerprint of their fields."""

from __future__ import annotations

import inspect
import json
from dataclasses import replace

import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from domain import commands, configuration_commands
from domain.audit import Origin
from domain.commands import Command, Tag, Untag, fingerprint
from domain.configuration_commands import (
    KEEP,
    ConfigCommand,
    OpenQueue,
    ReconfigureQueue,
)
from domain.desk import HelpDesk
from domain.desk.handling import RULES
from domain.errors import IdempotencyKeyReused, VersionConflict
from domain.idempotency import IdempotencyRecord
from domain.ids import queue_id
from domain.queues import Queue

from .builders import ADMIN, BOB, OpenTicket, article

KEYED = Origin("admin:test", idempotency_key="key-1")


def _command_classes() -> list[type[Command[object]]]:
    found = []
    for module in (commands, configuration_commands):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Command) and cls.__module__ == module.__name__:
                found.append(cls)
    return found


def test_every_command_has_one_rule() -> None:
    bases = {Command, commands.TicketCommand, ConfigCommand}
    bases.add(configuration_commands.ReplaceChoices)
    concrete = {cls for cls in _command_classes() if cls not in bases}
    assert concrete == set(RULES)


def test_the_fingerprint_is_the_commands_type_and_fields() -> None:
    assert fingerprint(Tag("1", "vip")) == fingerprint(Tag("1", "vip"))
    assert fingerprint(Tag("1", "vip")) != fingerprint(Untag("1", "vip"))
    assert fingerprint(Tag("1", "vip")) != fingerprint(Tag("1", "VIP"))
    # 1 and True are different field values, though Python calls them equal.
    assert fingerprint(commands.SetField("1", "f", 1)) != fingerprint(
        commands.SetField("1", "f", True)
    )
    assert fingerprint(ReconfigureQueue("Q", active=False)) != fingerprint(
        ReconfigureQueue("Q", active=KEEP)
    )


def test_the_ids_the_edge_makes_up_are_not_part_of_the_fingerprint() -> None:
    first = article()
    retried = replace(first, article_id="another", author="x")
    assert first != retried
    assert fingerprint(commands.AddArticle("1", first)) == fingerprint(
        commands.AddArticle("1", retried)
    )


def test_a_configuration_command_retried_under_its_key_answers_the_first_result(
    desk: HelpDesk,
) -> None:
    first = desk.handle(OpenQueue("Billing", "billing"), KEYED)
    again = desk.handle(OpenQueue("Billing", "billing"), KEYED)
    assert again == replace(first, replayed=True, secret=None)
    assert first.position is not None
    with pytest.raises(IdempotencyKeyReused):
        desk.handle(OpenQueue("Sales", "billing"), KEYED)


def test_a_change_command_keeps_what_it_does_not_name(desk: HelpDesk) -> None:
    desk.handle(OpenQueue("Billing", "billing", "reject"), ADMIN)
    desk.handle(ReconfigureQueue("Billing", active=False), ADMIN)
    queue = desk.queue("Billing")
    assert (queue.group, queue.follow_up, queue.active) == ("billing", "reject", False)


def test_a_change_command_checks_the_expected_version(desk: HelpDesk) -> None:
    desk.handle(OpenQueue("Billing", "billing"), ADMIN)
    stale = Origin("admin:test", expected_version=7)
    with pytest.raises(VersionConflict) as refused:
        desk.handle(ReconfigureQueue("Billing", active=False), stale)
    assert refused.value.current_version == 1


def test_a_change_never_touches_the_record_other_readers_share(
    desk: HelpDesk,
) -> None:
    desk.handle(OpenQueue("Billing", "billing"), ADMIN)
    shared = desk.queue("Billing")
    desk.handle(ReconfigureQueue("Billing", group="sales"), ADMIN)
    assert shared.group == "billing"
    assert desk.queue("Billing").group == "sales"


def test_a_ticket_retry_answers_the_first_position(
    desk: HelpDesk, open_ticket: OpenTicket
) -> None:
    number = open_ticket()
    keyed = Origin("agent:alice", idempotency_key="t-1")
    first = desk.tag(number, "vip", keyed)
    desk.tag(number, "other", Origin("agent:alice"))
    again = desk.tag(number, "vip", keyed)
    assert first.position is not None
    assert again == replace(first, replayed=True)


def test_a_record_kept_before_configuration_took_keys_still_reads(
    desk: HelpDesk,
) -> None:
    # The first version of the record named its subject `number`.
    record = IdempotencyRecord.remember("old", "print", "2024", 3, None, None, BOB)
    stored = desk.mapper.to_stored_event(record.collect_events()[0])
    state = json.loads(stored.state)
    state["number"], state["ticket_version"] = (
        state.pop("subject"),
        state.pop("subject_version"),
    )
    del state["class_version"]
    old = StoredEvent(
        stored.originator_id,
        stored.originator_version,
        get_topic(IdempotencyRecord.Created),
        json.dumps(state).encode(),
    )
    event = desk.mapper.to_domain_event(old)
    assert isinstance(event, IdempotencyRecord.Created)
    assert (event.subject, event.subject_version) == ("2024", 3)


def test_the_queue_a_command_opened_is_stored_under_its_name(desk: HelpDesk) -> None:
    result = desk.handle(OpenQueue("Billing", "billing"), ADMIN)
    assert result.record_id == queue_id("Billing")
    assert isinstance(desk.record_at(result.record_id, 1, Queue), Queue)
